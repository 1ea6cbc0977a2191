// Periods in the shape of the tenant's booking model, as the user edits them
// and as the API takes them (`PeriodInput`):
//   nightly   check-in and check-out dates            → { checkIn, checkOut }
//   timeslot  a date and one of that day's slots      → { start } (the slot's start)
//   interval  start and end, each a date and a time   → { start, end }
// Dates and times the user types are wall-clock at the business (the tenant's
// timezone), whatever the browser's timezone; instants go to the API in UTC.
import type { PeriodInput } from '@/gql/graphql';
import { daysBetween, parseDate } from '@/lib/format';

/** The booking models berth knows (`Tenant.model`). */
export type BookingModel = 'nightly' | 'timeslot' | 'interval';

/** The tenant's model, nightly for anything the app does not know. */
export function bookingModel(model: string): BookingModel {
  return model === 'timeslot' || model === 'interval' ? model : 'nightly';
}

/** What the period fields hold, as strings the inputs edit ('' when empty). */
export interface PeriodDraft {
  /** Nightly: arrival date. */
  checkIn: string;
  /** Nightly: departure date. */
  checkOut: string;
  /** Timeslot: the slot's date; interval: the start date. */
  date: string;
  /** Timeslot: the chosen slot's start instant (UTC, as the API gave it). */
  slot: string;
  /** Interval: start time (`09:30`). */
  startTime: string;
  /** Interval: end date. */
  endDate: string;
  /** Interval: end time. */
  endTime: string;
}

export const emptyDraft: PeriodDraft = {
  checkIn: '',
  checkOut: '',
  date: '',
  slot: '',
  startTime: '',
  endDate: '',
  endTime: '',
};

/** A field of the draft with something wrong, and what (a `booking` string key). */
export type PeriodProblems = Partial<Record<keyof PeriodDraft, string>>;

const datePattern = /^\d{4}-\d{2}-\d{2}$/;
const timePattern = /^([01]\d|2[0-3]):[0-5]\d$/;

function isDate(value: string): boolean {
  if (!datePattern.test(value)) return false;
  try {
    parseDate(value);
    return true;
  } catch {
    return false;
  }
}

/** The UTC offset (ms) of `timeZone` at an instant. */
function offsetAt(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant of a wall-clock date and time in `timeZone`, as RFC 3339 UTC
 * (`2026-12-15T08:00:00Z`). A repeated wall-clock time (the autumn change)
 * is its first occurrence; a time the clocks skip (spring) is read with the
 * offset before the change (02:30 → 03:30 the new time).
 */
export function zonedInstant(date: string, time: string, timeZone: string): string {
  const { year, month, day } = parseDate(date);
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const dayMs = 86_400_000;
  // The offsets in force around that day: before, at and after a change.
  const before = wall - offsetAt(wall - dayMs, timeZone);
  const candidates = [before, wall - offsetAt(wall, timeZone), wall - offsetAt(wall + dayMs, timeZone)];
  const wanted = { date, time: time.slice(0, 5) };
  const matching = candidates.filter((instant) => {
    const parts = zonedParts(new Date(instant).toISOString(), timeZone);
    return parts.date === wanted.date && parts.time === wanted.time;
  });
  const instant = matching.length > 0 ? Math.min(...matching) : before;
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}

/** The wall-clock date and time (`{ date: '2026-12-15', time: '09:00' }`) of an instant in `timeZone`. */
export function zonedParts(instant: string, timeZone: string): { date: string; time: string } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
}

