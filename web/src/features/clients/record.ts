// The client's record (clientRecord) as a file the guest can be given: the
// API's answer as JSON (GraphQL's bookkeeping `__typename` left out), named
// after the client and the day it was read.
import type { ClientRecordQuery } from '@/gql/graphql';

export type Record_ = ClientRecordQuery['clientRecord'];

function withoutTypename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTypename);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([key]) => key !== '__typename')
        .map(([key, v]) => [key, withoutTypename(v)]),
    );
  }
  return value;
}

/** The record as pretty-printed JSON. */
export function recordJson(record: Record_): string {
  return `${JSON.stringify(withoutTypename(record), null, 2)}\n`;
}

/** `client-record-ava-keller-2026-12-06.json` (letters and digits only). */
export function recordFileName(record: Record_): string {
  const slug =
    record.client.name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'client';
  return `client-record-${slug}-${record.generatedAt.slice(0, 10)}.json`;
}

/** The names of the fields an audit entry changed (`before`/`after`), bookkeeping left out. */
export function changedFields(metadata: unknown): string[] {
  if (!metadata || typeof metadata !== 'object') return [];
  const m = metadata as Record<string, unknown>;
  const keys = new Set<string>();
  for (const side of [m.before, m.after]) {
    if (side && typeof side === 'object' && !Array.isArray(side)) for (const key of Object.keys(side)) keys.add(key);
  }
  const bookkeeping = new Set(['id', 'tenant_id', 'version', 'created_at', 'updated_at']);
  return [...keys].filter((k) => !bookkeeping.has(k));
}
