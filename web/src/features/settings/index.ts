// The settings feature's public entry: what other features may import
// (`@/features/settings`). The notifications screen shows the same
// sub-navigation as the settings sections; a reservation's page lists the
// e-mails about it as the e-mail section does.
export { SettingsNav, settingsSections, type SettingsSection } from './SettingsNav';
export { ReservationEmails } from './ReservationEmails';
