// The screens of the signed-in app: one line per screen. Each is loaded
// lazily (its own chunk, budget 80 KB gzip) and shown inside the layout, under
// /admin/<path>. A screen with `nav` gets a link in the navigation; the links
// appear in `navOrder`, whatever the order of the lines below.
//
// Adding a screen (e.g. the calendar, the home screen at /admin/):
//   { path: '', nav: 'calendar', load: () => import('@/features/calendar/CalendarPage') },
// The module's default export is the screen component. Its path '' makes it
// the home screen; until a screen claims it, /admin/ opens the account page.
import type { ComponentType } from 'react';
import type { Role } from '@/gql/graphql';

/** The navigation links the app can show (labels in common `nav.<key>`). */
export type NavKey = 'calendar' | 'board' | 'reservations' | 'clients' | 'units' | 'dashboard' | 'audit' | 'policy' | 'settings';

/** The order of the navigation links. */
export const navOrder: readonly NavKey[] = [
  'calendar',
  'board',
  'reservations',
  'clients',
  'units',
  'dashboard',
  'audit',
  'policy',
  'settings',
];

export interface Screen {
  /** Path under /admin/, no leading slash (`board`, `reservations/:id`); '' is home. */
  path: string;
  /** The navigation link that opens this screen, if any. */
  nav?: NavKey;
  /**
   * The least role that may open it (e.g. 'ADMIN' for settings): others get
   * no link and, at its address, a page saying so. None: every signed-in user.
   */
  minRole?: Role;
  /** Loads the screen's module; its default export is the screen. */
  load: () => Promise<{ default: ComponentType }>;
}

export const screens: Screen[] = [
  { path: '', nav: 'calendar', load: () => import('@/features/calendar/CalendarPage') },
  { path: 'account', load: () => import('@/features/account/AccountPage') },
  { path: 'reservations', nav: 'reservations', load: () => import('@/features/reservations/ReservationsPage') },
  { path: 'reservations/:id', load: () => import('@/features/reservations/ReservationPage') },
  { path: 'clients', nav: 'clients', load: () => import('@/features/clients/ClientsPage') },
  { path: 'clients/:id', load: () => import('@/features/clients/ClientPage') },
  { path: 'audit', nav: 'audit', minRole: 'ADMIN', load: () => import('@/features/audit/AuditPage') },
  { path: 'policy', nav: 'policy', minRole: 'ADMIN', load: () => import('@/features/policy/PolicyPage') },
  { path: 'board', nav: 'board', load: () => import('@/features/board/BoardPage') },
  { path: 'units', nav: 'units', load: () => import('@/features/units/UnitsPage') },
  { path: 'dashboard', nav: 'dashboard', load: () => import('@/features/dashboard/DashboardPage') },
  { path: 'units/new', minRole: 'ADMIN', load: () => import('@/features/units/NewUnitPage') },
  { path: 'units/:id', load: () => import('@/features/units/UnitPage') },
  { path: 'settings', nav: 'settings', minRole: 'ADMIN', load: () => import('@/features/settings/SettingsIndex') },
  { path: 'settings/users', minRole: 'ADMIN', load: () => import('@/features/settings/UsersPage') },
  { path: 'settings/keys', minRole: 'ADMIN', load: () => import('@/features/settings/ApiKeysPage') },
  { path: 'settings/webhooks', minRole: 'ADMIN', load: () => import('@/features/settings/WebhooksPage') },
  { path: 'settings/webhooks/:id', minRole: 'ADMIN', load: () => import('@/features/settings/WebhookPage') },
  { path: 'settings/email', minRole: 'ADMIN', load: () => import('@/features/settings/EmailPage') },
  { path: 'settings/calendars', minRole: 'ADMIN', load: () => import('@/features/settings/CalendarsPage') },
  { path: 'settings/policy', minRole: 'ADMIN', load: () => import('@/features/settings/PolicyPage') },
  { path: 'settings/notifications', load: () => import('@/features/notifications/NotificationsPage') },
];
