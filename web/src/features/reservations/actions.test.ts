// The actions offered per state and role.
import { describe, expect, it } from 'vitest';
import { actionsFor, isFinal } from './actions';

describe('actionsFor', () => {
  it('offers what each state allows', () => {
    expect(actionsFor('HELD', 'STAFF')).toEqual(['confirm', 'cancel', 'changePeriod', 'edit']);
    expect(actionsFor('CONFIRMED', 'STAFF')).toEqual(['checkIn', 'cancel', 'changePeriod', 'edit']);
    expect(actionsFor('CHECKED_IN', 'ADMIN')).toEqual(['checkOut', 'changePeriod', 'edit']);
    for (const state of ['FINISHED', 'CANCELED', 'ABSENT'] as const) {
      expect(actionsFor(state, 'OWNER')).toEqual([]);
      expect(isFinal(state)).toBe(true);
    }
  });

  it('offers nothing to viewers or without a session', () => {
    expect(actionsFor('CONFIRMED', 'VIEWER')).toEqual([]);
    expect(actionsFor('HELD', null)).toEqual([]);
  });
});
