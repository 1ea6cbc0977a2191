// What a quote says, for the panel and the change dialog: bookable, refused
// by the business's rules (its violations, in the server's words), or taken
// (no rule broken, but capacity is not free). Whether "Book anyway" may be
// offered follows from the quote (`overridable`: only the policy stands in the
// way) and the user's role (admins and owners).
import type { BookingQuoteFieldsFragment, Role } from '@/gql/graphql';

export type Quote = BookingQuoteFieldsFragment;

export type QuoteVerdict =
  /** Rules allow it and capacity is free. */
  | 'bookable'
  /** The business's rules refuse it (violations). */
  | 'refused'
  /** No rule broken, but something else takes that time. */
  | 'unavailable';

export function quoteVerdict(quote: Pick<Quote, 'available' | 'violations'>): QuoteVerdict {
  if (quote.available) return 'bookable';
  return quote.violations.length > 0 ? 'refused' : 'unavailable';
}

/** Roles that may book against the rules (`overrideReason`). */
export function mayOverride(role: Role | null | undefined): boolean {
  return role === 'ADMIN' || role === 'OWNER';
}

/** Whether this user is offered "Book anyway" for this quote. */
export function offersBookAnyway(
  quote: Pick<Quote, 'available' | 'violations' | 'overridable'>,
  role: Role | null | undefined,
): boolean {
  return quoteVerdict(quote) === 'refused' && quote.overridable && mayOverride(role);
}

/** Roles that may book and change reservations at all (viewers read). */
export function mayBook(role: Role | null | undefined): boolean {
  return role === 'STAFF' || role === 'ADMIN' || role === 'OWNER';
}

/** The longest an override's reason may be (the API's limit). */
export const overrideReasonMax = 500;

/**
 * The colour of rule refusals and overrides: a dark orange that keeps text
 * at 7:1 on white and on its own light tint (Mantine's orange 9 is 3.9:1).
 */
export const warningColor = '#9a3412';
