// Settings › Webhooks › one webhook's deliveries, newest first, paged: each
// with its status in words, attempts, the endpoint's last answer and the next
// retry, and its attempt log; "Resend" sends one delivered or failed delivery
// again, "Retry failed" queues every failed one.
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import { useState } from 'react';
import { Anchor, Button, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  SettingsResendDeliveryDocument,
  SettingsRetryFailedDeliveriesDocument,
  SettingsWebhookDeliveriesDocument,
  SettingsWebhooksDocument,
  type SettingsDeliveryFragment,
  type WebhookDeliveryStatus,
} from '@/gql/graphql';
import { describeError, type Problem } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useFormat } from '@/lib/use-format';
import { ListState } from './parts';
import { SettingsNav } from './SettingsNav';
import { lastAnswer } from './deliveries';
import classes from './settings.module.css';

type Delivery = SettingsDeliveryFragment;

/** Deliveries per request. */
const pageSize = 20;

const marks: Record<WebhookDeliveryStatus, string> = { PENDING: '◔', DELIVERED: '✓', FAILED: '✕' };

export default function WebhookPage() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const { id = '' } = useParams();
  const [hooks] = useQuery({ query: SettingsWebhooksDocument, variables: { includeDeleted: true } });
  const hook = hooks.data?.webhooks.find((w) => w.id === id);
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [generation, setGeneration] = useState(0);
  const [retryState, retry] = useMutation(SettingsRetryFailedDeliveriesDocument);
  const [retryProblem, setRetryProblem] = useState<Problem | null>(null);
  usePageTitle(`${t('deliveries.title')} · ${t('title')}`);

  const refresh = () => {
    setPages([null]);
    setGeneration((g) => g + 1);
  };

  async function retryFailed() {
    setRetryProblem(null);
    const result = await retry({ webhookId: id });
    if (result.error) {
      setRetryProblem(describeError(result.error, tc, { CONFLICT: t('deliveries.retryDeleted') }));
      return;
    }
    notifications.show({ color: 'sea', message: t('deliveries.retried', { count: result.data?.retryFailedWebhookDeliveries ?? 0 }) });
    refresh();
  }

  return (
    <Stack gap="md" maw={1040}>
      <Stack gap={6}>
        <Anchor component={Link} to="/settings/webhooks" fz="sm" fw={600}>
          ← {t('deliveries.back')}
        </Anchor>
        <Title order={1}>{t('deliveries.title')}</Title>
      </Stack>
      <SettingsNav />
      {hook ? (
        <Paper withBorder radius="md" p="sm">
          <Group justify="space-between" gap="sm">
            <Stack gap={2} style={{ minWidth: 0, flex: '1 1 280px' }}>
              <Text fz="xs" c="dimmed" fw={600}>
                {t('deliveries.endpoint')}
              </Text>
              <Text fz="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                {hook.url}
              </Text>
              {hook.deletedAt ? (
                <Text fz="xs" c="red.9" fw={600}>
                  {t('deliveries.hookDeleted')}
                </Text>
              ) : null}
            </Stack>
            <Group gap={6}>
              <Button variant="default" size="xs" onClick={refresh}>
                {t('deliveries.refresh')}
              </Button>
              {hook.deletedAt ? null : (
                <Button size="xs" variant="light" loading={retryState.fetching} onClick={() => void retryFailed()}>
                  {t('deliveries.retryFailed')}
                </Button>
              )}
            </Group>
          </Group>
          {retryProblem ? (
            <div style={{ marginTop: 8 }}>
              <ProblemAlert problem={retryProblem} />
            </div>
          ) : null}
        </Paper>
      ) : hooks.error ? (
        <ProblemAlert problem={describeError(hooks.error, tc)} title={t('webhooks.loadFailed')} />
      ) : hooks.data ? (
        <ProblemAlert problem={{ kind: 'NOT_FOUND', message: t('deliveries.noHook'), details: [] }} />
      ) : null}
      <Stack gap="xs" key={generation}>
        {pages.map((after, index) => (
          <DeliveryPage
            key={after ?? ''}
            webhookId={id}
            after={after}
            first={index === 0}
            last={index === pages.length - 1}
            onMore={(cursor) => setPages((list) => [...list, cursor])}
          />
        ))}
      </Stack>
    </Stack>
  );
}

