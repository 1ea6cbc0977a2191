// Settings › E-mail: whether this server sends e-mail at all (without SMTP
// nothing goes out, and the screen says so and what the operator sets), what
// the business's messages go out as (sender, reply-to, the reminder's lead
// time), and the message log: newest first, filtered by status (in the
// address), a table on wide screens and cards on phones, paged with "Show
// more"; a sent or failed message can be sent again after a confirmation.
import '@mantine/core/styles/Skeleton.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/SegmentedControl.css';
import '@mantine/core/styles/Code.css';
import { useState } from 'react';
import { Alert, Anchor, Button, Code, Group, Paper, SegmentedControl, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useClient, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  SettingsEmailDocument,
  SettingsEmailMessagesDocument,
  type EmailStatus,
  type SettingsEmailMessageFragment,
  type SettingsEmailQuery,
} from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { emailStatuses, statusFilter, withStatusFilter } from './email-log';
import { AttemptLog, ResendButton, StatusPill, useMessageFacts } from './email-parts';
import { ListState, SettingsFrame } from './parts';
import classes from './settings.module.css';

type Message = SettingsEmailMessageFragment;
type PageInfo = { hasNextPage: boolean; endCursor?: string | null };

/** Messages per request. */
const pageSize = 25;

export default function EmailPage() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const [settings, refetchSettings] = useQuery({ query: SettingsEmailDocument });
  return (
    <SettingsFrame section="email" description={t('email.description')}>
      {settings.data ? (
        <Setup settings={settings.data.emailSettings} />
      ) : settings.error ? (
        <Stack gap="xs" align="flex-start">
          <ProblemAlert problem={describeError(settings.error, tc)} title={t('email.loadFailed')} />
          <Button variant="default" size="xs" onClick={() => refetchSettings({ requestPolicy: 'network-only' })}>
            {t('retry')}
          </Button>
        </Stack>
      ) : (
        <Skeleton height={120} radius="md" aria-hidden />
      )}
      <MessageLog />
    </SettingsFrame>
  );
}

function Setup({ settings }: { settings: SettingsEmailQuery['emailSettings'] }) {
  const { t } = useTranslation('settings');
  if (!settings.configured) {
    return (
      <Alert color="orange" variant="light" title={t('email.off.title')} role="status" classNames={{ title: classes.warnTitle }}>
        <Stack gap={6}>
          <Text fz="sm">{t('email.off.body')}</Text>
          <Text fz="sm">{t('email.off.operator')}</Text>
          <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: 13 }}>
            BERTH_SMTP_URL=smtps://user:password@smtp.example.org:465{'\n'}BERTH_SMTP_FROM=bookings@example.org
          </Code>
          <Text fz="xs" c="dimmed">
            {t('email.off.example')}
          </Text>
        </Stack>
      </Alert>
    );
  }
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-labelledby="email-setup">
      <Title order={2} fz="h4" id="email-setup" mb="sm">
        {t('email.setup.heading')}
      </Title>
      <dl className={classes.facts}>
        <dt>{t('email.setup.sender')}</dt>
        <dd>
          {settings.senderName} <span className={classes.mono}>&lt;{settings.sender}&gt;</span>
        </dd>
        <dt>{t('email.setup.replyTo')}</dt>
        <dd>
          {settings.replyTo ? (
            <span className={classes.mono}>{settings.replyTo}</span>
          ) : (
            <Text component="span" fz="sm" className={classes.warnText}>
              {t('email.setup.noReplyTo')}
            </Text>
          )}
        </dd>
        <dt>{t('email.setup.reminder')}</dt>
        <dd>{settings.reminderDays > 0 ? t('email.setup.reminderDays', { count: settings.reminderDays }) : t('email.setup.reminderOff')}</dd>
      </dl>
      {settings.replyTo ? null : (
        <Text fz="xs" c="dimmed" mt="sm">
          {t('email.setup.replyToHint')} <Code>profile: email:</Code>
        </Text>
      )}
    </Paper>
  );
}

interface MorePages {
  key: string;
  rows: Message[];
  pageInfo: PageInfo | null;
  loading: boolean;
  error: CombinedError | null;
}

