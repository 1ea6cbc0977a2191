// Settings › Policy: the tenant's live policy version and when it went live,
// and the last refused edit with its `file:line:col: message` lines
// (monospace, copyable). Follows `policyEvents`: a new version or a refusal
// shows at once.
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Code.css';
import { Alert, Anchor, Button, Code, CopyButton, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQuery, useSubscription } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { SettingsPolicyEventsDocument, SettingsPolicyStatusDocument } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useFormat } from '@/lib/use-format';
import { SettingsFrame } from './parts';
import classes from './settings.module.css';
import '@mantine/core/styles/SimpleGrid.css';

export default function PolicyPage() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const [result, refetch] = useQuery({ query: SettingsPolicyStatusDocument });
  // Any policy event: ask again (the status is small, and this keeps one source).
  const [live] = useSubscription({ query: SettingsPolicyEventsDocument }, (_previous: number | undefined) => {
    refetch({ requestPolicy: 'network-only' });
    return (_previous ?? 0) + 1;
  });
  const status = result.data?.policyStatus;
  const rejection = status?.rejection ?? [];

  return (
    <SettingsFrame section="policy" description={t('policy.description')}>
      <Anchor component={Link} to="/policy" fz="sm" fw={600}>
        {t('policy.editLink')}
      </Anchor>
      {result.error && !status ? <ProblemAlert problem={describeError(result.error, tc)} title={t('policy.loadFailed')} /> : null}
      {!status && result.fetching ? (
        <Text fz="sm" c="dimmed" role="status">
          {t('policy.loading')}
        </Text>
      ) : null}
      {status ? (
        <>
          <Paper withBorder radius="md" p="md" component="section" aria-labelledby="policy-live">
            <Group justify="space-between" gap="sm" mb="sm">
              <Title order={2} fz="lg" id="policy-live">
                {t('policy.live')}
              </Title>
              <span className={classes.status} data-status={live.error ? 'off' : 'live'}>
                <span aria-hidden>{live.error ? '○' : '●'}</span>
                {live.error ? t('policy.notFollowing') : t('policy.following')}
              </span>
            </Group>
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
              <Stack gap={2}>
                <Text fz="xs" c="dimmed" fw={600}>
                  {t('policy.version')}
                </Text>
                <Text fz="xl" fw={700} data-testid="policy-version">
                  {status.activeVersion != null ? t('policy.versionN', { n: status.activeVersion }) : t('policy.noVersion')}
                </Text>
              </Stack>
              <Stack gap={2}>
                <Text fz="xs" c="dimmed" fw={600}>
                  {t('policy.loadedAt')}
                </Text>
                <Text fz="md">{status.activatedAt ? format.dateTime(status.activatedAt) : '—'}</Text>
              </Stack>
            </SimpleGrid>
          </Paper>
          <Paper withBorder radius="md" p="md" component="section" aria-labelledby="policy-refusal">
            <Title order={2} fz="lg" id="policy-refusal" mb="sm">
              {t('policy.lastRefusal')}
            </Title>
            {status.rejectedAt ? (
              <Stack gap="sm">
                <Alert color="red" variant="light" title={t('policy.refusedAt', { date: format.dateTime(status.rejectedAt) })}>
                  <Text fz="sm">{t('policy.refusedBody')}</Text>
                </Alert>
                <Text fz="xs" c="dimmed" fw={600}>
                  {t('policy.errors')}
                </Text>
                <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: 13 }}>
                  {rejection.join('\n')}
                </Code>
                <CopyButton value={rejection.join('\n')} timeout={2500}>
                  {({ copied, copy }) => (
                    <Button size="xs" variant={copied ? 'filled' : 'light'} color={copied ? 'teal' : undefined} onClick={copy} style={{ alignSelf: 'flex-start' }}>
                      <span aria-live="polite">{copied ? t('copied') : t('policy.copyErrors')}</span>
                    </Button>
                  )}
                </CopyButton>
              </Stack>
            ) : (
              <Text fz="sm" c="dimmed">
                {t('policy.noRefusal')}
              </Text>
            )}
          </Paper>
        </>
      ) : null}
    </SettingsFrame>
  );
}
