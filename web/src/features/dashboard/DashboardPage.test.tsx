// The dashboard with a fake berth: the cards say each figure and its change
// in words (points, reservations, percent, "No previous data"), presets and
// custom dates become the address and the requests (in the tenant's today),
// the top units follow the toggle, the CSV holds what is shown, and the empty
// and failing states.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DashboardFiguresFragment, DashboardTopUnitsQuery } from '@/gql/graphql';
import { addDays, daysBetween } from '@/lib/format';
import { i18n } from '@/lib/i18n';
import type { Tenant } from '@/lib/session/session';
import { apiError, fakeUrql, renderRoutes, type Answer } from '@/test/fake-urql';
import DashboardPage from './DashboardPage';
import { figures } from './test-fixtures';

const session = vi.hoisted(() => ({ tenant: null as Tenant | null }));
vi.mock('@/lib/session/session', () => ({
  useTenant: () => session.tenant,
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: 'VIEWER' }),
}));

const alpine: Tenant = {
  slug: 'alpine-cabins',
  name: 'Alpine Cabins',
  timezone: 'Europe/Zurich',
  currency: 'CHF',
  locale: 'de-CH',
  model: 'nightly',
};

const topUnits: DashboardTopUnitsQuery['topUnits'] = [
  { rank: 1, unit: { id: 'chalet', name: 'Summit Chalet, "the big one"' }, nights: 20, hours: null, revenue: { amount: 90_000, currency: 'CHF' }, reservations: 5, occupancy: 0.645 },
  { rank: 2, unit: { id: 'birch', name: 'Birch Cabin' }, nights: 30, hours: null, revenue: { amount: 35_050, currency: 'CHF' }, reservations: 7, occupancy: 0.9677 },
];

function statsAnswer(from: string, to: string, current: Partial<DashboardFiguresFragment>, previous: Partial<DashboardFiguresFragment>) {
  const days = daysBetween(from, to) + 1;
  return {
    stats: {
      ...figures({ from, to, ...current }),
      previous: figures({ from: addDays(from, -days), to: addDays(from, -1), ...previous }),
    },
    occupancy: {
      from,
      to,
      measure: 'NIGHTS',
      days: Array.from({ length: days }, (_, i) => ({ date: addDays(from, i), occupied: i % 4, capacity: 4, blocked: 0, ratio: (i % 4) / 4 })),
    },
  };
}

const before: Partial<DashboardFiguresFragment> = {
  occupancyPercent: 58.3,
  revenue: { amount: 100_000, currency: 'CHF' },
  activeReservations: 15,
  canceledReservations: 0,
  nightsReserved: 40,
};

function berth(stats?: (variables: Record<string, unknown>) => Answer) {
  return fakeUrql({
    DashboardStats:
      stats ?? ((variables) => ({ data: statsAnswer(variables.from as string, variables.to as string, {}, before) })),
    DashboardTopUnits: (variables) => ({
      data: { topUnits: variables.by === 'NIGHTS' ? [...topUnits].reverse().map((u, i) => ({ ...u, rank: i + 1 })) : topUnits },
    }),
  });
}

function renderDashboard(fake: ReturnType<typeof berth>, search = '') {
  return renderRoutes(fake.client, [{ path: '/dashboard', Component: DashboardPage }], `/dashboard${search}`);
}

function card(name: string): HTMLElement {
  const list = screen.getByRole('list', { name: 'Figures' });
  const item = within(list)
    .getAllByRole('listitem')
    .find((li) => li.querySelector('[data-label]')?.textContent === name);
  if (!item) throw new Error(`no card ${name}`);
  return item;
}

