// The formatting of lib/format.ts, with each Intl formatter made once per
// locale, zone and options: a board of hundreds of bars names each of them,
// and making an Intl.DateTimeFormat costs far more than using one.
import { currencyDigits, parseDate, type MoneyValue } from '@/lib/format';

const dateFormats = new Map<string, Intl.DateTimeFormat>();
const numberFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    dateFormats.set(key, format);
  }
  return format;
}

function utcDate(date: string): Date {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day));
}

const medium: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' };

/** A tenant-local date (`Thu, 24 Dec 2026`); as lib/format's formatDate. */
export function formatDate(date: string, locale: string, options: Intl.DateTimeFormatOptions = medium): string {
  return dateFormat(locale, { ...options, timeZone: 'UTC' }).format(utcDate(date));
}

/** Two tenant-local dates as one range (`24–27 Dec`). */
export function formatDateRange(from: string, to: string, locale: string, options: Intl.DateTimeFormatOptions): string {
  return dateFormat(locale, { ...options, timeZone: 'UTC' }).formatRange(utcDate(from), utcDate(to));
}

/** Two instants as one range in the tenant's zone. */
export function formatInstantRange(start: string | Date, end: string | Date, locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): string {
  return dateFormat(locale, { ...options, timeZone }).formatRange(new Date(start), new Date(end));
}

/** An instant's wall-clock time in the tenant's zone (`15:00`). */
export function formatTime(instant: string | Date, locale: string, timeZone: string): string {
  return dateFormat(locale, { timeStyle: 'short', timeZone }).format(new Date(instant));
}

/** Money in minor units (`CHF 1'250.00`). */
export function formatMoney(money: MoneyValue, locale: string): string {
  const key = `${locale}|${money.currency}`;
  let entry = numberFormats.get(key);
  if (!entry) {
    const digits = currencyDigits(money.currency);
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    entry = { format, digits };
    numberFormats.set(key, entry);
  }
  return entry.format.format(money.amount / 10 ** entry.digits);
}
