import { describe, expect, it } from 'vitest';
import { safeNext, signInPath } from './next';

const at = (pathname: string, search = '', hash = '') => ({ pathname, search, hash });

describe('signInPath', () => {
  it('sends the user to sign-in with the full page they asked for', () => {
    expect(signInPath(at('/board', '?from=2026-12-01', '#u3'), '/admin')).toBe(
      '/sign-in?next=%2Fadmin%2Fboard%3Ffrom%3D2026-12-01%23u3',
    );
    expect(signInPath(at('/reservations/r1'), '/admin')).toBe('/sign-in?next=%2Fadmin%2Freservations%2Fr1');
  });
  it('adds no next for the home screen or from the sign-in page itself', () => {
    expect(signInPath(at('/'), '/admin')).toBe('/sign-in');
    expect(signInPath(at('/sign-in', '?next=x'), '/admin')).toBe('/sign-in');
  });
});

describe('safeNext', () => {
  it('returns to a page of the app', () => {
    expect(safeNext('/admin/board?from=2026-12-01#u3', '/admin')).toBe('/board?from=2026-12-01#u3');
    expect(safeNext('/admin/', '/admin')).toBe('/');
  });
  it('round-trips what signInPath wrote', () => {
    const path = signInPath(at('/reservations', '?state=HELD'), '/admin');
    const next = new URLSearchParams(path.split('?')[1]).get('next');
    expect(safeNext(next, '/admin')).toBe('/reservations?state=HELD');
  });
  it('never leaves the app or the origin', () => {
    for (const next of [
      null,
      '',
      'https://evil.example/admin/board',
      '//evil.example/admin/board',
      '/\\evil.example',
      '/admin\\..\\graphql',
      '/graphql',
      '/admin',
      '/administrator/x',
      '/admin/../graphql',
      '/admin/%2e%2e/graphql',
      'javascript:alert(1)',
      'admin/board',
    ]) {
      expect(safeNext(next, '/admin'), String(next)).toBe('/');
    }
  });
  it('does not return to the sign-in page', () => {
    expect(safeNext('/admin/sign-in?next=%2Fadmin%2Fboard', '/admin')).toBe('/');
  });
});
