// The booking panel in jsdom with a fake berth: the live quote (lines, total,
// violations), "Book anyway" only for admins and owners and only when the
// quote is overridable, the form's validation messages, the lock (a refusal
// naming the holder; the booking naming the lock), and one idempotency key per
// opening.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Role } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderWith, type Answer } from '@/test/fake-urql';
import { BookingForm } from './BookingDrawer';
import type { Quote } from './quote';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null, role: 'ADMIN' }));
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

const units = {
  units: [
    { id: 'birch', name: 'Birch Cabin', kind: 'cabin', inventory: 1, maxGuests: 4, archived: false },
    { id: 'pine', name: 'Pine Cabin', kind: 'cabin', inventory: 1, maxGuests: 2, archived: false },
  ],
};

const chf = (amount: number) => ({ amount, currency: 'CHF' });

const bookable: Quote = {
  unitId: 'birch',
  available: true,
  overridable: false,
  total: chf(53288),
  lines: [
    { kind: 'nights', label: '2 night(s) × 1', amount: chf(36000) },
    { kind: 'fee', label: 'Final cleaning', amount: chf(12000) },
    { kind: 'tax', label: 'VAT 8.1 %', amount: chf(3888) },
    { kind: 'tax', label: 'Tourist tax', amount: chf(1400) },
  ],
  violations: [],
  start: '2026-12-15T14:00:00Z',
  end: '2026-12-17T09:00:00Z',
  checkIn: '2026-12-15',
  checkOut: '2026-12-17',
};

const refused = (overridable: boolean): Quote => ({
  ...bookable,
  available: false,
  overridable,
  total: null,
  lines: [],
  violations: [{ code: 'min_nights', message: 'stays arriving on 2026-12-15 need at least 2 nights' }],
});

const lock = {
  id: 'lock-1',
  unitId: 'birch',
  reservationId: null,
  start: '2026-12-15T14:00:00Z',
  end: '2026-12-17T09:00:00Z',
  expiresAt: '2026-12-06T08:00:30Z',
  holder: { displayName: 'me@example.org' },
};

function berth(quote: Quote, overrides: Partial<Record<string, (v: Record<string, unknown>) => Answer>> = {}) {
  return fakeUrql({
    BookingUnits: () => ({ data: units }),
    BookingQuote: () => ({ data: { quote } }),
    BookingClients: () => ({
      data: { clients: { nodes: [{ id: 'c-heidi', name: 'Heidi Keller', email: 'heidi@example.ch', phone: null, blocked: false }] } },
    }),
    BookingAcquireLock: () => ({ data: { acquireLock: lock } }),
    BookingRenewLock: () => ({ data: { renewLock: lock } }),
    BookingReleaseLock: () => ({ data: { releaseLock: { id: 'lock-1' } } }),
    BookingCreateReservation: () => ({ data: { createReservation: { id: 'r-new', state: 'CONFIRMED', version: 1 } } }),
    ...overrides,
  });
}

const stay = { unitId: 'birch', period: { checkIn: '2026-12-15', checkOut: '2026-12-17' }, guests: 2 };

function renderForm(fake: ReturnType<typeof berth>, props: Partial<Parameters<typeof BookingForm>[0]> = {}) {
  const onClose = vi.fn();
  const onCreated = vi.fn();
  renderWith(fake.client, <BookingForm initial={stay} onClose={onClose} onCreated={onCreated} {...props} />);
  return { onClose, onCreated };
}

async function chooseNewClient(user: ReturnType<typeof userEvent.setup>, name: string) {
  await user.click(screen.getByRole('radio', { name: 'New client' }));
  await user.type(screen.getByRole('textbox', { name: 'Name' }), name);
}

beforeEach(async () => {
  session.tenant = alpine;
  session.role = 'ADMIN';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces('booking');
});

