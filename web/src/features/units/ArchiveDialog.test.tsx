// Archiving a unit: the dialog counts the upcoming reservations that stay
// (linking to them), archives only on the confirm button, and says in words
// when berth refuses.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { UnitFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { apiError, fakeUrql, renderRoutes } from '@/test/fake-urql';
import { ArchiveDialog } from './ArchiveDialog';

const birch: UnitFieldsFragment = {
  id: 'u1',
  name: 'Birch Cabin',
  kind: 'cabin',
  inventory: 1,
  maxGuests: 4,
  description: null,
  amenities: [],
  archived: false,
  images: [],
};

beforeEach(async () => {
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['units']);
});

function open(fake: ReturnType<typeof fakeUrql>, onArchived = vi.fn(), onClose = vi.fn()) {
  renderRoutes(fake.client, [{ path: '/units/:id', element: <ArchiveDialog unit={birch} opened onClose={onClose} onArchived={onArchived} /> }], '/units/u1');
  return screen.findByRole('dialog', { name: 'Archive Birch Cabin?' });
}

describe('the archive dialog', () => {
  it('counts the upcoming reservations that stay, links to them, and archives on confirm only', async () => {
    const onArchived = vi.fn();
    const fake = fakeUrql({
      UnitUpcoming: () => ({ data: { reservations: { nodes: [{ id: 'r1' }, { id: 'r2' }], pageInfo: { hasNextPage: false } } } }),
      UnitArchive: () => ({ data: { archiveUnit: { ...birch, archived: true } } }),
    });
    const dialog = await open(fake, onArchived);
    expect(dialog).toHaveTextContent('Upcoming reservations are not canceled');
    const link = await within(dialog).findByRole('link', { name: '2 upcoming reservations' });
    expect(link).toHaveAttribute('href', '/admin/reservations?unit=u1&state=HELD&state=CONFIRMED&state=CHECKED_IN');
    const filter = fake.callsOf('UnitUpcoming')[0]?.variables.filter as { unitId: string; states: string[] };
    expect(filter.unitId).toBe('u1');
    expect(filter.states).toEqual(['HELD', 'CONFIRMED', 'CHECKED_IN']);
    expect(within(dialog).getByRole('button', { name: 'Keep it' })).toHaveFocus();
    expect(fake.callsOf('UnitArchive')).toHaveLength(0);

    await userEvent.setup({ delay: null }).click(within(dialog).getByRole('button', { name: 'Archive unit' }));
    await waitFor(() => expect(onArchived).toHaveBeenCalledWith({ ...birch, archived: true }));
    expect(fake.callsOf('UnitArchive')[0]?.variables).toEqual({ id: 'u1' });
  });

  it('says in words when berth refuses', async () => {
    const onArchived = vi.fn();
    const fake = fakeUrql({
      UnitUpcoming: () => ({ data: { reservations: { nodes: [], pageInfo: { hasNextPage: false } } } }),
      UnitArchive: () => apiError('FORBIDDEN', 'needs admin'),
    });
    const dialog = await open(fake, onArchived);
    await within(dialog).findByText('It has no upcoming reservations.');
    await userEvent.setup({ delay: null }).click(within(dialog).getByRole('button', { name: 'Archive unit' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('The unit was not archived');
    expect(alert).toHaveTextContent('Your role does not allow this.');
    expect(onArchived).not.toHaveBeenCalled();
  });
});
