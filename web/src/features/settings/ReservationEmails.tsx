// The e-mails about one reservation, for its page (admins: the log is
// theirs): newest first, each with its kind, recipient, status, when and its
// attempts, "Resend" for a sent or failed one, and a link to the whole log.
// Messages are queued by the server's worker a moment after a change, so the
// list is refreshed by hand.
import { Anchor, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { SettingsReservationEmailsDocument } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { AttemptLog, ResendButton, StatusPill, useMessageFacts } from './email-parts';
import classes from './settings.module.css';

/** Most messages listed; the settings log has the rest. */
const shown = 20;

export function ReservationEmails({ reservationId }: { reservationId: string }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const facts = useMessageFacts();
  const [result, refetch] = useQuery({
    query: SettingsReservationEmailsDocument,
    variables: { reservationId, first: shown },
    requestPolicy: 'cache-and-network',
  });
  const refresh = () => refetch({ requestPolicy: 'network-only' });
  const nodes = result.data?.emailMessages.nodes ?? [];
  return (
    <section className={classes.card} aria-labelledby="reservation-emails">
      <Group justify="space-between" gap="sm" mb="xs">
        <Title order={2} fz="md" id="reservation-emails">
          {t('email.reservation.heading')}
        </Title>
        <Group gap="xs">
          <Button variant="default" size="compact-sm" onClick={refresh} loading={result.fetching && result.data !== undefined}>
            {t('email.log.refresh')}
          </Button>
          <Anchor component={Link} to="/settings/email" fz="sm">
            {t('email.reservation.all')}
          </Anchor>
        </Group>
      </Group>
      {result.error && !result.data ? (
        <ProblemAlert problem={describeError(result.error, tc)} title={t('email.log.loadFailed')} />
      ) : !result.data ? (
        <Text fz="sm" c="dimmed" role="status">
          {t('email.log.loading')}
        </Text>
      ) : nodes.length === 0 ? (
        <Text fz="sm" c="dimmed">
          {t('email.reservation.empty')}
        </Text>
      ) : (
        <Stack component="ul" gap={0} m={0} p={0} style={{ listStyle: 'none' }} aria-labelledby="reservation-emails">
          {nodes.map((m, index) => {
            const f = facts(m);
            return (
              <li
                key={m.id}
                aria-label={`${f.kind}, ${f.recipient}, ${f.status}`}
                style={{ padding: '8px 0', borderTop: index === 0 ? undefined : '1px solid var(--mantine-color-default-border)' }}
              >
                <Group justify="space-between" gap="sm" align="flex-start">
                  <Stack gap={2} style={{ minWidth: 0, flex: '1 1 260px' }}>
                    <Group gap={8} wrap="wrap">
                      <StatusPill status={m.status} />
                      <Text fz="sm" fw={600}>
                        {f.kind}
                      </Text>
                    </Group>
                    <Text fz="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {[`${f.recipient} (${f.audience})`, f.time, f.attempts, f.answer, f.next].filter(Boolean).join(' · ')}
                    </Text>
                    {f.error ? (
                      <Text fz="xs" c="red.9" style={{ overflowWrap: 'anywhere' }}>
                        {f.error}
                      </Text>
                    ) : null}
                    <AttemptLog message={m} />
                  </Stack>
                  <ResendButton message={m} label={`${f.kind}, ${f.recipient}`} onResent={refresh} />
                </Group>
              </li>
            );
          })}
        </Stack>
      )}
      {result.data?.emailMessages.pageInfo.hasNextPage ? (
        <Text fz="xs" c="dimmed" mt="xs">
          {t('email.reservation.more', { count: shown })}
        </Text>
      ) : null}
    </section>
  );
}