/** A draft holding `period` (as the board or a reservation gives it). */
export function draftFromPeriod(
  model: BookingModel,
  period: PeriodInput | null | undefined,
  timeZone: string,
): PeriodDraft {
  if (!period) return emptyDraft;
  switch (model) {
    case 'nightly':
      return { ...emptyDraft, checkIn: period.checkIn ?? '', checkOut: period.checkOut ?? '' };
    case 'timeslot': {
      if (period.start) return { ...emptyDraft, date: zonedParts(period.start, timeZone).date, slot: period.start };
      return { ...emptyDraft, date: period.checkIn ?? '' };
    }
    case 'interval': {
      const start = period.start ? zonedParts(period.start, timeZone) : null;
      const end = period.end ? zonedParts(period.end, timeZone) : null;
      return {
        ...emptyDraft,
        date: start?.date ?? period.checkIn ?? '',
        startTime: start?.time ?? '',
        endDate: end?.date ?? start?.date ?? '',
        endTime: end?.time ?? '',
      };
    }
  }
}

/**
 * What is wrong with a draft before asking berth (empty: nothing). Only what
 * the fields themselves can tell — a date that is not a date, an end before
 * its start; the business's rules (minimum stay, opening hours, alignment)
 * are the quote's to judge.
 */
export function periodProblems(model: BookingModel, draft: PeriodDraft, timeZone: string): PeriodProblems {
  const problems: PeriodProblems = {};
  switch (model) {
    case 'nightly':
      if (!draft.checkIn) problems.checkIn = 'period.required.checkIn';
      else if (!isDate(draft.checkIn)) problems.checkIn = 'period.invalidDate';
      if (!draft.checkOut) problems.checkOut = 'period.required.checkOut';
      else if (!isDate(draft.checkOut)) problems.checkOut = 'period.invalidDate';
      if (!problems.checkIn && !problems.checkOut && daysBetween(draft.checkIn, draft.checkOut) < 1) {
        problems.checkOut = 'period.checkOutAfterCheckIn';
      }
      break;
    case 'timeslot':
      if (!draft.date) problems.date = 'period.required.date';
      else if (!isDate(draft.date)) problems.date = 'period.invalidDate';
      if (!draft.slot) problems.slot = 'period.required.slot';
      break;
    case 'interval': {
      if (!draft.date) problems.date = 'period.required.startDate';
      else if (!isDate(draft.date)) problems.date = 'period.invalidDate';
      if (!draft.startTime) problems.startTime = 'period.required.startTime';
      else if (!timePattern.test(draft.startTime)) problems.startTime = 'period.invalidTime';
      if (!draft.endDate) problems.endDate = 'period.required.endDate';
      else if (!isDate(draft.endDate)) problems.endDate = 'period.invalidDate';
      if (!draft.endTime) problems.endTime = 'period.required.endTime';
      else if (!timePattern.test(draft.endTime)) problems.endTime = 'period.invalidTime';
      if (Object.keys(problems).length === 0) {
        const start = zonedInstant(draft.date, draft.startTime, timeZone);
        const end = zonedInstant(draft.endDate, draft.endTime, timeZone);
        if (Date.parse(end) <= Date.parse(start)) problems.endTime = 'period.endAfterStart';
      }
      break;
    }
  }
  return problems;
}

/** The period to send, or null while the draft is incomplete or wrong. */
export function periodFromDraft(model: BookingModel, draft: PeriodDraft, timeZone: string): PeriodInput | null {
  if (Object.keys(periodProblems(model, draft, timeZone)).length > 0) return null;
  switch (model) {
    case 'nightly':
      return { checkIn: draft.checkIn, checkOut: draft.checkOut };
    case 'timeslot':
      return { start: draft.slot };
    case 'interval':
      return {
        start: zonedInstant(draft.date, draft.startTime, timeZone),
        end: zonedInstant(draft.endDate, draft.endTime, timeZone),
      };
  }
}

/** A stable key of a period (equal periods, equal keys). */
export function periodKey(period: PeriodInput | null | undefined): string {
  if (!period) return '';
  return [period.checkIn ?? '', period.checkOut ?? '', period.start ?? '', period.end ?? ''].join('|');
}

/** Nights of a nightly draft, when both dates are valid and in order. */
export function draftNights(draft: PeriodDraft): number | null {
  if (!isDate(draft.checkIn) || !isDate(draft.checkOut)) return null;
  const nights = daysBetween(draft.checkIn, draft.checkOut);
  return nights > 0 ? nights : null;
}
