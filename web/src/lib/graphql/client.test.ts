import { gql } from 'urql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignInDocument, ViewerDocument } from '@/gql/graphql';
import { createGraphqlClient, webSocketUrl } from './client';

/** Any screen's query: not a session operation. */
const tag = {
  Board: gql`
    query Board {
      me {
        id
      }
    }
  `,
};

function respond(body: unknown, status = 200) {
  return vi.fn(() =>
    Promise.resolve(
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/graphql-response+json' },
      }),
    ),
  );
}

const unauthenticated = {
  data: null,
  errors: [{ message: 'unauthenticated', extensions: { code: 'UNAUTHENTICATED' } }],
};

function setup() {
  const events = { onUnauthenticated: vi.fn(), onReachability: vi.fn() };
  const graphql = createGraphqlClient(events);
  return { client: graphql.client, events };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('webSocketUrl', () => {
  it('uses the page’s origin, wss under https', () => {
    expect(webSocketUrl({ protocol: 'https:', host: 'berth.example:8443' })).toBe('wss://berth.example:8443/graphql/ws');
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/graphql/ws');
  });
});

describe('the GraphQL client', () => {
  it('posts to /graphql on this origin, cookie included, no token', async () => {
    const fetch = respond({ data: { me: null } });
    vi.stubGlobal('fetch', fetch);
    const { client } = setup();
    await client.query(tag.Board, {}).toPromise();
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/graphql');
    expect(init.method).toBe('POST');
    expect(init.credentials).toBe('same-origin');
    expect(JSON.stringify(init.headers)).not.toMatch(/authorization/i);
  });

  it('reports an ended session on UNAUTHENTICATED', async () => {
    vi.stubGlobal('fetch', respond(unauthenticated));
    const { client, events } = setup();
    const result = await client.query(tag.Board, {}).toPromise();
    expect(result.error?.graphQLErrors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    expect(events.onUnauthenticated).toHaveBeenCalledTimes(1);
    expect(events.onReachability).toHaveBeenLastCalledWith(true);
  });

  it('does not treat a refused sign-in, or the session check, as an ended session', async () => {
    vi.stubGlobal('fetch', respond(unauthenticated));
    const { client, events } = setup();
    await client.mutation(SignInDocument, { tenant: 't', email: 'e', password: 'p' }).toPromise();
    await client.query(ViewerDocument, {}).toPromise();
    expect(events.onUnauthenticated).not.toHaveBeenCalled();
  });

  it('reports berth unreachable when the request fails, and reachable again after', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    const { client, events } = setup();
    const failed = await client.query(tag.Board, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(failed.error?.networkError).toBeDefined();
    expect(events.onReachability).toHaveBeenLastCalledWith(false);
    expect(events.onUnauthenticated).not.toHaveBeenCalled();

    vi.stubGlobal('fetch', respond({ data: { me: null } }));
    await client.query(tag.Board, {}, { requestPolicy: 'network-only' }).toPromise();
    expect(events.onReachability).toHaveBeenLastCalledWith(true);
  });
});
