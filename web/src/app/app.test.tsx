// The shell end to end in jsdom, against a fake berth behind `fetch`: the
// gate sends a visitor to sign-in with `next`, sign-in returns there, an ended
// session goes back to sign-in with a notice, and sign-out leaves.
import { MantineProvider } from '@mantine/core';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { gql, useQuery, type TypedDocumentNode } from 'urql';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '@/lib/i18n';
import { SessionProvider } from '@/lib/session/session';
import { appRoutes } from './router';
import type { Screen } from './routes';
import { theme } from './theme';

// The shell's live notifications open a WebSocket; this fake berth has none.
const notifications = vi.hoisted(() => ({ forgotten: 0 }));
vi.mock('@/features/notifications', () => ({
  LiveNotifications: () => null,
  forgetThisDevice: () => {
    notifications.forgotten += 1;
    return Promise.resolve();
  },
}));

const viewer = {
  id: 'u1',
  email: 'admin@alpine-cabins.example.org',
  role: 'ADMIN',
  tenant: {
    slug: 'alpine-cabins',
    name: 'Alpine Cabins',
    timezone: 'Europe/Zurich',
    currency: 'CHF',
    locale: 'de-CH',
    model: 'nightly',
  },
};

const unauthenticated = {
  data: null,
  errors: [{ message: 'unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }],
};

/** A fake berth: one password, a session flag standing for the cookie. */
function fakeBerth() {
  const berth = { session: false, calls: [] as string[] };
  const answer = (body: unknown) =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        headers: { 'Content-Type': 'application/graphql-response+json' },
      }),
    );
  vi.stubGlobal(
    'fetch',
    vi.fn((_url: string, init: RequestInit) => {
      const request = JSON.parse(init.body as string) as {
        operationName: string;
        variables: Record<string, string>;
      };
      berth.calls.push(request.operationName);
      switch (request.operationName) {
        case 'SignIn':
          if (request.variables.password !== 'right') return answer(unauthenticated);
          berth.session = true;
          return answer({ data: { signIn: { expiresAt: '2026-12-25T00:00:00Z', user: viewer } } });
        case 'SignOut':
          berth.session = false;
          return answer({ data: { signOut: true } });
        default:
          return answer(berth.session ? { data: { me: viewer } } : unauthenticated);
      }
    }),
  );
  return berth;
}

const BoardQuery: TypedDocumentNode<{ me: { id: string } }> = gql`
  query BoardTest {
    me {
      id
    }
  }
`;

function BoardScreen() {
  const [{ data }] = useQuery({ query: BoardQuery, requestPolicy: 'network-only' });
  return (
    <>
      <h1>Board screen</h1>
      <p>{data ? 'loaded' : 'loading'}</p>
    </>
  );
}

const testScreens: Screen[] = [
  { path: 'board', nav: 'board', load: () => Promise.resolve({ default: BoardScreen }) },
  { path: 'account', load: () => import('@/features/account/AccountPage') },
  {
    path: 'owners',
    nav: 'settings',
    minRole: 'OWNER',
    load: () => Promise.resolve({ default: () => <h1>Owners only</h1> }),
  },
];

function renderApp(path: string) {
  const router = createMemoryRouter(appRoutes(testScreens), {
    basename: '/admin',
    initialEntries: [path],
  });
  render(
    <MantineProvider theme={theme}>
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>
    </MantineProvider>,
  );
  return router;
}

