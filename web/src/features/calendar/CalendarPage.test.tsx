// The calendar screen in jsdom with a fake urql client: the days' accessible
// names (English and Spanish), the keyboard, the day panel (a nightly and a
// timeslot day, empty, failing), the address, and live refetching.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CalendarDayQuery } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { stayPart, telHref } from './DayPanel';
import {
  apiError,
  fakeClient,
  monthOccupancy,
  nightlyTenant,
  renderCalendar,
  timeslotTenant,
} from './test-helpers';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => null,
}));

type Day = CalendarDayQuery['day'];

const december = monthOccupancy('2026-12', {
  '2026-12-24': { occupied: 3, capacity: 5, ratio: 0.6 },
  '2026-12-25': { occupied: 12.5, capacity: 40, ratio: 0.3125 },
  '2026-12-26': { occupied: 0, capacity: 0, ratio: null },
  '2026-12-31': { occupied: 5, capacity: 5, ratio: 1 },
});

const christmasEve: Day = {
  date: '2026-12-24',
  measure: 'NIGHTS',
  occupancy: {
    date: '2026-12-24',
    occupied: 2,
    capacity: 3,
    ratio: 2 / 3,
    units: [
      { unit: { id: 'u1', name: 'Birch Cabin' }, occupied: 1, capacity: 1, ratio: 1 },
      { unit: { id: 'u2', name: 'Pine Cabin' }, occupied: 0, capacity: 1, ratio: 0 },
      { unit: { id: 'u3', name: 'Summit Chalet' }, occupied: 1, capacity: 1, ratio: 1 },
    ],
  },
  reservations: [
    {
      id: 'r-departing',
      state: 'FINISHED',
      start: '2026-12-21T14:00:00Z',
      end: '2026-12-24T09:00:00Z',
      checkIn: '2026-12-21',
      checkOut: '2026-12-24',
      guests: 2,
      quantity: 1,
      holdExpiresAt: null,
      unit: { id: 'u2', name: 'Pine Cabin' },
      client: { id: 'c2', name: 'Luca Brunner', email: 'luca.brunner@example.ch', phone: null },
    },
    {
      id: 'r-staying',
      state: 'CHECKED_IN',
      start: '2026-12-22T14:00:00Z',
      end: '2026-12-26T09:00:00Z',
      checkIn: '2026-12-22',
      checkOut: '2026-12-26',
      guests: 6,
      quantity: 1,
      holdExpiresAt: null,
      unit: { id: 'u3', name: 'Summit Chalet' },
      client: { id: 'c3', name: 'Anna Zürcher', email: 'anna.zuercher@example.ch', phone: '+41 76 555 02 02' },
    },
    {
      id: 'r-arriving',
      state: 'CONFIRMED',
      start: '2026-12-24T14:00:00Z',
      end: '2026-12-27T09:00:00Z',
      checkIn: '2026-12-24',
      checkOut: '2026-12-27',
      guests: 2,
      quantity: 1,
      holdExpiresAt: null,
      unit: { id: 'u1', name: 'Birch Cabin' },
      client: { id: 'c1', name: 'Heidi Keller', email: 'heidi.keller@example.ch', phone: '+41 79 555 01 01' },
    },
    {
      id: 'r-held',
      state: 'HELD',
      start: '2026-12-24T14:00:00Z',
      end: '2026-12-25T09:00:00Z',
      checkIn: '2026-12-24',
      checkOut: '2026-12-25',
      guests: 1,
      quantity: 1,
      holdExpiresAt: '2026-12-11T09:30:00Z',
      unit: { id: 'u2', name: 'Pine Cabin' },
      client: null,
    },
  ],
};

const emptyDay = (date: string): Day => ({
  date,
  measure: 'NIGHTS',
  occupancy: { date, occupied: 0, capacity: 3, ratio: 0, units: [] },
  reservations: [],
});

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-10T09:00:00Z'));
  session.tenant = nightlyTenant;
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces('calendar');
});

afterEach(() => {
  vi.useRealTimers();
});

function dayButtons() {
  return within(screen.getByRole('grid')).getAllByRole('button');
}

