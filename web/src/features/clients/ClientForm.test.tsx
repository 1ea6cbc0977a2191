// The client form: problems beside their fields before anything is sent, only
// the changes sent on edit, the server's refusal in words.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { apiError, fakeUrql, renderWith } from '@/test/fake-urql';
import { ClientForm } from './ClientForm';

const ava: ClientFieldsFragment = {
  id: 'c1',
  name: 'Ava Keller',
  email: 'ava@example.org',
  phone: '+41 79 555 99 99',
  notes: null,
  blocked: false,
  archived: false,
  createdAt: '2026-12-01T10:00:00Z',
  erasedAt: null,
};

beforeEach(async () => {
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['clients']);
});

describe('client form', () => {
  it('shows each problem beside its field and sends nothing', async () => {
    const fake = fakeUrql({ ClientCreate: () => ({ data: { createClient: ava } }) });
    const saved = vi.fn();
    renderWith(fake.client, <ClientForm onCancel={() => {}} onSaved={saved} />);
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByRole('textbox', { name: 'E-mail' }), 'ava@nowhere');
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    expect(screen.getByRole('textbox', { name: /^Name/ })).toHaveAccessibleDescription(/A client needs a name/);
    expect(screen.getByRole('textbox', { name: 'E-mail' })).toHaveAccessibleDescription(/not an e-mail address/);
    expect(screen.getByRole('textbox', { name: /^Name/ })).toHaveFocus();
    expect(fake.callsOf('ClientCreate')).toHaveLength(0);

    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'Ava Keller');
    await user.clear(screen.getByRole('textbox', { name: 'E-mail' }));
    await user.type(screen.getByRole('textbox', { name: 'E-mail' }), 'ava@example.org');
    await user.click(screen.getByRole('checkbox', { name: 'Start blocked' }));
    await user.click(screen.getByRole('button', { name: 'Create client' }));
    await waitFor(() => expect(saved).toHaveBeenCalledWith(ava, true));
    expect(fake.callsOf('ClientCreate')[0]?.variables).toEqual({ input: { name: 'Ava Keller', email: 'ava@example.org', blocked: true } });
  });

  it('sends only the changes, and says when there are none', async () => {
    const fake = fakeUrql({ ClientUpdate: () => ({ data: { updateClient: { ...ava, phone: null } } }) });
    const saved = vi.fn();
    renderWith(fake.client, <ClientForm client={ava} onCancel={() => {}} onSaved={saved} />);
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(screen.getByText('Nothing has changed.')).toBeInTheDocument();
    await user.clear(screen.getByRole('textbox', { name: 'Phone' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(saved).toHaveBeenCalled());
    expect(fake.callsOf('ClientUpdate')[0]?.variables).toEqual({ id: 'c1', input: { phone: null } });
  });

  it('puts the server refusal in words', async () => {
    const fake = fakeUrql({ ClientUpdate: () => apiError('CONFLICT', 'client c1 was erased and cannot be changed') });
    renderWith(fake.client, <ClientForm client={ava} onCancel={() => {}} onSaved={() => {}} />);
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByRole('textbox', { name: 'Notes' }), 'late arrival');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The changes could not be saved');
    expect(alert).toHaveTextContent('client c1 was erased and cannot be changed');
  });
});
