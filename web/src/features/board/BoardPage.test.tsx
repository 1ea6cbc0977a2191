// The board screen in jsdom with a fake urql client: bars named for the web
// contract, live events (a booking, a lock taken and released) merged with no
// refetch, the subscription resuming after its last cursor, and a booking
// started from a keyboard selection (the booking panel is a stand-in here).
import { MantineProvider } from '@mantine/core';
import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Suspense } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { getOperationName, Provider, type Client, type GraphQLRequest, type OperationResult } from 'urql';
import { concat, fromValue, makeSubject, never } from 'wonka';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BoardQuery } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import BoardPage from './BoardPage';

const tenant: Tenant = {
  slug: 'alpine-cabins',
  name: 'Alpine Cabins',
  timezone: 'Europe/Zurich',
  currency: 'CHF',
  locale: 'de-CH',
  model: 'nightly',
};

vi.mock('@/lib/session/session', () => ({
  useTenant: () => tenant,
  useViewer: () => ({ id: 'me', email: 'admin@alpine-cabins.example.org', role: 'ADMIN', tenant }),
}));

const panel = vi.hoisted(() => ({ props: null as null | { opened: boolean; initial?: unknown } }));
vi.mock('@/features/booking', () => ({
  NewReservationPanel: (props: { opened: boolean; initial?: unknown }) => {
    panel.props = props;
    return props.opened ? <div role="dialog" aria-label="New reservation" /> : null;
  },
}));

type Board = BoardQuery['board'];

const reservation = (id: string, unit: string, guest: string, checkIn: string, checkOut: string, version = 1) => ({
  id,
  state: 'CONFIRMED' as const,
  start: `${checkIn}T14:00:00Z`,
  end: `${checkOut}T09:00:00Z`,
  checkIn,
  checkOut,
  guests: 2,
  quantity: 1,
  version,
  holdExpiresAt: null,
  price: { amount: 90000, currency: 'CHF' },
  unit: { id: unit },
  client: { id: `c-${id}`, name: guest },
});

function board(from: string, to: string): Board {
  return {
    from,
    to,
    truncated: false,
    cursor: '5-0',
    units: [
      { id: 'u1', name: 'Birch Cabin', kind: 'cabin', inventory: 1, maxGuests: 4 },
      { id: 'u2', name: 'Pine Cabin', kind: 'cabin', inventory: 1, maxGuests: 2 },
    ],
    reservations: [reservation('r1', 'u1', 'Heidi Keller', '2026-12-12', '2026-12-15')],
    blocks: [],
    locks: [],
    slots: [],
    openHours: [],
  };
}

function fakeClient() {
  const boardEvents = makeSubject<OperationResult>();
  const lockEvents = makeSubject<OperationResult>();
  const subscriptions: GraphQLRequest[] = [];
  const queries: GraphQLRequest[] = [];
  const client = {
    executeQuery: vi.fn((request: GraphQLRequest) => {
      queries.push(request);
      const variables = request.variables as { from: string; to: string };
      return concat([fromValue({ data: { board: board(variables.from, variables.to) }, stale: false, hasNext: false }), never]);
    }),
    executeSubscription: vi.fn((request: GraphQLRequest) => {
      subscriptions.push(request);
      return getOperationName(request.query) === 'BoardEvents' ? boardEvents.source : lockEvents.source;
    }),
    executeMutation: vi.fn(() => never),
  } as unknown as Client;
  const push = (subject: typeof boardEvents, data: unknown) =>
    act(() => subject.next({ data, stale: false, hasNext: true } as unknown as OperationResult));
  return { client, queries, subscriptions, pushBoard: (data: unknown) => push(boardEvents, data), pushLock: (data: unknown) => push(lockEvents, data) };
}

function renderBoard(client: Client, search: string) {
  const router = createMemoryRouter([{ path: '/board', Component: BoardPage }, { path: '/reservations/:id', element: <h1>Reservation</h1> }], {
    basename: '/admin',
    initialEntries: [`/admin/board${search}`],
  });
  return render(
    <MantineProvider>
      <Provider value={client}>
        <Suspense fallback={<p>Loading…</p>}>
          <RouterProvider router={router} />
        </Suspense>
      </Provider>
    </MantineProvider>,
  );
}

// jsdom lays nothing out: the grid (the virtualiser's scroll element) gets a size.
const sizes = {
  clientHeight: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight'),
  clientWidth: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth'),
};
function sizeGrids() {
  for (const [name, value] of [['clientHeight', 640], ['clientWidth', 1024]] as const) {
    Object.defineProperty(HTMLElement.prototype, name, {
      configurable: true,
      get(this: HTMLElement) {
        return this.getAttribute('role') === 'grid' ? value : 0;
      },
    });
  }
}

beforeEach(async () => {
  sizeGrids();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-10T09:00:00Z'));
  panel.props = null;
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces('board');
});

afterEach(() => {
  vi.useRealTimers();
  for (const [name, descriptor] of Object.entries(sizes)) {
    if (descriptor) Object.defineProperty(HTMLElement.prototype, name, descriptor);
  }
});

