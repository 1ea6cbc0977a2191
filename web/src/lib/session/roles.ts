// Roles in order of power (owner > admin > staff > viewer), as the API ranks
// them: what the navigation shows and what a screen offers follow this; the
// API enforces it regardless.
import type { Role } from '@/gql/graphql';

const rank: Record<Role, number> = { VIEWER: 0, STAFF: 1, ADMIN: 2, OWNER: 3 };

/** Whether `role` may do what `needed` may (a missing role may not). */
export function roleAtLeast(role: Role | null | undefined, needed: Role): boolean {
  return role != null && rank[role] >= rank[needed];
}