async function signIn(password: string) {
  const user = userEvent.setup();
  await user.clear(await screen.findByLabelText(/^Tenant/));
  await user.type(screen.getByLabelText(/^Tenant/), 'alpine-cabins');
  await user.type(screen.getByLabelText(/^Email/), 'admin@alpine-cabins.example.org');
  await user.type(screen.getByLabelText(/^Password/), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

beforeEach(async () => {
  await i18n.changeLanguage('en');
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the shell', () => {
  it('sends a visitor to sign-in, and back to the page asked for after signing in', async () => {
    const berth = fakeBerth();
    const router = renderApp('/admin/board?from=2026-12-01');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/admin/sign-in');
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe('/admin/board?from=2026-12-01');

    await signIn('right');

    expect(await screen.findByRole('heading', { name: 'Board screen' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/admin/board');
    expect(router.state.location.search).toBe('?from=2026-12-01');
    expect(berth.calls).toContain('SignIn');
    // The shell: the navigation shows the screens that exist, and who is signed in.
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Board' })).toHaveAttribute('aria-current', 'page');
    expect(within(nav).queryByRole('link', { name: 'Calendar' })).toBeNull();
    expect(within(nav).getByText('admin@alpine-cabins.example.org')).toBeInTheDocument();
  });

  it('shows a wrong password in words under the form, and stays', async () => {
    fakeBerth();
    const router = renderApp('/admin/sign-in');
    await signIn('wrong');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The tenant, e-mail or password is not right.');
    expect(alert.textContent).not.toMatch(/[{}]|UNAUTHENTICATED/);
    expect(screen.getByLabelText(/^Password/)).toHaveValue('');
    expect(router.state.location.pathname).toBe('/admin/sign-in');
  });

  it('asks for what is missing beside each field, without calling berth', async () => {
    const berth = fakeBerth();
    renderApp('/admin/sign-in');
    const user = userEvent.setup();
    await user.clear(await screen.findByLabelText(/^Tenant/));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText("Enter your business's short name.")).toBeInTheDocument();
    expect(screen.getByText('Enter your e-mail address.')).toBeInTheDocument();
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Tenant/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText(/^Tenant/)).toHaveFocus();
    expect(berth.calls).not.toContain('SignIn');
  });

  it('returns to sign-in, with a notice and `next`, when the session ends', async () => {
    const berth = fakeBerth();
    berth.session = true;
    const router = renderApp('/admin/account');
    expect(await screen.findByRole('heading', { name: 'Account' })).toBeInTheDocument();

    berth.session = false; // The cookie expires.
    await router.navigate('/board');

    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/admin/sign-in');
    expect(new URLSearchParams(router.state.location.search).get('next')).toBe('/admin/board');
  });

  it('leaves out the link to a screen above the role, and says so at its address', async () => {
    const berth = fakeBerth();
    berth.session = true;
    renderApp('/admin/owners');
    expect(await screen.findByRole('heading', { name: 'Not for your role' })).toBeInTheDocument();
    expect(screen.getByText(/for users with the Owner role or above/)).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Owners only' })).toBeNull();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Board' })).toBeInTheDocument();
    expect(within(nav).queryByRole('link', { name: 'Settings' })).toBeNull();
  });

  it('signs out to the sign-in page', async () => {
    const berth = fakeBerth();
    berth.session = true;
    const router = renderApp('/admin/');
    // With no home screen, /admin/ opens the account page.
    expect(await screen.findByRole('heading', { name: 'Account' })).toBeInTheDocument();
    const forgottenBefore = notifications.forgotten;
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByText('You have signed out.')).toBeInTheDocument();
    // This device's push subscription was dropped first.
    expect(notifications.forgotten).toBe(forgottenBefore + 1);
    await waitFor(() => expect(router.state.location.pathname).toBe('/admin/sign-in'));
    expect(router.state.location.search).toBe('');
    expect(berth.session).toBe(false);
  });

  it('opens the shell offline for the last tenant, with the banner', async () => {
    localStorage.setItem('berth.tenant', JSON.stringify(viewer.tenant));
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    renderApp('/admin/account');
    expect(await screen.findByRole('heading', { name: 'Account' })).toBeInTheDocument();
    expect(screen.getByTestId('offline-banner')).toHaveTextContent('berth cannot be reached');
    expect(screen.getByRole('heading', { name: 'Alpine Cabins' })).toBeInTheDocument();
  });
});
