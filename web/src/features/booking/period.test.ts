// Periods in the tenant's model shape: wall-clock at the business to UTC and
// back (DST included), drafts from what the board gives, what the fields can
// tell is wrong, and the PeriodInput sent.
import { describe, expect, it } from 'vitest';
import {
  bookingModel,
  draftFromPeriod,
  draftNights,
  emptyDraft,
  periodFromDraft,
  periodKey,
  periodProblems,
  zonedInstant,
  zonedParts,
} from './period';

describe('zonedInstant / zonedParts', () => {
  it('reads wall-clock times in the business timezone, not the browser’s', () => {
    expect(zonedInstant('2026-12-15', '09:30', 'Europe/Berlin')).toBe('2026-12-15T08:30:00Z');
    expect(zonedInstant('2026-07-15', '09:30', 'Europe/Berlin')).toBe('2026-07-15T07:30:00Z');
    expect(zonedInstant('2026-12-15', '09:30', 'America/Denver')).toBe('2026-12-15T16:30:00Z');
    expect(zonedParts('2026-12-15T16:30:00Z', 'America/Denver')).toEqual({ date: '2026-12-15', time: '09:30' });
    expect(zonedParts('2026-12-15T23:30:00Z', 'Europe/Berlin')).toEqual({ date: '2026-12-16', time: '00:30' });
  });

  it('takes the first of a repeated hour and reads a skipped one with the offset before the change', () => {
    // Europe/Berlin falls back on 2026-10-25 at 03:00 CEST → 02:00 CET.
    expect(zonedInstant('2026-10-25', '02:30', 'Europe/Berlin')).toBe('2026-10-25T00:30:00Z');
    // …and springs forward on 2026-03-29 at 02:00 CET → 03:00 CEST.
    expect(zonedInstant('2026-03-29', '02:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00Z');
    expect(zonedInstant('2026-03-29', '03:30', 'Europe/Berlin')).toBe('2026-03-29T01:30:00Z');
  });

  it('round-trips every half hour of a DST day', () => {
    for (let minutes = 0; minutes < 24 * 60; minutes += 30) {
      const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      const instant = zonedInstant('2026-10-25', time, 'Europe/Berlin');
      expect(zonedParts(instant, 'Europe/Berlin')).toEqual({ date: '2026-10-25', time });
    }
  });
});

describe('drafts and periods', () => {
  it('knows the models', () => {
    expect(bookingModel('timeslot')).toBe('timeslot');
    expect(bookingModel('interval')).toBe('interval');
    expect(bookingModel('nightly')).toBe('nightly');
    expect(bookingModel('custom')).toBe('nightly');
  });

  it('nightly: check-in and check-out dates', () => {
    const draft = draftFromPeriod('nightly', { checkIn: '2026-12-15', checkOut: '2026-12-17' }, 'Europe/Zurich');
    expect(draft).toMatchObject({ checkIn: '2026-12-15', checkOut: '2026-12-17' });
    expect(draftNights(draft)).toBe(2);
    expect(periodFromDraft('nightly', draft, 'Europe/Zurich')).toEqual({ checkIn: '2026-12-15', checkOut: '2026-12-17' });
  });

  it('timeslot: the date of the slot and the slot’s start', () => {
    const draft = draftFromPeriod('timeslot', { start: '2026-12-15T16:00:00Z' }, 'America/Denver');
    expect(draft).toMatchObject({ date: '2026-12-15', slot: '2026-12-15T16:00:00Z' });
    expect(periodFromDraft('timeslot', draft, 'America/Denver')).toEqual({ start: '2026-12-15T16:00:00Z' });
    expect(periodProblems('timeslot', { ...draft, slot: '' }, 'America/Denver')).toEqual({ slot: 'period.required.slot' });
  });

  it('interval: start and end, each a date and a time at the business', () => {
    const draft = draftFromPeriod(
      'interval',
      { start: '2026-12-15T08:00:00Z', end: '2026-12-15T10:30:00Z' },
      'Europe/Berlin',
    );
    expect(draft).toMatchObject({ date: '2026-12-15', startTime: '09:00', endDate: '2026-12-15', endTime: '11:30' });
    expect(periodFromDraft('interval', draft, 'Europe/Berlin')).toEqual({
      start: '2026-12-15T08:00:00Z',
      end: '2026-12-15T10:30:00Z',
    });
  });

  it('says what is wrong before anything is asked', () => {
    expect(periodProblems('nightly', emptyDraft, 'UTC')).toEqual({
      checkIn: 'period.required.checkIn',
      checkOut: 'period.required.checkOut',
    });
    expect(periodProblems('nightly', { ...emptyDraft, checkIn: '2026-02-30', checkOut: '2026-03-02' }, 'UTC')).toEqual({
      checkIn: 'period.invalidDate',
    });
    expect(periodProblems('nightly', { ...emptyDraft, checkIn: '2026-12-17', checkOut: '2026-12-17' }, 'UTC')).toEqual({
      checkOut: 'period.checkOutAfterCheckIn',
    });
    const interval = { ...emptyDraft, date: '2026-12-15', startTime: '11:00', endDate: '2026-12-15', endTime: '10:00' };
    expect(periodProblems('interval', interval, 'Europe/Berlin')).toEqual({ endTime: 'period.endAfterStart' });
    expect(periodProblems('interval', { ...interval, startTime: '25:00' }, 'Europe/Berlin')).toEqual({
      startTime: 'period.invalidTime',
    });
    expect(periodFromDraft('interval', interval, 'Europe/Berlin')).toBeNull();
  });

  it('keys equal periods equally', () => {
    expect(periodKey({ checkIn: '2026-12-15', checkOut: '2026-12-17' })).toBe(
      periodKey({ checkOut: '2026-12-17', checkIn: '2026-12-15' }),
    );
    expect(periodKey({ start: 'a' })).not.toBe(periodKey({ start: 'b' }));
  });
});
