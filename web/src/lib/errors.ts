// API errors in words. berth puts a stable code in every error's
// `extensions.code` (DESIGN.md); the app switches on that code, never on the
// message text, and shows the user a sentence in their language, plus the
// details the server gives (a policy's violations, the server's explanation of
// a conflict), never the raw response.
import type { CombinedError } from 'urql';

/** The codes berth puts in `extensions.code`. */
export const apiErrorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'INVALID_INPUT',
  'VALIDATION',
  'UNAVAILABLE',
  'LOCKED',
  'CONFLICT',
  'POLICY_ERROR',
  'RATE_LIMITED',
  'INTERNAL',
] as const;

/** A code berth sends. */
export type ApiErrorCode = (typeof apiErrorCodes)[number];

/**
 * What went wrong: an API code, NETWORK (berth could not be reached) or
 * UNKNOWN (an answer without a code the app knows).
 */
export type ProblemKind = ApiErrorCode | 'NETWORK' | 'UNKNOWN';

/** An error as the user reads it. */
export interface Problem {
  kind: ProblemKind;
  /** One sentence in the UI language. */
  message: string;
  /** Further lines from the server: a policy's violations, an explanation. */
  details: string[];
  /** LOCKED: the display name of whoever holds the lock. */
  holder?: string;
  /** UNAVAILABLE: the reservation in the way, when the server names it. */
  reservationId?: string;
}

/** Translates a key of the `common` namespace (`errors.NETWORK`). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** Caller-specific sentences, e.g. sign-in's own words for UNAUTHENTICATED. */
export type ProblemWords = Partial<Record<ProblemKind, string>>;

function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === 'string' && (apiErrorCodes as readonly string[]).includes(code);
}

/** The `extensions.code` of every GraphQL error in the result. */
export function errorCodes(error: CombinedError): string[] {
  return error.graphQLErrors
    .map((e) => e.extensions.code)
    .filter((c): c is string => typeof c === 'string');
}

/** Whether any GraphQL error in the result carries `code`. */
export function hasErrorCode(error: CombinedError, code: ApiErrorCode): boolean {
  return errorCodes(error).includes(code);
}

/**
 * Whether the request never reached berth: the network failed, or a proxy in
 * front of berth answered that berth is down (502, 503, 504).
 */
export function isUnreachable(error: CombinedError | undefined): boolean {
  if (!error?.networkError || error.graphQLErrors.length > 0) return false;
  const status = (error.response as { status?: unknown } | undefined)?.status;
  return typeof status !== 'number' || status === 0 || [502, 503, 504].includes(status);
}

/** The kind of the first error in the result. */
export function problemKind(error: CombinedError): ProblemKind {
  const first = error.graphQLErrors[0];
  if (first) {
    const code = first.extensions.code;
    return isApiErrorCode(code) ? code : 'UNKNOWN';
  }
  return isUnreachable(error) ? 'NETWORK' : 'UNKNOWN';
}

/** Kinds whose server message explains the case to a person, shown as a detail. */
const explainedByServer: ReadonlySet<ProblemKind> = new Set<ProblemKind>([
  'NOT_FOUND',
  'INVALID_INPUT',
  'UNAVAILABLE',
  'CONFLICT',
  'POLICY_ERROR',
]);

interface ViolationLike {
  message?: unknown;
}

interface HolderLike {
  displayName?: unknown;
}

/** The error in words: one sentence for its kind, and the server's details. */
export function describeError(
  error: CombinedError,
  t: Translate,
  words: ProblemWords = {},
): Problem {
  const kind = problemKind(error);
  const first = error.graphQLErrors[0];
  const extensions = first?.extensions ?? {};
  const details: string[] = [];
  let holder: string | undefined;
  let reservationId: string | undefined;

  if (kind === 'VALIDATION' && Array.isArray(extensions.violations)) {
    for (const v of extensions.violations as ViolationLike[]) {
      if (typeof v.message === 'string' && v.message) details.push(v.message);
    }
  } else if (kind === 'LOCKED') {
    const name = (extensions.holder as HolderLike | undefined)?.displayName;
    if (typeof name === 'string' && name) holder = name;
  } else if (explainedByServer.has(kind) && first?.message) {
    details.push(first.message);
  }
  if (typeof extensions.reservationId === 'string') reservationId = extensions.reservationId;

  const message =
    words[kind] ??
    (kind === 'LOCKED' && holder
      ? t('errors.LOCKED_BY', { holder })
      : t(`errors.${kind}`));
  const problem: Problem = { kind, message, details };
  if (holder !== undefined) problem.holder = holder;
  if (reservationId !== undefined) problem.reservationId = reservationId;
  return problem;
}
