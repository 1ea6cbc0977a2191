// The reservations list with a fake berth: the address's filters become the
// API's filter and the fields, changing a field changes the address, rows link
// to their reservation, "Show more" pages by cursor, and the empty states.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReservationsListQuery } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { fakeUrql, renderRoutes } from '@/test/fake-urql';
import ReservationsPage from './ReservationsPage';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null, role: 'STAFF' }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: session.role }),
}));

const alpine: Tenant = {
  slug: 'alpine-cabins',
  name: 'Alpine Cabins',
  timezone: 'Europe/Zurich',
  currency: 'CHF',
  locale: 'de-CH',
  model: 'nightly',
};

type Row = ReservationsListQuery['reservations']['nodes'][number];

function row(id: string, name: string, patch: Partial<Row> = {}): Row {
  return {
    id,
    state: 'CONFIRMED',
    start: '2026-12-15T14:00:00Z',
    end: '2026-12-17T09:00:00Z',
    checkIn: '2026-12-15',
    checkOut: '2026-12-17',
    guests: 2,
    quantity: 1,
    createdAt: '2026-12-06T08:00:00Z',
    price: { amount: 53288, currency: 'CHF' },
    unit: { id: 'birch', name: 'Birch Cabin' },
    client: { id: `c-${id}`, name, email: null },
    policyOverride: null,
    ...patch,
  };
}

const units = {
  units: [
    { id: 'birch', name: 'Birch Cabin', archived: false },
    { id: 'pine', name: 'Pine Cabin', archived: false },
  ],
};

function berth(pages: Record<string, { nodes: Row[]; next: string | null }>) {
  return fakeUrql({
    ReservationsUnits: () => ({ data: units }),
    ReservationsList: (variables) => {
      const after = typeof variables.after === 'string' ? variables.after : '';
      const page = pages[after] ?? { nodes: [], next: null };
      return {
        data: { reservations: { nodes: page.nodes, pageInfo: { hasNextPage: page.next !== null, endCursor: page.next } } },
      };
    },
  });
}

function renderList(fake: ReturnType<typeof berth>, search = '') {
  return renderRoutes(
    fake.client,
    [
      { path: '/reservations', Component: ReservationsPage },
      { path: '/reservations/:id', element: <h1>Reservation screen</h1> },
    ],
    `/reservations${search}`,
  );
}

beforeEach(async () => {
  session.tenant = alpine;
  session.role = 'STAFF';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['reservations', 'booking']);
});

describe('filters and the address', () => {
  it('reads the filters from the address into the fields and the API filter', async () => {
    const fake = berth({ '': { nodes: [row('r1', 'Heidi Keller')], next: null } });
    renderList(fake, '?state=HELD&state=CONFIRMED&unit=pine&from=2026-12-01&to=2026-12-31&guest=keller');
    await screen.findByRole('link', { name: 'Heidi Keller' });
    expect(fake.callsOf('ReservationsList')[0]?.variables).toEqual({
      filter: {
        states: ['HELD', 'CONFIRMED'],
        unitId: 'pine',
        clientSearch: 'keller',
        from: '2026-11-30T23:00:00Z',
        to: '2026-12-31T23:00:00Z',
      },
      first: 25,
      after: null,
    });
    const search = screen.getByRole('search', { name: 'Filter reservations' });
    expect(within(search).getByRole('searchbox', { name: 'Guest' })).toHaveValue('keller');
    expect(within(search).getByLabelText('From')).toHaveValue('2026-12-01');
    expect(within(search).getByLabelText('To')).toHaveValue('2026-12-31');
    await waitFor(() => expect(within(search).getByRole('combobox', { name: 'Unit' })).toHaveValue('Pine Cabin'));
    for (const state of ['Held', 'Confirmed']) {
      expect(within(search).getByRole('option', { name: state, selected: true, hidden: true })).toBeInTheDocument();
    }
    expect(within(search).getByRole('option', { name: 'Canceled', selected: false, hidden: true })).toBeInTheDocument();
  });

  it('writes a changed filter into the address and asks again', async () => {
    const fake = berth({ '': { nodes: [row('r1', 'Heidi Keller')], next: null } });
    const { router } = renderList(fake);
    const user = userEvent.setup({ delay: null });
    await screen.findByRole('link', { name: 'Heidi Keller' });

    await user.click(screen.getByRole('combobox', { name: 'Unit' }));
    await user.click(await screen.findByRole('option', { name: 'Birch Cabin' }));
    await waitFor(() => expect(router.state.location.search).toBe('?unit=birch'));

    await user.click(screen.getByRole('combobox', { name: 'State' }));
    await user.click(await screen.findByRole('option', { name: 'Checked in' }));
    await waitFor(() => expect(router.state.location.search).toBe('?state=CHECKED_IN&unit=birch'));

    await user.type(screen.getByRole('searchbox', { name: 'Guest' }), 'Zürcher');
    await waitFor(() => expect(router.state.location.search).toBe('?state=CHECKED_IN&unit=birch&guest=Z%C3%BCrcher'));
    await waitFor(() =>
      expect(fake.callsOf('ReservationsList').at(-1)?.variables.filter).toEqual({
        states: ['CHECKED_IN'],
        unitId: 'birch',
        clientSearch: 'Zürcher',
      }),
    );

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
    expect(screen.getByRole('searchbox', { name: 'Guest' })).toHaveValue('');
  });
});

