// Audit entries in readable form, from metadata as berth records it.
import { describe, expect, it } from 'vitest';
import { actorName, summariseEntry } from './audit';

const money = (amount_minor: number) => ({ amount_minor, currency: 'CHF' });

describe('summariseEntry', () => {
  it('a creation: the facts it was made with, without ids, versions or timestamps', () => {
    const summary = summariseEntry('create', {
      after: {
        id: 'r1',
        tenant_id: 't1',
        unit_id: 'u1',
        client_id: 'c1',
        state: 'held',
        period: { start: '2026-12-15T14:00:00Z', end: '2026-12-17T09:00:00Z' },
        occupied: { start: '2026-12-15T14:00:00Z', end: '2026-12-17T09:00:00Z' },
        check_in: '2026-12-15',
        check_out: '2026-12-17',
        quantity: 1,
        guests: 2,
        price: { lines: [], total: money(53288) },
        channel: 'admin',
        idempotency_key: 'k1',
        notes: null,
        hold_expires_at: '2026-12-06T08:05:07Z',
        refund: null,
        policy_override: null,
        version: 1,
        created_at: '2026-12-06T07:50:07Z',
        updated_at: '2026-12-06T07:50:07Z',
      },
    });
    expect(summary.changes).toEqual([
      { field: 'state', after: { kind: 'state', state: 'HELD' } },
      { field: 'checkIn', after: { kind: 'date', date: '2026-12-15' } },
      { field: 'checkOut', after: { kind: 'date', date: '2026-12-17' } },
      { field: 'guests', after: { kind: 'number', value: 2 } },
      { field: 'quantity', after: { kind: 'number', value: 1 } },
      { field: 'total', after: { kind: 'money', money: { amount: 53288, currency: 'CHF' } } },
      { field: 'holdExpiresAt', after: { kind: 'instant', instant: '2026-12-06T08:05:07Z' } },
    ]);
  });

  it('a change: before → after of what changed, the override named', () => {
    const summary = summariseEntry('change_period', {
      before: {
        period: { start: '2026-12-15T14:00:00Z', end: '2026-12-17T09:00:00Z' },
        check_out: '2026-12-17',
        price: { total: money(53288) },
        policy_override: null,
        version: 3,
      },
      after: {
        period: { start: '2026-12-15T14:00:00Z', end: '2026-12-16T09:00:00Z' },
        check_out: '2026-12-16',
        price: { total: money(33130) },
        policy_override: { reason: 'goodwill', violations: [], by_name: 'admin@example.org', at: '2026-12-06T07:50:07Z' },
        version: 4,
      },
    });
    expect(summary.changes).toEqual([
      { field: 'checkOut', before: { kind: 'date', date: '2026-12-17' }, after: { kind: 'date', date: '2026-12-16' } },
      {
        field: 'total',
        before: { kind: 'money', money: { amount: 53288, currency: 'CHF' } },
        after: { kind: 'money', money: { amount: 33130, currency: 'CHF' } },
      },
      {
        field: 'policyOverride',
        before: { kind: 'none' },
        after: { kind: 'override', reason: 'goodwill', by: 'admin@example.org' },
      },
    ]);
  });

  it('a slot’s creation reads by its period (its dates are null)', () => {
    const summary = summariseEntry('create', {
      after: {
        state: 'confirmed',
        period: { start: '2026-12-08T13:00:00Z', end: '2026-12-08T16:00:00Z' },
        check_in: null,
        check_out: null,
        guests: 2,
        quantity: 2,
      },
    });
    expect(summary.changes.map((c) => c.field)).toEqual(['state', 'period', 'guests', 'quantity']);
    expect(summary.changes[1]?.after).toEqual({ kind: 'range', start: '2026-12-08T13:00:00Z', end: '2026-12-08T16:00:00Z' });
  });

  it('a slot or rental reads by its period; a new client is “changed”', () => {
    const summary = summariseEntry('update', {
      before: { period: { start: '2026-12-15T08:00:00Z', end: '2026-12-15T10:00:00Z' }, client_id: 'c1', notes: null },
      after: { period: { start: '2026-12-15T09:00:00Z', end: '2026-12-15T11:00:00Z' }, client_id: 'c2', notes: 'late' },
    });
    expect(summary.changes.map((c) => c.field)).toEqual(['period', 'client', 'notes']);
    expect(summary.changes[1]?.after).toEqual({ kind: 'changed' });
    expect(summary.changes[2]).toEqual({ field: 'notes', before: { kind: 'none' }, after: { kind: 'text', text: 'late' } });
  });

  it('a state change: from, to, and a cancellation’s reason and refund', () => {
    expect(
      summariseEntry('cancel', { from: 'confirmed', to: 'canceled', details: { reason: 'guest ill', refund: money(33130) } }),
    ).toEqual({
      action: 'cancel',
      from: 'CONFIRMED',
      to: 'CANCELED',
      reason: 'guest ill',
      refund: { amount: 33130, currency: 'CHF' },
      changes: [],
    });
    expect(summariseEntry('confirm', { from: 'held', to: 'confirmed', details: null })).toEqual({
      action: 'confirm',
      from: 'HELD',
      to: 'CONFIRMED',
      changes: [],
    });
  });

  it('survives metadata it does not know', () => {
    expect(summariseEntry('erase', null)).toEqual({ action: 'erase', changes: [] });
    expect(summariseEntry('update', { before: 'x', after: { colour: 'red' } }).changes).toEqual([]);
  });
});

describe('actorName', () => {
  const emails = new Map([['u2', 'birgit@example.org']]);
  it('names people and kinds of actors', () => {
    expect(actorName('user:u1', 'u1', emails)).toEqual({ kind: 'you' });
    expect(actorName('user:u2', 'u1', emails)).toEqual({ kind: 'user', email: 'birgit@example.org' });
    expect(actorName('user:u3', 'u1', emails)).toEqual({ kind: 'someUser' });
    expect(actorName('api_key:k1', 'u1', emails)).toEqual({ kind: 'apiKey' });
    expect(actorName('public', 'u1', emails)).toEqual({ kind: 'public' });
    expect(actorName('system', 'u1', emails)).toEqual({ kind: 'system' });
  });
});
