// Where sign-in sends the user afterwards. A protected page that finds no
// session sends the user to `/admin/sign-in?next=<that page>`; after signing in
// the app returns there. `next` comes from the address bar, so it is trusted
// only as a path inside the app: never another origin, never outside /admin/.

/** The app's path prefix, as the router's basename (`/admin`). */
export const appBasename = import.meta.env.BASE_URL.replace(/\/$/, '');

/** The sign-in route, inside the router (without the basename). */
export const signInRoute = '/sign-in';

/** What the sign-in page is told when the app sends the user there. */
export interface SignInState {
  /** The session ended while the app was using it. */
  expired?: boolean;
  /** The user just signed out. */
  signedOut?: boolean;
}

/** A location inside the router (its pathname lacks the basename). */
export interface RouterLocation {
  pathname: string;
  search: string;
  hash: string;
}

/**
 * The sign-in page that returns to `location` afterwards, as a router path
 * (`/sign-in?next=%2Fadmin%2Fboard`). From the sign-in page itself, no `next`.
 */
export function signInPath(location: RouterLocation, basename: string = appBasename): string {
  if (location.pathname === signInRoute) return signInRoute;
  const next = `${basename}${location.pathname}${location.search}${location.hash}`;
  if (next === `${basename}/`) return signInRoute;
  return `${signInRoute}?next=${encodeURIComponent(next)}`;
}

/**
 * The router path to go to after signing in, from the `next` parameter: only
 * a path under the app's own prefix on this origin counts; anything else (an
 * absolute URL, `//host`, a path outside the app, the sign-in page) gives the
 * home screen.
 */
export function safeNext(next: string | null, basename: string = appBasename): string {
  const home = '/';
  if (!next || !next.startsWith(`${basename}/`) || next.includes('\\')) return home;
  let url: URL;
  try {
    url = new URL(next, 'http://app.invalid');
  } catch {
    return home;
  }
  if (url.origin !== 'http://app.invalid' || !url.pathname.startsWith(`${basename}/`)) return home;
  const path = url.pathname.slice(basename.length);
  if (path === signInRoute || path.startsWith(`${signInRoute}/`)) return home;
  return `${path}${url.search}${url.hash}`;
}
