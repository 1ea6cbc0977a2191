// The audit log with a fake berth: the address's filters become the API's,
// a changed filter changes the address, entries read in words and open onto
// their before and after, "Only this entity" narrows the log, and an unknown
// entity id is an empty result, not an error.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditLogQuery } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderRoutes, type Answer } from '@/test/fake-urql';
import AuditPage from './AuditPage';

const alpine: Tenant = { slug: 'alpine-cabins', name: 'Alpine Cabins', timezone: 'Europe/Zurich', currency: 'CHF', locale: 'de-CH', model: 'nightly' };
vi.mock('@/lib/session/session', () => ({
  useTenant: () => alpine,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: 'ADMIN' }),
}));

type Entry = AuditLogQuery['auditLog']['nodes'][number];

const update: Entry = {
  id: 'a2',
  actor: 'user:u-me',
  entityType: 'client',
  entityId: 'c1aaaaaa-0000-0000-0000-000000000000',
  action: 'update',
  at: '2026-12-06T09:30:15Z',
  requestId: 'req-1',
  metadata: { before: { name: 'Ava', blocked: false }, after: { name: 'Ava Keller', blocked: true } },
};
const cancel: Entry = {
  id: 'a1',
  actor: 'api_key:k1',
  entityType: 'reservation',
  entityId: 'r1bbbbbb-0000-0000-0000-000000000000',
  action: 'cancel',
  at: '2026-12-05T08:00:00Z',
  requestId: null,
  metadata: { from: 'confirmed', to: 'canceled', details: { reason: 'guest ill' } },
};

function berth(answer: (variables: Record<string, unknown>) => Answer) {
  return fakeUrql({
    AuditActors: () => ({ data: { users: [{ id: 'u-me', email: 'me@example.org' }, { id: 'u2', email: 'sam@example.org' }], apiKeys: [{ id: 'k1', name: 'Channel manager' }] } }),
    AuditLog: answer,
  });
}

const page = (nodes: Entry[]) => () => ({ data: { auditLog: { nodes, pageInfo: { hasNextPage: false, endCursor: null } } } });

function renderLog(fake: ReturnType<typeof berth>, search = '') {
  return renderRoutes(
    fake.client,
    [
      { path: '/audit', Component: AuditPage },
      { path: '/clients/:id', element: <h1>Client screen</h1> },
      { path: '/reservations/:id', element: <h1>Reservation screen</h1> },
    ],
    `/audit${search}`,
  );
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['audit', 'reservations']);
});

describe('audit log', () => {
  it('reads the filters from the address and writes changes into it', async () => {
    const fake = berth(page([update]));
    const { router } = renderLog(fake, '?type=client&action=update&from=2026-12-01');
    await screen.findByText('Changed');
    expect(fake.callsOf('AuditLog')[0]?.variables).toEqual({
      filter: { entityType: 'client', action: 'update', from: '2026-11-30T23:00:00Z' },
      first: 30,
      after: null,
    });
    const search = screen.getByRole('search', { name: 'Filter the audit log' });
    await user().type(within(search).getByRole('textbox', { name: 'Entity id' }), 'c1');
    await waitFor(() => expect(router.state.location.search).toBe('?type=client&entity=c1&action=update&from=2026-12-01'));
    await user().click(within(search).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    await waitFor(() => expect(fake.callsOf('AuditLog').at(-1)?.variables.filter).toBeNull());
  });

  it('says who did what to which entity, and opens onto the before and after', async () => {
    const fake = berth(page([update, cancel]));
    const { router } = renderLog(fake);
    const row = (await screen.findByRole('cell', { name: 'You (me@example.org)' })).closest('tr')!;
    expect(within(row).getByRole('link', { name: 'Client …00000000' })).toHaveAttribute('href', '/admin/clients/c1aaaaaa-0000-0000-0000-000000000000');
    expect(screen.getByRole('cell', { name: 'API key “Channel manager”' })).toBeInTheDocument();
    expect(screen.getByRole('cell', { name: 'Canceled' })).toBeInTheDocument();

    const toggle = within(row).getByRole('button', { name: 'Show the changes of “Changed” on Client …00000000' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user().click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const name = screen.getByRole('rowheader', { name: 'Name' }).closest('tr')!;
    expect(within(name).getByText('changed')).toBeInTheDocument();
    expect(name).toHaveTextContent(/^Name\s*changed\s*Ava\s*Ava Keller$/);
    const blocked = screen.getByRole('rowheader', { name: 'Blocked' }).closest('tr')!;
    expect(blocked).toHaveTextContent(/changed\s*no\s*yes/);

    await user().click(screen.getByRole('button', { name: 'Only this entity' }));
    await waitFor(() => expect(router.state.location.search).toBe('?type=client&entity=c1aaaaaa-0000-0000-0000-000000000000'));
  });

  it('reads an unknown entity id as an empty result, and says when nothing matches', async () => {
    renderLog(berth(() => apiError('NOT_FOUND', 'no entry names nope')), '?entity=nope');
    expect(await screen.findByText('No entry names the entity id “nope”.')).toBeInTheDocument();
  });

  it('says when nothing is recorded yet', async () => {
    renderLog(berth(page([])));
    expect(await screen.findByText('Nothing recorded yet')).toBeInTheDocument();
  });
});

function user() {
  return userEvent.setup({ delay: null });
}
