// Who is signed in, to which business, and the business's settings that the
// app formats with (timezone, currency, locale) and draws periods by
// (booking model). Until a screen claims /admin/, the app opens here.
import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import '@mantine/core/styles/SimpleGrid.css';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { usePageTitle } from '@/lib/page-title';
import { useTenant, useViewer } from '@/lib/session/session';
import { displayName } from '@/lib/format';
import { useFormat } from '@/lib/use-format';

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div>
      <Text component="dt" fz="sm" c="dimmed">
        {term}
      </Text>
      <Text component="dd" m={0} fw={600} style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Text>
    </div>
  );
}

export default function AccountPage() {
  const { t } = useTranslation('account');
  const { t: tCommon } = useTranslation();
  const viewer = useViewer();
  const tenant = useTenant();
  const format = useFormat();
  usePageTitle(t('title'));
  const model = ['nightly', 'timeslot', 'interval'].includes(tenant.model)
    ? t(`models.${tenant.model}`)
    : tenant.model;

  return (
    <Stack gap="lg" maw={880}>
      <Title order={1}>{t('title')}</Title>

      <Paper withBorder p="lg" component="section" aria-labelledby="account-you">
        <Title order={2} fz="h4" id="account-you" mb="md">
          {t('you')}
        </Title>
        {viewer ? (
          <SimpleGrid component="dl" cols={{ base: 1, sm: 2 }} spacing="md" m={0}>
            <Fact term={t('email')}>{viewer.email}</Fact>
            <Fact term={t('role')}>
              <Badge variant="light">{tCommon(`roles.${viewer.role}`)}</Badge>
            </Fact>
          </SimpleGrid>
        ) : (
          <Text>{t('offline')}</Text>
        )}
      </Paper>

      <Paper withBorder p="lg" component="section" aria-labelledby="account-notifications">
        <Title order={2} fz="h4" id="account-notifications" mb={4}>
          {t('notifications')}
        </Title>
        <Text fz="sm" c="dimmed" mb="sm">
          {t('notificationsHint')}
        </Text>
        <Anchor component={Link} to="/settings/notifications" fw={600}>
          {t('notificationsLink')}
        </Anchor>
      </Paper>

      <Paper withBorder p="lg" component="section" aria-labelledby="account-business">
        <Group justify="space-between" mb="md" gap="xs">
          <Title order={2} fz="h4" id="account-business">
            {tenant.name}
          </Title>
          <Text c="dimmed" fz="sm" ff="monospace">
            {tenant.slug}
          </Text>
        </Group>
        <SimpleGrid component="dl" cols={{ base: 1, sm: 2 }} spacing="md" m={0}>
          <Fact term={t('today')}>{format.date(format.today(), { dateStyle: 'full' })}</Fact>
          <Fact term={t('timezone')}>{tenant.timezone}</Fact>
          <Fact term={t('currency')}>
            {displayName(tenant.currency, 'currency', format.locale)} ({tenant.currency})
          </Fact>
          <Fact term={t('locale')}>
            {displayName(tenant.locale, 'language', format.locale)} ({tenant.locale})
          </Fact>
          <Fact term={t('model')}>{model}</Fact>
        </SimpleGrid>
      </Paper>
    </Stack>
  );
}
