import { CombinedError } from 'urql';
import { describe, expect, it } from 'vitest';
import { describeError, errorCodes, hasErrorCode, isUnreachable, problemKind } from './errors';

/** Echoes the key and options, so tests see which sentence was chosen. */
const t = (key: string, options?: Record<string, unknown>) =>
  options ? `${key} ${JSON.stringify(options)}` : key;

function graphqlError(message: string, extensions: Record<string, unknown>) {
  return new CombinedError({ graphQLErrors: [{ message, extensions }] });
}

describe('error codes', () => {
  it('reads extensions.code of every error', () => {
    const error = new CombinedError({
      graphQLErrors: [
        { message: 'a', extensions: { code: 'FORBIDDEN' } },
        { message: 'b', extensions: {} },
        { message: 'c', extensions: { code: 'NOT_FOUND' } },
      ],
    });
    expect(errorCodes(error)).toEqual(['FORBIDDEN', 'NOT_FOUND']);
    expect(hasErrorCode(error, 'NOT_FOUND')).toBe(true);
    expect(hasErrorCode(error, 'UNAUTHENTICATED')).toBe(false);
  });

  it('tells a network failure from an answer', () => {
    const failed = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(isUnreachable(failed)).toBe(true);
    expect(problemKind(failed)).toBe('NETWORK');

    const proxyDown = new CombinedError({ networkError: new Error('Bad Gateway'), response: { status: 502 } });
    expect(isUnreachable(proxyDown)).toBe(true);

    const refused = new CombinedError({ networkError: new Error('Forbidden'), response: { status: 403 } });
    expect(isUnreachable(refused)).toBe(false);
    expect(problemKind(refused)).toBe('UNKNOWN');

    expect(isUnreachable(graphqlError('x', { code: 'INTERNAL' }))).toBe(false);
    expect(isUnreachable(undefined)).toBe(false);
  });

  it('treats a code it does not know as UNKNOWN', () => {
    expect(problemKind(graphqlError('x', { code: 'SOMETHING_NEW' }))).toBe('UNKNOWN');
    expect(problemKind(graphqlError('x', {}))).toBe('UNKNOWN');
  });
});

describe('describeError', () => {
  it('gives one sentence per code, without the raw response', () => {
    const problem = describeError(graphqlError('internal error', { code: 'INTERNAL' }), t);
    expect(problem).toEqual({ kind: 'INTERNAL', message: 'errors.INTERNAL', details: [] });
  });

  it('lists a policy refusal’s violations as details', () => {
    const error = graphqlError('refused', {
      code: 'VALIDATION',
      violations: [
        { code: 'min_nights', message: 'At least 2 nights from Friday.' },
        { code: 'max_guests', message: 'At most 4 guests.' },
      ],
    });
    expect(describeError(error, t)).toEqual({
      kind: 'VALIDATION',
      message: 'errors.VALIDATION',
      details: ['At least 2 nights from Friday.', 'At most 4 guests.'],
    });
  });

  it('names the holder of a lock', () => {
    const error = graphqlError('locked', {
      code: 'LOCKED',
      holder: { displayName: 'Ana', lockId: 'l1', expiresAt: '2026-12-24T10:00:00Z' },
    });
    const problem = describeError(error, t);
    expect(problem.message).toBe('errors.LOCKED_BY {"holder":"Ana"}');
    expect(problem.holder).toBe('Ana');
  });

  it('says LOCKED without a name when the server gives none', () => {
    expect(describeError(graphqlError('locked', { code: 'LOCKED' }), t).message).toBe('errors.LOCKED');
  });

  it('keeps the server’s explanation of a conflict, and the reservation in the way', () => {
    const error = graphqlError('the period overlaps reservation r9', {
      code: 'UNAVAILABLE',
      reservationId: 'r9',
    });
    expect(describeError(error, t)).toEqual({
      kind: 'UNAVAILABLE',
      message: 'errors.UNAVAILABLE',
      details: ['the period overlaps reservation r9'],
      reservationId: 'r9',
    });
  });

  it('does not pass on the text of errors that explain nothing to a person', () => {
    const error = graphqlError('token signature invalid', { code: 'UNAUTHENTICATED' });
    expect(describeError(error, t).details).toEqual([]);
  });

  it('takes the caller’s own words for a kind', () => {
    const error = graphqlError('unauthenticated', { code: 'UNAUTHENTICATED' });
    expect(describeError(error, t, { UNAUTHENTICATED: 'Wrong password.' }).message).toBe('Wrong password.');
  });

  it('says the network failed when berth was not reached', () => {
    const error = new CombinedError({ networkError: new TypeError('Failed to fetch') });
    expect(describeError(error, t)).toEqual({ kind: 'NETWORK', message: 'errors.NETWORK', details: [] });
  });
});
