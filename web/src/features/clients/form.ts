// The client form's values, their checks (before anything is sent) and the
// API input they become. The server requires only a name; the form also
// catches an e-mail or phone that cannot be one, and notes past a length the
// screen keeps readable.
import type { CreateClientInput, UpdateClientInput } from '@/gql/graphql';

export interface ClientValues {
  name: string;
  email: string;
  phone: string;
  notes: string;
  /** Only when creating: start blocked. */
  blocked: boolean;
}

export const emptyClient: ClientValues = { name: '', email: '', phone: '', notes: '', blocked: false };

/** At most this many characters of notes (as the reservations' notes). */
export const notesMax = 4000;
export const nameMax = 200;

/** A problem of one field (`clients` strings `form.error.<problem>`). */
export type FieldProblem = 'nameRequired' | 'nameTooLong' | 'emailInvalid' | 'phoneInvalid' | 'notesTooLong';

export type FieldProblems = Partial<Record<'name' | 'email' | 'phone' | 'notes', FieldProblem>>;

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Digits with the usual separators, optionally starting with +; 5 digits at least. */
const phonePattern = /^\+?[\d\s().\-/]+$/;

/** What is wrong with the values, field by field (empty: nothing). */
export function checkClient(values: ClientValues): FieldProblems {
  const problems: FieldProblems = {};
  const name = values.name.trim();
  if (!name) problems.name = 'nameRequired';
  else if ([...name].length > nameMax) problems.name = 'nameTooLong';
  const email = values.email.trim();
  if (email && !emailPattern.test(email)) problems.email = 'emailInvalid';
  const phone = values.phone.trim();
  if (phone && (!phonePattern.test(phone) || phone.replace(/\D/g, '').length < 5)) problems.phone = 'phoneInvalid';
  if ([...values.notes].length > notesMax) problems.notes = 'notesTooLong';
  return problems;
}

const optional = (value: string): string | null => value.trim() || null;

/** The form's values for an existing client. */
export function valuesOf(client: { name: string; email?: string | null; phone?: string | null; notes?: string | null; blocked: boolean }): ClientValues {
  return {
    name: client.name,
    email: client.email ?? '',
    phone: client.phone ?? '',
    notes: client.notes ?? '',
    blocked: client.blocked,
  };
}

/** A new client from the values. */
export function createInput(values: ClientValues): CreateClientInput {
  const input: CreateClientInput = { name: values.name.trim(), blocked: values.blocked };
  const email = optional(values.email);
  const phone = optional(values.phone);
  const notes = optional(values.notes);
  if (email) input.email = email;
  if (phone) input.phone = phone;
  if (notes) input.notes = notes;
  return input;
}

/**
 * The changes from `before` to the values: only the fields that changed, a
 * cleared optional field as `null` (the API's "clear"). Empty: nothing to send.
 */
export function updateInput(before: ClientValues, values: ClientValues): UpdateClientInput {
  const input: UpdateClientInput = {};
  if (values.name.trim() !== before.name.trim()) input.name = values.name.trim();
  for (const field of ['email', 'phone', 'notes'] as const) {
    const next = optional(values[field]);
    if (next !== optional(before[field])) input[field] = next;
  }
  return input;
}

/** Whether the confirmation typed for an erasure names the client (spaces and case aside). */
export function namesClient(typed: string, name: string): boolean {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
  return norm(typed) !== '' && norm(typed) === norm(name);
}
