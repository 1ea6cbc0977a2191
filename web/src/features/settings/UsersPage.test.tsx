// Users with a fake berth: adding one checks the e-mail and password, sends
// the chosen role, and shows the first password once; a role change offers
// only the viewer's roles and puts a refusal (the last owner) in words; users
// above the viewer's role cannot be changed from here.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderRoutes, type Answer } from '@/test/fake-urql';
import UsersPage from './UsersPage';
import { alpine } from './test-helpers';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null, role: 'ADMIN', id: 'u-me' }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: session.id, email: 'me@example.org', role: session.role }),
}));

const user = (id: string, email: string, role: string, disabledAt: string | null = null) => ({
  __typename: 'User',
  id,
  email,
  role,
  createdAt: '2026-12-01T08:00:00Z',
  disabledAt,
});

const people = [user('u-owner', 'owner@example.org', 'OWNER'), user('u-me', 'me@example.org', 'ADMIN'), user('u-ana', 'ana@example.org', 'STAFF')];

function berth(update: (v: Record<string, unknown>) => Answer = (v) => ({ data: { updateUser: { ...people[2], ...(v.input as object) } } })) {
  return fakeUrql({
    SettingsUsers: () => ({ data: { users: people } }),
    SettingsCreateUser: (v) => ({ data: { createUser: user('u-new', v.email as string, v.role as string) } }),
    SettingsUpdateUser: update,
    SettingsEndUserSessions: () => ({ data: { endUserSessions: people[2] } }),
  });
}

function render(fake: ReturnType<typeof berth>) {
  return renderRoutes(fake.client, [{ path: '/settings/users', Component: UsersPage }], '/settings/users');
}

beforeEach(async () => {
  session.tenant = alpine;
  session.role = 'ADMIN';
  session.id = 'u-me';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['settings']);
});

describe('users', { timeout: 20_000 }, () => {
  it('lists users; one above the viewer’s role cannot be changed here, the viewer cannot disable themself', async () => {
    render(berth());
    const owner = await screen.findByRole('listitem', { name: 'owner@example.org' });
    expect(within(owner).queryByRole('button')).not.toBeInTheDocument();
    expect(within(owner).getByText(/Only a user with the Owner role or above/)).toBeInTheDocument();
    const me = screen.getByRole('listitem', { name: 'me@example.org' });
    expect(within(me).getByText('You')).toBeInTheDocument();
    expect(within(me).queryByRole('button', { name: /^Disable/ })).not.toBeInTheDocument();
    const ana = screen.getByRole('listitem', { name: 'ana@example.org' });
    expect(within(ana).getByRole('button', { name: 'Disable ana@example.org' })).toBeInTheDocument();
  });

  it('adds a user: checks the fields, sends the role, shows the first password once', async () => {
    const fake = berth();
    render(fake);
    const u = userEvent.setup({ delay: null });
    await screen.findByRole('listitem', { name: 'ana@example.org' });
    await u.click(screen.getAllByRole('button', { name: 'Add user' })[0]!);
    const form = await screen.findByRole('dialog', { name: 'Add a user' });
    const role = within(form).getByRole('combobox', { name: /^Role/ });
    expect(within(role).getAllByRole('option').map((o) => (o as HTMLOptionElement).value)).toEqual(['ADMIN', 'STAFF', 'VIEWER']);
    expect(role).toHaveValue('STAFF');
    const password = within(form).getByLabelText(/First password/);
    expect((password as HTMLInputElement).value).toHaveLength(16);

    await u.type(within(form).getByRole('textbox', { name: /E-mail/ }), 'not an address');
    await u.clear(password);
    await u.type(password, 'short');
    await u.click(within(form).getByRole('button', { name: 'Add user' }));
    expect(within(form).getByText(/Enter an e-mail address/)).toBeInTheDocument();
    expect(within(form).getByText('Use at least 10 characters.')).toBeInTheDocument();
    expect(fake.callsOf('SettingsCreateUser')).toHaveLength(0);

    await u.clear(within(form).getByRole('textbox', { name: /E-mail/ }));
    await u.type(within(form).getByRole('textbox', { name: /E-mail/ }), 'new@example.org');
    await u.type(password, '-and-longer');
    await u.selectOptions(role, 'VIEWER');
    await u.click(within(form).getByRole('button', { name: 'Add user' }));
    expect(fake.callsOf('SettingsCreateUser')[0]?.variables).toEqual({ email: 'new@example.org', password: 'short-and-longer', role: 'VIEWER' });

    const shown = await screen.findByRole('dialog', { name: 'User added' });
    expect(within(shown).getByRole('textbox', { name: 'First password' })).toHaveValue('short-and-longer');
    expect(within(shown).getByRole('textbox', { name: 'E-mail' })).toHaveValue('new@example.org');
    await u.click(within(shown).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'User added' })).not.toBeInTheDocument());
    expect(document.body.innerHTML).not.toContain('short-and-longer');
  });

  it('a taken e-mail address is said in words', async () => {
    const fake = fakeUrql({
      SettingsUsers: () => ({ data: { users: people } }),
      SettingsCreateUser: () => apiError('CONFLICT', 'email taken'),
    });
    render(fake);
    const u = userEvent.setup({ delay: null });
    await screen.findByRole('listitem', { name: 'ana@example.org' });
    await u.click(screen.getAllByRole('button', { name: 'Add user' })[0]!);
    const form = await screen.findByRole('dialog', { name: 'Add a user' });
    await u.type(within(form).getByRole('textbox', { name: /E-mail/ }), 'ana@example.org');
    await u.click(within(form).getByRole('button', { name: 'Add user' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('A user with this e-mail address already exists.');
  });

  it('changes a role, and explains the last-owner refusal', async () => {
    const fake = berth(() => apiError('CONFLICT', "the tenant's last active owner cannot be demoted or disabled"));
    render(fake);
    const u = userEvent.setup({ delay: null });
    const ana = await screen.findByRole('listitem', { name: 'ana@example.org' });
    await u.click(within(ana).getByRole('button', { name: 'Change the role of ana@example.org' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change role' });
    await u.selectOptions(within(dialog).getByRole('combobox', { name: /New role/ }), 'VIEWER');
    await u.click(within(dialog).getByRole('button', { name: 'Save role' }));
    expect(fake.callsOf('SettingsUpdateUser')[0]?.variables).toEqual({ id: 'u-ana', input: { role: 'VIEWER' } });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(/must always keep at least one active owner/);
  });

  it('asks before disabling, then disables', async () => {
    const fake = berth();
    render(fake);
    const u = userEvent.setup({ delay: null });
    const ana = await screen.findByRole('listitem', { name: 'ana@example.org' });
    await u.click(within(ana).getByRole('button', { name: 'Disable ana@example.org' }));
    const dialog = await screen.findByRole('dialog', { name: 'Disable this user?' });
    expect(fake.callsOf('SettingsUpdateUser')).toHaveLength(0);
    await u.click(within(dialog).getByRole('button', { name: 'Disable user' }));
    expect(fake.callsOf('SettingsUpdateUser')[0]?.variables).toEqual({ id: 'u-ana', input: { disabled: true } });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Disable this user?' })).not.toBeInTheDocument());
  });
});
