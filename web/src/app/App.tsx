// The app's providers: Mantine (theme), notifications, the session (with its
// GraphQL client) and the router. i18next is initialised in lib/i18n.ts.
import { lazy, Suspense } from 'react';
import { MantineProvider } from '@mantine/core';
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

function LanguageFollowsSession() {
  useLanguageFollowsSession();
  return null;
}

export function App() {
  return (
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="light">
      <Suspense fallback={null}>
        <Notifications position="top-right" />
      </Suspense>
      <SessionProvider>
        <LanguageFollowsSession />
        <RouterProvider router={router} />
      </SessionProvider>
    </MantineProvider>
  );
}
