// Publishing, after saying what it does: the dialog plans the candidate first
// (berth checks and tests it, then compares it with the live version), shows
// the plan's summary and, when existing reservations would be refused, asks
// for an explicit acceptance before the Publish button works. A candidate
// berth refuses shows its problems instead (and the page lists them at their
// lines). Publishing is audited by berth; success is a notification with the
// new version's number. The live version the editor started from goes with
// it (`baseVersion`): when someone published since, the dialog says who and
// publishes over their version only once the user ticks that choice — berth
// refuses (CONFLICT) a publication from a stale version otherwise.
import { useEffect, useState } from 'react';
import { Alert, Button, Checkbox, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useTranslation } from 'react-i18next';
import { useClient, useMutation, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { PolicyPlanDocument, PolicyPublishDocument, type PolicyPublishMutation } from '@/gql/graphql';
import { describeError, hasErrorCode } from '@/lib/errors';
import { placeOf, problemsOfRejection, rejectionOf, type FileProblem } from './diagnostics';
import type { PolicyFile } from './files';
import { usePublishedWords, type LatestVersion } from './NewerVersion';
import { PlanSummary, type Plan } from './PlanView';

export type Publication = PolicyPublishMutation['publishPolicy'];

interface Props {
  opened: boolean;
  onClose: () => void;
  files: readonly PolicyFile[];
  changed: readonly string[];
  /** The plan made on the way (the page shows it in its Plan tab). */
  onPlan: (plan: Plan, files: readonly PolicyFile[]) => void;
  /** berth refused the candidate: its problems. */
  onRejected: (problems: FileProblem[]) => void;
  onPublished: (publication: Publication) => void;
  /** The live version the editor started from. */
  base: number;
  /** Another version published since, when the page knows of one. */
  newer: LatestVersion | null;
  /** berth refused with CONFLICT: the page asks for the live version again. */
  onConflict: () => void;
}

export function PublishDialog(props: Props) {
  const { t } = useTranslation('policy');
  const fullScreen = useMediaQuery('(max-width: 36em)') ?? false;
  return (
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{t('publish.title')}</span>}
      fullScreen={fullScreen}
      size="lg"
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      {props.opened ? <PublishBody {...props} /> : null}
    </Modal>
  );
}

type Planning =
  | { state: 'planning' }
  | { state: 'planned'; plan: Plan }
  | { state: 'refused'; problems: FileProblem[] }
  | { state: 'failed'; error: CombinedError };