beforeEach(async () => {
  session.tenant = alpine;
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['dashboard']);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the cards', () => {
  it('say each figure and its change in words, with a sign', async () => {
    renderDashboard(berth(), '?from=2026-12-01&to=2026-12-31');
    await screen.findByRole('list', { name: 'Figures' });
    expect(card('Occupancy')).toHaveTextContent('62.5%');
    expect(card('Occupancy')).toHaveTextContent('+4.2 pts');
    expect(card('Occupancy')).toHaveTextContent('Previous: 58.3%');
    expect(card('Active reservations')).toHaveTextContent('12');
    expect(card('Active reservations')).toHaveTextContent('\u22123 reservations');
    expect(card('Estimated revenue')).toHaveTextContent("CHF 1'250.50");
    expect(card('Estimated revenue')).toHaveTextContent('+25.1%');
    expect(card('Nights reserved')).toHaveTextContent('50 nights');
    expect(card('Nights reserved')).toHaveTextContent('+25%');
    // Nothing to compare with: said so, no previous value.
    expect(card('Canceled')).toHaveTextContent('No previous data');
    expect(card('Canceled')).not.toHaveTextContent('Previous:');
    expect(card('No-shows')).toHaveTextContent('No change');
    expect(card('Average stay')).toHaveTextContent('3.3 nights');
    expect(card('Average lead time')).toHaveTextContent('14.5 days');
    // The colour repeats the words: more active reservations would be good, fewer is bad.
    expect(card('Active reservations').querySelector('[data-tone]')).toHaveAttribute('data-tone', 'bad');
    expect(card('Occupancy').querySelector('[data-tone]')).toHaveAttribute('data-tone', 'good');
    expect(screen.getByText('Changes compare with 31 Oct – 30 Nov 2026, the 31 days just before.')).toBeInTheDocument();
  });

  it('say hours for a timeslot tenant', async () => {
    session.tenant = { ...alpine, model: 'timeslot' };
    renderDashboard(
      berth((v) => ({
        data: statsAnswer(v.from as string, v.to as string, { measure: 'SEAT_HOURS', nightsReserved: null, hoursReserved: 42.5, averageLengthOfStay: 2 }, { measure: 'SEAT_HOURS', nightsReserved: null, hoursReserved: 0 }),
      })),
      '?from=2026-12-01&to=2026-12-31',
    );
    await screen.findByRole('list', { name: 'Figures' });
    expect(card('Seat-hours reserved')).toHaveTextContent('42.5 seat-hours');
    expect(card('Seat-hours reserved')).toHaveTextContent('No previous data');
    expect(card('Average stay')).toHaveTextContent('2 hours');
  });
});

describe('the range', () => {
  it('is this month in the tenant’s time zone by default, and presets change the address and the requests', async () => {
    // 23:30 UTC on 31 December 2026: already 2027 in Zurich.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-31T23:30:00Z'));
    const fake = berth();
    const { router } = renderDashboard(fake);
    await screen.findByRole('list', { name: 'Figures' });
    expect(fake.callsOf('DashboardStats')[0]?.variables).toEqual({ from: '2027-01-01', to: '2027-01-31' });
    expect(screen.getByRole('radio', { name: 'This month' })).toBeChecked();

    await userEvent.click(screen.getByRole('radio', { name: 'This year' }));
    await waitFor(() => expect(router.state.location.search).toBe('?range=this-year'));
    await waitFor(() => expect(fake.callsOf('DashboardStats').at(-1)?.variables).toEqual({ from: '2027-01-01', to: '2027-12-31' }));
    // A year is drawn per month.
    await screen.findByRole('region', { name: 'Occupancy per month, as a table' });

    await userEvent.click(screen.getByRole('radio', { name: 'Last 30 days' }));
    await waitFor(() => expect(fake.callsOf('DashboardStats').at(-1)?.variables).toEqual({ from: '2026-12-03', to: '2027-01-01' }));
    expect(router.state.location.search).toBe('?range=last-30-days');
  });

  it('takes custom dates, checked beside the field', async () => {
    const fake = berth();
    const { router } = renderDashboard(fake, '?range=this-month');
    await screen.findByRole('list', { name: 'Figures' });
    await userEvent.click(screen.getByRole('radio', { name: 'Custom' }));
    const form = screen.getByRole('form', { name: 'Custom range' });
    const from = within(form).getByLabelText('From');
    const to = within(form).getByLabelText('To');
    fireEvent.change(from, { target: { value: '2026-11-10' } });
    fireEvent.change(to, { target: { value: '2026-11-01' } });
    await userEvent.click(within(form).getByRole('button', { name: 'Show' }));
    expect(within(form).getByText('The end comes before the start.')).toBeInTheDocument();
    fireEvent.change(to, { target: { value: '2027-11-11' } });
    await userEvent.click(within(form).getByRole('button', { name: 'Show' }));
    expect(within(form).getByText('At most 366 days.')).toBeInTheDocument();
    fireEvent.change(to, { target: { value: '2026-12-20' } });
    await userEvent.click(within(form).getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(router.state.location.search).toBe('?from=2026-11-10&to=2026-12-20'));
    await waitFor(() => expect(fake.callsOf('DashboardStats').at(-1)?.variables).toEqual({ from: '2026-11-10', to: '2026-12-20' }));
    expect(await screen.findByText('10 Nov – 20 Dec 2026')).toBeInTheDocument();
  });
});

