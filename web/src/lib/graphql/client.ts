// The app's one GraphQL client: queries and mutations over HTTP POST to
// /graphql, subscriptions over graphql-ws (graphql-transport-ws) at
// /graphql/ws. Both are same-origin, so the browser sends the HttpOnly
// session cookie and the app never handles a token.
// 
// A new client is made for every session (sign-in, sign-out, expiry): its
// cache then never shows one user's data to the next, and the WebSocket, which
// is authenticated once when it connects, is opened again with the new cookie.
import { Client, cacheExchange, fetchExchange, getOperationName, mapExchange, subscriptionExchange } from 'urql';
import type { CombinedError, Operation } from 'urql';
import type { Client as WsClient } from 'graphql-ws';
import { hasErrorCode, isUnreachable } from '@/lib/errors';

/** What the client reports to the app about the API. */
export interface ClientEvents {
  /**
   * The server said the session is missing or has ended (UNAUTHENTICATED) for
   * an operation that needs one. Not called for the session's own operations:
   * sign-in (there UNAUTHENTICATED means wrong credentials), sign-out, and the
   * `me` check, whose answers the session handles itself.
   */
  onUnauthenticated(): void;
  /** Whether the last request reached berth (false: network down, berth down). */
  onReachability(reachable: boolean): void;
}

/** A client and the means to close its WebSocket. */
export interface GraphqlClient {
  client: Client;
  dispose(): void;
}

/** The session's own operations, whose UNAUTHENTICATED answer it handles itself. */
const sessionOperations = new Set(['SignIn', 'SignOut', 'Viewer']);

/** The WebSocket URL of /graphql/ws on this page's origin. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/graphql/ws`;
}

/**
 * Whether this error means the session is gone: UNAUTHENTICATED on an
 * operation other than the session's own.
 */
export function isSessionExpiry(operation: Operation, error: CombinedError): boolean {
  const name = getOperationName(operation.query);
  if (name && sessionOperations.has(name)) return false;
  return hasErrorCode(error, 'UNAUTHENTICATED');
}

/** Makes the client for one session. */
export function createGraphqlClient(events: ClientEvents): GraphqlClient {
  // graphql-ws is loaded, and the socket opened, when the first subscription
  // starts (most screens have none); the socket closes when the last ends.
  let ws: Promise<WsClient> | null = null;
  const connect = () =>
    (ws ??= import('graphql-ws').then(({ createClient }) =>
      createClient({
        url: webSocketUrl(window.location),
        lazy: true,
        retryAttempts: Infinity,
        shouldRetry: () => true,
      }),
    ));
  const client = new Client({
    url: '/graphql',
    // The cookie goes with same-origin requests only; never elsewhere.
    fetchOptions: { credentials: 'same-origin' },
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      mapExchange({
        onResult(result) {
          events.onReachability(!isUnreachable(result.error));
          if (result.error && isSessionExpiry(result.operation, result.error)) {
            events.onUnauthenticated();
          }
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              let stop: (() => void) | null = null;
              let stopped = false;
              connect().then(
                (socket) => {
                  if (!stopped) stop = socket.subscribe(input, sink);
                },
                (error: unknown) => sink.error(error),
              );
              return {
                unsubscribe() {
                  stopped = true;
                  stop?.();
                },
              };
            },
          };
        },
      }),
    ],
  });
  return {
    client,
    dispose() {
      const closing = ws;
      ws = null;
      void closing?.then((socket) => socket.dispose());
    },
  };
}