describe('the board screen', () => {
  it('draws units as rows, days as columns, stays as named bars, today marked', async () => {
    const { client, queries } = fakeClient();
    renderBoard(client, '');
    const grid = await screen.findByRole('grid', { name: /^Board/ });
    expect(within(grid).getByRole('rowheader', { name: 'Birch Cabin' })).toBeInTheDocument();
    expect(within(grid).getAllByRole('columnheader').length).toBe(15);
    // 14 days from two days before today.
    expect(within(grid).getByRole('columnheader', { name: 'Thursday, 10 December, today' })).toHaveAttribute('aria-current', 'date');
    expect(queries.map((q) => q.variables)).toEqual([{ from: '2026-12-08', to: '2026-12-21' }]);
    const bar = within(grid).getByRole('gridcell', { name: 'Heidi Keller, Birch Cabin, 12–15 Dec, confirmed' });
    expect(bar).toHaveTextContent('Heidi Keller');
  });

  it('follows from the answer’s cursor, merges bookings and locks as they happen with no refetch, and resumes after the last event', async () => {
    const { client, queries, subscriptions, pushBoard, pushLock } = fakeClient();
    renderBoard(client, '?from=2026-12-08&days=14');
    const grid = await screen.findByRole('grid', { name: /^Board/ });
    // The events start after the answer's cursor: nothing between is missed.
    const boardSubscription = subscriptions.find((s) => getOperationName(s.query) === 'BoardEvents')!;
    expect(JSON.parse(JSON.stringify(boardSubscription.variables))).toEqual({ after: '5-0' });

    pushBoard({
      boardEvents: {
        cursor: '17-3',
        id: 'e1',
        kind: 'RESERVATION_CREATED',
        at: '2026-12-10T09:00:01Z',
        unitId: 'u2',
        reservation: reservation('r2', 'u2', 'Luca Brunner', '2026-12-16', '2026-12-18'),
        block: null,
      },
    });
    expect(within(grid).getByRole('gridcell', { name: 'Luca Brunner, Pine Cabin, 16–18 Dec, confirmed' })).toBeInTheDocument();

    const lock = {
      id: 'l1',
      unitId: 'u2',
      reservationId: null,
      start: '2026-12-19T14:00:00Z',
      end: '2026-12-21T09:00:00Z',
      acquiredAt: '2026-12-10T09:00:02Z',
      expiresAt: '2026-12-10T09:05:00Z',
      holder: { userId: 'ana', displayName: 'ana@alpine-cabins.example.org' },
    };
    pushLock({ lockEvents: { kind: 'ACQUIRED', at: '2026-12-10T09:00:02Z', lock } });
    const locked = within(grid).getByRole('gridcell', { name: 'Locked by ana@alpine-cabins.example.org until 10:05' });
    expect(locked).toHaveTextContent('ana@alpine-cabins.example.org');
    pushLock({ lockEvents: { kind: 'RELEASED', at: '2026-12-10T09:00:09Z', lock } });
    expect(within(grid).queryByRole('gridcell', { name: /^Locked by/ })).toBeNull();

    expect(queries).toHaveLength(1);
    // A reconnecting socket sends the subscription's variables again: after the last event.
    expect(JSON.parse(JSON.stringify(boardSubscription.variables))).toEqual({ after: '17-3' });
  });

  it('books a selection made with the keyboard: Shift+→ over the nights, Enter', async () => {
    const user = userEvent.setup({ advanceTimers: () => undefined });
    const { client } = fakeClient();
    renderBoard(client, '?from=2026-12-08&days=14');
    const grid = await screen.findByRole('grid', { name: /^Board/ });
    await user.click(screen.getByRole('button', { name: 'Today' }));
    grid.focus();
    // The cursor starts on today (10 Dec) in the first row; down to Pine Cabin.
    await user.keyboard('{ArrowDown}');
    expect(document.getElementById(grid.getAttribute('aria-activedescendant')!)).toHaveAccessibleName('Pine Cabin, Thu, 10 Dec: free');
    await user.keyboard('{Shift>}{ArrowRight}{ArrowRight}{/Shift}');
    expect(screen.getByRole('region', { name: 'Selection' })).toHaveTextContent('Pine Cabin · 10–13 Dec · 3 nights');
    await user.keyboard('{Enter}');
    expect(screen.getByRole('dialog', { name: 'New reservation' })).toBeInTheDocument();
    expect(panel.props?.initial).toEqual({ unitId: 'u2', period: { checkIn: '2026-12-10', checkOut: '2026-12-13' } });
    // Escape drops a selection (the panel is closed by its own Escape).
  });

  it('Enter on a bar opens the reservation', async () => {
    const user = userEvent.setup({ advanceTimers: () => undefined });
    const { client } = fakeClient();
    renderBoard(client, '?from=2026-12-08&days=14');
    const grid = await screen.findByRole('grid', { name: /^Board/ });
    grid.focus();
    // 8 Dec is column 0; Heidi's first night is the 12th.
    await user.keyboard('{ArrowRight}{ArrowRight}{ArrowRight}{ArrowRight}');
    expect(grid.getAttribute('aria-activedescendant')).toBe('board-reservation-0-r1');
    expect(screen.getByRole('tooltip')).toHaveTextContent('Nights3');
    await user.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { name: 'Reservation' })).toBeInTheDocument();
  });
});
