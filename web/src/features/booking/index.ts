// The booking feature's public entry: the only module other features import
// (`@/features/booking`; ESLint refuses its other files from outside). The
// board opens the panel with the unit and range selected on it; the
// reservations list opens it empty.
import type { PeriodInput } from '@/gql/graphql';

/** What the panel starts with; the user can change all of it. */
export interface NewReservationInitial {
  unitId?: string;
  /** In the tenant's model shape: nightly checkIn/checkOut, timeslot start, interval start/end. */
  period?: PeriodInput;
  guests?: number;
}

export interface NewReservationPanelProps {
  /** Whether the panel is open; while it is, the chosen range is locked. */
  opened: boolean;
  /** Closing (cancel, Escape, after booking): the lock is released. */
  onClose: () => void;
  initial?: NewReservationInitial;
  /** Called with the new reservation's id once it is booked. */
  onCreated?: (reservationId: string) => void;
}

export { NewReservationPanel } from './NewReservationPanel';

// The pieces a reservation's period change shares with booking (the
// reservations feature): the period's inputs and their conversions, the live
// quote, the range lock, the client search, and who may do what.
export { ClientSearch } from './ClientPicker';
export { LockStatus } from './LockStatus';
export {
  bookingModel,
  draftFromPeriod,
  draftNights,
  periodFromDraft,
  periodProblems,
  zonedInstant,
  zonedParts,
  type BookingModel,
  type PeriodDraft,
  type PeriodProblems,
} from './period';
export { PeriodFields } from './PeriodFields';
export { mayBook, mayOverride, offersBookAnyway, overrideReasonMax, quoteVerdict, warningColor, type Quote } from './quote';
export { QuoteSummary } from './QuoteSummary';
export { useRangeLock, type RangeLock, type RangeLockState } from './use-range-lock';
export { useSettled } from './use-settled';
