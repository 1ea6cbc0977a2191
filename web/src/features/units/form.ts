// The unit form's logic, apart from its fields: a draft from a unit, checks
// that say which field is wrong (before anything is sent), the create input,
// and the update input holding only what the user changed (units carry no
// version: sending only the changed fields keeps two admins editing different
// fields from undoing each other's work; decision 0061).
import type { CreateUnitInput, UnitFieldsFragment, UpdateUnitInput } from '@/gql/graphql';

/** What the form holds. Counts are '' while the field is empty. */
export interface UnitDraft {
  name: string;
  kind: string;
  inventory: number | string;
  maxGuests: number | string;
  description: string;
  amenities: string[];
}

export type UnitField = keyof UnitDraft;

/** The form's own limits (berth takes longer text; these keep lists and the public site readable). */
export const limits = {
  name: 120,
  kind: 60,
  description: 4000,
  amenity: 60,
  amenities: 40,
  /** GraphQL's Int. */
  count: 2_147_483_647,
} as const;

/** A field's problem: a key of the `units` namespace under `form.errors`, and its values. */
export interface FieldProblem {
  key: 'required' | 'tooLong' | 'wholeNumber' | 'atLeastOne' | 'tooLarge' | 'tooMany' | 'tagTooLong';
  values?: Record<string, number | string>;
}

export type FieldProblems = Partial<Record<UnitField, FieldProblem>>;

export const emptyDraft: UnitDraft = {
  name: '',
  kind: '',
  inventory: 1,
  maxGuests: 2,
  description: '',
  amenities: [],
};

export function draftOf(unit: UnitFieldsFragment): UnitDraft {
  return {
    name: unit.name,
    kind: unit.kind ?? '',
    inventory: unit.inventory,
    maxGuests: unit.maxGuests,
    description: unit.description ?? '',
    amenities: [...unit.amenities],
  };
}

/** Amenity tags as berth gets them: split at commas, trimmed, none empty, each once (case aside), in the user's order. */
export function cleanAmenities(tags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  // A comma separates tags even when it reached the field without being
  // typed (pasted, or left at the end when the field lost the focus).
  for (const tag of tags.flatMap((t) => t.split(','))) {
    const clean = tag.trim().replace(/\s+/g, ' ');
    const key = clean.toLocaleLowerCase();
    if (!clean || seen.has(key)) continue;
    seen.add(key);
    out.push(clean);
  }
  return out;
}

/** A count field as a number, or null when it is not a whole number. */
export function countOf(value: number | string): number | null {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) ? n : null;
}

function countProblem(value: number | string): FieldProblem | undefined {
  if (typeof value === 'string' && value.trim() === '') return { key: 'required' };
  const n = countOf(value);
  if (n === null) return { key: 'wholeNumber' };
  if (n < 1) return { key: 'atLeastOne' };
  if (n > limits.count) return { key: 'tooLarge' };
  return undefined;
}

/** What is wrong with the draft, by field; empty when it may be sent. */
export function checkDraft(draft: UnitDraft): FieldProblems {
  const problems: FieldProblems = {};
  const name = draft.name.trim();
  if (!name) problems.name = { key: 'required' };
  else if (name.length > limits.name) problems.name = { key: 'tooLong', values: { max: limits.name } };
  if (draft.kind.trim().length > limits.kind) problems.kind = { key: 'tooLong', values: { max: limits.kind } };
  const inventory = countProblem(draft.inventory);
  if (inventory) problems.inventory = inventory;
  const maxGuests = countProblem(draft.maxGuests);
  if (maxGuests) problems.maxGuests = maxGuests;
  if (draft.description.trim().length > limits.description) {
    problems.description = { key: 'tooLong', values: { max: limits.description } };
  }
  const amenities = cleanAmenities(draft.amenities);
  const long = amenities.find((a) => a.length > limits.amenity);
  if (long) problems.amenities = { key: 'tagTooLong', values: { tag: long, max: limits.amenity } };
  else if (amenities.length > limits.amenities) problems.amenities = { key: 'tooMany', values: { max: limits.amenities } };
  return problems;
}

const orNull = (text: string) => (text.trim() ? text.trim() : null);

/** The createUnit input of a checked draft. */
export function createInput(draft: UnitDraft): CreateUnitInput {
  return {
    name: draft.name.trim(),
    kind: orNull(draft.kind),
    inventory: countOf(draft.inventory) ?? 1,
    maxGuests: countOf(draft.maxGuests) ?? 1,
    description: orNull(draft.description),
    amenities: cleanAmenities(draft.amenities),
  };
}

/**
 * The updateUnit input of a checked draft: only the fields that differ from
 * the unit as the user saw it (`null` clears kind or description). Empty when
 * nothing changed.
 */
export function updateInput(before: UnitFieldsFragment, draft: UnitDraft): UpdateUnitInput {
  const input: UpdateUnitInput = {};
  const after = createInput(draft);
  if (after.name !== before.name) input.name = after.name;
  if ((after.kind ?? null) !== (before.kind ?? null)) input.kind = after.kind ?? null;
  if (after.inventory !== before.inventory) input.inventory = after.inventory;
  if (after.maxGuests !== before.maxGuests) input.maxGuests = after.maxGuests;
  if ((after.description ?? null) !== (before.description ?? null)) input.description = after.description ?? null;
  const amenities = after.amenities ?? [];
  if (amenities.length !== before.amenities.length || amenities.some((a, i) => a !== before.amenities[i])) {
    input.amenities = amenities;
  }
  return input;
}

/** Whether the draft says something other than the unit (or, new, than the empty form). */
export function isDirty(draft: UnitDraft, before: UnitFieldsFragment | null): boolean {
  if (before) return Object.keys(updateInput(before, draft)).length > 0;
  return JSON.stringify({ ...draft, amenities: cleanAmenities(draft.amenities) }) !== JSON.stringify(emptyDraft);
}

/** Distinct values among the units (kinds, amenities), for suggestions, sorted. */
export function suggestions(values: Iterable<string | null | undefined>, locale?: string): string[] {
  const seen = new Map<string, string>();
  for (const value of values) {
    const v = value?.trim();
    if (v && !seen.has(v.toLocaleLowerCase())) seen.set(v.toLocaleLowerCase(), v);
  }
  return [...seen.values()].sort(new Intl.Collator(locale).compare);
}