function DeliveryPage({ webhookId, after, first, last, onMore }: { webhookId: string; after: string | null; first: boolean; last: boolean; onMore: (cursor: string) => void }) {
  const { t } = useTranslation('settings');
  const [result, refetch] = useQuery({ query: SettingsWebhookDeliveriesDocument, variables: { webhookId, first: pageSize, after }, requestPolicy: 'cache-and-network' });
  const nodes = result.data?.webhookDeliveries.nodes ?? [];
  const pageInfo = result.data?.webhookDeliveries.pageInfo;
  const body = (
    <Stack gap="xs">
      <Paper withBorder radius="md" component="ul" aria-label={first ? t('deliveries.listLabel') : t('deliveries.moreLabel')} style={{ listStyle: 'none', margin: 0, padding: 0 }}>
        {nodes.map((delivery, index) => (
          <DeliveryRow key={delivery.id} delivery={delivery} firstRow={index === 0} />
        ))}
      </Paper>
      {last && pageInfo?.hasNextPage && pageInfo.endCursor ? (
        <Button variant="default" onClick={() => onMore(pageInfo.endCursor!)} style={{ alignSelf: 'center' }}>
          {t('deliveries.more')}
        </Button>
      ) : null}
    </Stack>
  );
  if (!first) {
    return result.fetching && nodes.length === 0 ? (
      <Text fz="sm" c="dimmed" role="status">
        {t('deliveries.loading')}
      </Text>
    ) : (
      body
    );
  }
  return (
    <ListState
      fetching={result.fetching}
      error={result.error}
      empty={nodes.length === 0}
      loadingLabel={t('deliveries.loading')}
      failedTitle={t('deliveries.loadFailed')}
      emptyText={t('deliveries.empty')}
      onRetry={() => refetch({ requestPolicy: 'network-only' })}
    >
      {body}
    </ListState>
  );
}

function DeliveryRow({ delivery, firstRow }: { delivery: Delivery; firstRow: boolean }) {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const [state, resend] = useMutation(SettingsResendDeliveryDocument);
  const [problem, setProblem] = useState<Problem | null>(null);
  const answer = lastAnswer(delivery);

  async function send() {
    setProblem(null);
    const result = await resend({ id: delivery.id });
    if (result.error) setProblem(describeError(result.error, tc));
    else notifications.show({ color: 'sea', message: t('deliveries.resent') });
  }

  return (
    <li
      aria-label={`${delivery.eventType}, ${t(`deliveries.status.${delivery.status}`)}`}
      style={{ padding: 'var(--mantine-spacing-sm) var(--mantine-spacing-md)', borderTop: firstRow ? undefined : '1px solid var(--mantine-color-default-border)' }}
    >
      <Group justify="space-between" gap="sm" align="flex-start">
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 320px' }}>
          <Group gap={8} wrap="wrap">
            <span className={classes.status} data-status={delivery.status}>
              <span aria-hidden>{marks[delivery.status]}</span>
              {t(`deliveries.status.${delivery.status}`)}
            </span>
            <Text fz="sm" fw={600} ff="monospace">
              {delivery.eventType}
            </Text>
          </Group>
          <Text fz="xs" c="dimmed">
            {[
              t('deliveries.queued', { date: format.dateTime(delivery.createdAt) }),
              t('deliveries.attempts', { count: delivery.attempts }),
              answer.status != null ? t('deliveries.response', { code: answer.status }) : answer.error ? t('deliveries.noResponse') : null,
              delivery.status === 'PENDING' && delivery.nextAttemptAt ? t('deliveries.next', { date: format.dateTime(delivery.nextAttemptAt) }) : null,
            ]
              .filter(Boolean)
              .join(' · ')}
          </Text>
          {answer.error ? (
            <Text fz="xs" c="red.9" style={{ overflowWrap: 'anywhere' }}>
              {answer.error}
            </Text>
          ) : null}
          {delivery.attemptLog.length > 0 ? (
            <details>
              <summary style={{ cursor: 'pointer', fontSize: 'var(--mantine-font-size-xs)' }}>{t('deliveries.log', { count: delivery.attemptLog.length })}</summary>
              <ol style={{ margin: '4px 0 0', paddingLeft: 20, fontSize: 'var(--mantine-font-size-xs)' }}>
                {delivery.attemptLog.map((attempt) => (
                  <li key={attempt.number}>
                    {format.dateTime(attempt.startedAt)}
                    {' — '}
                    {attempt.responseStatus != null ? t('deliveries.response', { code: attempt.responseStatus }) : t('deliveries.noResponse')}
                    {attempt.error ? `: ${attempt.error}` : ''}
                  </li>
                ))}
              </ol>
            </details>
          ) : null}
          {problem ? <ProblemAlert problem={problem} /> : null}
        </Stack>
        {delivery.status === 'PENDING' ? null : (
          <Button size="xs" variant="default" loading={state.fetching} onClick={() => void send()} aria-label={t('deliveries.resendFor', { type: delivery.eventType })}>
            {t('deliveries.resend')}
          </Button>
        )}
      </Group>
    </li>
  );
}