describe('the live quote', () => {
  it('shows the price lines and the total in the tenant currency', async () => {
    renderForm(berth(bookable));
    const quote = await screen.findByRole('region', { name: 'Quote' });
    await within(quote).findByText('CHF 532.88');
    const rows = within(quote)
      .getAllByRole('row')
      .map((row) => row.textContent?.replace(/\s/g, ' '));
    expect(rows).toEqual([
      '2 night(s) × 1CHF 360.00',
      'Final cleaningCHF 120.00',
      'VAT 8.1 %CHF 38.88',
      'Tourist taxCHF 14.00',
      'TotalCHF 532.88',
    ]);
  });

  it('asks for the unit, the dates and guests before quoting', async () => {
    const fake = berth(bookable);
    renderForm(fake, { initial: undefined });
    expect(await screen.findByText('Choose the unit, the dates and the guests to see the price.')).toBeInTheDocument();
    expect(fake.callsOf('BookingQuote')).toHaveLength(0);
    expect(fake.callsOf('BookingAcquireLock')).toHaveLength(0);
  });

  it('sends the period in the nightly shape and quotes again when it changes', async () => {
    const fake = berth(bookable);
    renderForm(fake);
    await screen.findByText('CHF 532.88');
    expect(fake.callsOf('BookingQuote')[0]?.variables).toEqual({
      tenant: 'alpine-cabins',
      input: { unitId: 'birch', period: { checkIn: '2026-12-15', checkOut: '2026-12-17' }, guests: 2, quantity: 1 },
    });
    const user = userEvent.setup({ delay: null });
    const guests = screen.getByRole('textbox', { name: 'Guests' });
    await user.clear(guests);
    await user.type(guests, '3');
    await waitFor(() => expect(fake.callsOf('BookingQuote').at(-1)?.variables).toMatchObject({ input: { guests: 3 } }));
  });

  it('shows a policy refusal as its violations in words', async () => {
    renderForm(berth(refused(true)));
    const quote = await screen.findByRole('region', { name: 'Quote' });
    expect(await within(quote).findByText('The rules of Alpine Cabins do not allow this:')).toBeInTheDocument();
    expect(within(quote).getByText('stays arriving on 2026-12-15 need at least 2 nights')).toBeInTheDocument();
    expect(within(quote).queryByText('Total')).not.toBeInTheDocument();
  });

  it('tells a taken time apart from a refusal', async () => {
    renderForm(berth({ ...bookable, available: false }));
    expect(await screen.findByText(/Another reservation or a block already takes/)).toBeInTheDocument();
    const user = userEvent.setup({ delay: null });
    await chooseNewClient(user, 'Ada Muster');
    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(await screen.findByText('That time is not available (see the quote).')).toBeInTheDocument();
  });
});

