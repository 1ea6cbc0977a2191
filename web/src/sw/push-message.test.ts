// The service worker's notification for each of berth's messages.
import { describe, expect, it } from 'vitest';
import { parsePayload, renderPush, targetUrl } from './push-message';

// As berth sends it (core/src/push.rs, Notification::to_json).
const created = {
  kind: 'reservation_created',
  tenant: 'alpine-cabins',
  title: 'New reservation',
  body: 'Birch Cabin, 12 Dec – 15 Dec 2026, 2 guests',
  reservation_id: '0193a1b2-0000-7000-8000-000000000001',
  url: '/reservations/0193a1b2-0000-7000-8000-000000000001',
  event_id: 'e-1',
  at: '2026-12-06T10:00:00Z',
};

describe('renderPush', () => {
  it('shows the message, titled in the user’s language, opening the reservation', () => {
    const en = renderPush(created, 'en-US');
    expect(en.title).toBe('New reservation');
    expect(en.options.body).toBe(created.body);
    expect(en.options.lang).toBe('en');
    expect(en.options.tag).toBe('alpine-cabins:0193a1b2-0000-7000-8000-000000000001');
    expect(en.options.timestamp).toBe(Date.parse('2026-12-06T10:00:00Z'));
    expect((en.options.data as { url: string }).url).toBe('/admin/reservations/0193a1b2-0000-7000-8000-000000000001');
    expect(en.options.icon).toBe('/admin/icons/icon-192.png');

    const es = renderPush({ ...created, kind: 'reservation_canceled' }, 'es');
    expect(es.title).toBe('Reserva cancelada');
    expect(es.options.lang).toBe('es');
    expect(renderPush({ ...created, kind: 'no_show' }, 'es-MX').title).toBe('No presentado');
    expect(renderPush({ ...created, kind: 'lock_conflict', url: '/units/u1' }, 'de').title).toBe('Lock conflict');
  });

  it('keeps the server’s title for a kind it does not know', () => {
    expect(renderPush({ ...created, kind: 'something_new', title: 'Something new' }, 'es').title).toBe('Something new');
  });

  it('still shows something for a push that is not berth’s message', () => {
    const shown = renderPush(parsePayload('not json'), 'es');
    expect(shown.title).toBe('berth');
    expect(shown.options.body).toBe('Algo ha cambiado. Abre berth para verlo.');
    expect((shown.options.data as { url: string }).url).toBe('/admin/');
    expect(parsePayload('[1]')).toBeNull();
    expect(parsePayload(JSON.stringify(created))).toEqual(created);
  });
});

describe('targetUrl', () => {
  it('opens pages of the app only', () => {
    expect(targetUrl('/reservations/r1')).toBe('/admin/reservations/r1');
    expect(targetUrl('//evil.example/x')).toBe('/admin/');
    expect(targetUrl('https://evil.example/')).toBe('/admin/');
    expect(targetUrl('/\\evil.example')).toBe('/admin/');
    expect(targetUrl(undefined)).toBe('/admin/');
  });
});
