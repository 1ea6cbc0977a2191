// The client's record (the right of access): read on request (admins and
// owners), shown readably — details, every reservation, the history of both —
// and offered as a JSON file to hand to the guest.
import { useState } from 'react';
import { Anchor, Button, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { ClientRecordDocument } from '@/gql/graphql';
import { periodText, StateBadge } from '@/features/reservations';
import { describeError } from '@/lib/errors';
import { useFormat } from '@/lib/use-format';
import classes from './clients.module.css';
import { changedFields, recordFileName, recordJson, type Record_ } from './record';

export function RecordPanel({ clientId, allowed }: { clientId: string; allowed: boolean }) {
  const { t } = useTranslation('clients');
  const [shown, setShown] = useState(false);
  return (
    <section className={classes.panel} aria-labelledby="record-heading">
      <Title order={2} fz="md" mb={4} id="record-heading">
        {t('record.title')}
      </Title>
      <Text fz="sm" c="dimmed" mb="sm">
        {t('record.intro')}
      </Text>
      {!allowed ? (
        <Text fz="sm">{t('record.adminOnly')}</Text>
      ) : shown ? (
        <RecordView clientId={clientId} />
      ) : (
        <Button variant="default" onClick={() => setShown(true)}>
          {t('record.show')}
        </Button>
      )}
    </section>
  );
}

function download(record: Record_) {
  const blob = new Blob([recordJson(record)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = recordFileName(record);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function RecordView({ clientId }: { clientId: string }) {
  const { t } = useTranslation('clients');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const [result, refetch] = useQuery({ query: ClientRecordDocument, variables: { id: clientId }, requestPolicy: 'network-only' });
  const record = result.data?.clientRecord;

  if (result.error && !record) {
    return (
      <Stack gap="xs" align="flex-start">
        <ProblemAlert problem={describeError(result.error, tc)} title={t('record.loadFailed')} />
        <Button variant="default" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          {t('list.retry')}
        </Button>
      </Stack>
    );
  }
  if (!record) {
    return (
      <Stack gap="xs" role="status" aria-label={t('record.loading')}>
        <Skeleton height={24} />
        <Skeleton height={80} />
      </Stack>
    );
  }
  const c = record.client;
  const none = t('detail.none');
  return (
    <Stack gap="md">
      <Group justify="space-between" align="center" gap="sm">
        <Text fz="sm">
          {t('record.generatedAt', { date: format.dateTime(record.generatedAt) })} ·{' '}
          {t('record.summary', { reservations: record.reservations.length, entries: record.auditEntries.length })}
        </Text>
        <Button onClick={() => download(record)}>{t('record.download')}</Button>
      </Group>
      <div>
        <Title order={3} fz="sm" mb={4}>
          {t('record.client')}
        </Title>
        <dl className={classes.facts}>
          <dt>{t('form.name')}</dt>
          <dd>{c.name}</dd>
          <dt>{t('detail.email')}</dt>
          <dd>{c.email ?? none}</dd>
          <dt>{t('detail.phone')}</dt>
          <dd>{c.phone ?? none}</dd>
          <dt>{t('detail.notes')}</dt>
          <dd>{c.notes ?? none}</dd>
          <dt>{t('columns.status')}</dt>
          <dd>{t(`status.${c.erasedAt ? 'erased' : c.archived ? 'archived' : c.blocked ? 'blocked' : 'active'}`)}</dd>
          <dt>{t('detail.created')}</dt>
          <dd>{format.dateTime(c.createdAt)}</dd>
        </dl>
      </div>
      <div>
        <Title order={3} fz="sm" mb={4}>
          {t('record.reservations')}
        </Title>
        {record.reservations.length === 0 ? (
          <Text fz="sm">{t('record.noReservations')}</Text>
        ) : (
          <ul className={classes.list}>
            {record.reservations.map((r) => (
              <li key={r.id}>
                <Group gap="xs" wrap="wrap">
                  <Anchor component={Link} to={`/reservations/${r.id}`} fz="sm" fw={600}>
                    {periodText(r, format)}
                  </Anchor>
                  <Text fz="sm">· {r.unit.name}</Text>
                  <StateBadge state={r.state} />
                  {r.price ? <Text fz="sm">{format.money(r.price)}</Text> : null}
                </Group>
                <Text fz="xs" c="dimmed">
                  {t('record.channel', { channel: r.channel })} · {format.dateTime(r.createdAt, { dateStyle: 'medium' })}
                </Text>
                {r.notes ? <Text fz="sm">{t('record.notes', { notes: r.notes })}</Text> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <Title order={3} fz="sm" mb={4}>
          {t('record.history')}
        </Title>
        {record.auditEntries.length === 0 ? (
          <Text fz="sm">{t('record.noHistory')}</Text>
        ) : (
          <ul className={classes.list}>
            {record.auditEntries.map((e) => {
              const fields = changedFields(e.metadata);
              return (
                <li key={e.id}>
                  <Text fz="sm">
                    <time dateTime={e.at}>{format.dateTime(e.at)}</time> ·{' '}
                    {t(`record.entity.${e.entityType}`, { id: `…${e.entityId.slice(-8)}`, defaultValue: e.entityType })}:{' '}
                    {t(`record.action.${e.action}`, { defaultValue: e.action.replace(/_/g, ' ') })}
                    {e.action === 'update' && fields.length ? ` — ${fields.map((f) => t(`record.field.${f}`, { defaultValue: f.replace(/_/g, ' ') })).join(', ')}` : ''}
                  </Text>
                </li>
              );
            })}
          </ul>
        )}
      </div>
    </Stack>
  );
}
