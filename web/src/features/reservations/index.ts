// The reservations feature's public entry: the only module other features
// import (`@/features/reservations`). The audit log reads reservation entries
// the way a reservation's own history does: the same summary of an entry's
// metadata (audit.ts), the same words for its action and values.
export {
  actorName,
  moneyOf,
  summariseEntry,
  type ActorName,
  type AuditChange,
  type AuditField,
  type AuditSummary,
  type AuditValue,
} from './audit';
export { entryTitle as reservationEntryTitle, Value as ReservationAuditValue } from './AuditHistory';
export { StateBadge } from './StateBadge';
// How a reservation's period reads (a client's reservations list them).
export { nightsOf, periodText, type PeriodLike } from './display';
