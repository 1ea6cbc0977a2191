// The formatters of lib/format.ts bound to the signed-in tenant (timezone,
// currency, locale) and the UI language.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import {
  formatDate,
  formatDateRange,
  formatDateTime,
  formatInstantRange,
  formatLocale,
  formatMoney,
  formatPercent,
  formatTime,
  tenantDate,
  type MoneyValue,
} from '@/lib/format';
import { useTenant } from '@/lib/session/session';

/** Formatters for the signed-in tenant, in the UI language. */
export function useFormat() {
  const tenant = useTenant();
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  return useMemo(() => {
    const locale = formatLocale(language, tenant.locale);
    const timeZone = tenant.timezone;
    return {
      locale,
      timeZone,
      currency: tenant.currency,
      money: (money: MoneyValue) => formatMoney(money, locale),
      date: (date: string, options?: Intl.DateTimeFormatOptions) => formatDate(date, locale, options),
      dateRange: (from: string, to: string, options?: Intl.DateTimeFormatOptions) =>
        formatDateRange(from, to, locale, options),
      dateTime: (instant: string | Date, options?: Intl.DateTimeFormatOptions) =>
        formatDateTime(instant, locale, timeZone, options),
      time: (instant: string | Date) => formatTime(instant, locale, timeZone),
      instantRange: (start: string | Date, end: string | Date, options?: Intl.DateTimeFormatOptions) =>
        formatInstantRange(start, end, locale, timeZone, options),
      percent: (ratio: number) => formatPercent(ratio, locale),
      /** Today's date at the business (`2026-12-24`). */
      today: () => tenantDate(timeZone),
    };
  }, [language, tenant.locale, tenant.timezone, tenant.currency]);
}
