import { describe, expect, it } from 'vitest';
import { diffEntry, entityPath, humanise, readValue } from './diff';
import { apiFilter, filtersFromSearch, searchFromFilters } from './filters';

describe('an entry as a diff', () => {
  it('reads a client change field by field, bookkeeping left out, with the kind of change', () => {
    const diff = diffEntry({
      entityType: 'client',
      action: 'update',
      metadata: {
        before: { name: 'Ava', email: null, phone: '+41 79', blocked: false, updated_at: '2026-12-01T10:00:00Z' },
        after: { name: 'Ava Keller', email: 'ava@example.org', phone: null, blocked: true, updated_at: '2026-12-06T10:00:00Z' },
      },
    });
    expect(diff.rows).toEqual([
      { field: 'name', reservation: false, change: 'changed', before: { kind: 'text', text: 'Ava' }, after: { kind: 'text', text: 'Ava Keller' } },
      { field: 'email', reservation: false, change: 'added', before: { kind: 'none' }, after: { kind: 'text', text: 'ava@example.org' } },
      { field: 'phone', reservation: false, change: 'cleared', before: { kind: 'text', text: '+41 79' }, after: { kind: 'none' } },
      { field: 'blocked', reservation: false, change: 'changed', before: { kind: 'bool', value: false }, after: { kind: 'bool', value: true } },
    ]);
  });

  it('reads a creation as the values set, and an erasure by its counts', () => {
    const created = diffEntry({ entityType: 'client', action: 'create', metadata: { after: { id: 'c1', tenant_id: 't', name: 'Ava', email: null, blocked: false, created_at: '2026-12-06T10:00:00Z' } } });
    expect(created.rows).toEqual([
      { field: 'name', reservation: false, change: 'set', after: { kind: 'text', text: 'Ava' } },
      { field: 'blocked', reservation: false, change: 'set', after: { kind: 'bool', value: false } },
    ]);
    const erased = diffEntry({ entityType: 'client', action: 'erase', metadata: { redacted: { reservations: 2, audit_entries: 5, events: 4 } } });
    expect(erased.rows.map((r) => [r.field, r.after])).toEqual([
      ['redacted.reservations', { kind: 'number', value: 2 }],
      ['redacted.audit_entries', { kind: 'number', value: 5 }],
      ['redacted.events', { kind: 'number', value: 4 }],
    ]);
    expect(readValue('(erased)')).toEqual({ kind: 'erased' });
  });

  it("reads a reservation entry through the reservations feature's summary", () => {
    const diff = diffEntry({
      entityType: 'reservation',
      action: 'cancel',
      metadata: { from: 'confirmed', to: 'canceled', details: { reason: 'guest ill', refund: { amount_minor: 33130, currency: 'CHF' } } },
    });
    expect(diff.summary?.action).toBe('cancel');
    expect(diff.rows).toEqual([
      { field: 'state', reservation: true, change: 'changed', before: { kind: 'reservation', value: { kind: 'state', state: 'CONFIRMED' } }, after: { kind: 'reservation', value: { kind: 'state', state: 'CANCELED' } } },
      { field: 'cancelReason', reservation: true, change: 'set', after: { kind: 'text', text: 'guest ill' } },
      { field: 'refund', reservation: true, change: 'set', after: { kind: 'money', money: { amount: 33130, currency: 'CHF' } } },
    ]);
  });

  it('names fields without words of their own, and links what has a screen', () => {
    expect(humanise('max_guests')).toBe('Max guests');
    expect(entityPath('reservation', 'r1')).toBe('/reservations/r1');
    expect(entityPath('client', 'c1')).toBe('/clients/c1');
    expect(entityPath('webhook', 'w1')).toBeNull();
  });
});

describe('filters and the address', () => {
  it('round-trips every filter and turns dates into the business day bounds', () => {
    const filters = filtersFromSearch(new URLSearchParams('actor=user:u1&type=Client&entity=%20c1%20&action=Update&from=2026-12-01&to=2026-12-31&junk=1'));
    expect(filters).toEqual({ actor: 'user:u1', entityType: 'client', entityId: 'c1', action: 'update', from: '2026-12-01', to: '2026-12-31' });
    expect(searchFromFilters(filters).toString()).toBe('actor=user%3Au1&type=client&entity=c1&action=update&from=2026-12-01&to=2026-12-31');
    expect(apiFilter(filters, 'Europe/Zurich')).toEqual({
      actor: 'user:u1',
      entityType: 'client',
      entityId: 'c1',
      action: 'update',
      from: '2026-11-30T23:00:00Z',
      to: '2026-12-31T23:00:00Z',
    });
    expect(filtersFromSearch(new URLSearchParams('from=2026-13-45')).from).toBeNull();
    expect(apiFilter(filtersFromSearch(new URLSearchParams('')), 'UTC')).toBeNull();
  });
});
