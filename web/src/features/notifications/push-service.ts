// A push service's origin as people know it: the browser family behind it.
const known: [RegExp, string][] = [
  [/(^|\.)fcm\.googleapis\.com$|(^|\.)android\.googleapis\.com$/, 'Chrome (Google)'],
  [/(^|\.)push\.services\.mozilla\.com$/, 'Firefox (Mozilla)'],
  [/(^|\.)push\.apple\.com$/, 'Safari (Apple)'],
  [/(^|\.)notify\.windows\.com$/, 'Edge (Microsoft)'],
];

/** `https://fcm.googleapis.com` → `Chrome (Google)`; others by their host. */
export function pushServiceName(origin: string): string {
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return origin;
  }
  const hostname = host.replace(/:\d+$/, '');
  return known.find(([pattern]) => pattern.test(hostname))?.[1] ?? host;
}
