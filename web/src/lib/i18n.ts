// i18next for the app, in English and Spanish.
//
// Strings live in namespaces, one per feature, beside the feature:
//   src/locales/{en,es}.json                    namespace `common` (the shell, errors)
//   src/features/<feature>/locales/{en,es}.json namespace `<feature>`
// `common` ships in the entry; a feature's namespace is loaded with the
// feature's route (useTranslation('<feature>') suspends until it is there).
// A test (src/lib/i18n.test.ts) checks that every namespace has the same keys
// in both languages.
//
// The language: the user's choice on this device (localStorage), else the
// tenant's language once signed in when the app speaks it, else English.
import i18n, { type BackendModule, type ReadCallback } from 'i18next';
import { initReactI18next } from 'react-i18next';
import commonEn from '@/locales/en.json';
import commonEs from '@/locales/es.json';

/** The languages the app speaks, in the order the switch lists them. */
export const languages = ['en', 'es'] as const;

/** A language the app speaks. */
export type Language = (typeof languages)[number];

/** Each language's own name, for the switch. */
export const languageNames: Record<Language, string> = { en: 'English', es: 'Español' };

const storageKey = 'berth.language';

/** Whether the app speaks `tag`'s language. */
export function isLanguage(tag: string | null | undefined): tag is Language {
  return (languages as readonly string[]).includes(tag ?? '');
}

/** The language of a BCP 47 tag if the app speaks it (`es-MX` → `es`). */
export function languageOf(tag: string | null | undefined): Language | undefined {
  const language = (tag ?? '').toLowerCase().split(/[-_]/)[0];
  return isLanguage(language) ? language : undefined;
}

/** The language the user chose on this device, if any. */
export function chosenLanguage(): Language | undefined {
  try {
    const stored = localStorage.getItem(storageKey);
    return isLanguage(stored) ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the user's choice on this device and switches to it. */
export async function chooseLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(storageKey, language);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
  await i18n.changeLanguage(language);
}

/**
 * The language to show: the user's choice, else the tenant's language when
 * signed in (and spoken here), else English.
 */
export function preferredLanguage(
  chosen: Language | undefined,
  tenantLocale: string | undefined,
): Language {
  return chosen ?? languageOf(tenantLocale) ?? 'en';
}

const featureBundles = import.meta.glob<{ default: Record<string, unknown> }>(
  '../features/*/locales/*.json',
);

/** `../features/<ns>/locales/<lng>.json` → its loader, keyed `<ns>/<lng>`. */
const featureLoaders = new Map(
  Object.entries(featureBundles).flatMap(([path, load]) => {
    const match = /\/features\/([^/]+)\/locales\/([^/]+)\.json$/.exec(path);
    return match ? [[`${match[1]}/${match[2]}`, load] as const] : [];
  }),
);

/** Loads feature namespaces from the bundle, each as its own chunk. */
const featureBackend: BackendModule = {
  type: 'backend',
  callbackApi: true,
  init() {},
  read(language: string, namespace: string, callback: ReadCallback) {
    const load = featureLoaders.get(`${namespace}/${language}`);
    if (!load) {
      callback(new Error(`no strings for namespace ${namespace} in ${language}`), false);
      return;
    }
    load().then(
      (module) => callback(null, module.default as never),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), true),
    );
  },
};

void i18n
  .use(featureBackend)
  .use(initReactI18next)
  .init({
    resources: { en: { common: commonEn }, es: { common: commonEs } },
    partialBundledLanguages: true,
    lng: chosenLanguage() ?? 'en',
    fallbackLng: 'en',
    supportedLngs: [...languages],
    load: 'languageOnly',
    ns: ['common'],
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });

function setDocumentLanguage(language: string) {
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}
setDocumentLanguage(i18n.language);
i18n.on('languageChanged', setDocumentLanguage);

export { i18n };
