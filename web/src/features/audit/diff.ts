// An audit entry's before and after as rows a person reads: one row per field
// that changed, its value before and after, and the kind of change in words
// (set at creation, added, changed, cleared). Reservation entries are read by
// the reservations feature's own summary (the fields it names, money, dates,
// states); every other entity's fields are read generically, bookkeeping
// (ids, versions, timestamps of the row itself) left out. The raw metadata
// stays available beside it.
import { moneyOf, summariseEntry, type AuditSummary, type AuditValue } from '@/features/reservations';
import type { MoneyValue } from '@/lib/format';

export type DiffValue =
  | { kind: 'none' }
  | { kind: 'erased' }
  | { kind: 'text'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'instant'; instant: string }
  | { kind: 'date'; date: string }
  | { kind: 'money'; money: MoneyValue }
  | { kind: 'json'; text: string }
  /** A value as a reservation's history reads it. */
  | { kind: 'reservation'; value: AuditValue };

/** set: the value a created entity started with; the others compare before and after. */
export type ChangeKind = 'set' | 'added' | 'changed' | 'cleared';

export interface DiffRow {
  /** The field's key: a reservations `history.field.<key>` when `reservation`, else an audit `field.<key>`. */
  field: string;
  reservation: boolean;
  change: ChangeKind;
  before?: DiffValue;
  after: DiffValue;
}

export interface EntryDiff {
  /** A reservation entry's summary (its title reads from it). */
  summary?: AuditSummary;
  rows: DiffRow[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The row's own bookkeeping: not what a person changed. */
const bookkeeping = new Set(['id', 'tenant_id', 'version', 'created_at', 'updated_at', 'password_hash']);

const erased = '(erased)';

/** Any stored value, as the screen shows it. */
export function readValue(value: unknown): DiffValue {
  if (value === null || value === undefined) return { kind: 'none' };
  if (typeof value === 'boolean') return { kind: 'bool', value };
  if (typeof value === 'number') return { kind: 'number', value };
  if (typeof value === 'string') {
    if (value === erased) return { kind: 'erased' };
    if (value === '') return { kind: 'none' };
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { kind: 'date', date: value };
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return { kind: 'instant', instant: value };
    return { kind: 'text', text: value };
  }
  const money = moneyOf(value);
  if (money) return { kind: 'money', money };
  if (Array.isArray(value) && value.length === 0) return { kind: 'none' };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return { kind: 'text', text: value.join(', ') };
  return { kind: 'json', text: JSON.stringify(value) };
}

function changeOf(before: DiffValue, after: DiffValue): ChangeKind {
  if (before.kind === 'none') return 'added';
  if (after.kind === 'none' || after.kind === 'erased') return 'cleared';
  return 'changed';
}

function reservationRows(summary: AuditSummary): DiffRow[] {
  const rows: DiffRow[] = [];
  const wrap = (value: AuditValue): DiffValue => (value.kind === 'text' && value.text === erased ? { kind: 'erased' } : { kind: 'reservation', value });
  if (summary.from && summary.to && !summary.changes.some((c) => c.field === 'state')) {
    rows.push({
      field: 'state',
      reservation: true,
      change: 'changed',
      before: wrap({ kind: 'state', state: summary.from }),
      after: wrap({ kind: 'state', state: summary.to }),
    });
  }
  for (const c of summary.changes) {
    if (!c.before) {
      rows.push({ field: c.field, reservation: true, change: 'set', after: wrap(c.after) });
      continue;
    }
    const before = wrap(c.before);
    const after = wrap(c.after);
    const kind = c.before.kind === 'none' ? 'added' : c.after.kind === 'none' || after.kind === 'erased' ? 'cleared' : 'changed';
    rows.push({ field: c.field, reservation: true, change: kind, before, after });
  }
  if (summary.reason) rows.push({ field: 'cancelReason', reservation: true, change: 'set', after: summary.reason === erased ? { kind: 'erased' } : { kind: 'text', text: summary.reason } });
  if (summary.refund) rows.push({ field: 'refund', reservation: true, change: 'set', after: { kind: 'money', money: summary.refund } });
  return rows;
}

function genericRows(metadata: Json): DiffRow[] {
  const rows: DiffRow[] = [];
  const after = isObject(metadata.after) ? metadata.after : undefined;
  const before = isObject(metadata.before) ? metadata.before : undefined;
  if (typeof metadata.from === 'string' || typeof metadata.to === 'string') {
    rows.push({ field: 'state', reservation: false, change: 'changed', before: readValue(metadata.from), after: readValue(metadata.to) });
  }
  if (after) {
    const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after)])].filter((k) => !bookkeeping.has(k));
    for (const key of keys) {
      const next = readValue(after[key]);
      if (!before) {
        if (next.kind !== 'none') rows.push({ field: key, reservation: false, change: 'set', after: next });
        continue;
      }
      const previous = readValue(before[key]);
      if (JSON.stringify(previous) === JSON.stringify(next)) continue;
      rows.push({ field: key, reservation: false, change: changeOf(previous, next), before: previous, after: next });
    }
  }
  // Anything else the entry recorded (a transition's details, an erasure's
  // counts): one level deep, as values set.
  for (const [key, value] of Object.entries(metadata)) {
    if (['before', 'after', 'from', 'to'].includes(key)) continue;
    if (isObject(value) && !moneyOf(value)) {
      for (const [sub, v] of Object.entries(value)) {
        const read = readValue(v);
        if (read.kind !== 'none') rows.push({ field: `${key}.${sub}`, reservation: false, change: 'set', after: read });
      }
    } else {
      const read = readValue(value);
      if (read.kind !== 'none') rows.push({ field: key, reservation: false, change: 'set', after: read });
    }
  }
  return rows;
}

/** An entry's before and after, as rows. */
export function diffEntry(entry: { entityType: string; action: string; metadata: unknown }): EntryDiff {
  if (!isObject(entry.metadata)) return { rows: [] };
  if (entry.entityType === 'reservation') {
    const summary = summariseEntry(entry.action, entry.metadata);
    return { summary, rows: reservationRows(summary) };
  }
  return { rows: genericRows(entry.metadata) };
}

/** `max_guests` → `Max guests`, `redacted.audit_entries` → `Redacted: audit entries` (for fields without words of their own). */
export function humanise(field: string): string {
  const parts = field.split('.').map((p) => p.replace(/_/g, ' '));
  const text = parts.join(': ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Where an entity's screen is, if it has one. */
export function entityPath(entityType: string, entityId: string): string | null {
  if (entityType === 'reservation') return `/reservations/${entityId}`;
  if (entityType === 'client') return `/clients/${entityId}`;
  if (entityType === 'unit') return `/units/${entityId}`;
  return null;
}
