// The new-reservation form's values and what is wrong with them before
// anything is sent: each problem is a `booking` string key shown under its
// field. The business's rules are the quote's to judge, not this.
import { clientProblems, type ClientChoice, type ClientProblems } from './client';
import { periodProblems, type BookingModel, type PeriodDraft, type PeriodProblems } from './period';
import { overrideReasonMax } from './quote';

export interface BookingValues {
  unitId: string | null;
  period: PeriodDraft;
  /** As the number input gives it ('' while empty). */
  guests: number | string;
  quantity: number | string;
  client: ClientChoice;
  notes: string;
  hold: boolean;
  /** Booking anyway: the reason (only checked while overriding). */
  overrideReason: string;
}

export interface BookingProblems {
  unitId?: string;
  period: PeriodProblems;
  guests?: string;
  quantity?: string;
  client: ClientProblems;
  notes?: string;
  overrideReason?: string;
}

/** The longest notes the API takes. */
export const notesMax = 4000;

function wholeNumber(value: number | string): number | null {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  return Number.isInteger(n) ? n : null;
}

/** Problems of the values; `inventory` is the chosen unit's (quantity's ceiling). */
export function bookingProblems(
  values: BookingValues,
  model: BookingModel,
  timeZone: string,
  context: { inventory: number | null; overriding: boolean },
): BookingProblems {
  const problems: BookingProblems = {
    period: periodProblems(model, values.period, timeZone),
    client: clientProblems(values.client),
  };
  if (!values.unitId) problems.unitId = 'form.required.unit';
  const guests = wholeNumber(values.guests);
  if (guests === null) problems.guests = 'form.required.guests';
  else if (guests < 1) problems.guests = 'form.guestsAtLeastOne';
  const quantity = wholeNumber(values.quantity);
  if (quantity === null || quantity < 1) problems.quantity = 'form.quantityAtLeastOne';
  else if (context.inventory !== null && quantity > context.inventory) problems.quantity = 'form.quantityAtMost';
  if (values.notes.length > notesMax) problems.notes = 'form.notesTooLong';
  if (context.overriding) {
    const reason = values.overrideReason.trim();
    if (!reason) problems.overrideReason = 'override.required';
    else if (reason.length > overrideReasonMax) problems.overrideReason = 'override.tooLong';
  }
  return problems;
}

/** Whether there is no problem at all. */
export function isValid(problems: BookingProblems): boolean {
  const { period, client, ...rest } = problems;
  return (
    Object.keys(period).length === 0 &&
    Object.keys(client).length === 0 &&
    Object.values(rest).every((problem) => problem === undefined)
  );
}

/** A whole number from a number input, else `fallback`. */
export function numberOr(value: number | string, fallback: number): number {
  return wholeNumber(value) ?? fallback;
}

/** A fresh idempotency key (a UUID; also where `crypto.randomUUID` is missing, as on plain http). */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The items (rooms, seats, boats) `guests` need at `maxGuests` each, within
 * the unit's inventory: what the quantity follows until the user sets it.
 */
export function itemsFor(guests: number, maxGuests: number, inventory: number): number {
  if (!Number.isInteger(guests) || guests < 1 || maxGuests < 1) return 1;
  return Math.min(Math.max(Math.ceil(guests / maxGuests), 1), Math.max(inventory, 1));
}
