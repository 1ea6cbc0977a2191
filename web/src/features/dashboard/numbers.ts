// Numbers in the UI language with the tenant's region (useFormat().locale).

/** `1234.5` → `1,234.5` (at most `digits` decimals). */
export function formatNumber(value: number, locale: string, digits = 1): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
}

/** A signed amount: `+4.2`, `−3` (a real minus sign), `0`. */
export function formatSigned(value: number, locale: string, digits = 1): string {
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: digits, signDisplay: 'exceptZero' }).format(value);
  return text.replace(/^-/, '\u2212');
}

/** A percentage given as 0–100: `62.5%`. */
export function formatPercentValue(percent: number, locale: string, digits = 1): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits }).format(percent / 100);
}
