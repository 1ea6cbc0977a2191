// Dates, times and money for people, with Intl. berth's instants are UTC
// (RFC 3339) and are shown in the tenant's timezone, wherever the browser is;
// its dates ("2026-12-24") are already tenant-local and are shown as they are;
// money is an integer amount of the currency's minor unit.
//
// The locale is the UI language with the tenant's region: a Zurich business
// (de-CH) read in English is formatted en-CH (CHF 1'250.00: English words,
// Swiss number grouping); read in Spanish, es-CH.

/** The tenant facts formatting needs. */
export interface TenantFormat {
  timezone: string;
  currency: string;
  /** BCP 47, e.g. `de-CH`. */
  locale: string;
}

/** An amount of money as the API sends it. */
export interface MoneyValue {
  /** In the currency's minor unit (cents). */
  amount: number;
  currency: string;
}

/**
 * The locale to format with: the tenant's own when its language is the UI
 * language, else the UI language with the tenant's region.
 */
export function formatLocale(uiLanguage: string, tenantLocale: string): string {
  const ui = safeLocale(uiLanguage) ?? new Intl.Locale('en');
  const tenant = safeLocale(tenantLocale);
  if (!tenant) return ui.language;
  if (tenant.language === ui.language) return tenant.toString();
  const candidate = tenant.region ? `${ui.language}-${tenant.region}` : ui.language;
  return Intl.DateTimeFormat.supportedLocalesOf([candidate]).length > 0 ? candidate : ui.language;
}

function safeLocale(tag: string): Intl.Locale | undefined {
  try {
    return new Intl.Locale(tag);
  } catch {
    return undefined;
  }
}

/** The number of minor-unit digits of a currency (CHF 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2
  );
}

/** `{ amount: 125000, currency: 'CHF' }` → `CHF 1'250.00` (en-CH). */
export function formatMoney(money: MoneyValue, locale: string): string {
  const digits = currencyDigits(money.currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(money.amount / 10 ** digits);
}

/** The parts of a `YYYY-MM-DD` date, checked. */
export function parseDate(date: string): { year: number; month: number; day: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) {
    throw new RangeError(`no such date: ${date}`);
  }
  return { year, month, day };
}

/** A tenant-local date (`2026-12-24`), e.g. `Thu, 24 Dec 2026` (en-CH, medium). */
export function formatDate(
  date: string,
  locale: string,
  options: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' },
): string {
  const { year, month, day } = parseDate(date);
  // A date has no timezone: format the UTC midnight of that date in UTC.
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

/** An instant as a date and time in the tenant's timezone. */
export function formatDateTime(
  instant: string | Date,
  locale: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' },
): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(instant));
}

/** An instant's wall-clock time in the tenant's timezone (`15:00`). */
export function formatTime(instant: string | Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(instant));
}

/** Two instants as one range in the tenant's timezone (`24–27 Dec 2026, 15:00–10:00`). */
export function formatInstantRange(
  start: string | Date,
  end: string | Date,
  locale: string,
  timeZone: string,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' },
): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).formatRange(
    new Date(start),
    new Date(end),
  );
}

/** Two tenant-local dates as one range (`24–27 Dec 2026`). */
export function formatDateRange(
  from: string,
  to: string,
  locale: string,
  options: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' },
): string {
  const a = parseDate(from);
  const b = parseDate(to);
  return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).formatRange(
    new Date(Date.UTC(a.year, a.month - 1, a.day)),
    new Date(Date.UTC(b.year, b.month - 1, b.day)),
  );
}

/** A ratio (0.6) as a percentage (`60%`), whole numbers. */
export function formatPercent(ratio: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

/** The tenant-local date of an instant (`2026-12-24`), e.g. today at the business. */
export function tenantDate(timeZone: string, instant: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The date `days` after a `YYYY-MM-DD` date (negative: before). */
export function addDays(date: string, days: number): string {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Whole days from one date to another (nights of a stay). */
export function daysBetween(from: string, to: string): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000,
  );
}

/** A currency's or a locale's name in `locale` (`CHF` → `Swiss Franc`), else the code. */
export function displayName(code: string, type: 'currency' | 'language', locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type }).of(code) ?? code;
  } catch {
    return code;
  }
}
