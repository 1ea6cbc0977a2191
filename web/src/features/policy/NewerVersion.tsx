// Someone else published while this page was open. The page follows the live
// version's number — asked again on every policy event (the `policyEvents`
// subscription), every 30 seconds in case the subscription is down, and when
// the tab comes back into view — and, when it is another than the one the
// editor started from, shows a notice that does not stop the editing: who
// published which version when, with their changes to read (a line diff
// against the files the editor started from), a reload that discards the
// user's changes, or going on. Publishing over it then takes an explicit
// choice in the publish dialog; berth refuses a publication from a stale
// version anyway (`baseVersion`, CONFLICT).
import { useCallback, useEffect } from 'react';
import { Alert, Badge, Button, Group, Modal, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useQuery, useSubscription } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import {
  PolicyLatestDocument,
  PolicyPublishedDocument,
  PolicyVersionFilesDocument,
  type PolicyLatestQuery,
} from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { useFormat } from '@/lib/use-format';
import { versionDiff, type FileDiff } from './concurrent';
import type { PolicyFile } from './files';
import { useAuthorWords } from './HistoryPanel';
import classes from './policy.module.css';

/** How often the live version's number is asked when no event says it changed. */
const POLL_MS = 30_000;

export type LatestVersion = PolicyLatestQuery['policyVersions'][number];

/** The live version now (null until known), and a way to ask again at once. */
export function useLatestVersion(): { latest: LatestVersion | null; refresh: () => void } {
  const [answer, refetch] = useQuery({ query: PolicyLatestDocument, requestPolicy: 'network-only' });
  const refresh = useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]);
  useSubscription({ query: PolicyPublishedDocument }, (_previous: unknown, event) => {
    if (event.policyEvents.kind === 'PUBLISHED') refresh();
    return event;
  });
  useEffect(() => {
    const timer = window.setInterval(refresh, POLL_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') refresh();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [refresh]);
  return { latest: answer.data?.policyVersions[0] ?? null, refresh };
}

/** "Version N was published by NAME at TIME" in the UI's words. */
export function usePublishedWords() {
  const { t } = useTranslation('policy');
  const format = useFormat();
  const author = useAuthorWords();
  return (v: LatestVersion) => t('newer.title', { n: v.number, by: author(v.publisher), at: format.dateTime(v.publishedAt) });
}

interface NoticeProps {
  newer: LatestVersion;
  dirty: boolean;
  onSee: () => void;
  onReload: () => void;
  onKeep: () => void;
}

/** The notice over the editor: their version, and what the user can do. */
export function NewerVersionNotice({ newer, dirty, onSee, onReload, onKeep }: NoticeProps) {
  const { t } = useTranslation('policy');
  const words = usePublishedWords();
  return (
    <Alert color="orange" variant="light" role="status" title={words(newer)} data-testid="policy-newer">
      <Text fz="sm" mb="sm">
        {dirty ? t('newer.bodyDirty') : t('newer.body')}
      </Text>
      <Group gap="xs">
        <Button size="compact-sm" variant="default" onClick={onSee}>
          {t('newer.see')}
        </Button>
        <Button size="compact-sm" variant="default" onClick={onReload}>
          {dirty ? t('newer.reloadDiscarding') : t('newer.reload')}
        </Button>
        <Button size="compact-sm" variant="subtle" onClick={onKeep}>
          {t('newer.keep')}
        </Button>
      </Group>
    </Alert>
  );
}

interface ChangesProps {
  newer: LatestVersion | null;
  /** The version the editor started from, and its files. */
  base: { number: number; files: readonly PolicyFile[] };
  dirty: boolean;
  onClose: () => void;
  onReload: () => void;
}

/** Their changes: what the newer version changed against the files the editor started from. */
export function TheirChangesDialog({ newer, base, dirty, onClose, onReload }: ChangesProps) {
  const { t } = useTranslation('policy');
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  const words = usePublishedWords();
  return (
    <Modal
      opened={newer !== null}
      onClose={onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('newer.changesTitle', { n: newer?.number ?? 0, base: base.number })}</span>}
      fullScreen={fullScreen}
      size="xl"
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {newer ? (
        <Stack gap="md">
          <Text fz="sm">{words(newer)}</Text>
          <TheirChanges number={newer.number} base={base.files} />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              {t('newer.keep')}
            </Button>
            <Button color={dirty ? 'red' : undefined} onClick={onReload}>
              {dirty ? t('newer.reloadDiscarding') : t('newer.reload')}
            </Button>
          </Group>
        </Stack>
      ) : null}
    </Modal>
  );
}

function TheirChanges({ number, base }: { number: number; base: readonly PolicyFile[] }) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const [answer] = useQuery({ query: PolicyVersionFilesDocument, variables: { number } });
  if (answer.error) return <ProblemAlert problem={describeError(answer.error, tc)} title={t('newer.loadFailed')} />;
  const theirs = answer.data?.policyVersion?.files;
  if (!theirs) {
    return (
      <Text fz="sm" c="dimmed" role="status">
        {t('newer.loading')}
      </Text>
    );
  }
  const diff = versionDiff(base, theirs);
  if (diff.length === 0) return <Text fz="sm">{t('newer.sameFiles')}</Text>;
  return (
    <Stack gap="md" data-testid="their-changes">
      {diff.map((file) => (
        <FileChanges key={file.path} file={file} />
      ))}
    </Stack>
  );
}

function FileChanges({ file }: { file: FileDiff }) {
  const { t } = useTranslation('policy');
  return (
    <section aria-label={file.path}>
      <Group gap="xs" mb={4}>
        <Text fz="sm" fw={700} ff="monospace">
          {file.path}
        </Text>
        <Badge size="sm" variant="light" color={file.change === 'deleted' ? 'red' : file.change === 'added' ? 'teal' : 'blue'}>
          {t(`change.${file.change}`)}
        </Badge>
      </Group>
      {file.hunks.map((hunk, i) => (
        <div key={i}>
          {hunk.skipped > 0 ? (
            <Text fz="xs" c="dimmed" my={2}>
              {t('newer.skipped', { count: hunk.skipped, line: hunk.line })}
            </Text>
          ) : null}
          <pre className={classes.diff}>
            {hunk.lines.map((l, k) => (
              <div key={k} className={classes[`diff_${l.kind}`]}>
                <span aria-hidden className={classes.diffSign}>
                  {l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ' '}
                </span>
                <span className={l.kind === 'same' ? undefined : classes.diffMark}>
                  {l.kind === 'same' ? null : <VisuallyHidden component="span">{t(`newer.line.${l.kind}`)} </VisuallyHidden>}
                  {l.text || ' '}
                </span>
              </div>
            ))}
          </pre>
        </div>
      ))}
    </section>
  );
}
