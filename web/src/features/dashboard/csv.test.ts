import { describe, expect, it } from 'vitest';
import { bom, buildCsv, csvFileName, decimal, field, num } from './csv';

describe('CSV fields', () => {
  it('quote commas, quotes and line breaks, doubling quotes', () => {
    expect(field('Pine Cabin')).toBe('Pine Cabin');
    expect(field('Cabin, the big one')).toBe('"Cabin, the big one"');
    expect(field('The "Eagle" suite')).toBe('"The ""Eagle"" suite"');
    expect(field('two\nlines')).toBe('"two\nlines"');
    expect(field('café Zürich')).toBe('café Zürich');
    expect(field(null)).toBe('');
    expect(field(undefined)).toBe('');
  });

  it('defuse text a spreadsheet would run as a formula, but not numbers', () => {
    expect(field('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(field('+41 79')).toBe("'+41 79");
    expect(field('@home')).toBe("'@home");
    expect(field(num(-3, 0))).toBe('-3');
  });
});

describe('CSV numbers', () => {
  it('are plain: a dot, no grouping, at most the digits asked for', () => {
    expect(num(1234567.891)?.num).toBe('1234567.89');
    expect(num(62.5)?.num).toBe('62.5');
    expect(num(4, 0)?.num).toBe('4');
    expect(num(-0.001)?.num).toBe('0');
    expect(num(null)).toBeNull();
    expect(num(Number.NaN)).toBeNull();
  });

  it('turn minor units into the currency’s decimal', () => {
    expect(decimal(125_050, 'CHF')?.num).toBe('1250.50');
    expect(decimal(5, 'EUR')?.num).toBe('0.05');
    expect(decimal(-1999, 'USD')?.num).toBe('-19.99');
    expect(decimal(1500, 'JPY')?.num).toBe('1500');
    expect(decimal(1_234_567, 'KWD')?.num).toBe('1234.567');
  });
});

describe('the document', () => {
  it('starts with a UTF-8 byte order mark and ends every row with CRLF', () => {
    const csv = buildCsv([['Figure', 'Current'], ['Revenue', decimal(125_050, 'CHF')], [], ['Unit', 'Chalet "Ä", Zermatt']]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.startsWith(bom)).toBe(true);
    expect(csv.slice(1)).toBe('Figure,Current\r\nRevenue,1250.50\r\n\r\nUnit,"Chalet ""Ä"", Zermatt"\r\n');
    // Encoded as UTF-8, the mark is EF BB BF.
    expect([...new TextEncoder().encode(csv).slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });

  it('is named after the tenant and the range', () => {
    expect(csvFileName('alpine-cabins', '2026-12-01', '2026-12-31')).toBe('berth-dashboard-alpine-cabins-2026-12-01_2026-12-31.csv');
    expect(csvFileName('a/b c', '2026-01-01', '2026-12-31')).toBe('berth-dashboard-a-b-c-2026-01-01_2026-12-31.csv');
  });
});
