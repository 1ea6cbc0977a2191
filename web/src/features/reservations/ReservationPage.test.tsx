// The reservation screen with a fake berth: its fields and override, the
// actions offered per state and role, every action sending the version the
// user saw, the stale edit (CONFLICT) in words with a working reload, the
// cancel dialog's refund and reason, and the live notice when someone else
// changes it.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReservationDetailFragment, ReservationState } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderRoutes, type Answer } from '@/test/fake-urql';
import ReservationPage from './ReservationPage';

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

const chf = (amount: number) => ({ amount, currency: 'CHF' });

function reservation(state: ReservationState, patch: Partial<ReservationDetailFragment> = {}): ReservationDetailFragment {
  return {
    id: 'r1',
    state,
    start: '2026-12-15T14:00:00Z',
    end: '2026-12-17T09:00:00Z',
    checkIn: '2026-12-15',
    checkOut: '2026-12-17',
    guests: 2,
    quantity: 1,
    channel: 'admin',
    notes: 'Late arrival',
    holdExpiresAt: state === 'HELD' ? '2026-12-06T09:00:00Z' : null,
    version: 2,
    createdAt: '2026-12-06T08:00:00Z',
    updatedAt: '2026-12-06T08:10:00Z',
    unit: { id: 'birch', name: 'Birch Cabin', kind: 'cabin', inventory: 1, maxGuests: 4 },
    client: { id: 'c1', name: 'Heidi Keller', email: 'heidi@example.ch', phone: '+41 79 555 01 01' },
    price: chf(53288),
    lines: [
      { kind: 'nights', label: '2 night(s) × 1', amount: chf(36000) },
      { kind: 'fee', label: 'Final cleaning', amount: chf(17288) },
    ],
    refund: null,
    cancellationRefund: state === 'HELD' || state === 'CONFIRMED' ? chf(53288) : null,
    policyOverride: null,
    ...patch,
  };
}

function berth(current: () => ReservationDetailFragment, overrides: Record<string, (v: Record<string, unknown>) => Answer> = {}) {
  return fakeUrql({
    Reservation: () => ({ data: { reservation: current() } }),
    ReservationHistory: () => ({ data: { auditLog: { nodes: [], pageInfo: { hasNextPage: false, endCursor: null } } } }),
    ReservationUsers: () => ({ data: { users: [] } }),
    BookingClients: () => ({ data: { clients: { nodes: [] } } }),
    ...overrides,
  });
}

function renderScreen(fake: ReturnType<typeof berth>) {
  return renderRoutes(fake.client, [{ path: '/reservations/:id', Component: ReservationPage }], '/reservations/r1');
}

const actionNames = ['Confirm', 'Check in', 'Check out…', 'Change period…', 'Change notes or client…', 'Cancel reservation…'];

async function offeredActions() {
  await screen.findByRole('heading', { name: 'Heidi Keller', level: 1 });
  return actionNames.filter((name) => screen.queryByRole('button', { name }) !== null);
}

beforeEach(async () => {
  session.tenant = alpine;
  session.role = 'STAFF';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['reservations', 'booking']);
});

