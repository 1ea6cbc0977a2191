// The audit log's filters and the address: every filter lives in the query
// string, so a filtered log can be bookmarked, shared and reloaded, and Back
// undoes a change.
//   ?actor=user:<id>&type=client&entity=<id>&action=update&from=2026-12-01&to=2026-12-31
// Dates are the business's (tenant-local) and both included; the API takes
// instants: `from` is the start of the first day, `to` the start of the day
// after the last.
import type { AuditLogFilter } from '@/gql/graphql';
import { zonedInstant } from '@/features/booking';
import { addDays, parseDate } from '@/lib/format';

export interface AuditFilters {
  /** `user:<id>`, `api_key:<id>`, `public` or `system`. */
  actor: string | null;
  /** `reservation`, `client`, `unit`… */
  entityType: string | null;
  /** One entity's id. */
  entityId: string;
  /** `update`, `cancel`… */
  action: string;
  from: string | null;
  to: string | null;
}

export const noFilters: AuditFilters = { actor: null, entityType: null, entityId: '', action: '', from: null, to: null };

/** The entity types the log names (the filter offers these; the address may hold another). */
export const entityTypes = [
  'reservation',
  'client',
  'unit',
  'block',
  'lock',
  'user',
  'api_key',
  'webhook',
  'calendar_sync',
  'push_subscription',
  'notification_settings',
  'tenant',
] as const;

/** Actions the log records, offered as suggestions (any text may be typed). */
export const knownActions = [
  'create',
  'update',
  'archive',
  'erase',
  'confirm',
  'check_in',
  'check_out',
  'cancel',
  'expire_hold',
  'mark_absent',
  'change_period',
  'revoke',
  'delete',
  'sign_in',
  'sign_out',
  'activate',
  'add_image',
  'update_image',
  'reorder_images',
  'remove_image',
  'update_profile',
  'update_pictures',
  'block',
  'acquire',
  'release',
  'renew',
  'remove',
  'register',
  'unregister',
  'change_password',
  'revoke_sessions',
  'import_calendar',
  'add_calendar_sync',
  'remove_calendar_sync',
  'request_calendar_sync',
  'rotate_ical_token',
  'disable_ical_feed',
  'resend_delivery',
  'retry_failed_deliveries',
] as const;

function validDate(value: string | null): string | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  try {
    parseDate(value);
    return value;
  } catch {
    return null;
  }
}

const word = (value: string | null) => (value ?? '').trim();

/** The filters an address holds; malformed dates are left out. */
export function filtersFromSearch(search: URLSearchParams): AuditFilters {
  return {
    actor: word(search.get('actor')) || null,
    entityType: word(search.get('type')).toLowerCase() || null,
    entityId: word(search.get('entity')),
    action: word(search.get('action')).toLowerCase(),
    from: validDate(search.get('from')),
    to: validDate(search.get('to')),
  };
}

/** The address's query string for filters (empty ones left out). */
export function searchFromFilters(filters: AuditFilters): URLSearchParams {
  const search = new URLSearchParams();
  if (filters.actor) search.set('actor', filters.actor);
  if (filters.entityType) search.set('type', filters.entityType);
  if (filters.entityId.trim()) search.set('entity', filters.entityId.trim());
  if (filters.action.trim()) search.set('action', filters.action.trim().toLowerCase());
  if (filters.from) search.set('from', filters.from);
  if (filters.to) search.set('to', filters.to);
  return search;
}

export function hasFilters(filters: AuditFilters): boolean {
  return searchFromFilters(filters).toString() !== '';
}

/** The API's filter (null: everything). */
export function apiFilter(filters: AuditFilters, timeZone: string): AuditLogFilter | null {
  const filter: AuditLogFilter = {};
  if (filters.actor) filter.actor = filters.actor;
  if (filters.entityType) filter.entityType = filters.entityType;
  if (filters.entityId.trim()) filter.entityId = filters.entityId.trim();
  if (filters.action.trim()) filter.action = filters.action.trim().toLowerCase();
  if (filters.from) filter.from = zonedInstant(filters.from, '00:00', timeZone);
  if (filters.to) filter.to = zonedInstant(addDays(filters.to, 1), '00:00', timeZone);
  return Object.keys(filter).length ? filter : null;
}
