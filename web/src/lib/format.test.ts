import { describe, expect, it } from 'vitest';
import {
  addDays,
  currencyDigits,
  daysBetween,
  displayName,
  formatDate,
  formatDateRange,
  formatDateTime,
  formatLocale,
  formatMoney,
  formatPercent,
  formatTime,
  parseDate,
  tenantDate,
} from './format';

/** Intl separates some parts with (narrow, thin) no-break spaces; compare with plain ones. */
const plain = (s: string) => s.replace(/[\u202f\u00a0\u2009]/g, ' ');

describe('formatLocale', () => {
  it('keeps the tenant’s locale when it speaks the UI language', () => {
    expect(formatLocale('en', 'en-US')).toBe('en-US');
    expect(formatLocale('es', 'es-MX')).toBe('es-MX');
  });
  it('puts the UI language in the tenant’s region otherwise', () => {
    expect(formatLocale('en', 'de-CH')).toBe('en-CH');
    expect(formatLocale('es', 'en-US')).toBe('es-US');
  });
  it('falls back to the UI language for a tenant locale without region or a bad tag', () => {
    expect(formatLocale('es', 'de')).toBe('es');
    expect(formatLocale('en', 'not a locale!')).toBe('en');
  });
});

describe('money', () => {
  it('knows each currency’s minor unit', () => {
    expect(currencyDigits('CHF')).toBe(2);
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('KWD')).toBe(3);
  });
  it('formats minor units in the currency', () => {
    expect(plain(formatMoney({ amount: 125000, currency: 'USD' }, 'en-US'))).toBe('$1,250.00');
    expect(plain(formatMoney({ amount: 125000, currency: 'EUR' }, 'es-ES'))).toBe('1250,00 €');
    // Swiss grouping: an apostrophe (ASCII or typographic, by ICU version).
    expect(plain(formatMoney({ amount: 125000, currency: 'CHF' }, 'en-CH'))).toMatch(/^CHF 1['’]250\.00$/);
    expect(plain(formatMoney({ amount: 1250, currency: 'JPY' }, 'en-US'))).toBe('¥1,250');
    expect(plain(formatMoney({ amount: -505, currency: 'USD' }, 'en-US'))).toBe('-$5.05');
  });
});

describe('dates', () => {
  it('parses only real YYYY-MM-DD dates', () => {
    expect(parseDate('2026-12-24')).toEqual({ year: 2026, month: 12, day: 24 });
    expect(() => parseDate('2026-02-30')).toThrow(RangeError);
    expect(() => parseDate('24.12.2026')).toThrow(RangeError);
  });

  it('shows a tenant-local date as that date, whatever the browser’s timezone', () => {
    // A date has no timezone: 24 Dec stays 24 Dec even for a tenant at UTC-10.
    expect(formatDate('2026-12-24', 'en-US', { dateStyle: 'long' })).toBe('December 24, 2026');
    expect(formatDate('2026-12-24', 'es-ES', { dateStyle: 'long' })).toBe('24 de diciembre de 2026');
  });

  it('shows instants in the tenant’s timezone', () => {
    const instant = '2026-12-24T14:00:00Z';
    expect(formatTime(instant, 'en-GB', 'Europe/Zurich')).toBe('15:00');
    expect(plain(formatTime(instant, 'en-US', 'America/New_York'))).toBe('9:00 AM');
    expect(plain(formatDateTime(instant, 'en-US', 'Pacific/Auckland', { dateStyle: 'medium', timeStyle: 'short' }))).toBe(
      'Dec 25, 2026, 3:00 AM',
    );
  });

  it('follows daylight saving time changes', () => {
    // Zurich: CET (+1) in winter, CEST (+2) from 29 March 2026.
    expect(formatTime('2026-03-28T14:00:00Z', 'en-GB', 'Europe/Zurich')).toBe('15:00');
    expect(formatTime('2026-03-29T14:00:00Z', 'en-GB', 'Europe/Zurich')).toBe('16:00');
  });

  it('gives today at the business, which may differ from the browser’s', () => {
    const instant = new Date('2026-12-24T23:30:00Z');
    expect(tenantDate('Europe/Zurich', instant)).toBe('2026-12-25');
    expect(tenantDate('America/New_York', instant)).toBe('2026-12-24');
  });

  it('formats ranges of dates', () => {
    expect(plain(formatDateRange('2026-12-24', '2026-12-27', 'en-US'))).toBe('Dec 24 – 27, 2026');
  });

  it('counts days and moves across months, years and DST', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
    expect(daysBetween('2026-12-24', '2026-12-24')).toBe(0);
  });
});

describe('other', () => {
  it('formats ratios as whole percentages', () => {
    expect(plain(formatPercent(0.6, 'en-US'))).toBe('60%');
    expect(plain(formatPercent(0.666, 'es-ES'))).toBe('67 %');
  });
  it('names currencies and locales in the UI language', () => {
    expect(displayName('CHF', 'currency', 'en')).toBe('Swiss Franc');
    expect(displayName('de-CH', 'language', 'es')).toMatch(/alemán/);
    expect(displayName('??', 'currency', 'en')).toBe('??');
  });
});