describe('the reservation', () => {
  it('shows every field', async () => {
    renderScreen(berth(() => reservation('HELD')));
    await screen.findByRole('heading', { name: 'Heidi Keller', level: 1 });
    const stay = screen.getByRole('region', { name: 'Stay' });
    expect(within(stay).getByText('Birch Cabin')).toBeInTheDocument();
    expect(within(stay).getByText(/Tuesday, 15 December 2026/)).toBeInTheDocument();
    expect(within(stay).getByText(/Thursday, 17 December 2026/)).toBeInTheDocument();
    const guest = screen.getByRole('region', { name: 'Guest' });
    expect(within(guest).getByRole('link', { name: 'heidi@example.ch' })).toHaveAttribute('href', 'mailto:heidi@example.ch');
    expect(within(guest).getByRole('link', { name: '+41 79 555 01 01' })).toHaveAttribute('href', 'tel:+41795550101');
    const price = screen.getByRole('region', { name: 'Price' });
    expect(within(price).getByText('CHF 532.88')).toBeInTheDocument();
    const record = screen.getByRole('region', { name: 'Record' });
    expect(within(record).getByText('Late arrival')).toBeInTheDocument();
    expect(within(record).getByText('Admin app')).toBeInTheDocument();
    expect(within(record).getByText('Hold expires')).toBeInTheDocument();
    expect(within(record).getByText('Version').nextElementSibling).toHaveTextContent('2');
  });

  it('marks a policy override clearly: reason, who, when, which rules', async () => {
    renderScreen(
      berth(() =>
        reservation('CONFIRMED', {
          policyOverride: {
            reason: 'Goodwill for a returning guest',
            by: 'admin@alpine-cabins.example.org',
            at: '2026-12-06T08:00:00Z',
            violations: [{ code: 'min_nights', message: 'stays arriving on 2026-12-15 need at least 2 nights' }],
          },
        }),
      ),
    );
    const notice = await screen.findByRole('region', { name: /Booked against the rules/ });
    expect(within(notice).getByText('Goodwill for a returning guest')).toBeInTheDocument();
    expect(within(notice).getByText(/admin@alpine-cabins.example.org set the business's rules aside on/)).toBeInTheDocument();
    expect(within(notice).getByText('stays arriving on 2026-12-15 need at least 2 nights')).toBeInTheDocument();
  });
});

describe('actions per state', () => {
  it.each<[ReservationState, string[]]>([
    ['HELD', ['Confirm', 'Change period…', 'Change notes or client…', 'Cancel reservation…']],
    ['CONFIRMED', ['Check in', 'Change period…', 'Change notes or client…', 'Cancel reservation…']],
    ['CHECKED_IN', ['Check out…', 'Change period…', 'Change notes or client…']],
    ['FINISHED', []],
    ['CANCELED', []],
    ['ABSENT', []],
  ])('%s offers %j', async (state, expected) => {
    renderScreen(berth(() => reservation(state)));
    expect(await offeredActions()).toEqual(expected);
  });

  it('viewers are offered none', async () => {
    session.role = 'VIEWER';
    renderScreen(berth(() => reservation('CONFIRMED')));
    expect(await offeredActions()).toEqual([]);
  });

  it('confirm sends the version seen', async () => {
    let current = reservation('HELD');
    const fake = berth(() => current, {
      ReservationConfirm: () => {
        current = reservation('CONFIRMED', { version: 3 });
        return { data: { confirmReservation: current } };
      },
    });
    renderScreen(fake);
    await userEvent.setup({ delay: null }).click(await screen.findByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(fake.callsOf('ReservationConfirm')[0]?.variables).toEqual({ id: 'r1', version: 2 }));
  });

  it('cancel shows the refund and asks for a reason first', async () => {
    const fake = berth(() => reservation('CONFIRMED'), {
      ReservationCancel: () => ({ data: { cancelReservation: reservation('CANCELED', { version: 3, refund: chf(53288) }) } }),
    });
    renderScreen(fake);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Cancel reservation…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel the reservation' });
    expect(within(dialog).getByText('The policy refunds CHF 532.88 if it is canceled now.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel reservation' }));
    expect(await within(dialog).findByText('Give the reason for canceling.')).toBeInTheDocument();
    expect(fake.callsOf('ReservationCancel')).toHaveLength(0);
    await user.type(within(dialog).getByRole('textbox', { name: 'Reason for canceling' }), 'Guest is ill');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel reservation' }));
    await waitFor(() =>
      expect(fake.callsOf('ReservationCancel')[0]?.variables).toEqual({ id: 'r1', reason: 'Guest is ill', version: 2 }),
    );
  });
});

describe('a stale edit', () => {
  it('says so in words, reloads, and the retry sends the reloaded version', async () => {
    let current = reservation('CONFIRMED');
    let attempts = 0;
    const fake = berth(() => current, {
      ReservationUpdate: (variables) => {
        attempts += 1;
        if (variables.version !== current.version) {
          return apiError('CONFLICT', `reservation r1 is at version ${current.version}, not ${String(variables.version)}; reload it and try again`);
        }
        current = reservation('CONFIRMED', { version: current.version + 1, notes: 'Arrives by train' });
        return { data: { updateReservation: current } };
      },
    });
    renderScreen(fake);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Change notes or client…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change notes or client' });
    // Someone else changes it meanwhile.
    current = reservation('CONFIRMED', { version: 5, notes: 'Changed by a colleague' });
    const notes = within(dialog).getByRole('textbox', { name: 'Notes' });
    await user.clear(notes);
    await user.type(notes, 'Arrives by train');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));

    expect(
      await within(dialog).findByText(
        'Someone changed this reservation after you opened it, so your change was not saved. Reload it to see what changed, then try again.',
      ),
    ).toBeInTheDocument();
    expect(within(dialog).getByText('reservation r1 is at version 5, not 2; reload it and try again')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Reload the reservation' }));
    await waitFor(() => expect(within(dialog).queryByText(/Someone changed this reservation/)).not.toBeInTheDocument());
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(attempts).toBe(2));
    expect(fake.callsOf('ReservationUpdate').map((call) => call.variables.version)).toEqual([2, 5]);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('on a direct action too, with the reload beside the actions', async () => {
    let current = reservation('CONFIRMED');
    const fake = berth(() => current, {
      ReservationCheckIn: () => apiError('CONFLICT', 'reservation r1 is at version 3, not 2; reload it and try again'),
    });
    renderScreen(fake);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Check in' }));
    const actions = screen.getByRole('region', { name: 'Actions' });
    expect(await within(actions).findByText('Changed by someone else')).toBeInTheDocument();
    current = reservation('CHECKED_IN', { version: 3 });
    await user.click(within(actions).getByRole('button', { name: 'Reload the reservation' }));
    expect(await screen.findByRole('button', { name: 'Check out…' })).toBeInTheDocument();
    expect(screen.queryByText('Changed by someone else')).not.toBeInTheDocument();
  });
});

describe('live', () => {
  it('reloads and tells the user when someone else changed it, not when they did', async () => {
    let current = reservation('HELD');
    const fake = berth(() => current, {
      ReservationConfirm: () => {
        current = reservation('CONFIRMED', { version: 3 });
        // The event of the user's own change arrives before the answer.
        fake.emit('ReservationLiveEvents', { reservationEvents: { id: 'e1', kind: 'STATE_CHANGED', reservation: { id: 'r1', version: 3 } } });
        return { data: { confirmReservation: current } };
      },
    });
    renderScreen(fake);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('button', { name: 'Check in' })).toBeInTheDocument();
    expect(screen.queryByText('Someone else just changed this reservation. You are seeing the current version.')).not.toBeInTheDocument();

    current = reservation('CONFIRMED', { version: 4, notes: 'Changed elsewhere' });
    fake.emit('ReservationLiveEvents', { reservationEvents: { id: 'e2', kind: 'CHANGED', reservation: { id: 'r1', version: 4 } } });
    expect(await screen.findByText('Someone else just changed this reservation. You are seeing the current version.')).toBeInTheDocument();
    expect(await screen.findByText('Changed elsewhere')).toBeInTheDocument();
  });

  it('ignores other reservations’ events', async () => {
    const fake = berth(() => reservation('CONFIRMED'));
    renderScreen(fake);
    await screen.findByRole('heading', { name: 'Heidi Keller', level: 1 });
    const before = fake.callsOf('Reservation').length;
    fake.emit('ReservationLiveEvents', { reservationEvents: { id: 'e3', kind: 'CHANGED', reservation: { id: 'r2', version: 9 } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.callsOf('Reservation')).toHaveLength(before);
    expect(screen.queryByText(/Someone else just changed/)).not.toBeInTheDocument();
  });
});
