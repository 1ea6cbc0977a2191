// A screen for some roles only (routes.tsx `minRole`): others see why, in
// words, instead of the screen. Offline (no viewer known) the screen shows;
// the API refuses what the role may not do in any case.
import type { ReactNode } from 'react';
import { Anchor, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { Role } from '@/gql/graphql';
import { usePageTitle } from '@/lib/page-title';
import { roleAtLeast } from '@/lib/session/roles';
import { useTenant, useViewer } from '@/lib/session/session';

function Forbidden({ role }: { role: Role }) {
  const { t } = useTranslation();
  const tenant = useTenant();
  usePageTitle(t('forbidden.title'));
  return (
    <Stack gap="sm" maw={560}>
      <Title order={1}>{t('forbidden.title')}</Title>
      <Text>{t('forbidden.body', { role: t(`roles.${role}`), tenant: tenant.name })}</Text>
      <Anchor component={Link} to="/">
        {t('notFound.home')}
      </Anchor>
    </Stack>
  );
}

export function RequireRole({ role, children }: { role: Role; children: ReactNode }) {
  const viewer = useViewer();
  if (viewer && !roleAtLeast(viewer.role, role)) return <Forbidden role={role} />;
  return children;
}