describe('the top units', () => {
  it('rank by revenue, or by nights when toggled (kept in the address)', async () => {
    const fake = berth();
    const { router } = renderDashboard(fake, '?from=2026-12-01&to=2026-12-31');
    const table = await screen.findByRole('region', { name: 'Top units, as a table' });
    expect(within(table).getAllByRole('rowheader').map((h) => h.textContent)).toEqual(['1. Summit Chalet, "the big one"', '2. Birch Cabin']);
    expect(fake.callsOf('DashboardTopUnits')[0]?.variables).toEqual({ from: '2026-12-01', to: '2026-12-31', by: 'REVENUE', limit: 10 });
    await userEvent.click(screen.getByRole('radio', { name: 'Nights' }));
    await waitFor(() => expect(router.state.location.search).toBe('?from=2026-12-01&to=2026-12-31&by=nights'));
    await waitFor(() =>
      expect(within(screen.getByRole('region', { name: 'Top units, as a table' })).getAllByRole('rowheader').map((h) => h.textContent)).toEqual([
        '1. Birch Cabin',
        '2. Summit Chalet, "the big one"',
      ]),
    );
  });
});

describe('the CSV file', () => {
  it('holds the cards, the occupancy per date and the top units, numbers unformatted', async () => {
    let blob: Blob | undefined;
    URL.createObjectURL = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:dashboard';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('berth-dashboard-alpine-cabins-2026-12-01_2026-12-31.csv');
    });
    renderDashboard(berth(), '?from=2026-12-01&to=2026-12-31');
    await screen.findByRole('region', { name: 'Top units, as a table' });
    await userEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    expect(click).toHaveBeenCalledOnce();
    const bytes = new Uint8Array(await blob!.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.split('\r\n');
    expect(lines.slice(0, 4)).toEqual([
      'Tenant,From,To,Previous from,Previous to',
      'alpine-cabins,2026-12-01,2026-12-31,2026-10-31,2026-11-30',
      '',
      'Figure,Current,Previous,Change,Change unit,Currency',
    ]);
    expect(lines).toContain('Occupancy (%),62.5,58.3,4.2,percentage points,');
    expect(lines).toContain('Nights reserved,50,40,25,percent,');
    expect(lines).toContain('Estimated revenue,1250.50,1000.00,25.1,percent,CHF');
    expect(lines).toContain('Active reservations,12,15,-3,reservations,');
    expect(lines).toContain('Canceled,2,0,,,');
    expect(lines).toContain('Average stay (nights),3.25,3.25,0,percent,');
    expect(lines).toContain('Date,Occupied,Capacity,Blocked,Occupancy (%)');
    expect(lines).toContain('2026-12-02,1,4,0,25');
    expect(lines.filter((l) => /^2026-12-\d\d,/.test(l))).toHaveLength(31);
    expect(lines).toContain('Rank,Unit,Nights,Revenue,Currency,Reservations,Occupancy (%)');
    expect(lines).toContain('1,"Summit Chalet, ""the big one""",20,900.00,CHF,5,64.5');
    expect(lines).toContain('2,Birch Cabin,30,350.50,CHF,7,96.77');
    click.mockRestore();
  });
});

describe('states', () => {
  it('says when the range has no reservations', async () => {
    const none = { activeReservations: 0, canceledReservations: 0, absentReservations: 0, occupied: 0 };
    renderDashboard(berth((v) => ({ data: statsAnswer(v.from as string, v.to as string, none, none) })), '?from=2026-12-01&to=2026-12-31');
    expect(await screen.findByText('No reservations in this range')).toBeInTheDocument();
  });

  it('puts an error in words with a way to try again', async () => {
    renderDashboard(berth(() => apiError('FORBIDDEN', 'no')), '?from=2026-12-01&to=2026-12-31');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The figures could not be loaded.');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Download CSV' })).toBeDisabled();
  });
});
