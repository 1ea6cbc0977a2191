// The app's providers: Mantine (theme), notifications, the session (with its
// GraphQL client) and the router. i18next is initialised in lib/i18n.ts.
import { lazy, Suspense, useMemo } from 'react';
import { MantineProvider } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, RouterProvider } from 'react-router';
import '@/lib/i18n';
import { appBasename } from '@/lib/session/next';
import { SessionProvider } from '@/lib/session/session';
import { useLanguageFollowsSession } from './language';
import { appRoutes } from './router';
import './styles';
import { cssVariablesResolver, theme } from './theme';

// The notifications container loads after the first render: screens that
// call `notifications.show()` share its store, and the entry stays small.
const Notifications = lazy(() =>
  import('@mantine/notifications').then((m) => ({ default: m.Notifications })),
);

const router = createBrowserRouter(appRoutes(), { basename: appBasename });

// The router writes the home screen's address without its slash (`/admin?month=…`,
// its basename being `/admin`), which lies outside the service worker's scope
// (`/admin/`): an offline reload of it would not open the app. Keep the address
// bar on the canonical `/admin/…` form.
function canonicalHomeAddress() {
  const { pathname, search, hash } = window.location;
  if (pathname === appBasename) {
    window.history.replaceState(window.history.state, '', `${appBasename}/${search}${hash}`);
  }
}
canonicalHomeAddress();
router.subscribe(canonicalHomeAddress);

/**
 * Notices stand at the top right on a wide screen; on a phone they rise from
 * the bottom instead, where they cover neither the header nor a dialog's title.
 */
function AppNotifications() {
  const phone = useMediaQuery('(max-width: 48em)', undefined, { getInitialValueInEffect: false }) ?? false;
  return <Notifications position={phone ? 'bottom-center' : 'top-right'} />;
}

function LanguageFollowsSession() {
  useLanguageFollowsSession();
  return null;
}

/**
 * The theme, with every close button named in the current language (Mantine's
 * own have an icon only: a notification's, an alert's, a drawer's). A screen
 * may still name its own more precisely.
 */
function useLocalizedTheme() {
  const { t } = useTranslation();
  const close = t('close');
  return useMemo(
    () => ({
      ...theme,
      components: { ...theme.components, CloseButton: { defaultProps: { 'aria-label': close } } },
    }),
    [close],
  );
}

export function App() {
  return (
    <MantineProvider theme={useLocalizedTheme()} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Suspense fallback={null}>
        <AppNotifications />
      </Suspense>
      <SessionProvider>
        <LanguageFollowsSession />
        <RouterProvider router={router} />
      </SessionProvider>
    </MantineProvider>
  );
}
