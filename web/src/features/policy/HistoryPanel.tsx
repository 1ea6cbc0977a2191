// The published versions, newest (live) first: number, when, who, and which
// version a rollback restored. Rolling back publishes an earlier version's
// files again as a new version, after a confirmation; berth audits it and
// every instance follows.
import { useEffect, useState } from 'react';
import { Badge, Button, Group, Modal, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { PolicyHistoryDocument, PolicyRollbackDocument, type PolicyVersionFieldsFragment } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useViewer } from '@/lib/session/session';
import { useFormat } from '@/lib/use-format';
import classes from './policy.module.css';

/** Who published a version. */
export type Publisher = Pick<PolicyVersionFieldsFragment, 'publisher'>['publisher'];

/** Who published, in words: `you`, the user's e-mail, `API key NAME`, or `System` (the command line, a server). */
export function useAuthorWords() {
  const { t } = useTranslation('policy');
  const viewer = useViewer();
  return (publisher: Publisher) => {
    switch (publisher.kind) {
      case 'USER':
        if (viewer && publisher.userId === viewer.id) return t('history.you');
        return publisher.name ?? t('history.someUser');
      case 'API_KEY':
        return publisher.name ? t('history.apiKeyNamed', { name: publisher.name }) : t('history.apiKey');
      default:
        return t('history.system');
    }
  };
}

interface Props {
  /** Bumped by the page after a publish, to ask again. */
  refresh: number;
  /** The live version changed (rollback): the page reloads its files. */
  onRolledBack: () => void;
  dirty: boolean;
}

export function HistoryPanel({ refresh, onRolledBack, dirty }: Props) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const author = useAuthorWords();
  const [history, refetch] = useQuery({ query: PolicyHistoryDocument, requestPolicy: 'cache-and-network' });
  useEffect(() => {
    if (refresh > 0) refetch({ requestPolicy: 'network-only' });
  }, [refresh, refetch]);
  const [target, setTarget] = useState<PolicyVersionFieldsFragment | null>(null);
  const versions = history.data?.policyVersions ?? [];
  const live = versions[0];

  return (
    <Stack gap="sm">
      {history.error && !history.data ? <ProblemAlert problem={describeError(history.error, tc)} title={t('history.loadFailed')} /> : null}
      {!history.data && history.fetching ? (
        <Text fz="sm" c="dimmed" role="status">
          {t('history.loading')}
        </Text>
      ) : null}
      {history.data && versions.length === 0 ? (
        <Text fz="sm" c="dimmed">
          {t('history.empty')}
        </Text>
      ) : null}
      {versions.length > 0 ? (
        <Table.ScrollContainer minWidth={520}>
          <Table striped withTableBorder fz="sm" verticalSpacing={6} aria-label={t('history.title')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('history.col.version')}</Table.Th>
                <Table.Th scope="col">{t('history.col.published')}</Table.Th>
                <Table.Th scope="col">{t('history.col.by')}</Table.Th>
                <Table.Th scope="col">
                  <VisuallyHidden>{t('history.col.actions')}</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {versions.map((v) => (
                <Table.Tr key={v.number}>
                  <Table.Th scope="row">
                    <Group gap={6} wrap="nowrap">
                      <span>{t('versionN', { n: v.number })}</span>
                      {v === live ? (
                        <Badge size="sm" variant="filled" color="teal.9">
                          {t('history.live')}
                        </Badge>
                      ) : null}
                    </Group>
                    {v.restoredFrom != null ? (
                      <Text fz="xs" c="dimmed" fw={400}>
                        {t('history.restoredFrom', { n: v.restoredFrom })}
                      </Text>
                    ) : null}
                  </Table.Th>
                  <Table.Td>{format.dateTime(v.publishedAt)}</Table.Td>
                  <Table.Td className={classes.by}>{author(v.publisher)}</Table.Td>
                  <Table.Td ta="right">
                    {v === live ? null : (
                      <Button size="compact-sm" variant="light" onClick={() => setTarget(v)} aria-label={t('history.rollbackTo', { n: v.number })}>
                        {t('history.rollback')}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
      <RollbackDialog
        target={target}
        live={live?.number ?? null}
        dirty={dirty}
        onClose={() => setTarget(null)}
        onDone={() => {
          setTarget(null);
          refetch({ requestPolicy: 'network-only' });
          onRolledBack();
        }}
        onStale={() => refetch({ requestPolicy: 'network-only' })}
      />
    </Stack>
  );
}

function RollbackDialog({
  target,
  live,
  dirty,
  onClose,
  onDone,
  onStale,
}: {
  target: PolicyVersionFieldsFragment | null;
  live: number | null;
  dirty: boolean;
  onClose: () => void;
  onDone: () => void;
  /** The rollback failed (someone may have published meanwhile): the history is read again. */
  onStale: () => void;
}) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  const [rolling, rollback] = useMutation(PolicyRollbackDocument);
  const [error, setError] = useState<CombinedError | null>(null);

  async function confirm() {
    if (!target) return;
    setError(null);
    // The live version this table showed: berth refuses (CONFLICT) when
    // someone published since.
    const result = await rollback({ to: target.number, ...(live != null ? { baseVersion: live } : {}) });
    if (result.data) {
      const { version, created } = result.data.rollbackPolicy;
      notifications.show({
        color: 'green',
        title: created ? t('rollback.doneTitle', { n: version.number }) : t('publish.sameTitle', { n: version.number }),
        message: t('rollback.doneBody', { n: target.number }),
      });
      onDone();
    } else if (result.error) {
      setError(result.error);
      onStale();
    }
  }

  return (
    <Modal
      opened={target !== null}
      onClose={() => {
        setError(null);
        onClose();
      }}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('rollback.title', { n: target?.number ?? 0 })}</span>}
      fullScreen={fullScreen}
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      <Stack gap="md">
        <Text fz="sm">{t('rollback.body', { n: target?.number ?? 0, live: live ?? 0 })}</Text>
        {dirty ? <Text fz="sm" fw={600}>{t('rollback.dirty')}</Text> : null}
        {error ? <ProblemAlert problem={describeError(error, tc)} title={t('rollback.failed')} /> : null}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            {t('cancel')}
          </Button>
          <Button color="orange" onClick={() => void confirm()} loading={rolling.fetching}>
            {t('rollback.confirm', { n: target?.number ?? 0 })}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
