// A reservation's audit entries in readable form. An entry's metadata is the
// server's record: `before`/`after` with only the fields that changed (a
// creation has only `after`), or `from`/`to`/`details` for a state change.
// This turns it into the facts a person reads — "Check-out: 17 Dec → 16 Dec",
// "Total: CHF 532.88 → CHF 331.30", "Canceled: guest ill; refund CHF 331.30" —
// leaving out bookkeeping (ids, versions, timestamps, occupied intervals).
// The raw record stays available in a details disclosure.
import type { ReservationState } from '@/gql/graphql';
import type { MoneyValue } from '@/lib/format';

/** A value as the screen formats it. */
export type AuditValue =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; date: string }
  | { kind: 'instant'; instant: string }
  | { kind: 'range'; start: string; end: string }
  | { kind: 'money'; money: MoneyValue }
  | { kind: 'state'; state: ReservationState }
  | { kind: 'override'; reason: string; by: string | null }
  /** Something changed that the screen does not spell out (another client's id). */
  | { kind: 'changed' };

/** The fields the history names (`reservations` strings `history.field.<key>`). */
export type AuditField =
  | 'state'
  | 'checkIn'
  | 'checkOut'
  | 'period'
  | 'unit'
  | 'client'
  | 'guests'
  | 'quantity'
  | 'total'
  | 'notes'
  | 'holdExpiresAt'
  | 'refund'
  | 'policyOverride'
  | 'cancelReason';

export interface AuditChange {
  field: AuditField;
  /** Absent for a creation (only the value it was created with). */
  before?: AuditValue;
  after: AuditValue;
}

