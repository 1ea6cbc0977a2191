// The units list with a fake berth: active units by name, archived ones only
// on request (kept in the address) and marked in words, links to each unit,
// and the empty state for admins and for staff.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { UnitFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { fakeUrql, renderRoutes } from '@/test/fake-urql';
import UnitsPage from './UnitsPage';

const session = vi.hoisted(() => ({ role: 'ADMIN' }));
vi.mock('@/lib/session/session', () => ({
  useViewer: () => ({ id: 'u-me', email: 'me@example.org', role: session.role }),
}));

const unit = (id: string, name: string, patch: Partial<UnitFieldsFragment> = {}): UnitFieldsFragment => ({
  id,
  name,
  kind: 'cabin',
  inventory: 1,
  maxGuests: 4,
  description: null,
  amenities: ['sauna', 'wifi'],
  archived: false,
  images: [],
  ...patch,
});

const active = [unit('p', 'Pine Cabin'), unit('s', 'summit Chalet', { kind: null, amenities: [] }), unit('b', 'Birch Cabin')];
const archived = unit('o', 'Old Barn', { archived: true });

function berth(units: { active: UnitFieldsFragment[]; archived: UnitFieldsFragment[] }) {
  return fakeUrql({
    UnitsList: (variables) => ({ data: { units: variables.includeArchived ? [...units.active, ...units.archived] : units.active } }),
  });
}

function renderList(fake: ReturnType<typeof berth>, search = '') {
  return renderRoutes(
    fake.client,
    [
      { path: '/units', Component: UnitsPage },
      { path: '/units/:id', element: <h1>Unit screen</h1> },
      { path: '/units/new', element: <h1>New unit screen</h1> },
    ],
    `/units${search}`,
  );
}

beforeEach(async () => {
  session.role = 'ADMIN';
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['units']);
});

describe('the units list', () => {
  it('lists active units by name, each linking to its screen', async () => {
    const fake = berth({ active, archived: [archived] });
    const { router } = renderList(fake);
    await screen.findByRole('link', { name: 'Birch Cabin' });
    const names = screen.getAllByRole('row').slice(1).map((row) => within(row).getByRole('link').textContent);
    expect(names).toEqual(['Birch Cabin', 'Pine Cabin', 'summit Chalet']);
    expect(screen.queryByText('Old Barn')).not.toBeInTheDocument();
    expect(screen.getByText('3 units')).toBeInTheDocument();
    expect(fake.callsOf('UnitsList')[0]?.variables).toEqual({ includeArchived: false });

    await userEvent.setup({ delay: null }).click(screen.getByRole('link', { name: 'Pine Cabin' }));
    expect(router.state.location.pathname).toBe('/admin/units/p');
  });

  it('shows archived units on request, last, marked in words, and keeps the choice in the address', async () => {
    const fake = berth({ active, archived: [archived] });
    const { router } = renderList(fake);
    await screen.findByRole('link', { name: 'Birch Cabin' });
    await userEvent.setup({ delay: null }).click(screen.getByRole('switch', { name: 'Show archived units' }));
    const row = (await screen.findByRole('link', { name: 'Old Barn' })).closest('tr');
    expect(row).not.toBeNull();
    expect(within(row!).getByText('Archived')).toBeInTheDocument();
    expect(screen.getAllByRole('row').at(-1)).toBe(row);
    expect(router.state.location.search).toBe('?archived=1');
    expect(screen.getByText('4 units, 1 archived')).toBeInTheDocument();
  });

  it('offers admins a new unit, and says who adds units to staff', async () => {
    renderList(berth({ active: [], archived: [] }));
    expect(await screen.findByText('No units yet')).toBeInTheDocument();
    expect(screen.getAllByRole('link', { name: 'New unit' })).toHaveLength(2);
  });

  it('lets staff read but not add', async () => {
    session.role = 'STAFF';
    renderList(berth({ active: [], archived: [] }));
    expect(await screen.findByText('A unit is what guests book. An admin adds them.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('link', { name: 'New unit' })).not.toBeInTheDocument());
  });
});
