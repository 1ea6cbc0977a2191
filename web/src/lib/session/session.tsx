// The browser session as the app sees it. The session itself is an HttpOnly
// cookie the app cannot read; the app learns who is signed in by asking `me`,
// and learns that the session ended when any request answers UNAUTHENTICATED.
//
// The provider also owns the GraphQL client (one per session: see
// lib/graphql/client.ts) and whether berth answered the last request, which
// the offline banner shows.
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import { Provider as UrqlProvider, type Client } from 'urql';
import { ViewerDocument, type ViewerFieldsFragment } from '@/gql/graphql';
import { hasErrorCode } from '@/lib/errors';
import { createGraphqlClient, type ClientEvents } from '@/lib/graphql/client';
import { forgetTenant, lastTenant, rememberTenant } from './tenant-hint';

/** The signed-in user and their tenant. */
export type Viewer = ViewerFieldsFragment;

/** The tenant facts the app uses: name, timezone, currency, locale, model. */
export type Tenant = Viewer['tenant'];

/** Why there is no session. */
export type SignedOutReason =
  /** Never signed in on this device (or signed out long ago). */
  | 'anonymous'
  /** The session ended (expired, revoked) while the app was using it. */
  | 'expired'
  /** The user signed out. */
  | 'signed-out';

/** What the app knows about the session. */
export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-in'; viewer: Viewer }
  | { status: 'signed-out'; reason: SignedOutReason }
  /**
   * berth cannot be reached, and this device was signed in to `tenant` last:
   * the shell opens (offline), and the session is checked again when the
   * connection returns.
   */
  | { status: 'offline'; tenant: Tenant };

export interface Session {
  state: SessionState;
  /** Whether berth answered the last request (false: the network or berth is down). */
  reachable: boolean;
  /** Sign-in succeeded: the server has set the cookie. */
  signedIn: (viewer: Viewer) => void;
  /** Sign-out succeeded: the server has cleared the cookie. */
  signedOut: () => void;
  /** Ask berth again who is signed in (after the connection returns). */
  recheck: () => void;
}

const SessionContext = createContext<Session | null>(null);

/** How often the session is checked again while berth cannot be reached. */
const offlineRecheckMs = 15_000;

/** What asking `me` told. */
export type CheckResult =
  | { kind: 'viewer'; viewer: Viewer }
  | { kind: 'unauthenticated' }
  /** No answer: berth could not be reached, or failed. */
  | { kind: 'unreachable' };

/**
 * The session state after asking `me`, from the state before and the tenant
 * this device last signed in to.
 */
export function nextSessionState(
  before: SessionState,
  result: CheckResult,
  lastTenantHere: Tenant | null,
): SessionState {
  switch (result.kind) {
    case 'viewer':
      return before.status === 'signed-in' && sameViewer(before.viewer, result.viewer)
        ? before
        : { status: 'signed-in', viewer: result.viewer };
    case 'unauthenticated': {
      if (before.status === 'signed-out') return before;
      const hadSession =
        before.status === 'signed-in' || before.status === 'offline' || lastTenantHere !== null;
      return { status: 'signed-out', reason: hadSession ? 'expired' : 'anonymous' };
    }
    case 'unreachable':
      // Keep what is known; otherwise open the shell offline for the tenant
      // this device last signed in to, or sign-in when there is none.
      if (before.status !== 'loading') return before;
      return lastTenantHere
        ? { status: 'offline', tenant: lastTenantHere }
        : { status: 'signed-out', reason: 'anonymous' };
  }
}

async function askViewer(client: Client): Promise<CheckResult> {
  const result = await client.query(ViewerDocument, {}, { requestPolicy: 'network-only' }).toPromise();
  if (result.data) return { kind: 'viewer', viewer: result.data.me };
  if (result.error && hasErrorCode(result.error, 'UNAUTHENTICATED')) return { kind: 'unauthenticated' };
  return { kind: 'unreachable' };
}

function sameViewer(a: Viewer, b: Viewer): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Provides the session and the GraphQL client of the session. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [reachable, setReachable] = useState(true);
  // Bumped when the session changes hands: a new client, with an empty cache
  // and a WebSocket that connects with the new cookie.
  const [epoch, setEpoch] = useState(0);
  const [checks, setChecks] = useState(0);

  const [events] = useState<ClientEvents>(() => ({
    onUnauthenticated() {
      forgetTenant();
      setState((before) =>
        before.status === 'signed-out' ? before : { status: 'signed-out', reason: 'expired' },
      );
      setEpoch((e) => e + 1);
    },
    onReachability: setReachable,
  }));

  // `epoch` is what makes a new client: it is deliberately a dependency that
  // the factory does not read.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const graphql = useMemo(() => createGraphqlClient(events), [events, epoch]);
  useEffect(() => () => graphql.dispose(), [graphql]);

  useEffect(() => {
    let current = true;
    void askViewer(graphql.client).then((result) => {
      if (!current) return;
      const tenantHere = lastTenant();
      if (result.kind === 'viewer') rememberTenant(result.viewer.tenant);
      if (result.kind === 'unauthenticated') forgetTenant();
      setState((before) => nextSessionState(before, result, tenantHere));
    });
    return () => {
      current = false;
    };
  }, [graphql, checks]);

  const recheck = useCallback(() => setChecks((c) => c + 1), []);

  // Check again when the browser says the network is back, and every so
  // often while berth cannot be reached.
  useEffect(() => {
    window.addEventListener('online', recheck);
    return () => window.removeEventListener('online', recheck);
  }, [recheck]);
  const offline = state.status === 'offline' || !reachable;
  useEffect(() => {
    if (!offline) return;
    const timer = window.setInterval(recheck, offlineRecheckMs);
    return () => window.clearInterval(timer);
  }, [offline, recheck]);

  const signedIn = useCallback((viewer: Viewer) => {
    rememberTenant(viewer.tenant);
    setReachable(true);
    setState({ status: 'signed-in', viewer });
    setEpoch((e) => e + 1);
  }, []);

  const signedOut = useCallback(() => {
    forgetTenant();
    setState({ status: 'signed-out', reason: 'signed-out' });
    setEpoch((e) => e + 1);
  }, []);

  const session = useMemo<Session>(
    () => ({ state, reachable, signedIn, signedOut, recheck }),
    [state, reachable, signedIn, signedOut, recheck],
  );

  return (
    <SessionContext.Provider value={session}>
      <UrqlProvider value={graphql.client}>{children}</UrqlProvider>
    </SessionContext.Provider>
  );
}

/** The session. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user, or null (offline: berth could not say who). */
export function useViewer(): Viewer | null {
  const { state } = useSession();
  return state.status === 'signed-in' ? state.viewer : null;
}

/**
 * The tenant of the session. Only inside the signed-in part of the app, where
 * it is always known (from `me`, or offline from this device's last session).
 */
export function useTenant(): Tenant {
  const { state } = useSession();
  if (state.status === 'signed-in') return state.viewer.tenant;
  if (state.status === 'offline') return state.tenant;
  throw new Error('useTenant outside the signed-in part of the app');
}
