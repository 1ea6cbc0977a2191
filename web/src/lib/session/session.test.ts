import { describe, expect, it } from 'vitest';
import { nextSessionState, type SessionState, type Tenant, type Viewer } from './session';

const tenant: Tenant = {
  slug: 'alpine-cabins',
  name: 'Alpine Cabins',
  timezone: 'Europe/Zurich',
  currency: 'CHF',
  locale: 'de-CH',
  model: 'nightly',
};
const viewer: Viewer = { id: 'u1', email: 'admin@alpine-cabins.example.org', role: 'ADMIN', tenant };

const loading: SessionState = { status: 'loading' };
const signedIn: SessionState = { status: 'signed-in', viewer };
const offline: SessionState = { status: 'offline', tenant };

describe('nextSessionState', () => {
  it('signs in whoever `me` names, keeping the same object when nothing changed', () => {
    expect(nextSessionState(loading, { kind: 'viewer', viewer }, null)).toEqual(signedIn);
    expect(nextSessionState(signedIn, { kind: 'viewer', viewer: { ...viewer } }, tenant)).toBe(signedIn);
    const other = { ...viewer, id: 'u2', email: 'b@x.example' };
    expect(nextSessionState(signedIn, { kind: 'viewer', viewer: other }, tenant)).toEqual({
      status: 'signed-in',
      viewer: other,
    });
    expect(nextSessionState(offline, { kind: 'viewer', viewer }, tenant)).toEqual(signedIn);
  });

  it('a first visit without a session is anonymous: sign-in without a notice', () => {
    expect(nextSessionState(loading, { kind: 'unauthenticated' }, null)).toEqual({
      status: 'signed-out',
      reason: 'anonymous',
    });
  });

  it('a session that ends is "expired": sign-in says so and returns to the page', () => {
    const expired = { status: 'signed-out', reason: 'expired' };
    expect(nextSessionState(signedIn, { kind: 'unauthenticated' }, tenant)).toEqual(expired);
    expect(nextSessionState(offline, { kind: 'unauthenticated' }, tenant)).toEqual(expired);
    // Opening the app after the cookie expired, on a device that was signed in.
    expect(nextSessionState(loading, { kind: 'unauthenticated' }, tenant)).toEqual(expired);
  });

  it('keeps a signed-out reason once decided', () => {
    const signedOut: SessionState = { status: 'signed-out', reason: 'signed-out' };
    expect(nextSessionState(signedOut, { kind: 'unauthenticated' }, null)).toBe(signedOut);
    expect(nextSessionState(signedOut, { kind: 'unreachable' }, null)).toBe(signedOut);
  });

  it('opens the shell offline for the last tenant when berth cannot be reached', () => {
    expect(nextSessionState(loading, { kind: 'unreachable' }, tenant)).toEqual(offline);
  });

  it('without a last tenant, an unreachable berth means sign-in', () => {
    expect(nextSessionState(loading, { kind: 'unreachable' }, null)).toEqual({
      status: 'signed-out',
      reason: 'anonymous',
    });
  });

  it('a failed re-check keeps a known session', () => {
    expect(nextSessionState(signedIn, { kind: 'unreachable' }, tenant)).toBe(signedIn);
    expect(nextSessionState(offline, { kind: 'unreachable' }, tenant)).toBe(offline);
  });
});