function PublishBody({ onClose, files, changed, onPlan, onRejected, onPublished, base, newer, onConflict }: Omit<Props, 'opened'>) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const client = useClient();
  const [planning, setPlanning] = useState<Planning>({ state: 'planning' });
  const [accepted, setAccepted] = useState(false);
  const [publishing, publish] = useMutation(PolicyPublishDocument);
  const [publishError, setPublishError] = useState<{ error: CombinedError; sentBase: number } | null>(null);
  const [refused, setRefused] = useState<FileProblem[] | null>(null);
  const [over, setOver] = useState(false);
  const publishedWords = usePublishedWords();

  useEffect(() => {
    let current = true;
    const candidate = files.map((f) => ({ path: f.path, text: f.text }));
    void client
      .query(PolicyPlanDocument, { files: candidate }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (!current) return;
        if (result.data) {
          setPlanning({ state: 'planned', plan: result.data.planPolicy });
          onPlan(result.data.planPolicy, files);
          return;
        }
        const rejection = rejectionOf(result.error);
        if (rejection) {
          const problems = problemsOfRejection(rejection, files.map((f) => f.path));
          setPlanning({ state: 'refused', problems });
          onRejected(problems);
        } else if (result.error) setPlanning({ state: 'failed', error: result.error });
      });
    return () => {
      current = false;
    };
    // Planned once per opening, with the files as they were when it opened.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const refusals = planning.state === 'planned' ? planning.plan.summary.reservationsNewlyRefused : 0;
  const problems = refused ?? (planning.state === 'refused' ? planning.problems : null);

  async function confirm() {
    setPublishError(null);
    // Over the newer version only when the user chose to.
    const sentBase = newer && over ? newer.number : base;
    // The acceptance the user ticked goes to berth: a tenant whose rules
    // protect its reservations refuses the publication without it.
    const result = await publish({
      files: files.map((f) => ({ path: f.path, text: f.text })),
      acceptRefusals: refusals > 0 && accepted,
      baseVersion: sentBase,
    });
    if (result.data) {
      const { version, created } = result.data.publishPolicy;
      notifications.show({
        color: 'green',
        title: created ? t('publish.doneTitle', { n: version.number }) : t('publish.sameTitle', { n: version.number }),
        message: created ? t('publish.doneBody') : t('publish.sameBody'),
      });
      onPublished(result.data.publishPolicy);
      return;
    }
    const rejection = rejectionOf(result.error);
    if (rejection) {
      const list = problemsOfRejection(rejection, files.map((f) => f.path));
      setRefused(list);
      onRejected(list);
    } else if (result.error) {
      setPublishError({ error: result.error, sentBase });
      // Someone published meanwhile (or the reservations are protected):
      // the page learns the live version, and the choice appears here.
      if (hasErrorCode(result.error, 'CONFLICT')) onConflict();
    }
  }

  const blockedByNewer = newer !== null && !over;

  return (
    <Stack gap="md">
      <Text fz="sm">{t('publish.intro', { count: changed.length, files: changed.join(', ') })}</Text>
      {planning.state === 'planning' ? (
        <Text fz="sm" role="status">
          {t('publish.planning')}
        </Text>
      ) : null}
      {planning.state === 'failed' ? <ProblemAlert problem={describeError(planning.error, tc)} title={t('plan.failed')} /> : null}
      {problems ? (
        <Alert color="red" variant="light" role="alert" title={t('publish.refusedTitle', { count: problems.length })}>
          <Text fz="sm">{t('publish.refusedBody')}</Text>
          <List size="sm" mt={6} spacing={2}>
            {problems.slice(0, 6).map((p, i) => (
              <List.Item key={i}>
                {placeOf(p) ? <code>{placeOf(p)}</code> : null} {p.message}
              </List.Item>
            ))}
          </List>
          {problems.length > 6 ? (
            <Text fz="sm" mt={4}>
              {t('publish.refusedMore', { count: problems.length - 6 })}
            </Text>
          ) : null}
        </Alert>
      ) : null}
      {planning.state === 'planned' && !problems ? (
        <Stack gap="xs">
          <Text fz="sm" fw={600}>
            {t('publish.planTitle')}
          </Text>
          <PlanSummary plan={planning.plan} />
          {refusals > 0 ? (
            <Alert color="orange" variant="light" title={t('publish.refusalsTitle', { count: refusals })}>
              <Text fz="sm" mb="sm">
                {t('publish.refusalsBody', { count: refusals })}
              </Text>
              <Checkbox
                checked={accepted}
                onChange={(e) => setAccepted(e.currentTarget.checked)}
                label={t('publish.accept', { count: refusals })}
              />
            </Alert>
          ) : null}
        </Stack>
      ) : null}
      {newer ? (
        <Alert color="orange" variant="light" title={publishedWords(newer)} data-testid="publish-over">
          <Text fz="sm" mb="sm">
            {t('publish.overBody', { n: newer.number })}
          </Text>
          <Checkbox checked={over} onChange={(e) => setOver(e.currentTarget.checked)} label={t('publish.over', { n: newer.number })} />
        </Alert>
      ) : null}
      {/* A stale base's CONFLICT is what the notice above says, in the UI's words. */}
      {publishError && !(newer && newer.number !== publishError.sentBase && hasErrorCode(publishError.error, 'CONFLICT')) ? (
        <ProblemAlert problem={describeError(publishError.error, tc)} title={t('publish.failed')} />
      ) : null}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onClose}>
          {problems ? t('publish.backToEditor') : t('cancel')}
        </Button>
        {planning.state === 'planned' && !problems ? (
          <Button onClick={() => void confirm()} loading={publishing.fetching} disabled={(refusals > 0 && !accepted) || blockedByNewer}>
            {t('publish.confirm')}
          </Button>
        ) : null}
      </Group>
    </Stack>
  );
}
