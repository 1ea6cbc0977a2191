// A reservation's audit history, newest first and paged: who did what when,
// each change summarised in words (audit.ts), with the server's record in a
// details disclosure. Loaded again when the reservation's version changes.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Button, Group, List, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useClient, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { ReservationHistoryDocument, ReservationUsersDocument, type ReservationHistoryQuery } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import { mayOverride } from '@/features/booking';
import { actorName, summariseEntry, type AuditChange, type AuditSummary, type AuditValue } from './audit';
import classes from './reservations.module.css';
import { StateBadge } from './StateBadge';

type Entry = ReservationHistoryQuery['auditLog']['nodes'][number];
type PageInfo = ReservationHistoryQuery['auditLog']['pageInfo'];

const pageSize = 10;

export function AuditHistory({ reservationId, version }: { reservationId: string; version: number }) {
  const { t } = useTranslation('reservations');
  const { t: tc } = useTranslation();
  const client = useClient();
  const viewer = useViewer();
  const [first, refetch] = useQuery({
    query: ReservationHistoryDocument,
    variables: { id: reservationId, first: pageSize, after: null },
    requestPolicy: 'cache-and-network',
  });
  // The reservation changed: its history has a new entry.
  const loadedVersion = useRef(version);
  useEffect(() => {
    if (version === loadedVersion.current) return;
    loadedVersion.current = version;
    refetch({ requestPolicy: 'network-only' });
  }, [version, refetch]);

  // Who is who: admins may list the users; others see "a user" (or "you").
  const [users] = useQuery({ query: ReservationUsersDocument, pause: !mayOverride(viewer?.role) });
  const emails = useMemo(() => new Map((users.data?.users ?? []).map((u) => [u.id, u.email])), [users.data]);

  const [older, setOlder] = useState<{ entries: Entry[]; pageInfo: PageInfo | null; loading: boolean; error: CombinedError | null }>({
    entries: [],
    pageInfo: null,
    loading: false,
    error: null,
  });
  const firstEntries = first.data?.auditLog.nodes ?? [];
  const pageInfo = older.pageInfo ?? first.data?.auditLog.pageInfo ?? null;
  const seen = new Set(firstEntries.map((e) => e.id));
  const entries = [...firstEntries, ...older.entries.filter((e) => !seen.has(e.id))];

  async function showOlder() {
    if (!pageInfo?.endCursor) return;
    setOlder((before) => ({ ...before, loading: true, error: null }));
    const result = await client
      .query(ReservationHistoryDocument, { id: reservationId, first: pageSize, after: pageInfo.endCursor }, { requestPolicy: 'network-only' })
      .toPromise();
    const page = result.data?.auditLog;
    setOlder((before) =>
      page
        ? { entries: [...before.entries, ...page.nodes], pageInfo: page.pageInfo, loading: false, error: null }
        : { ...before, loading: false, error: result.error ?? null },
    );
  }

  return (
    <section className={classes.panel} aria-labelledby="history-heading">
      <Title order={2} fz="md" mb="sm" id="history-heading">
        {t('history.title')}
      </Title>
      {first.error && !first.data ? (
        <ProblemAlert problem={describeError(first.error, tc)} title={t('history.loadFailed')} />
      ) : !first.data ? (
        <Stack gap="xs" role="status" aria-label={t('history.loading')}>
          <Skeleton height={40} />
          <Skeleton height={40} />
        </Stack>
      ) : entries.length === 0 ? (
        <Text fz="sm" c="dimmed">
          {t('history.empty')}
        </Text>
      ) : (
        <ol className={classes.history}>
          {entries.map((entry) => (
            <HistoryEntry key={entry.id} entry={entry} viewerId={viewer?.id} emails={emails} />
          ))}
        </ol>
      )}
      {older.error ? <ProblemAlert problem={describeError(older.error, tc)} title={t('history.loadFailed')} /> : null}
      {pageInfo?.hasNextPage ? (
        <Group justify="center" mt="sm">
          <Button variant="default" size="compact-md" onClick={() => void showOlder()} loading={older.loading}>
            {t('history.showOlder')}
          </Button>
        </Group>
      ) : null}
    </section>
  );
}

