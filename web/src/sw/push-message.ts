// What the service worker shows for a push: berth's message (server/src/push,
// core/src/push.rs `Notification`: kind, tenant, title, body, reservation_id,
// lock_id, url relative to the admin root, event_id, at) as a notification in
// the user's language. The title follows the kind; the body is the server's
// (unit, period, guests: it comes composed, in English). Used by src/sw.ts and
// its tests: no DOM, no React, no i18next (the worker is a bundle of its own),
// so its few words live here, both languages checked by the type below.

/** The kinds berth sends. */
export const pushKinds = ['reservation_created', 'reservation_changed', 'reservation_canceled', 'no_show', 'lock_conflict'] as const;
export type PushKind = (typeof pushKinds)[number];

/** berth's push message, as far as the worker reads it. */
export interface PushPayload {
  kind?: string;
  tenant?: string;
  title?: string;
  body?: string;
  reservation_id?: string;
  lock_id?: string;
  url?: string;
  event_id?: string;
  at?: string;
}

/** What `showNotification(title, options)` is given. */
export interface ShownNotification {
  title: string;
  options: NotificationOptions & { timestamp?: number; renotify?: boolean };
}

interface Words {
  kinds: Record<PushKind, string>;
  fallbackTitle: string;
  fallbackBody: string;
}

const en: Words = {
  kinds: {
    reservation_created: 'New reservation',
    reservation_changed: 'Reservation changed',
    reservation_canceled: 'Reservation canceled',
    no_show: 'No-show',
    lock_conflict: 'Lock conflict',
  },
  fallbackTitle: 'berth',
  fallbackBody: 'Something changed. Open berth to see it.',
};

const words: Record<string, Words> = {
  en,
  es: {
    kinds: {
      reservation_created: 'Reserva nueva',
      reservation_changed: 'Reserva modificada',
      reservation_canceled: 'Reserva cancelada',
      no_show: 'No presentado',
      lock_conflict: 'Conflicto de bloqueo',
    },
    fallbackTitle: 'berth',
    fallbackBody: 'Algo ha cambiado. Abre berth para verlo.',
  },
};

/** The messages' words in `language` (`es-MX` → Spanish; unknown → English). */
function wordsFor(language: string | undefined): { lang: string; words: Words } {
  const lang = (language ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  const found = words[lang];
  return found ? { lang, words: found } : { lang: 'en', words: en };
}

function isKind(kind: unknown): kind is PushKind {
  return typeof kind === 'string' && (pushKinds as readonly string[]).includes(kind);
}

/** The page to open: the message's path under the admin root; anything else opens the start page. */
export function targetUrl(path: unknown, base = '/admin/'): string {
  if (typeof path !== 'string' || !/^\/(?![/\\])[^\s]*$/.test(path)) return base;
  return `${base.replace(/\/$/, '')}${path}`;
}

/** Reads a push's data as berth's message; null when it is not one. */
export function parsePayload(text: string | null | undefined): PushPayload | null {
  if (!text) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * The notification for a message. Notifications about the same reservation
 * (or lock) replace one another (one tag); a push that is not berth's message
 * still shows one (a push must be shown) that opens the app.
 */
export function renderPush(payload: PushPayload | null, language: string | undefined, base = '/admin/'): ShownNotification {
  const { lang, words: w } = wordsFor(language);
  const icon = `${base}icons/icon-192.png`;
  if (!payload) {
    return { title: w.fallbackTitle, options: { body: w.fallbackBody, lang, icon, data: { url: base }, tag: 'berth' } };
  }
  const title = isKind(payload.kind) ? w.kinds[payload.kind] : (payload.title ?? w.fallbackTitle);
  const subject = payload.reservation_id ?? payload.lock_id ?? payload.event_id ?? 'event';
  const at = payload.at ? Date.parse(payload.at) : NaN;
  return {
    title,
    options: {
      body: payload.body ?? '',
      lang,
      icon,
      tag: `${payload.tenant ?? 'berth'}:${subject}`,
      renotify: true,
      ...(Number.isFinite(at) ? { timestamp: at } : {}),
      data: { url: targetUrl(payload.url, base), kind: payload.kind, tenant: payload.tenant, eventId: payload.event_id },
    },
  };
}
