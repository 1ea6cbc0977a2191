import { describe, expect, it } from 'vitest';
import { languageOf, languages, preferredLanguage } from './i18n';

type Strings = { [key: string]: string | Strings };

/** Every key path of a strings file (`nav.calendar`). */
function keys(strings: Strings, prefix = ''): string[] {
  return Object.entries(strings).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value, `${prefix}${key}.`),
  );
}

/** Interpolations used by a string (`{{holder}}`). */
function placeholders(strings: Strings, path: string): string[] {
  const value = path.split('.').reduce<string | Strings | undefined>(
    (node, part) => (typeof node === 'object' ? node[part] : undefined),
    strings,
  );
  return typeof value === 'string' ? [...value.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort() : [];
}

const files = import.meta.glob<Strings>(['../locales/*.json', '../features/*/locales/*.json'], {
  eager: true,
  import: 'default',
});

/** namespace → language → strings */
const namespaces = new Map<string, Map<string, Strings>>();
for (const [path, strings] of Object.entries(files)) {
  const match = /(?:features\/([^/]+)\/)?locales\/(\w+)\.json$/.exec(path);
  if (!match) continue;
  const namespace = match[1] ?? 'common';
  const language = match[2] ?? '';
  if (!namespaces.has(namespace)) namespaces.set(namespace, new Map());
  namespaces.get(namespace)?.set(language, strings);
}

describe('strings', () => {
  it('exist for the shell and features', () => {
    expect([...namespaces.keys()]).toEqual(expect.arrayContaining(['common', 'auth']));
  });

  for (const [namespace, byLanguage] of namespaces) {
    it(`${namespace}: every language has the same keys and placeholders`, () => {
      expect([...byLanguage.keys()].sort()).toEqual([...languages].sort());
      const english = byLanguage.get('en') ?? {};
      for (const language of languages) {
        const strings = byLanguage.get(language) ?? {};
        expect(keys(strings).sort(), `${namespace}/${language}`).toEqual(keys(english).sort());
        for (const key of keys(english)) {
          expect(placeholders(strings, key), `${namespace}/${language}: ${key}`).toEqual(placeholders(english, key));
        }
      }
    });
  }

  it('the web contract’s names are the English sign-in labels and navigation', () => {
    const auth = namespaces.get('auth')?.get('en') ?? {};
    expect([auth.tenant, auth.email, auth.password, auth.submit]).toEqual(['Tenant', 'Email', 'Password', 'Sign in']);
    const nav = (namespaces.get('common')?.get('en')?.nav ?? {}) as Strings;
    expect([nav.calendar, nav.board]).toEqual(['Calendar', 'Board']);
  });

  it('no navigation link’s name holds another’s, so a link found by name is one link', () => {
    // Accessible-name queries match substrings, ignoring case: "Dashboard"
    // would answer for "Board".
    for (const language of languages) {
      const nav = (namespaces.get('common')?.get(language)?.nav ?? {}) as Strings;
      const links = ['calendar', 'board', 'reservations', 'clients', 'units', 'dashboard', 'audit', 'settings'].map((key) => {
        const name = nav[key];
        return typeof name === 'string' ? name.toLowerCase() : `(missing ${key})`;
      });
      for (const a of links) {
        for (const b of links) {
          if (a !== b) expect(a.includes(b), `${language}: "${a}" holds "${b}"`).toBe(false);
        }
      }
    }
  });
});

describe('language', () => {
  it('takes the language of a locale when the app speaks it', () => {
    expect(languageOf('es-MX')).toBe('es');
    expect(languageOf('en_US')).toBe('en');
    expect(languageOf('de-CH')).toBeUndefined();
    expect(languageOf(undefined)).toBeUndefined();
  });

  it('prefers the user’s choice, then the tenant’s language, then English', () => {
    expect(preferredLanguage('en', 'es-ES')).toBe('en');
    expect(preferredLanguage(undefined, 'es-ES')).toBe('es');
    expect(preferredLanguage(undefined, 'de-CH')).toBe('en');
    expect(preferredLanguage(undefined, undefined)).toBe('en');
  });
});
