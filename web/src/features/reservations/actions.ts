// What can be done to a reservation in its state, by the user's role:
//   held        → confirm, cancel; change period, change notes or client
//   confirmed   → check in, cancel; change period, change notes or client
//   checked in  → check out; change period, change notes or client
//   finished, canceled, absent: final — nothing.
// Viewers read only; staff, admins and owners act.
import type { ReservationState, Role } from '@/gql/graphql';
import { mayBook } from '@/features/booking';

export type ReservationAction = 'confirm' | 'checkIn' | 'checkOut' | 'cancel' | 'changePeriod' | 'edit';

/** The state's own step forward (at most one), then cancel, then the changes. */
const byState: Record<ReservationState, readonly ReservationAction[]> = {
  HELD: ['confirm', 'cancel', 'changePeriod', 'edit'],
  CONFIRMED: ['checkIn', 'cancel', 'changePeriod', 'edit'],
  CHECKED_IN: ['checkOut', 'changePeriod', 'edit'],
  FINISHED: [],
  CANCELED: [],
  ABSENT: [],
};

export function actionsFor(state: ReservationState, role: Role | null | undefined): readonly ReservationAction[] {
  return mayBook(role) ? byState[state] : [];
}

/** Whether a state is final (nothing changes it). */
export function isFinal(state: ReservationState): boolean {
  return byState[state].length === 0;
}

/** Actions that cannot be undone, which ask first. */
export const destructiveActions: ReadonlySet<ReservationAction> = new Set(['cancel', 'checkOut']);
