// The settings feature's public entry: what other features may import
// (`@/features/settings`). The notifications screen shows the same
// sub-navigation as the settings sections.
export { SettingsNav, settingsSections, type SettingsSection } from './SettingsNav';