describe('the list', () => {
  it('shows each reservation with its columns, linking to it', async () => {
    const fake = berth({
      '': {
        nodes: [
          row('r1', 'Heidi Keller'),
          row('r2', 'Anna Zürcher', { state: 'HELD', guests: 6, unit: { id: 'pine', name: 'Pine Cabin' }, policyOverride: { at: '2026-12-06T08:00:00Z' } }),
        ],
        next: null,
      },
    });
    const { router } = renderList(fake);
    const table = await screen.findByRole('table');
    const [, first, second] = within(table).getAllByRole('row');
    expect(within(first!).getAllByRole('cell').map((cell) => cell.textContent?.replace(/\s/g, ' '))).toEqual([
      'Heidi Keller',
      'Birch Cabin',
      '15–17 Dec 2026 2 nights',
      '2',
      '●Confirmed',
      'CHF 532.88',
      '6 Dec 2026',
    ]);
    expect(within(second!).getByText('Held')).toBeInTheDocument();
    expect(within(second!).getByText(/booked anyway/)).toBeInTheDocument();
    expect(screen.getByText('2 reservations')).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(within(first!).getByRole('link', { name: 'Heidi Keller' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/admin/reservations/r1'));
  });

  it('pages on by cursor with “Show more”', async () => {
    const fake = berth({
      '': { nodes: [row('r1', 'Heidi Keller')], next: 'cursor-1' },
      'cursor-1': { nodes: [row('r2', 'Luca Brunner')], next: null },
    });
    renderList(fake);
    await screen.findByRole('link', { name: 'Heidi Keller' });
    expect(screen.getByText('1 reservation shown; there are more')).toBeInTheDocument();
    await userEvent.setup({ delay: null }).click(screen.getByRole('button', { name: 'Show more' }));
    expect(await screen.findByRole('link', { name: 'Luca Brunner' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Heidi Keller' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Show more' })).not.toBeInTheDocument();
    expect(fake.callsOf('ReservationsList').at(-1)?.variables).toMatchObject({ after: 'cursor-1', first: 25 });
  });

  it('says when nothing matches the filters, and offers to clear them', async () => {
    const { router } = renderList(berth({}), '?guest=nobody');
    expect(await screen.findByText('No reservation matches these filters.')).toBeInTheDocument();
    const status = screen.getByText('No reservation matches these filters.').closest('[role="status"]') as HTMLElement;
    await userEvent.setup({ delay: null }).click(within(status).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
  });

  it('says when there are none yet, with a hint', async () => {
    renderList(berth({}));
    expect(await screen.findByText('No reservations yet.')).toBeInTheDocument();
    expect(screen.getByText('Book one with “New reservation”, or from the board.')).toBeInTheDocument();
  });

  it('offers no booking to viewers', async () => {
    session.role = 'VIEWER';
    renderList(berth({}));
    await screen.findByText('No reservations yet.');
    expect(screen.queryByRole('button', { name: 'New reservation' })).not.toBeInTheDocument();
  });
});
