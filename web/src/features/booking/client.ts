// Who a booking is for: an existing client (found by name or e-mail) or a new
// one created with the booking (name, and e-mail and phone when known).
import type { ClientInput } from '@/gql/graphql';

export type ClientChoice =
  | { mode: 'existing'; clientId: string | null }
  | { mode: 'new'; name: string; email: string; phone: string };

export const noClientChosen: ClientChoice = { mode: 'existing', clientId: null };

/** A field of the choice with something wrong, and what (a `booking` key). */
export type ClientProblems = Partial<Record<'clientId' | 'name' | 'email' | 'phone', string>>;

// An address with one @, something before it, and a dot in the domain: what
// a person can check at a glance (the server has the last word).
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phonePattern = /^[+()\d\s./-]{5,}$/;

export function clientProblems(choice: ClientChoice): ClientProblems {
  const problems: ClientProblems = {};
  if (choice.mode === 'existing') {
    if (!choice.clientId) problems.clientId = 'client.required.existing';
    return problems;
  }
  if (!choice.name.trim()) problems.name = 'client.required.name';
  const email = choice.email.trim();
  if (email && !emailPattern.test(email)) problems.email = 'client.invalidEmail';
  const phone = choice.phone.trim();
  if (phone && !phonePattern.test(phone)) problems.phone = 'client.invalidPhone';
  return problems;
}

/** The booking input's client part: `clientId` or a new `client`. */
export function clientInput(choice: ClientChoice): { clientId?: string; client?: ClientInput } {
  if (choice.mode === 'existing') return choice.clientId ? { clientId: choice.clientId } : {};
  const client: ClientInput = { name: choice.name.trim() };
  if (choice.email.trim()) client.email = choice.email.trim();
  if (choice.phone.trim()) client.phone = choice.phone.trim();
  return { client };
}
