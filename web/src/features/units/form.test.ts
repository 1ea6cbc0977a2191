// The unit form's checks and inputs: which field is wrong and why, what a
// new unit sends, and that a change sends only what changed.
import { describe, expect, it } from 'vitest';
import type { UnitFieldsFragment } from '@/gql/graphql';
import { checkDraft, cleanAmenities, createInput, draftOf, emptyDraft, isDirty, suggestions, updateInput, type UnitDraft } from './form';

const birch: UnitFieldsFragment = {
  id: 'u1',
  name: 'Birch Cabin',
  kind: 'cabin',
  inventory: 1,
  maxGuests: 4,
  description: 'By the lake.',
  amenities: ['sauna', 'wifi'],
  archived: false,
  images: [],
};

const draft = (patch: Partial<UnitDraft> = {}): UnitDraft => ({ ...draftOf(birch), ...patch });

describe('checkDraft', () => {
  it('accepts a complete draft', () => {
    expect(checkDraft(draft())).toEqual({});
  });

  it('names each wrong field', () => {
    expect(checkDraft({ ...emptyDraft, name: '   ', inventory: '', maxGuests: 0 })).toEqual({
      name: { key: 'required' },
      inventory: { key: 'required' },
      maxGuests: { key: 'atLeastOne' },
    });
    expect(checkDraft(draft({ inventory: 2.5, maxGuests: 3_000_000_000 }))).toEqual({
      inventory: { key: 'wholeNumber' },
      maxGuests: { key: 'tooLarge' },
    });
    expect(checkDraft(draft({ name: 'x'.repeat(121), kind: 'y'.repeat(61) }))).toEqual({
      name: { key: 'tooLong', values: { max: 120 } },
      kind: { key: 'tooLong', values: { max: 60 } },
    });
  });

  it('checks amenity tags after cleaning them', () => {
    const long = 'z'.repeat(61);
    expect(checkDraft(draft({ amenities: ['sauna', long] })).amenities).toEqual({ key: 'tagTooLong', values: { tag: long, max: 60 } });
    expect(checkDraft(draft({ amenities: Array.from({ length: 41 }, (_, i) => `tag ${i}`) })).amenities).toEqual({ key: 'tooMany', values: { max: 40 } });
    expect(checkDraft(draft({ amenities: Array.from({ length: 41 }, () => 'same') })).amenities).toBeUndefined();
  });
});

describe('cleanAmenities', () => {
  it('splits at commas, trims, drops empty tags and keeps the first of tags equal but for case', () => {
    expect(cleanAmenities([' sauna ', '', 'Wi-Fi', 'wi-fi', 'lake   view', 'SAUNA'])).toEqual(['sauna', 'Wi-Fi', 'lake view']);
    expect(cleanAmenities(['lake view,', 'jetty, parking', ','])).toEqual(['lake view', 'jetty', 'parking']);
  });
});

describe('createInput', () => {
  it('trims text, sends empty optional text as null and counts as numbers', () => {
    expect(createInput({ name: ' Lodge ', kind: ' ', inventory: '3', maxGuests: 2, description: '', amenities: ['sauna', 'sauna'] })).toEqual({
      name: 'Lodge',
      kind: null,
      inventory: 3,
      maxGuests: 2,
      description: null,
      amenities: ['sauna'],
    });
  });
});

describe('updateInput', () => {
  it('is empty when nothing changed (whitespace and repeated tags aside)', () => {
    expect(updateInput(birch, draft({ name: ' Birch Cabin ', amenities: ['sauna', 'wifi', 'Sauna'] }))).toEqual({});
    expect(isDirty(draft(), birch)).toBe(false);
  });

  it('sends only the changed fields, and null to clear kind or description', () => {
    expect(updateInput(birch, draft({ maxGuests: 6, kind: '', description: '  ' }))).toEqual({ maxGuests: 6, kind: null, description: null });
    expect(updateInput(birch, draft({ amenities: ['wifi', 'sauna'] }))).toEqual({ amenities: ['wifi', 'sauna'] });
    expect(updateInput({ ...birch, kind: null }, draft({ kind: 'lodge', inventory: '2' }))).toEqual({ kind: 'lodge', inventory: 2 });
    expect(isDirty(draft({ name: 'Birch Lodge' }), birch)).toBe(true);
  });

  it('calls a new form dirty once anything is typed', () => {
    expect(isDirty(emptyDraft, null)).toBe(false);
    expect(isDirty({ ...emptyDraft, name: 'L' }, null)).toBe(true);
  });
});

describe('suggestions', () => {
  it('offers each value once, sorted, empty ones left out', () => {
    expect(suggestions(['cabin', null, 'Room', ' cabin ', '', 'chalet', 'CABIN'], 'en')).toEqual(['cabin', 'chalet', 'Room']);
  });
});
