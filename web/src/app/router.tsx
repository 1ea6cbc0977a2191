// The router: /admin/sign-in outside the gate; every screen of routes.tsx
// inside it, in the layout. Screens load lazily; a screen that fails shows
// its error inside the layout, so the navigation stays usable.
import { Navigate, Outlet, type RouteObject } from 'react-router';
import { FullPageLoader } from '@/components/FullPageLoader';
import { RouteError } from '@/components/RouteError';
import { AppLayout } from './AppLayout';
import NotFoundPage from './NotFoundPage';
import { RequireRole } from './RequireRole';
import { RequireSession } from './RequireSession';
import { screens, type Screen } from './routes';

function screenRoute(screen: Screen): RouteObject {
  const { minRole } = screen;
  const lazy = async () => {
    const Page = (await screen.load()).default;
    if (!minRole) return { Component: Page };
    return {
      Component: () => (
        <RequireRole role={minRole}>
          <Page />
        </RequireRole>
      ),
    };
  };
  return screen.path === '' ? { index: true, lazy } : { path: screen.path, lazy };
}

/** The route tree for a list of screens. */
export function appRoutes(list: readonly Screen[] = screens): RouteObject[] {
  const hasHome = list.some((screen) => screen.path === '');
  return [
    {
      element: <Outlet />,
      errorElement: <RouteError />,
      HydrateFallback: FullPageLoader,
      children: [
        {
          path: 'sign-in',
          lazy: async () => ({ Component: (await import('@/features/auth/SignInPage')).default }),
        },
        {
          element: <RequireSession />,
          children: [
            {
              element: <AppLayout screens={list} />,
              children: [
                {
                  errorElement: <RouteError />,
                  children: [
                    ...list.map(screenRoute),
                    ...(hasHome ? [] : [{ index: true, element: <Navigate to="account" replace /> }]),
                    { path: '*', Component: NotFoundPage },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  ];
}