describe('book anyway', () => {
  it.each<[Role, boolean, boolean]>([
    ['ADMIN', true, true],
    ['OWNER', true, true],
    ['STAFF', true, false],
    ['VIEWER', true, false],
    ['ADMIN', false, false],
    ['OWNER', false, false],
  ])('%s, overridable %s: offered %s', async (role, overridable, offered) => {
    session.role = role;
    renderForm(berth(refused(overridable)));
    if (role === 'VIEWER') {
      // Viewers cannot book at all.
      expect(await screen.findByText('Your role can only read')).toBeInTheDocument();
      return;
    }
    await screen.findByText('stays arriving on 2026-12-15 need at least 2 nights');
    expect(screen.queryByRole('button', { name: 'Book anyway…' }) !== null).toBe(offered);
  });

  it('is not offered for a bookable quote', async () => {
    renderForm(berth({ ...bookable, overridable: true }));
    await screen.findByText('CHF 532.88');
    expect(screen.queryByRole('button', { name: 'Book anyway…' })).not.toBeInTheDocument();
  });

  it('asks for a reason and sends it as overrideReason', async () => {
    const fake = berth(refused(true));
    const { onCreated } = renderForm(fake);
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Book anyway…' }));
    await chooseNewClient(user, 'Ada Muster');
    await user.click(screen.getByRole('button', { name: 'Book anyway' }));
    expect(await screen.findByText('Give the reason for booking anyway.')).toBeInTheDocument();
    expect(fake.callsOf('BookingCreateReservation')).toHaveLength(0);

    await user.type(screen.getByRole('textbox', { name: 'Reason for booking anyway' }), 'Goodwill: a returning guest');
    await user.click(screen.getByRole('button', { name: 'Book anyway' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith('r-new'));
    expect(fake.callsOf('BookingCreateReservation')[0]?.variables.input).toMatchObject({
      overrideReason: 'Goodwill: a returning guest',
      client: { name: 'Ada Muster' },
    });
  });

  it('refuses to book a refused quote without the override', async () => {
    const fake = berth(refused(true));
    renderForm(fake);
    const user = userEvent.setup({ delay: null });
    await screen.findByRole('button', { name: 'Book anyway…' });
    await chooseNewClient(user, 'Ada Muster');
    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(await screen.findByText(/The rules do not allow this booking \(see the quote\)\. Choose/)).toBeInTheDocument();
    expect(fake.callsOf('BookingCreateReservation')).toHaveLength(0);
  });
});

describe('validation', () => {
  it('names what is missing under each field', async () => {
    const fake = berth(bookable);
    renderForm(fake, { initial: undefined });
    const user = userEvent.setup({ delay: null });
    await user.click(await screen.findByRole('button', { name: 'Book' }));
    expect(await screen.findByText('Choose a unit.')).toBeInTheDocument();
    expect(screen.getByText('Enter the check-in date.')).toBeInTheDocument();
    expect(screen.getByText('Enter the check-out date.')).toBeInTheDocument();
    expect(screen.getByText('Choose a client, or create a new one.')).toBeInTheDocument();
    expect(screen.getByText('Some fields need attention (see above).')).toBeInTheDocument();
    expect(fake.callsOf('BookingCreateReservation')).toHaveLength(0);
  });

  it('checks the new client and the dates', async () => {
    renderForm(berth(bookable), { initial: { unitId: 'birch', period: { checkIn: '2026-12-17', checkOut: '2026-12-15' } } });
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('radio', { name: 'New client' }));
    await user.type(screen.getByRole('textbox', { name: 'E-mail' }), 'not-an-address');
    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(await screen.findByText("Enter the guest's name.")).toBeInTheDocument();
    expect(screen.getByText('Enter an e-mail address like name@example.com.')).toBeInTheDocument();
    expect(screen.getByText('Check-out must be after check-in.')).toBeInTheDocument();
  });

  it('needs at least one guest', async () => {
    renderForm(berth(bookable));
    const user = userEvent.setup({ delay: null });
    await user.clear(screen.getByRole('textbox', { name: 'Guests' }));
    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(await screen.findByText('Enter the number of guests.')).toBeInTheDocument();
  });
});

describe('the lock and the booking', () => {
  it('locks the range and names the lock in the booking, with one idempotency key across retries', async () => {
    let attempts = 0;
    const fake = berth(bookable, {
      BookingCreateReservation: () =>
        ++attempts === 1 ? apiError('INTERNAL', 'boom') : { data: { createReservation: { id: 'r-new', state: 'CONFIRMED', version: 1 } } },
    });
    const { onCreated, onClose } = renderForm(fake);
    expect(await screen.findByText(/This range is held for you/)).toBeInTheDocument();
    expect(fake.callsOf('BookingAcquireLock')[0]?.variables).toEqual({
      input: { unitId: 'birch', period: { checkIn: '2026-12-15', checkOut: '2026-12-17' } },
      ttlSeconds: 30,
    });
    const user = userEvent.setup({ delay: null });
    await user.click(screen.getByRole('radio', { name: 'New client' }));
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Ada Muster');
    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(await screen.findByText('Not booked')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Book' }));
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith('r-new'));
    expect(onClose).toHaveBeenCalled();
    const [first, second] = fake.callsOf('BookingCreateReservation').map((call) => call.variables.input as Record<string, unknown>);
    expect(first?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(second?.idempotencyKey).toBe(first?.idempotencyKey);
    expect(second).toMatchObject({ lockId: 'lock-1', hold: false, guests: 2, quantity: 1, unitId: 'birch' });
  });

  it('names the colleague who holds the range', async () => {
    const fake = berth(bookable, {
      BookingAcquireLock: () =>
        apiError('LOCKED', 'locked', { holder: { displayName: 'birgit@alpine-cabins.example.org' } }),
    });
    renderForm(fake);
    expect(
      await screen.findByText(
        'birgit@alpine-cabins.example.org is booking this range right now. Choose another range, or try again when they have finished.',
      ),
    ).toBeInTheDocument();
    const user = userEvent.setup({ delay: null });
    await chooseNewClient(user, 'Ada Muster');
    await user.click(screen.getByRole('button', { name: 'Book' }));
    expect(await screen.findByText('Someone else is booking this range (see above).')).toBeInTheDocument();
    expect(fake.callsOf('BookingCreateReservation')).toHaveLength(0);
  });

  it('tells the user when they hold the range themselves in another window', async () => {
    const fake = berth(bookable, {
      BookingAcquireLock: () =>
        apiError('LOCKED', 'locked', { holder: { displayName: 'me@example.org', actor: 'user:u-me', session: 'login:other' } }),
    });
    renderForm(fake);
    expect(await screen.findByText(/You are booking this range yourself in another window or on another device/)).toBeInTheDocument();
    expect(screen.queryByText(/me@example.org is booking this range/)).not.toBeInTheDocument();
  });

  it('books an existing client found by search as a hold', async () => {
    const fake = berth(bookable);
    renderForm(fake);
    const user = userEvent.setup({ delay: null });
    await screen.findByText('CHF 532.88');
    await user.click(screen.getByRole('combobox', { name: 'Client' }));
    await user.click(await screen.findByRole('option', { name: 'Heidi Keller · heidi@example.ch' }));
    await user.click(screen.getByRole('radio', { name: 'Hold' }));
    await user.click(screen.getByRole('button', { name: 'Place hold' }));
    await waitFor(() => expect(fake.callsOf('BookingCreateReservation')).toHaveLength(1));
    expect(fake.callsOf('BookingCreateReservation')[0]?.variables.input).toMatchObject({ clientId: 'c-heidi', hold: true });
  });
});

describe('a timeslot business', () => {
  const summit: Tenant = {
    slug: 'summit-tours',
    name: 'Summit Tours',
    timezone: 'America/Denver',
    currency: 'USD',
    locale: 'en-US',
    model: 'timeslot',
  };

  it('offers the day’s slots with the seats left, sends the slot’s start, and the seats follow the guests', async () => {
    session.tenant = summit;
    const fake = fakeUrql({
      BookingUnits: () => ({
        data: { units: [{ id: 'hike', name: 'Sunrise Ridge Hike', kind: 'tour', inventory: 20, maxGuests: 1, archived: false }] },
      }),
      BookingSlots: () => ({
        data: {
          slots: [
            { start: '2026-12-16T13:00:00Z', end: '2026-12-16T16:00:00Z', capacity: 20, free: 12 },
            { start: '2026-12-16T20:00:00Z', end: '2026-12-16T23:00:00Z', capacity: 20, free: 0 },
          ],
        },
      }),
      BookingQuote: () => ({ data: { quote: { ...bookable, unitId: 'hike', total: { amount: 19548, currency: 'USD' }, lines: [] } } }),
      BookingAcquireLock: () => ({ data: { acquireLock: { ...lock, unitId: 'hike' } } }),
      BookingReleaseLock: () => ({ data: { releaseLock: { id: 'lock-1' } } }),
      BookingClients: () => ({ data: { clients: { nodes: [] } } }),
    });
    renderForm(fake, { initial: { unitId: 'hike', period: { start: '2026-12-16T13:00:00Z' }, guests: 1 } });
    expect(screen.getByLabelText(/^Date/)).toHaveValue('2026-12-16');
    const slot = () => screen.getByRole('combobox', { name: 'Time slot' });
    await waitFor(() => expect((slot() as HTMLInputElement).value).toContain('12 of 20 free'));
    await userEvent.setup({ delay: null }).click(slot());
    expect(screen.getByRole('option', { name: /0 of 20 free/ })).toHaveAttribute('data-combobox-disabled', 'true');

    const user = userEvent.setup({ delay: null });
    const guests = screen.getByRole('textbox', { name: 'Guests' });
    await user.clear(guests);
    await user.type(guests, '3');
    expect(screen.getByRole('textbox', { name: 'Seats' })).toHaveValue('3');
    await waitFor(() =>
      expect(fake.callsOf('BookingQuote').at(-1)?.variables).toEqual({
        tenant: 'summit-tours',
        input: { unitId: 'hike', period: { start: '2026-12-16T13:00:00Z' }, guests: 3, quantity: 3 },
      }),
    );
    // Once set by hand, the seats stay.
    const seats = screen.getByRole('textbox', { name: 'Seats' });
    await user.clear(seats);
    await user.type(seats, '5');
    await user.clear(guests);
    await user.type(guests, '2');
    expect(seats).toHaveValue('5');
  });
});
