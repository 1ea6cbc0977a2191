// The tenant slug last used to sign in on this device, to fill the field in
// next time (a business's public short name; nothing personal).
const storageKey = 'berth.signIn.tenant';

export function lastTenantSlug(): string {
  try {
    return localStorage.getItem(storageKey) ?? '';
  } catch {
    return '';
  }
}

export function rememberTenantSlug(slug: string): void {
  try {
    localStorage.setItem(storageKey, slug);
  } catch {
    // Storage refused: the field starts empty next time.
  }
}