export interface AuditSummary {
  /** The action (`create`, `confirm`, `change_period`…), for the entry's title. */
  action: string;
  /** A state change's states. */
  from?: ReservationState;
  to?: ReservationState;
  /** A cancellation's reason and refund, or another transition's details. */
  reason?: string;
  refund?: MoneyValue;
  changes: AuditChange[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const states: readonly ReservationState[] = ['HELD', 'CONFIRMED', 'CHECKED_IN', 'FINISHED', 'CANCELED', 'ABSENT'];

function stateOf(value: unknown): ReservationState | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase() as ReservationState;
  return states.includes(upper) ? upper : undefined;
}

/** The store's money (`{ amount_minor, currency }`) or the API's (`{ amount, currency }`). */
export function moneyOf(value: unknown): MoneyValue | undefined {
  if (!isObject(value) || typeof value.currency !== 'string') return undefined;
  const amount = typeof value.amount_minor === 'number' ? value.amount_minor : value.amount;
  return typeof amount === 'number' ? { amount, currency: value.currency } : undefined;
}

/** The fields a person reads, in the order shown, and how to read each. */
const readers: readonly [string, AuditField, (value: unknown) => AuditValue | undefined][] = [
  [
    'state',
    'state',
    (v) => {
      const state = stateOf(v);
      return state ? { kind: 'state', state } : undefined;
    },
  ],
  ['unit_id', 'unit', () => ({ kind: 'changed' })],
  ['check_in', 'checkIn', (v) => (typeof v === 'string' ? { kind: 'date', date: v } : undefined)],
  ['check_out', 'checkOut', (v) => (typeof v === 'string' ? { kind: 'date', date: v } : undefined)],
  [
    'period',
    'period',
    (v) =>
      isObject(v) && typeof v.start === 'string' && typeof v.end === 'string'
        ? { kind: 'range', start: v.start, end: v.end }
        : undefined,
  ],
  ['guests', 'guests', (v) => (typeof v === 'number' ? { kind: 'number', value: v } : undefined)],
  ['quantity', 'quantity', (v) => (typeof v === 'number' ? { kind: 'number', value: v } : undefined)],
  ['client_id', 'client', () => ({ kind: 'changed' })],
  [
    'price',
    'total',
    (v) => {
      const money = isObject(v) ? moneyOf(v.total) : undefined;
      return money ? { kind: 'money', money } : undefined;
    },
  ],
  ['notes', 'notes', (v) => (typeof v === 'string' && v ? { kind: 'text', text: v } : undefined)],
  ['hold_expires_at', 'holdExpiresAt', (v) => (typeof v === 'string' ? { kind: 'instant', instant: v } : undefined)],
  [
    'refund',
    'refund',
    (v) => {
      const money = moneyOf(v);
      return money ? { kind: 'money', money } : undefined;
    },
  ],
  ['cancel_reason', 'cancelReason', (v) => (typeof v === 'string' && v ? { kind: 'text', text: v } : undefined)],
  [
    'policy_override',
    'policyOverride',
    (v) =>
      isObject(v) && typeof v.reason === 'string'
        ? { kind: 'override', reason: v.reason, by: typeof v.by_name === 'string' ? v.by_name : null }
        : undefined,
  ],
];

const none: AuditValue = { kind: 'none' };

function read(reader: (value: unknown) => AuditValue | undefined, value: unknown): AuditValue {
  return value === null || value === undefined ? none : (reader(value) ?? none);
}

/** The readable changes between two records (only the fields present in either). */
function changesOf(before: Json | undefined, after: Json, created: boolean): AuditChange[] {
  const changes: AuditChange[] = [];
  const isDate = (value: unknown) => typeof value === 'string';
  const nightly =
    isDate(after.check_in) || isDate(after.check_out) || isDate(before?.check_in) || isDate(before?.check_out);
  for (const [key, field, reader] of readers) {
    if (!(key in after) && !(before && key in before)) continue;
    // A nightly stay reads by its dates; its instants add nothing.
    if (field === 'period' && nightly) continue;
    const next = read(reader, after[key]);
    if (created) {
      if (next.kind !== 'none' && field !== 'unit' && field !== 'client') changes.push({ field, after: next });
      continue;
    }
    const previous = read(reader, before?.[key]);
    if (JSON.stringify(previous) === JSON.stringify(next) && next.kind !== 'changed') continue;
    changes.push({ field, before: previous, after: next });
  }
  return changes;
}

/** An audit entry's metadata, summarised. */
export function summariseEntry(action: string, metadata: unknown): AuditSummary {
  const summary: AuditSummary = { action, changes: [] };
  if (!isObject(metadata)) return summary;
  const from = stateOf(metadata.from);
  const to = stateOf(metadata.to);
  if (from) summary.from = from;
  if (to) summary.to = to;
  if (isObject(metadata.details)) {
    if (typeof metadata.details.reason === 'string' && metadata.details.reason) summary.reason = metadata.details.reason;
    const refund = moneyOf(metadata.details.refund);
    if (refund) summary.refund = refund;
  }
  if (isObject(metadata.after)) {
    const before = isObject(metadata.before) ? metadata.before : undefined;
    summary.changes = changesOf(before, metadata.after, before === undefined);
  }
  return summary;
}

/** Who an audit actor is, for a person: the viewer, a user known by e-mail, or a kind of actor. */
export type ActorName =
  | { kind: 'you' }
  | { kind: 'user'; email: string }
  | { kind: 'someUser' }
  | { kind: 'apiKey' }
  | { kind: 'public' }
  | { kind: 'system' };

export function actorName(actor: string, viewerId: string | null | undefined, emails: ReadonlyMap<string, string>): ActorName {
  if (actor === 'system') return { kind: 'system' };
  if (actor === 'public') return { kind: 'public' };
  if (actor.startsWith('api_key:')) return { kind: 'apiKey' };
  if (actor.startsWith('user:')) {
    const id = actor.slice('user:'.length);
    if (viewerId && id === viewerId) return { kind: 'you' };
    const email = emails.get(id);
    return email ? { kind: 'user', email } : { kind: 'someUser' };
  }
  return { kind: 'someUser' };
}
