// API keys with a fake berth: the form checks its name and offers roles up to
// the viewer's; the new key's secret shows once, in a dialog, and is gone
// after closing; revoking asks first and shows a refusal in words.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderRoutes } from '@/test/fake-urql';
import ApiKeysPage from './ApiKeysPage';
import { alpine } from './test-helpers';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null, role: 'ADMIN' }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: session.role }),
}));

const secret = 'berth_0123456789abcdef_secretpart';
const existing = { __typename: 'ApiKey', id: 'k1', name: 'Old sync', role: 'VIEWER', createdAt: '2026-12-01T08:00:00Z', revokedAt: null };

function berth(revoke: () => ReturnType<typeof apiError> | { data: unknown } = () => ({ data: { revokeApiKey: { ...existing, revokedAt: '2026-12-06T09:00:00Z' } } })) {
  return fakeUrql({
    SettingsApiKeys: () => ({ data: { apiKeys: [existing] } }),
    SettingsCreateApiKey: (v) => ({
      data: { createApiKey: { key: secret, apiKey: { __typename: 'ApiKey', id: 'k2', name: v.name, role: v.role, createdAt: '2026-12-06T09:00:00Z', revokedAt: null } } },
    }),
    SettingsRevokeApiKey: revoke,
  });
}

beforeEach(async () => {
  session.tenant = alpine;
  session.role = 'ADMIN';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['settings']);
});

describe('API keys', { timeout: 20_000 }, () => {
  it('lists the keys with their role', async () => {
    renderRoutes(berth().client, [{ path: '/settings/keys', Component: ApiKeysPage }], '/settings/keys');
    const row = await screen.findByRole('listitem', { name: 'Old sync' });
    expect(within(row).getByText('Acts as Viewer')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'API keys' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'API keys' })).toHaveAttribute('aria-current', 'page');
  });

  it('needs a name, offers roles up to the viewer’s, and shows the secret once', async () => {
    const fake = berth();
    renderRoutes(fake.client, [{ path: '/settings/keys', Component: ApiKeysPage }], '/settings/keys');
    const user = userEvent.setup({ delay: null });
    await screen.findByRole('listitem', { name: 'Old sync' });
    await user.click(screen.getAllByRole('button', { name: 'Create key' })[0]!);
    const form = await screen.findByRole('dialog', { name: 'Create an API key' });
    const role = within(form).getByRole('combobox', { name: /Acts as/ });
    expect(within(role).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['ADMIN', 'STAFF', 'VIEWER']);
    await user.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(within(form).getByText('Give the key a name.')).toBeInTheDocument();
    expect(fake.callsOf('SettingsCreateApiKey')).toHaveLength(0);

    await user.type(within(form).getByRole('textbox', { name: /Name/ }), '  Channel manager ');
    await user.selectOptions(role, 'STAFF');
    await user.click(within(form).getByRole('button', { name: 'Create key' }));
    expect(fake.callsOf('SettingsCreateApiKey')[0]?.variables).toEqual({ name: 'Channel manager', role: 'STAFF' });

    const shown = await screen.findByRole('dialog', { name: 'API key created' });
    expect(within(shown).getByRole('textbox', { name: 'Key' })).toHaveValue(secret);
    expect(within(shown).getByText(/You will not see this again/)).toBeInTheDocument();
    expect(within(shown).getByRole('button', { name: 'Copy Key' })).toBeInTheDocument();
    await user.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'API key created' })).not.toBeInTheDocument());
    expect(document.body.innerHTML).not.toContain(secret);
  });

  it('offers a staff member’s roles only up to staff', async () => {
    session.role = 'STAFF';
    renderRoutes(berth().client, [{ path: '/settings/keys', Component: ApiKeysPage }], '/settings/keys');
    const user = userEvent.setup({ delay: null });
    await screen.findByRole('listitem', { name: 'Old sync' });
    await user.click(screen.getAllByRole('button', { name: 'Create key' })[0]!);
    const form = await screen.findByRole('dialog', { name: 'Create an API key' });
    const options = within(within(form).getByRole('combobox', { name: /Acts as/ })).getAllByRole('option');
    expect(options.map((o) => (o as HTMLOptionElement).value)).toEqual(['STAFF', 'VIEWER']);
  });

  it('asks before revoking, and shows a refusal in the dialog', async () => {
    const fake = berth(() => apiError('FORBIDDEN'));
    renderRoutes(fake.client, [{ path: '/settings/keys', Component: ApiKeysPage }], '/settings/keys');
    const user = userEvent.setup({ delay: null });
    const row = await screen.findByRole('listitem', { name: 'Old sync' });
    await user.click(within(row).getByRole('button', { name: 'Revoke Old sync' }));
    const confirm = await screen.findByRole('dialog', { name: 'Revoke this key?' });
    expect(within(confirm).getByText(/cannot be undone/)).toBeInTheDocument();
    expect(fake.callsOf('SettingsRevokeApiKey')).toHaveLength(0);
    await user.click(within(confirm).getByRole('button', { name: 'Revoke key' }));
    expect(await within(confirm).findByRole('alert')).toHaveTextContent('Your role does not allow this.');
    expect(fake.callsOf('SettingsRevokeApiKey')[0]?.variables).toEqual({ id: 'k1' });
  });
});
