// What berth sent, as the loopback SMTP sink (e2e/smtp-sink.ts) stored it:
// each message's envelope, top-level headers (unfolded; encoded words in the
// subject decoded) and raw text, and whether it carries an iCalendar part.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A message the sink received. */
export interface Mail {
  /** The envelope recipients (RCPT TO). */
  to: string[];
  from: string;
  /** Top-level headers by lower-case name (the first of each). */
  headers: Record<string, string>;
  /** The Subject header, decoded. */
  subject: string;
  /** The whole message as text. */
  raw: string;
  /** Whether a part is `text/calendar` (the stay as `.ics`). */
  hasCalendar: boolean;
}

/** The sink's directory for this run (set by the global setup). */
export function mailDir(): string {
  const dir = process.env.BERTH_E2E_MAIL_DIR;
  if (!dir) throw new Error('BERTH_E2E_MAIL_DIR is unset: run through playwright.config.ts (global setup)');
  return dir;
}

/** Every message received so far, oldest first. */
export function readMailbox(dir = mailDir()): Mail[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const envelope = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { from: string; to: string[] };
      const raw = readFileSync(join(dir, f.replace(/\.json$/, '.eml')), 'utf8');
      const headers = parseHeaders(raw);
      return {
        to: envelope.to,
        from: envelope.from,
        headers,
        subject: decodeWords(headers.subject ?? ''),
        raw,
        hasCalendar: /content-type:\s*text\/calendar/i.test(raw),
      };
    });
}

/** The header block of `raw` (up to the first empty line), unfolded. */
export function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }
  return headers;
}

/** RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) decoded. */
export function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g, (_, _charset: string, encoding: string, text: string) => {
      if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64').toString('utf8');
      const bytes = text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    });
}
