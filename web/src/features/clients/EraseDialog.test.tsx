// The erase confirmation: says what is erased and what is kept, warns of a
// stay still to serve, acts only with the client's name typed, and shows
// berth's refusal in words.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { apiError, fakeUrql, renderWith } from '@/test/fake-urql';
import { EraseForm } from './EraseDialog';

const ava: ClientFieldsFragment = {
  id: 'c1',
  name: 'Ava Keller',
  email: 'ava@example.org',
  phone: null,
  notes: null,
  blocked: false,
  archived: false,
  createdAt: '2026-12-01T10:00:00Z',
  erasedAt: null,
};
const erasure = { client: { ...ava, name: '(erased)', email: null, archived: true, erasedAt: '2026-12-06T10:00:00Z' }, reservations: 2, auditEntries: 5, events: 4 };

beforeEach(async () => {
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['clients']);
});

describe('erase confirmation', () => {
  it('says what is erased and kept, and erases only once the name is typed', async () => {
    const fake = fakeUrql({ ClientErase: () => ({ data: { eraseClient: erasure } }) });
    const erased = vi.fn();
    renderWith(fake.client, <EraseForm client={ava} reservations={2} active={0} onCancel={() => {}} onErased={erased} />);
    expect(screen.getByText(/name, e-mail, phone and notes/)).toBeInTheDocument();
    expect(screen.getByText('The notes and cancellation reasons of their 2 reservations.')).toBeInTheDocument();
    expect(screen.getByText(/The reservations themselves: dates, unit, guests, price and state/)).toBeInTheDocument();
    expect(screen.getByText(/Who did what and when/)).toBeInTheDocument();
    expect(screen.queryByText(/still to serve/)).toBeNull();

    const user = userEvent.setup({ delay: null });
    const button = screen.getByRole('button', { name: 'Erase for good' });
    await user.click(button);
    expect(screen.getByRole('textbox', { name: "Type the client's name to confirm" })).toHaveAccessibleDescription(/not the client's name/);
    expect(fake.callsOf('ClientErase')).toHaveLength(0);

    await user.type(screen.getByRole('textbox', { name: "Type the client's name to confirm" }), 'ava keller');
    await user.click(button);
    await waitFor(() => expect(erased).toHaveBeenCalledWith(erasure));
    expect(fake.callsOf('ClientErase')[0]?.variables).toEqual({ id: 'c1' });
  });

  it('warns of stays still to serve and shows the refusal in words', async () => {
    const fake = fakeUrql({ ClientErase: () => apiError('CONFLICT', 'client c1 has 1 active reservation') });
    renderWith(fake.client, <EraseForm client={ava} reservations={1} active={1} onCancel={() => {}} onErased={() => {}} />);
    expect(screen.getByText(/has 1 reservation still to serve/)).toBeInTheDocument();
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByRole('textbox', { name: "Type the client's name to confirm" }), 'Ava Keller');
    await user.click(screen.getByRole('button', { name: 'Erase for good' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('berth refused to erase this client.');
    expect(alert).toHaveTextContent('client c1 has 1 active reservation');
  });
});
