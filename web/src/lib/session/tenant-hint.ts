// The tenant this device was last signed in to, kept in localStorage so that
// the shell can open offline (name, timezone, currency and locale for the
// header and formatting). It holds the business's public facts only: no user,
// no e-mail, no token. Cleared on sign-out and when the session ends.
import type { Tenant } from './session';

const storageKey = 'berth.tenant';

/** Remembers the tenant of a session that just started or was confirmed. */
export function rememberTenant(tenant: Tenant): void {
  try {
    localStorage.setItem(storageKey, JSON.stringify(tenant));
  } catch {
    // Storage refused (private mode): the shell will not open offline.
  }
}

/** Forgets it (signed out, session ended). */
export function forgetTenant(): void {
  try {
    localStorage.removeItem(storageKey);
  } catch {
    // Nothing was stored.
  }
}

/** The tenant this device was last signed in to, if any. */
export function lastTenant(): Tenant | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<Tenant> | null;
    const fields = ['slug', 'name', 'timezone', 'currency', 'locale', 'model'] as const;
    if (!value || fields.some((f) => typeof value[f] !== 'string')) return null;
    return value as Tenant;
  } catch {
    return null;
  }
}
