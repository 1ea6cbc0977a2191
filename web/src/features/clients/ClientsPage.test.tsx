// The clients list with a fake berth: the address's search becomes the API's,
// typing changes the address (debounced), rows link to the client, the empty
// states, and what a viewer is not offered.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { fakeUrql, renderRoutes } from '@/test/fake-urql';
import ClientsPage from './ClientsPage';

const session = vi.hoisted(() => ({ role: 'STAFF' }));
const alpine: Tenant = { slug: 'alpine-cabins', name: 'Alpine Cabins', timezone: 'Europe/Zurich', currency: 'CHF', locale: 'de-CH', model: 'nightly' };
vi.mock('@/lib/session/session', () => ({
  useTenant: () => alpine,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: session.role }),
}));

function client(id: string, name: string, patch: Partial<ClientFieldsFragment> = {}): ClientFieldsFragment {
  return { id, name, email: `${id}@example.org`, phone: null, notes: null, blocked: false, archived: false, createdAt: '2026-12-01T10:00:00Z', erasedAt: null, ...patch };
}

function berth(nodes: ClientFieldsFragment[]) {
  return fakeUrql({
    ClientsList: () => ({ data: { clients: { nodes, pageInfo: { hasNextPage: false, endCursor: null } } } }),
  });
}

function renderList(fake: ReturnType<typeof berth>, search = '') {
  return renderRoutes(
    fake.client,
    [
      { path: '/clients', Component: ClientsPage },
      { path: '/clients/:id', element: <h1>Client screen</h1> },
    ],
    `/clients${search}`,
  );
}

beforeEach(async () => {
  session.role = 'STAFF';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['clients']);
});

describe('clients list', () => {
  it('reads the search from the address and follows typing into it', async () => {
    const fake = berth([client('c1', 'Heidi Keller', { blocked: true })]);
    const { router } = renderList(fake, '?q=keller&archived=1');
    expect(await screen.findByRole('link', { name: 'Heidi Keller' })).toHaveAttribute('href', '/admin/clients/c1');
    expect(screen.getByText('Blocked')).toBeInTheDocument();
    expect(fake.callsOf('ClientsList')[0]?.variables).toEqual({ search: 'keller', includeArchived: true, first: 25, after: null });
    expect(screen.getByRole('searchbox', { name: 'Name or e-mail' })).toHaveValue('keller');
    expect(screen.getByRole('checkbox', { name: 'Show archived and erased clients' })).toBeChecked();

    const user = userEvent.setup({ delay: null });
    const box = screen.getByRole('searchbox', { name: 'Name or e-mail' });
    await user.clear(box);
    await user.type(box, 'Zürcher');
    await waitFor(() => expect(router.state.location.search).toBe('?q=Z%C3%BCrcher&archived=1'));
    await waitFor(() => expect(fake.callsOf('ClientsList').at(-1)?.variables.search).toBe('Zürcher'));
    await user.click(screen.getByRole('checkbox', { name: 'Show archived and erased clients' }));
    await waitFor(() => expect(router.state.location.search).toBe('?q=Z%C3%BCrcher'));
  });

  it('says when there are no clients yet, with a create button', async () => {
    renderList(berth([]));
    expect(await screen.findByText('No clients yet')).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'New client' })).toHaveLength(2);
  });

  it('says when no client matches, and offers to clear the search', async () => {
    const { router } = renderList(berth([]), '?q=nobody');
    expect(await screen.findByText('No client matches “nobody”')).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: 'Clear the search' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
  });

  it('offers a viewer no way to create', async () => {
    session.role = 'VIEWER';
    renderList(berth([]));
    expect(await screen.findByText('No clients yet')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New client' })).toBeNull();
  });
});
