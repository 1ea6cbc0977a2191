// Keeps the UI language in step with the session: the user's choice on this
// device wins; otherwise the tenant's language once signed in (when the app
// speaks it); otherwise English, e.g. on the sign-in page.
import { useEffect } from 'react';
import { chosenLanguage, i18n, preferredLanguage } from '@/lib/i18n';
import { useSession } from '@/lib/session/session';

export function useLanguageFollowsSession(): void {
  const { state } = useSession();
  const tenantLocale =
    state.status === 'signed-in'
      ? state.viewer.tenant.locale
      : state.status === 'offline'
        ? state.tenant.locale
        : undefined;
  useEffect(() => {
    const language = preferredLanguage(chosenLanguage(), tenantLocale);
    if (i18n.resolvedLanguage !== language) void i18n.changeLanguage(language);
  }, [tenantLocale]);
}