function MessageLog() {
  const { t } = useTranslation('settings');
  const { t: tc } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const status = statusFilter(search);
  const client = useClient();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const key = status ?? '';
  const [first, refetch] = useQuery({
    query: SettingsEmailMessagesDocument,
    variables: { first: pageSize, after: null, status },
    requestPolicy: 'cache-and-network',
  });
  // Pages after the first, fetched by cursor; a new filter starts over.
  const [more, setMore] = useState<MorePages>({ key, rows: [], pageInfo: null, loading: false, error: null });
  if (more.key !== key) setMore({ key, rows: [], pageInfo: null, loading: false, error: null });
  const rows = [...(first.data?.emailMessages.nodes ?? []), ...(more.key === key ? more.rows : [])];
  const pageInfo = more.pageInfo ?? first.data?.emailMessages.pageInfo ?? null;

  const refresh = () => {
    setMore({ key, rows: [], pageInfo: null, loading: false, error: null });
    refetch({ requestPolicy: 'network-only' });
  };

  async function showMore() {
    if (!pageInfo?.endCursor) return;
    setMore((before) => ({ ...before, loading: true, error: null }));
    const result = await client.query(SettingsEmailMessagesDocument, { first: pageSize, after: pageInfo.endCursor, status }, { requestPolicy: 'network-only' }).toPromise();
    setMore((before) => {
      if (before.key !== key) return before;
      const page = result.data?.emailMessages;
      return page ? { key, rows: [...before.rows, ...page.nodes], pageInfo: page.pageInfo, loading: false, error: null } : { ...before, loading: false, error: result.error ?? null };
    });
  }

  const filterOptions = [{ value: 'ALL', label: t('email.log.all') }, ...emailStatuses.map((s) => ({ value: s, label: t(`email.status.${s}`) }))];

  return (
    <Stack gap="sm" component="section" aria-labelledby="email-log">
      <Group justify="space-between" align="flex-end" gap="sm">
        <div>
          <Title order={2} fz="h4" id="email-log">
            {t('email.log.heading')}
          </Title>
          <Text fz="sm" c="dimmed">
            {t('email.log.hint')}
          </Text>
        </div>
        <Button variant="default" size="xs" onClick={refresh}>
          {t('email.log.refresh')}
        </Button>
      </Group>
      <Stack gap={4}>
        <Text component="span" fz="sm" fw={500} id="email-status-filter">
          {t('email.log.filter')}
        </Text>
        <SegmentedControl
          aria-labelledby="email-status-filter"
          data={filterOptions}
          value={status ?? 'ALL'}
          onChange={(value) => setSearch(withStatusFilter(search, value === 'ALL' ? null : (value as EmailStatus)), { replace: true })}
          size="sm"
          color="sea"
          fullWidth={phone}
          style={{ alignSelf: phone ? 'stretch' : 'flex-start' }}
        />
      </Stack>
      <ListState
        fetching={first.fetching}
        error={first.error}
        empty={rows.length === 0}
        loadingLabel={t('email.log.loading')}
        failedTitle={t('email.log.loadFailed')}
        emptyText={status ? t('email.log.emptyFiltered', { status: t(`email.status.${status}`) }) : t('email.log.empty')}
        onRetry={() => refetch({ requestPolicy: 'network-only' })}
      >
        <Stack gap="sm">
          {phone ? <MessageCards rows={rows} onResent={refresh} /> : <MessageTable rows={rows} onResent={refresh} />}
          {more.error ? <ProblemAlert problem={describeError(more.error, tc)} title={t('email.log.loadFailed')} /> : null}
          {pageInfo?.hasNextPage ? (
            <Group justify="center">
              <Button variant="default" onClick={() => void showMore()} loading={more.loading}>
                {t('email.log.more')}
              </Button>
            </Group>
          ) : null}
        </Stack>
      </ListState>
    </Stack>
  );
}

