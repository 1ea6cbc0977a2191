// The settings sub-navigation: one link per section, shown above each
// settings screen (the notifications screen too, which every role may open;
// the admin sections are listed only to admins and owners). Links, not tabs:
// each section has its own address, and the current one is marked
// `aria-current="page"` (and not by colour alone: it is also filled).
import { Button, Group } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { NavLink, useMatch } from 'react-router';
import { roleAtLeast } from '@/lib/session/roles';
import { useViewer } from '@/lib/session/session';

/** The settings sections, in navigation order; all but notifications need admin. */
export const settingsSections = ['users', 'keys', 'webhooks', 'email', 'calendars', 'policy', 'notifications'] as const;

/** A settings section. */
export type SettingsSection = (typeof settingsSections)[number];

function SectionLink({ section }: { section: SettingsSection }) {
  const { t } = useTranslation('settings');
  const to = `/settings/${section}`;
  const active = useMatch({ path: to, end: false }) !== null;
  return (
    <Button
      component={NavLink}
      to={to}
      size="compact-sm"
      radius="xl"
      variant={active ? 'filled' : 'subtle'}
      color={active ? undefined : 'gray'}
      styles={{ root: { flexShrink: 0 } }}
    >
      {t(`nav.${section}`)}
    </Button>
  );
}

/** The links to the settings sections the viewer may open. */
export function SettingsNav() {
  const { t } = useTranslation('settings');
  const viewer = useViewer();
  // Offline (no viewer known) every link shows; the API refuses the rest.
  const admin = viewer === null || roleAtLeast(viewer.role, 'ADMIN');
  const sections = settingsSections.filter((s) => admin || s === 'notifications');
  return (
    <nav aria-label={t('nav.label')}>
      <Group gap={6} wrap="wrap">
        {sections.map((section) => (
          <SectionLink key={section} section={section} />
        ))}
      </Group>
    </nav>
  );
}