function HistoryEntry({ entry, viewerId, emails }: { entry: Entry; viewerId?: string; emails: ReadonlyMap<string, string> }) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  const summary = summariseEntry(entry.action, entry.metadata);
  const actor = actorName(entry.actor, viewerId, emails);
  const who = actor.kind === 'user' ? actor.email : t(`history.actor.${actor.kind}`);
  return (
    <li className={classes.historyEntry}>
      <Group justify="space-between" gap="xs" align="baseline">
        <Text fw={600} fz="sm">
          {entryTitle(summary, t)}
        </Text>
        <Text fz="xs" c="dimmed" component="time" dateTime={entry.at}>
          {format.dateTime(entry.at)}
        </Text>
      </Group>
      <Text fz="sm" c="dimmed">
        {t('history.by', { who })}
      </Text>
      {summary.from && summary.to ? (
        <Group gap={6} mt={4} fz="sm" aria-label={t('history.stateChange', { from: t(`state.${summary.from}`), to: t(`state.${summary.to}`) })}>
          <StateBadge state={summary.from} />
          <span aria-hidden>→</span>
          <StateBadge state={summary.to} />
        </Group>
      ) : null}
      {summary.reason || summary.refund || summary.changes.length > 0 ? (
        <List size="sm" spacing={2} mt={4}>
          {summary.reason ? (
            <List.Item>
              {t('history.reason')}: {summary.reason}
            </List.Item>
          ) : null}
          {summary.refund ? (
            <List.Item>
              {t('history.refund')}: {format.money(summary.refund)}
            </List.Item>
          ) : null}
          {summary.changes.map((change) => (
            <List.Item key={change.field}>
              <ChangeLine change={change} />
            </List.Item>
          ))}
        </List>
      ) : null}
      <details>
        <summary>
          <Text component="span" fz="xs" c="dimmed">
            {t('history.record')}
          </Text>
        </summary>
        <pre className={classes.raw}>{JSON.stringify(entry.metadata, null, 2)}</pre>
      </details>
    </li>
  );
}

/** An entry's title in words (`reservations` strings); the audit log's reservation entries use it too. */
export function entryTitle(summary: AuditSummary, t: (key: string, options?: Record<string, unknown>) => string): string {
  if (summary.action === 'create') {
    const state = summary.changes.find((c) => c.field === 'state')?.after;
    return state?.kind === 'state' && state.state === 'HELD' ? t('history.action.hold') : t('history.action.create');
  }
  return t(`history.action.${summary.action}`, { defaultValue: summary.action.replace(/_/g, ' ') });
}

function ChangeLine({ change }: { change: AuditChange }) {
  const { t } = useTranslation('reservations');
  const label = t(`history.field.${change.field}`);
  if (!change.before) {
    return (
      <>
        {label}: <Value value={change.after} />
      </>
    );
  }
  return (
    <>
      {label}: <Value value={change.before} /> → <Value value={change.after} />
    </>
  );
}

/** A value of a reservation's history in words; the audit log's reservation entries use it too. */
export function Value({ value }: { value: AuditValue }) {
  const { t } = useTranslation('reservations');
  const format = useFormat();
  switch (value.kind) {
    case 'none':
      return <>{t('none')}</>;
    case 'text':
      return <q>{value.text}</q>;
    case 'number':
      return <>{value.value}</>;
    case 'date':
      return <>{format.date(value.date)}</>;
    case 'instant':
      return <>{format.dateTime(value.instant)}</>;
    case 'range':
      return <>{format.instantRange(value.start, value.end)}</>;
    case 'money':
      return <>{format.money(value.money)}</>;
    case 'state':
      return <>{t(`state.${value.state}`)}</>;
    case 'override':
      return <>{value.by ? t('history.overrideBy', { reason: value.reason, by: value.by }) : t('history.overrideSet', { reason: value.reason })}</>;
    case 'changed':
      return <>{t('history.changed')}</>;
  }
}