function MessageTable({ rows, onResent }: { rows: Message[]; onResent: () => void }) {
  const { t } = useTranslation('settings');
  const facts = useMessageFacts();
  return (
    <div className={classes.tableWrap}>
      <Table className={classes.table} verticalSpacing="xs" horizontalSpacing="sm" fz="sm" aria-labelledby="email-log">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t('email.columns.time')}</Table.Th>
            <Table.Th scope="col">{t('email.columns.message')}</Table.Th>
            <Table.Th scope="col">{t('email.columns.recipient')}</Table.Th>
            <Table.Th scope="col">{t('email.columns.status')}</Table.Th>
            <Table.Th scope="col">{t('email.columns.attempts')}</Table.Th>
            <Table.Th scope="col">
              <span className={classes.visuallyHidden}>{t('email.columns.actions')}</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((m) => {
            const f = facts(m);
            return (
              <Table.Tr key={m.id} aria-label={`${f.kind}, ${f.recipient}, ${f.status}`}>
                <Table.Td>{f.time}</Table.Td>
                <Table.Td className={classes.wrap}>
                  <Text fz="sm" fw={600}>
                    {f.kind}
                  </Text>
                  {m.subject ? (
                    <Text fz="xs" c="dimmed" className={classes.clip} title={m.subject}>
                      {m.subject}
                    </Text>
                  ) : null}
                  <Anchor component={Link} to={`/reservations/${m.reservationId}`} fz="xs" aria-label={t('email.log.reservationFor', { kind: f.kind, recipient: f.recipient })}>
                    {t('email.log.reservation')}
                  </Anchor>
                </Table.Td>
                <Table.Td className={`${classes.wrap} ${classes.recipient}`}>
                  <Text fz="sm" className={classes.mono}>
                    {f.recipient}
                  </Text>
                  <Text fz="xs" c="dimmed">
                    {f.audience}
                  </Text>
                </Table.Td>
                <Table.Td className={classes.wrap}>
                  <StatusPill status={m.status} />
                  {f.next ? (
                    <Text fz="xs" c="dimmed" mt={2}>
                      {f.next}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td className={`${classes.wrap} ${classes.attempts}`}>
                  <Text fz="xs">{[f.attempts, f.answer].filter(Boolean).join(' · ')}</Text>
                  {f.error ? (
                    <Text fz="xs" c="red.9" style={{ overflowWrap: 'anywhere' }}>
                      {f.error}
                    </Text>
                  ) : null}
                  {f.reason ? (
                    <Text fz="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {f.reason}
                    </Text>
                  ) : null}
                  <AttemptLog message={m} />
                </Table.Td>
                <Table.Td>
                  <ResendButton message={m} label={`${f.kind}, ${f.recipient}`} onResent={onResent} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}

function MessageCards({ rows, onResent }: { rows: Message[]; onResent: () => void }) {
  const { t } = useTranslation('settings');
  const facts = useMessageFacts();
  return (
    <ul className={classes.cards} aria-labelledby="email-log">
      {rows.map((m) => {
        const f = facts(m);
        return (
          <li key={m.id} className={classes.card} aria-label={`${f.kind}, ${f.recipient}, ${f.status}`}>
            <Group justify="space-between" gap={8} wrap="nowrap" align="flex-start">
              <Text fz="sm" fw={600}>
                {f.kind}
              </Text>
              <StatusPill status={m.status} />
            </Group>
            <dl className={classes.cardFacts}>
              <dt>{t('email.columns.recipient')}</dt>
              <dd style={{ overflowWrap: 'anywhere' }}>
                {f.recipient} <Text component="span" fz="xs" c="dimmed">
                  ({f.audience})
                </Text>
              </dd>
              <dt>{t('email.columns.time')}</dt>
              <dd>{f.time}</dd>
              <dt>{t('email.columns.attempts')}</dt>
              <dd>{[f.attempts, f.answer, f.next].filter(Boolean).join(' · ')}</dd>
              {f.error ? (
                <>
                  <dt>{t('email.columns.lastError')}</dt>
                  <dd style={{ overflowWrap: 'anywhere', color: 'var(--mantine-color-red-9)' }}>{f.error}</dd>
                </>
              ) : null}
              {f.reason ? (
                <>
                  <dt>{t('email.columns.reason')}</dt>
                  <dd style={{ overflowWrap: 'anywhere' }}>{f.reason}</dd>
                </>
              ) : null}
            </dl>
            <AttemptLog message={m} />
            <Group justify="space-between" mt="xs" gap="xs">
              <Anchor component={Link} to={`/reservations/${m.reservationId}`} fz="sm" aria-label={t('email.log.reservationFor', { kind: f.kind, recipient: f.recipient })}>
                {t('email.log.reservation')}
              </Anchor>
              <ResendButton message={m} label={`${f.kind}, ${f.recipient}`} onResent={onResent} />
            </Group>
          </li>
        );
      })}
    </ul>
  );
}

