// Roles in the settings screens: what the viewer may grant (at most their
// own role, as the API enforces) and whom they may change.
import type { Role } from '@/gql/graphql';
import { roleAtLeast } from '@/lib/session/roles';

/** Every role, the most powerful first. */
export const allRoles: readonly Role[] = ['OWNER', 'ADMIN', 'STAFF', 'VIEWER'];

/** The roles `viewer` may give a user or a key: their own and below. */
export function grantableRoles(viewer: Role | null | undefined): Role[] {
  return allRoles.filter((role) => roleAtLeast(viewer, role));
}

/** Whether `viewer` may change a user with `target`'s role. */
export function mayManage(viewer: Role | null | undefined, target: Role): boolean {
  return roleAtLeast(viewer, target);
}

/** A first password for a new user: 16 characters from a readable alphabet. */
export function generatePassword(length = 16, random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = random(new Uint8Array(length));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

/** The least length of a password the API accepts. */
export const minPasswordLength = 10;
