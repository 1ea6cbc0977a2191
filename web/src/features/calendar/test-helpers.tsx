// For the calendar's component tests: a fake urql client (answers made with
// wonka's `fromValue`, no network; subscriptions that never emit unless told),
// the fixtures of a nightly and a timeslot tenant, and a render of the screen
// inside the router, Mantine and urql's Provider.
import { MantineProvider } from '@mantine/core';
import { render } from '@testing-library/react';
import { Suspense } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { CombinedError, getOperationName, Provider, type Client, type GraphQLRequest, type OperationResult } from 'urql';
import { concat, fromValue, makeSubject, never, type Source } from 'wonka';
import { vi } from 'vitest';
import type { CalendarDayQuery, CalendarMonthQuery } from '@/gql/graphql';
import type { Tenant } from '@/lib/session/session';
import CalendarPage from './CalendarPage';

export const nightlyTenant: Tenant = {
  slug: 'alpine-cabins',
  name: 'Alpine Cabins',
  timezone: 'Europe/Zurich',
  currency: 'CHF',
  locale: 'de-CH',
  model: 'nightly',
};

export const timeslotTenant: Tenant = {
  slug: 'summit-tours',
  name: 'Summit Tours',
  timezone: 'America/Denver',
  currency: 'USD',
  locale: 'en-US',
  model: 'timeslot',
};

type Month = CalendarMonthQuery['occupancy'];
type Day = CalendarDayQuery['day'];

/** A month's occupancy: every date empty out of `capacity`, except those given. */
export function monthOccupancy(
  month: string,
  overrides: Record<string, { occupied: number; capacity: number; ratio: number | null }> = {},
  capacity = 5,
): Month {
  const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate();
  const days = Array.from({ length: last }, (_, i) => {
    const date = `${month}-${String(i + 1).padStart(2, '0')}`;
    return { date, occupied: 0, capacity, ratio: 0, ...overrides[date] };
  });
  return { from: `${month}-01`, to: `${month}-${last}`, measure: 'NIGHTS', days };
}

/** What the fake berth answers; undefined: no answer (still loading). */
export interface FakeAnswers {
  month?: (from: string) => { data?: { occupancy: Month }; error?: CombinedError } | undefined;
  day?: (date: string) => { data?: { day: Day }; error?: CombinedError } | undefined;
}

/** An API error as berth sends it (`extensions.code`). */
export function apiError(code: string, message = code.toLowerCase()): CombinedError {
  return new CombinedError({ graphQLErrors: [{ message, extensions: { code } }] });
}

/** A fake client: queries answered from `answers`, subscriptions from `events`. */
export function fakeClient(answers: FakeAnswers) {
  const events = makeSubject<OperationResult>();
  const calls: { operation: string; variables: Record<string, unknown> }[] = [];
  const executeQuery = vi.fn((request: GraphQLRequest): Source<Partial<OperationResult>> => {
    const operation = getOperationName(request.query) ?? '';
    const variables = (request.variables ?? {}) as Record<string, string>;
    calls.push({ operation, variables });
    const answer =
      operation === 'CalendarMonth'
        ? answers.month?.(variables.from ?? '')
        : operation === 'CalendarDay'
          ? answers.day?.(variables.date ?? '')
          : undefined;
    if (!answer) return never;
    // One answer, then open like a real client's query (whose end would
    // clear an error from urql's state).
    return concat([fromValue({ data: answer.data, error: answer.error, stale: false, hasNext: false }), never]);
  });
  const client = {
    executeQuery,
    executeSubscription: vi.fn(() => events.source),
    executeMutation: vi.fn(() => never),
  } as unknown as Client;
  return { client, calls, events };
}

/** Renders the calendar at `/admin/<search>` with a fake client. */
export function renderCalendar(client: Client, search = '') {
  const router = createMemoryRouter(
    [
      { path: '/', Component: CalendarPage },
      { path: '/reservations/:id', element: <h1>Reservation screen</h1> },
    ],
    { basename: '/admin', initialEntries: [`/admin/${search}`] },
  );
  const view = render(
    <MantineProvider>
      <Provider value={client}>
        <Suspense fallback={<p>Loading…</p>}>
          <RouterProvider router={router} />
        </Suspense>
      </Provider>
    </MantineProvider>,
  );
  return { router, ...view };
}
