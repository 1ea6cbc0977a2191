// The unit form against a fake berth: problems beside their fields before
// anything is sent (the first one focused), a new unit's input, a change
// sending only what changed, berth's refusal of a lower inventory beside the
// inventory, and other refusals in words under the form.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { UnitFieldsFragment } from '@/gql/graphql';
import { i18n } from '@/lib/i18n';
import { apiError, fakeUrql, renderWith, type Answer } from '@/test/fake-urql';
import { UnitForm } from './UnitForm';

const birch: UnitFieldsFragment = {
  id: 'u1',
  name: 'Birch Cabin',
  kind: 'cabin',
  inventory: 3,
  maxGuests: 4,
  description: 'By the lake.',
  amenities: ['sauna'],
  archived: false,
  images: [],
};

beforeEach(async () => {
  await i18n.changeLanguage('en');
  await i18n.loadNamespaces(['units']);
});

/** The form as a page holds it: the saved unit replaces the one shown. */
function Harness({ onSaved }: { onSaved: (unit: UnitFieldsFragment) => void }) {
  const [unit, setUnit] = useState(birch);
  return (
    <UnitForm
      unit={unit}
      kinds={[]}
      amenities={[]}
      onSaved={(saved) => {
        onSaved(saved);
        setUnit(saved);
      }}
    />
  );
}

function berth(answer: (variables: Record<string, unknown>) => Answer) {
  return fakeUrql({ UnitCreate: answer, UnitUpdate: answer });
}

describe('a new unit', () => {
  it('shows what is missing beside each field, focuses the first, and sends nothing', async () => {
    const fake = berth(() => undefined);
    renderWith(fake.client, <UnitForm kinds={[]} amenities={[]} onSaved={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    await user.clear(screen.getByRole('textbox', { name: 'Guests per item' }));
    await user.click(screen.getByRole('button', { name: 'Create unit' }));

    const name = screen.getByRole('textbox', { name: 'Name' });
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(name).toHaveAccessibleDescription('Required');
    expect(screen.getByRole('textbox', { name: 'Guests per item' })).toHaveAccessibleDescription(expect.stringContaining('Required'));
    await waitFor(() => expect(name).toHaveFocus());
    expect(fake.callsOf('UnitCreate')).toHaveLength(0);
  });

  it('sends the cleaned input and hands back the created unit', async () => {
    const created = { ...birch, id: 'u9', name: 'Lakeside Lodge' };
    const fake = berth(() => ({ data: { createUnit: created } }));
    const onSaved = vi.fn();
    renderWith(fake.client, <UnitForm kinds={['cabin', 'room']} amenities={['sauna']} onSaved={onSaved} />);
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByRole('textbox', { name: 'Name' }), '  Lakeside Lodge ');
    await user.type(screen.getByRole('combobox', { name: 'Kind' }), 'lodge');
    const items = screen.getByRole('textbox', { name: 'Items' });
    await user.clear(items);
    await user.type(items, '2');
    const amenities = screen.getByRole('combobox', { name: 'Amenities' });
    await user.type(amenities, 'jetty{Enter}lake view,');
    await user.click(screen.getByRole('button', { name: 'Create unit' }));

    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(created));
    expect(fake.callsOf('UnitCreate')[0]?.variables).toEqual({
      input: { name: 'Lakeside Lodge', kind: 'lodge', inventory: 2, maxGuests: 2, description: null, amenities: ['jetty', 'lake view'] },
    });
  });

  it('says in words why berth refused it, under the form', async () => {
    const fake = berth(() => apiError('FORBIDDEN', 'needs admin'));
    renderWith(fake.client, <UnitForm kinds={[]} amenities={[]} onSaved={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Lodge');
    await user.click(screen.getByRole('button', { name: 'Create unit' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The unit was not created');
    expect(alert).toHaveTextContent(/not allowed|permission|role/i);
  });
});

describe('changing a unit', () => {
  it('sends only the changed fields and starts again from the answer', async () => {
    const after = { ...birch, maxGuests: 6, description: null };
    const fake = berth(() => ({ data: { updateUnit: after } }));
    const onSaved = vi.fn();
    renderWith(fake.client, <Harness onSaved={onSaved} />);
    const user = userEvent.setup({ delay: null });
    const save = screen.getByRole('button', { name: 'Save changes' });
    expect(save).toBeDisabled();
    const guests = screen.getByRole('textbox', { name: 'Guests per item' });
    await user.clear(guests);
    await user.type(guests, '6');
    await user.clear(screen.getByRole('textbox', { name: 'Description' }));
    await user.click(save);

    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(after));
    expect(fake.callsOf('UnitUpdate')[0]?.variables).toEqual({ id: 'u1', input: { maxGuests: 6, description: null } });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Save changes' })).toBeDisabled());
    expect(screen.getByRole('textbox', { name: 'Description' })).toHaveValue('');
    expect(guests).toHaveValue('6');
  });

  it('puts berth’s refusal of a lower inventory beside the inventory', async () => {
    const fake = berth(() => apiError('CONFLICT', 'active reservations of unit u1 need 3 items at their peak'));
    renderWith(fake.client, <UnitForm unit={birch} kinds={[]} amenities={[]} onSaved={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    const items = screen.getByRole('textbox', { name: 'Items' });
    await user.clear(items);
    await user.type(items, '1');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(items).toHaveAttribute('aria-invalid', 'true'));
    expect(items).toHaveAccessibleDescription(expect.stringContaining('need 3 items at their peak'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // Changing the inventory again clears it.
    await user.type(items, '0');
    expect(items).not.toHaveAttribute('aria-invalid', 'true');
  });

  it('discards unsaved changes', async () => {
    const fake = berth(() => undefined);
    renderWith(fake.client, <UnitForm unit={birch} kinds={[]} amenities={[]} onSaved={vi.fn()} />);
    const user = userEvent.setup({ delay: null });
    const name = screen.getByRole('textbox', { name: 'Name' });
    await user.type(name, ' Lodge');
    await user.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(name).toHaveValue('Birch Cabin');
    expect(screen.queryByRole('button', { name: 'Discard changes' })).not.toBeInTheDocument();
  });
});
