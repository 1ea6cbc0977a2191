// A real urql Client over a fake exchange, for component tests: operations are
// answered by name from `responders` (data, or errors with `extensions.code`
// as berth sends them), subscriptions get what the test `emit`s, and every
// operation is recorded. Because the client is real, `useQuery`,
// `useMutation`, `client.query(...).toPromise()` and re-executions behave as in
// the app.
import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import { Suspense, type ReactNode } from 'react';
import { createMemoryRouter, RouterProvider, type RouteObject } from 'react-router';
import { Client, getOperationName, makeResult, Provider, type Exchange, type Operation } from 'urql';
import { filter, fromPromise, makeSubject, map, mergeMap, never, pipe, share, takeUntil } from 'wonka';

// Mantine's autosizing textarea listens to `document.fonts`, which jsdom lacks.
if (typeof document !== 'undefined' && !('fonts' in document)) {
  Object.defineProperty(document, 'fonts', { value: new EventTarget(), configurable: true });
}

/** An answer: data, or berth's errors. Undefined: no answer (still loading). */
export type Answer = { data: unknown } | { errors: { message: string; code: string; extensions?: Record<string, unknown> }[] } | undefined;

export type Responder = (variables: Record<string, unknown>) => Answer | Promise<Answer>;

export interface Call {
  name: string;
  kind: Operation['kind'];
  variables: Record<string, unknown>;
}

/** berth's error for an operation: `{ errors: [{ message, code }] }`. */
export function apiError(code: string, message = code.toLowerCase(), extensions: Record<string, unknown> = {}): Answer {
  return { errors: [{ message, code, extensions }] };
}

export function fakeUrql(responders: Record<string, Responder>) {
  const calls: Call[] = [];
  const events = makeSubject<{ name: string; data: unknown }>();

  const exchange: Exchange = () => (ops$) => {
    const shared = pipe(ops$, share);
    return pipe(
      shared,
      filter((op) => op.kind !== 'teardown'),
      mergeMap((op) => {
        const name = getOperationName(op.query) ?? '';
        const variables = (op.variables ?? {}) as Record<string, unknown>;
        calls.push({ name, kind: op.kind, variables });
        const teardown = pipe(
          shared,
          filter((o) => o.kind === 'teardown' && o.key === op.key),
        );
        if (op.kind === 'subscription') {
          return pipe(
            events.source,
            filter((event) => event.name === name),
            map((event) => makeResult(op, { data: event.data as Record<string, unknown> })),
            takeUntil(teardown),
          );
        }
        const responder = responders[name];
        if (!responder) return never;
        return pipe(
          fromPromise(Promise.resolve(responder(variables))),
          filter((answer): answer is NonNullable<Answer> => answer !== undefined),
          map((answer) =>
            'data' in answer
              ? makeResult(op, { data: answer.data as Record<string, unknown> })
              : makeResult(op, {
                  data: null,
                  errors: answer.errors.map((e) => ({ message: e.message, extensions: { code: e.code, ...e.extensions } })),
                }),
          ),
          takeUntil(teardown),
        );
      }),
    );
  };

  const client = new Client({ url: 'http://berth.test/graphql', exchanges: [exchange] });
  return {
    client,
    calls,
    /** The calls of one operation, oldest first. */
    callsOf: (name: string) => calls.filter((call) => call.name === name),
    /** Delivers a subscription event to subscribers of `name`. */
    emit: (name: string, data: unknown) => events.next({ name, data }),
  };
}

/** Renders `routes` at `path` (under /admin) with Mantine and the client. */
export function renderRoutes(client: Client, routes: RouteObject[], path: string) {
  const router = createMemoryRouter(routes, { basename: '/admin', initialEntries: [`/admin${path}`] });
  const view = render(
    <MantineProvider env="test">
      <Provider value={client}>
        <Suspense fallback={<p>Loading…</p>}>
          <RouterProvider router={router} />
        </Suspense>
      </Provider>
    </MantineProvider>,
  );
  return { router, ...view };
}

/** Renders one element with Mantine and the client (no router). */
export function renderWith(client: Client, ui: ReactNode) {
  return render(
    <MantineProvider env="test">
      <Provider value={client}>
        <Suspense fallback={<p>Loading…</p>}>{ui}</Suspense>
      </Provider>
    </MantineProvider>,
  );
}