describe('the month heatmap', () => {
  it('names every day of the month as the web contract says', async () => {
    const { client, calls } = fakeClient({ month: () => ({ data: { occupancy: december } }) });
    renderCalendar(client, '?month=2026-12');

    expect(await screen.findByRole('heading', { level: 1, name: 'December 2026' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: '2026-12-24: 3 of 5 occupied (60%)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '2026-12-25: 12.5 of 40 occupied (31%)' })).toBeInTheDocument();
    // A day without capacity keeps the contract's form, described as such.
    const closed = screen.getByRole('button', { name: '2026-12-26: 0 of 0 occupied (0%)' });
    expect(closed).toHaveAccessibleDescription('No capacity');
    expect(closed).toHaveTextContent('–');
    expect(screen.getByRole('button', { name: '2026-12-31: 5 of 5 occupied (100%)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: /^2026-12-24/ })).not.toHaveAccessibleDescription();

    // One button per day of the month; the neighbouring months' days are not buttons.
    const buttons = dayButtons();
    expect(buttons).toHaveLength(31);
    for (const button of buttons) {
      expect(button).toHaveAccessibleName(/^\d{4}-\d{2}-\d{2}: .* of .* occupied \(\d+%\)$/);
    }
    // The percentage is printed, not only coloured.
    expect(screen.getByRole('button', { name: /^2026-12-24/ })).toHaveTextContent('60%');
    // Weeks start on Monday in Switzerland; 30 November fills the first week, muted.
    const headers = within(screen.getByRole('grid')).getAllByRole('columnheader');
    expect(headers[0]).toHaveTextContent('Mon');
    expect(within(screen.getByRole('grid')).getAllByRole('row')[1]).toHaveTextContent(/^30/);

    // One request for the whole month.
    expect(calls.filter((c) => c.operation === 'CalendarMonth')).toEqual([
      { operation: 'CalendarMonth', variables: { from: '2026-12-01', to: '2026-12-31' } },
    ]);
  });

  it('marks today for the eye and for screen readers', async () => {
    const { client } = fakeClient({ month: () => ({ data: { occupancy: december } }) });
    renderCalendar(client);
    const today = await screen.findByRole('button', { name: '2026-12-10: 0 of 5 occupied (0%)' });
    expect(today).toHaveAttribute('aria-current', 'date');
    expect(dayButtons().filter((b) => b.hasAttribute('aria-current'))).toHaveLength(1);
  });

  it('names the days in Spanish', async () => {
    await i18n.changeLanguage('es');
    await i18n.loadNamespaces('calendar');
    const { client } = fakeClient({ month: () => ({ data: { occupancy: december } }) });
    renderCalendar(client, '?month=2026-12');

    expect(await screen.findByRole('heading', { level: 1, name: 'Diciembre de 2026' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: '2026-12-24: 3 de 5 ocupadas (60%)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '2026-12-25: 12,5 de 40 ocupadas (31%)' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '2026-12-26: 0 de 0 ocupadas (0%)' })).toHaveAccessibleDescription('Sin capacidad');
    expect(screen.getByRole('button', { name: 'Mes anterior' })).toBeInTheDocument();
  });

  it('starts weeks on Sunday for a business in the United States', async () => {
    session.tenant = timeslotTenant;
    const { client } = fakeClient({ month: () => ({ data: { occupancy: december } }) });
    renderCalendar(client, '?month=2026-12');
    await screen.findByRole('button', { name: /^2026-12-24: / });
    expect(within(screen.getByRole('grid')).getAllByRole('columnheader')[0]).toHaveTextContent('Sun');
  });

  it('names days by date alone until their figures come, and says when they fail', async () => {
    const { client } = fakeClient({ month: () => ({ error: apiError('INTERNAL') }) });
    renderCalendar(client, '?month=2026-12');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent("The month's occupancy could not be loaded.");
    expect(alert).toHaveTextContent('berth hit an internal error.');
    expect(screen.getByRole('button', { name: '2026-12-24' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('moves between months with the buttons, and back to today', async () => {
    const { client, calls } = fakeClient({ month: (from) => ({ data: { occupancy: monthOccupancy(from.slice(0, 7)) } }) });
    const { router } = renderCalendar(client, '?month=2026-12');
    const user = userEvent.setup();
    await screen.findByRole('heading', { name: 'December 2026' });

    await user.click(screen.getByRole('button', { name: 'Next month' }));
    expect(await screen.findByRole('heading', { name: 'January 2027' })).toBeInTheDocument();
    expect(router.state.location.search).toBe('?month=2027-01');
    await user.click(screen.getByRole('button', { name: 'Previous month' }));
    await user.click(screen.getByRole('button', { name: 'Previous month' }));
    expect(await screen.findByRole('heading', { name: 'November 2026' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Today' }));
    expect(await screen.findByRole('heading', { name: 'December 2026' })).toBeInTheDocument();
    expect(await screen.findByRole('button', { name: /^2026-12-10: / })).toHaveAttribute('tabindex', '0');
    // Each month in one request for the whole month.
    const months = calls.filter((c) => c.operation === 'CalendarMonth').map((c) => c.variables);
    expect(new Set(months.map((v) => `${String(v.from)}/${String(v.to)}`))).toEqual(
      new Set(['2026-12-01/2026-12-31', '2027-01-01/2027-01-31', '2026-11-01/2026-11-30']),
    );
  });
});

describe('the keyboard', () => {
  it('keeps one day in the tab order and moves it with arrows, Home, End and the page keys', async () => {
    const { client } = fakeClient({ month: (from) => ({ data: { occupancy: monthOccupancy(from.slice(0, 7)) } }) });
    const { router } = renderCalendar(client, '?month=2026-12');
    const user = userEvent.setup();
    await screen.findByRole('button', { name: /^2026-12-10: / });

    const inTabOrder = () => dayButtons().filter((b) => b.tabIndex === 0);
    expect(inTabOrder()).toHaveLength(1);
    expect(inTabOrder()[0]).toHaveAccessibleName(/^2026-12-10: /);

    // Tab from the "Next month" button reaches today, the one day in the tab order.
    screen.getByRole('button', { name: 'Next month' }).focus();
    await user.tab();
    const focused = () => (document.activeElement as HTMLElement).getAttribute('data-date');
    expect(focused()).toBe('2026-12-10');

    await user.keyboard('{ArrowRight}');
    expect(focused()).toBe('2026-12-11');
    await user.keyboard('{ArrowDown}');
    expect(focused()).toBe('2026-12-18');
    await user.keyboard('{ArrowLeft}{ArrowUp}');
    expect(focused()).toBe('2026-12-10');
    await user.keyboard('{Home}');
    expect(focused()).toBe('2026-12-07');
    await user.keyboard('{End}');
    expect(focused()).toBe('2026-12-13');
    expect(inTabOrder().map((b) => b.dataset.date)).toEqual(['2026-12-13']);

    await user.keyboard('{PageDown}');
    expect(await screen.findByRole('heading', { name: 'January 2027' })).toBeInTheDocument();
    await waitFor(() => expect(focused()).toBe('2027-01-13'));
    expect(router.state.location.search).toBe('?month=2027-01');

    await user.keyboard('{PageUp}{PageUp}');
    await waitFor(() => expect(focused()).toBe('2026-11-13'));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('November 2026');

    // An arrow past the month's last day goes on into the next month.
    await user.keyboard('{End}{ArrowDown}{ArrowDown}{ArrowDown}');
    await waitFor(() => expect(focused()).toBe('2026-12-06'));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('December 2026');
  });

  it('opens the day with Enter, closes it with Escape, and gives the focus back to the day', async () => {
    const { client } = fakeClient({
      month: () => ({ data: { occupancy: december } }),
      day: (date) => ({ data: { day: date === '2026-12-24' ? christmasEve : emptyDay(date) } }),
    });
    const { router } = renderCalendar(client, '?month=2026-12');
    const user = userEvent.setup();
    const day = await screen.findByRole('button', { name: /^2026-12-24: / });

    act(() => day.focus());
    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'Thursday, 24 December 2026' });
    expect(await within(dialog).findByRole('link', { name: 'Heidi Keller' })).toBeInTheDocument();
    expect(router.state.location.search).toBe('?month=2026-12&day=2026-12-24');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(router.state.location.search).toBe('?month=2026-12');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: /^2026-12-24: / }));

    // Space opens it too.
    await user.keyboard(' ');
    expect(await screen.findByRole('dialog', { name: 'Thursday, 24 December 2026' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toHaveAccessibleName(/^2026-12-24: /);
  });
});

describe('the day panel', () => {
  it('lists arrivals, stays and departures with guest, contact, dates, guests and state', async () => {
    const { client } = fakeClient({
      month: () => ({ data: { occupancy: december } }),
      day: () => ({ data: { day: christmasEve } }),
    });
    renderCalendar(client, '?month=2026-12&day=2026-12-24');
    const dialog = await screen.findByRole('dialog', { name: 'Thursday, 24 December 2026' });
    await within(dialog).findByRole('link', { name: 'Heidi Keller' });

    // The day's occupancy, overall and per unit.
    const occupancy = within(dialog).getByRole('region', { name: 'Occupancy' });
    expect(occupancy).toHaveTextContent('67%');
    expect(occupancy).toHaveTextContent('2 of 3 nights occupied');
    expect(occupancy).toHaveTextContent(/Birch Cabin\s*1 of 1 · 100%/);
    expect(occupancy).toHaveTextContent(/Pine Cabin\s*0 of 1 · 0%/);

    const arrivals = within(dialog).getByRole('region', { name: 'Arrivals (2)' });
    const staying = within(dialog).getByRole('region', { name: 'Staying (1)' });
    const departures = within(dialog).getByRole('region', { name: 'Departures (1)' });

    const [arriving, held] = within(arrivals).getAllByRole('listitem');
    expect(within(arriving!).getByRole('link', { name: 'Heidi Keller' })).toHaveAttribute('href', '/admin/reservations/r-arriving');
    expect(arriving).toHaveTextContent('Birch Cabin');
    expect(arriving).toHaveTextContent('Confirmed');
    expect(arriving).toHaveTextContent('Check-inThu, 24 Dec');
    expect(arriving).toHaveTextContent('Check-outSun, 27 Dec');
    expect(arriving).toHaveTextContent('3 nights');
    expect(arriving).toHaveTextContent('2 guests');
    expect(within(arriving!).getByRole('link', { name: /^E-mail: ?heidi\.keller@example\.ch$/ })).toHaveAttribute(
      'href',
      'mailto:heidi.keller@example.ch',
    );
    expect(within(arriving!).getByRole('link', { name: /^Phone: ?\+41 79 555 01 01$/ })).toHaveAttribute('href', 'tel:+41795550101');

    // A hold without a client: said in words, with when the hold ends (tenant time).
    expect(within(held!).getByRole('link', { name: 'No guest named' })).toHaveAttribute('href', '/admin/reservations/r-held');
    expect(held).toHaveTextContent('Held');
    expect(held).toHaveTextContent('1 guest');
    expect(held).toHaveTextContent('Hold expires 11 Dec 2026, 10:30');

    expect(within(staying).getByRole('link', { name: 'Anna Zürcher' })).toHaveAttribute('href', '/admin/reservations/r-staying');
    expect(staying).toHaveTextContent('Checked in');
    expect(staying).toHaveTextContent('6 guests');
    expect(within(departures).getByRole('link', { name: 'Luca Brunner' })).toBeInTheDocument();
    expect(departures).toHaveTextContent('Finished');
    expect(within(departures).queryByRole('link', { name: /^Phone/ })).toBeNull();
  });

  it('shows a timeslot day’s times in the business’s timezone', async () => {
    session.tenant = timeslotTenant;
    const tour: Day = {
      date: '2026-12-24',
      measure: 'SEAT_HOURS',
      occupancy: {
        date: '2026-12-24',
        occupied: 18,
        capacity: 48,
        ratio: 0.375,
        units: [{ unit: { id: 'u1', name: 'Sunrise Ridge Hike' }, occupied: 18, capacity: 48, ratio: 0.375 }],
      },
      reservations: [
        {
          id: 'r-tour',
          state: 'CONFIRMED',
          start: '2026-12-24T13:00:00Z',
          end: '2026-12-24T16:00:00Z',
          checkIn: null,
          checkOut: null,
          guests: 4,
          quantity: 4,
          holdExpiresAt: null,
          unit: { id: 'u1', name: 'Sunrise Ridge Hike' },
          client: { id: 'c1', name: 'Isabella Bird', email: null, phone: null },
        },
      ],
    };
    const { client } = fakeClient({
      month: () => ({ data: { occupancy: december } }),
      day: () => ({ data: { day: tour } }),
    });
    renderCalendar(client, '?day=2026-12-24');
    const dialog = await screen.findByRole('dialog', { name: 'Thursday, December 24, 2026' });
    const list = within(await within(dialog).findByRole('region', { name: 'Reservations (1)' })).getByRole('listitem');
    // 13:00–16:00 UTC is 6–9 in the morning in Denver.
    expect(list.textContent?.replace(/\s/g, ' ')).toMatch(/Time6:00 – 9:00 AM/);
    expect(list).toHaveTextContent('4 guests');
    expect(list).toHaveTextContent('4 seats');
    expect(within(dialog).getByRole('region', { name: 'Occupancy' })).toHaveTextContent('18 of 48 seat-hours occupied');
    // The month follows the day when the address names only the day.
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('December 2026');
  });

  it('says so when no reservation touches the date', async () => {
    const { client } = fakeClient({
      month: () => ({ data: { occupancy: december } }),
      day: (date) => ({ data: { day: emptyDay(date) } }),
    });
    renderCalendar(client, '?month=2026-12&day=2026-12-03');
    const dialog = await screen.findByRole('dialog', { name: 'Thursday, 3 December 2026' });
    expect(await within(dialog).findByText('No reservations touch this date')).toBeInTheDocument();
    expect(within(dialog).queryByRole('link')).toBeNull();
  });

  it('shows skeletons while loading, and an error in words', async () => {
    const { client } = fakeClient({
      month: () => ({ data: { occupancy: december } }),
      day: (date) => (date === '2026-12-05' ? { error: apiError('FORBIDDEN') } : undefined),
    });
    const { router } = renderCalendar(client, '?month=2026-12&day=2026-12-04');
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('status', { name: 'Loading the day…' })).toBeInTheDocument();

    await act(() => router.navigate('/?month=2026-12&day=2026-12-05'));
    const alert = await within(await screen.findByRole('dialog')).findByRole('alert');
    expect(alert).toHaveTextContent('This day could not be loaded.');
    expect(alert).toHaveTextContent('Your role does not allow this.');
    expect(alert.textContent).not.toMatch(/FORBIDDEN|[{}]/);
  });
});

describe('live', () => {
  it('fetches the month and the open day again after a burst of reservation events', async () => {
    const { client, calls, events } = fakeClient({
      month: () => ({ data: { occupancy: december } }),
      day: () => ({ data: { day: christmasEve } }),
    });
    renderCalendar(client, '?month=2026-12&day=2026-12-24');
    await within(await screen.findByRole('dialog')).findByRole('link', { name: 'Heidi Keller' });
    const count = (operation: string) => calls.filter((c) => c.operation === operation).length;
    const before = { month: count('CalendarMonth'), day: count('CalendarDay') };

    const event = { data: { reservationEvents: { id: 'e1', kind: 'CREATED' } } } as never;
    act(() => {
      events.next(event);
      events.next(event);
      events.next(event);
    });
    await waitFor(() => expect(count('CalendarMonth')).toBe(before.month + 1), { timeout: 3000 });
    await waitFor(() => expect(count('CalendarDay')).toBe(before.day + 1));
    // One refetch for the burst, not one per event.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(count('CalendarMonth')).toBe(before.month + 1);
  });
});

describe('helpers', () => {
  it('places a nightly reservation as an arrival, a stay or a departure', () => {
    expect(stayPart({ checkIn: '2026-12-24', checkOut: '2026-12-27' }, '2026-12-24')).toBe('arrivals');
    expect(stayPart({ checkIn: '2026-12-22', checkOut: '2026-12-27' }, '2026-12-24')).toBe('staying');
    expect(stayPart({ checkIn: '2026-12-22', checkOut: '2026-12-24' }, '2026-12-24')).toBe('departures');
  });

  it('dials phone numbers by their digits', () => {
    expect(telHref('+41 79 555 01 01')).toBe('tel:+41795550101');
    expect(telHref('(303) 555-0199')).toBe('tel:3035550199');
  });
});
