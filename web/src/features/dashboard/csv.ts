// The dashboard as a CSV file, built in the browser: what the screen shows
// (the cards with current, previous and change; occupancy per date; the top
// units), as RFC 4180 (commas, CRLF, fields quoted when they hold a comma, a
// quote or a line break) with a UTF-8 byte order mark so that spreadsheet apps
// read accents right. Numbers are plain (a dot for decimals, no grouping, no
// currency sign): money in the currency's major unit (12.50, never 1250 cents)
// beside a currency column. Words (headers, figure names) are in the UI
// language. Text that a spreadsheet would run as a formula (=, +, -, @ first)
// gets a leading apostrophe.
import { currencyDigits } from '@/lib/format';

/** A number already written for the file (see `num`, `decimal`). */
export interface NumberCell {
  num: string;
}

export type Cell = string | NumberCell | null | undefined;

/** A number with at most `digits` decimals, no grouping (`1234.5`); null stays empty. */
export function num(value: number | null | undefined, digits = 2): NumberCell | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const rounded = Number(value.toFixed(digits));
  return { num: (Object.is(rounded, -0) ? 0 : rounded).toString() };
}

/** Minor units as a decimal of the currency (`125050`, CHF → `1250.50`; JPY keeps 0 decimals). */
export function decimal(minor: number | null | undefined, currency: string): NumberCell | null {
  if (minor === null || minor === undefined) return null;
  const digits = currencyDigits(currency);
  return { num: (minor / 10 ** digits).toFixed(digits) };
}

/** One field, quoted when it must be. */
export function field(cell: Cell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'string') return cell.num;
  const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The byte order mark that tells spreadsheet apps the file is UTF-8. */
export const bom = '\uFEFF';

/** Rows as a CSV document: BOM, CRLF after every row (an empty row is a blank line). */
export function buildCsv(rows: readonly (readonly Cell[])[]): string {
  return bom + rows.map((row) => row.map(field).join(',') + '\r\n').join('');
}

/** A file name without characters file systems dislike: `berth-dashboard-alpine-cabins-2026-12-01_2026-12-31.csv`. */
export function csvFileName(slug: string, from: string, to: string): string {
  const safe = slug.replace(/[^A-Za-z0-9_-]+/g, '-');
  return `berth-dashboard-${safe}-${from}_${to}.csv`;
}

/** Offers `text` as a download named `name` (a Blob link clicked, then let go). */
export function download(text: string, name: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
