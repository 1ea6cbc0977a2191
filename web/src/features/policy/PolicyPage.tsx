// The Policy page (admins and owners; decision 0163): the live version's
// files — tenant.yaml (identity, public profile, rules, prices), the Rhai
// hooks, the test cases — in an editor that completes and validates
// tenant.yaml against berth's JSON Schema as it is typed; a plan of what the
// changes would do to the reservations already taken and to the next days'
// quotes; publishing (after the plan, with an explicit acceptance when
// existing reservations would be refused); the history with rollback.
//
// Files can be added (a Rhai hook, a test file: named as berth reads them)
// and deleted (tenant.yaml cannot be); both are changes like an edit, in the
// candidate only until it is published.
//
// Someone else publishing while this page is open is noticed (NewerVersion):
// a notice says who published which version, with their changes, a reload
// and going on; publishing over their version is an explicit choice, and
// berth refuses a publication from a version no longer live.
//
// Nothing here is saved until it is published: the changes live in this page
// (leaving it asks first). Ctrl/Cmd-S runs the tests — berth loads and checks
// the files, then runs their test cases — and never publishes. Failing cases
// whose figures a deliberate change moved are fixed by "Accept figures".
//
// The editor (CodeMirror and the schemas) is its own lazy chunk, loaded
// after the page's first paint.
import '@mantine/core/styles/Menu.css';
import '@mantine/core/styles/Modal.css';
import '@mantine/core/styles/ModalBase.css';
import '@mantine/core/styles/Overlay.css';
import '@mantine/core/styles/Checkbox.css';
import '@mantine/core/styles/CheckboxIndicator.css';
import '@mantine/core/styles/Table.css';
import '@mantine/core/styles/Tabs.css';
import '@mantine/core/styles/SimpleGrid.css';
import '@mantine/core/styles/Code.css';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import {
  Anchor,
  Badge,
  Button,
  Group,
  Menu,
  Modal,
  NativeSelect,
  Stack,
  Tabs,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { useClient, useQuery, type CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import { PolicyAcceptFiguresDocument, PolicyLiveDocument, PolicyPlanDocument, PolicyTestDocument, type PolicyLiveQuery } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { usePageTitle } from '@/lib/page-title';
import { useFormat } from '@/lib/use-format';
import { matchPath, placeOf, problemsOfRejection, rejectionOf, sortProblems, type FileProblem } from './diagnostics';
import type { EditorHandle, Reveal } from './editor/PolicyEditor';
import { publishedSince } from './concurrent';
import { DeleteFileDialog, NewFileDialog } from './FileDialogs';
import {
  candidateFiles,
  fileChanges,
  fileKind,
  newFileText,
  noEdits,
  withDraft,
  withNewFile,
  withoutFile,
  type Change,
  type Edits,
  type PolicyFile,
} from './files';
import { useUnsavedChangesGuard } from './guard';
import { HistoryPanel, useAuthorWords } from './HistoryPanel';
import { NewerVersionNotice, TheirChangesDialog, useLatestVersion } from './NewerVersion';
import { PlanView, type Plan } from './PlanView';
import { PublishDialog, type Publication } from './PublishDialog';
import { reportProblems, TestsPanel, type Acceptance, type TestReport } from './TestsPanel';
import classes from './policy.module.css';

const PolicyEditor = lazy(() => import('./editor/PolicyEditor'));
// The schema validation for the problems list comes with the editor's chunk.
const loadLocalProblems = () => import('./editor/PolicyEditor').then((m) => m.localProblems);

type Panel = 'problems' | 'tests' | 'plan' | 'history';

export default function PolicyPage() {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  usePageTitle(t('title'));
  const [live, refetchLive] = useQuery({ query: PolicyLiveDocument, requestPolicy: 'cache-and-network' });
  const version = live.data?.policyVersions[0] ?? null;

  return (
    <Stack gap="md">
      {live.error && !live.data ? <Header version={null} /> : null}
      {live.error && !live.data ? <ProblemAlert problem={describeError(live.error, tc)} title={t('loadFailed')} /> : null}
      {!live.data && live.fetching ? (
        <>
          <Header version={null} />
          <Text fz="sm" c="dimmed" role="status">
            {t('loading')}
          </Text>
        </>
      ) : null}
      {live.data && !version ? (
        <>
          <Header version={null} />
          <Text>{t('noVersion')}</Text>
        </>
      ) : null}
      {version ? (
        <Workbench
          key={version.number}
          version={version}
          onLiveChanged={() => refetchLive({ requestPolicy: 'network-only' })}
        />
      ) : null}
    </Stack>
  );
}

type LiveVersion = PolicyLiveQuery['policyVersions'][number];

function Header({ version, children }: { version: Omit<LiveVersion, 'files'> | null; children?: ReactNode }) {
  const { t } = useTranslation('policy');
  const format = useFormat();
  const author = useAuthorWords();
  return (
    <Group justify="space-between" align="flex-start" gap="sm" wrap="wrap">
      <div>
        <Title order={1}>{t('title')}</Title>
        {version ? (
          <Text fz="sm" c="dimmed" data-testid="policy-live-version">
            {t('liveLine', { n: version.number, at: format.dateTime(version.publishedAt), by: author(version.publisher) })}
          </Text>
        ) : null}
      </div>
      {children}
    </Group>
  );
}

interface WorkbenchProps {
  version: LiveVersion;
  onLiveChanged: () => void;
}

/** The editor and its actions over one live version (remounted when another goes live). */
function Workbench({ version, onLiveChanged }: WorkbenchProps) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const client = useClient();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;

  const [base, setBase] = useState<PolicyFile[]>(() => version.files.map((f) => ({ path: f.path, text: f.text })));
  // The live version the files in `base` are (moves on with this page's own publications).
  const [baseNumber, setBaseNumber] = useState(version.number);
  const [edits, setEdits] = useState<Edits>(noEdits);
  const [active, setActive] = useState<string>('tenant.yaml');
  const [panel, setPanel] = useState<Panel>('problems');
  const [reveal, setReveal] = useState<Reveal | null>(null);
  const [localProblems, setLocalProblems] = useState<FileProblem[]>([]);
  const [serverProblems, setServerProblems] = useState<FileProblem[]>([]);
  const [checkedAt, setCheckedAt] = useState<string | null>(null);
  const [plan, setPlan] = useState<{ plan: Plan; files: string } | null>(null);
  const [planning, setPlanning] = useState(false);
  const [planError, setPlanError] = useState<CombinedError | null>(null);
  const [tests, setTests] = useState<{ report: TestReport; files: string } | null>(null);
  const [testing, setTesting] = useState(false);
  const [testError, setTestError] = useState<CombinedError | null>(null);
  const [acceptance, setAcceptance] = useState<Acceptance | null>(null);
  const [accepting, setAccepting] = useState(false);
  const [acceptError, setAcceptError] = useState<CombinedError | null>(null);
  const [publishOpen, setPublishOpen] = useState(false);
  const [revertOpen, setRevertOpen] = useState(false);
  const [historyRefresh, setHistoryRefresh] = useState(0);
  const [newFileOpen, setNewFileOpen] = useState(false);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [seeingTheirs, setSeeingTheirs] = useState(false);
  const [keptEditing, setKeptEditing] = useState<number | null>(null);
  const editor = useRef<EditorHandle>(null);

  const files = useMemo(() => candidateFiles(base, edits), [base, edits]);
  const paths = useMemo(() => files.map((f) => f.path), [files]);
  const changes = useMemo(() => fileChanges(base, edits), [base, edits]);
  const changed = useMemo(() => changes.map((c) => c.path), [changes]);
  const changeOf = (path: string): Change | undefined => changes.find((c) => c.path === path)?.change;
  const dirty = changed.length > 0;
  const { latest, refresh: refreshLatest } = useLatestVersion();
  const newer = latest && publishedSince(baseNumber, latest) ? latest : null;
  const blocker = useUnsavedChangesGuard(dirty);
  const candidateKey = useMemo(() => JSON.stringify(files), [files]);

  // Schema problems of every file, recomputed as the files change (debounced).
  useEffect(() => {
    let current = true;
    const timer = window.setTimeout(() => {
      void loadLocalProblems().then((compute) => {
        if (current) setLocalProblems(compute(files));
      });
    }, 250);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [files]);

  const onChange = useCallback(
    (path: string, text: string) => setEdits((e) => ({ ...e, drafts: withDraft(base, e.drafts, path, text) })),
    [base],
  );

  const problems = useMemo(() => sortProblems([...localProblems, ...serverProblems], paths), [localProblems, serverProblems, paths]);
  const problemCount = (path: string) => problems.filter((p) => p.file === path).length;

  async function runTests(sent: readonly PolicyFile[] = files) {
    if (testing) return;
    setTesting(true);
    setTestError(null);
    setPanel('tests');
    const result = await client.query(PolicyTestDocument, { files: sent.map((f) => ({ path: f.path, text: f.text })) }, { requestPolicy: 'network-only' }).toPromise();
    setTesting(false);
    setCheckedAt(new Date().toISOString());
    if (result.data) {
      const report = result.data.testPolicy;
      setTests({ report, files: JSON.stringify(sent) });
      setServerProblems(reportProblems(report, (file) => matchPath(file, paths)));
    } else if (result.error) setTestError(result.error);
  }

  async function acceptFigures() {
    if (accepting) return;
    setAccepting(true);
    setAcceptError(null);
    const sent = files;
    const result = await client
      .query(PolicyAcceptFiguresDocument, { files: sent.map((f) => ({ path: f.path, text: f.text })) }, { requestPolicy: 'network-only' })
      .toPromise();
    setAccepting(false);
    if (!result.data) {
      // A candidate that does not load: its problems at their lines.
      const rejection = rejectionOf(result.error);
      if (rejection) setServerProblems(problemsOfRejection(rejection, paths));
      else if (result.error) setAcceptError(result.error);
      return;
    }
    const accepted = result.data.acceptPolicyFigures;
    setAcceptance(accepted);
    if (accepted.files.length === 0) return;
    // The new figures become changes in the editor; the cases run again on them.
    let next = edits.drafts;
    for (const f of accepted.files) next = withDraft(base, next, f.path, f.text);
    setEdits({ ...edits, drafts: next });
    await runTests(candidateFiles(base, { ...edits, drafts: next }));
  }

  function goTo(p: Pick<FileProblem, 'file' | 'line' | 'column'>) {
    if (!p.file || !paths.includes(p.file)) return;
    setActive(p.file);
    setReveal({ path: p.file, line: p.line, column: p.column, nonce: Date.now() });
  }

  async function runPlan() {
    if (planning) return;
    setPlanning(true);
    setPlanError(null);
    const sent = files;
    const result = await client.query(PolicyPlanDocument, { files: sent.map((f) => ({ path: f.path, text: f.text })) }, { requestPolicy: 'network-only' }).toPromise();
    setPlanning(false);
    setCheckedAt(new Date().toISOString());
    if (result.data) {
      setPlan({ plan: result.data.planPolicy, files: JSON.stringify(sent) });
      setServerProblems([]);
      setPanel('plan');
      return;
    }
    const rejection = rejectionOf(result.error);
    if (rejection) {
      setServerProblems(problemsOfRejection(rejection, paths));
      setPlan(null);
      setPanel('problems');
    } else if (result.error) {
      setPlanError(result.error);
      setPanel('plan');
    }
  }

  function published(publication: Publication) {
    setPublishOpen(false);
    setServerProblems([]);
    setHistoryRefresh((n) => n + 1);
    if (publication.version.files.length > 0) {
      setBase(publication.version.files.map((f) => ({ path: f.path, text: f.text })));
      setBaseNumber(publication.version.number);
      setEdits(noEdits);
      setActive((a) => (publication.version.files.some((f) => f.path === a) ? a : 'tenant.yaml'));
    }
    onLiveChanged();
  }

  function revert() {
    setEdits(noEdits);
    if (!base.some((f) => f.path === active)) setActive('tenant.yaml');
    setServerProblems([]);
    setAcceptance(null);
    setRevertOpen(false);
  }

  function createFile(kind: 'hook' | 'test', path: string) {
    const tenantYaml = files.find((f) => f.path === 'tenant.yaml')?.text ?? '';
    setEdits((e) => withNewFile(base, e, path, newFileText(kind, path, tenantYaml)));
    setNewFileOpen(false);
    setActive(path);
    // The new file's editor takes the focus once it is shown.
    window.setTimeout(() => editor.current?.focus(), 0);
  }

  function deleteFile() {
    if (!deleting) return;
    setEdits((e) => withoutFile(base, e, deleting));
    setServerProblems((list) => list.filter((p) => p.file !== deleting));
    if (active === deleting) setActive('tenant.yaml');
    setDeleting(null);
  }

  const fileLabel = (path: string) => t(`kind.${fileKind(path)}`, { path });
  const deleted = changes.filter((c) => c.change === 'deleted').map((c) => c.path);
  const labelFor = useCallback((path: string) => t('editorLabel', { path }), [t]);

  const actions = {
    tests: { label: testing ? t('actions.testing') : t('actions.tests'), run: () => void runTests(), disabled: testing },
    plan: { label: planning ? t('actions.planning') : t('actions.plan'), run: () => void runPlan(), disabled: planning },
    publish: { label: t('actions.publish'), run: () => setPublishOpen(true), disabled: !dirty },
    revert: { label: t('actions.revert'), run: () => setRevertOpen(true), disabled: !dirty },
    history: { label: t('actions.history'), run: () => setPanel('history'), disabled: false },
    newFile: { label: t('actions.newFile'), run: () => setNewFileOpen(true), disabled: false },
  };

  return (
    <>
      <Header version={version}>
        {phone ? (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button variant="default">{t('actions.menu')}</Button>
            </Menu.Target>
            <Menu.Dropdown>
              {(['tests', 'plan', 'publish', 'revert', 'newFile', 'history'] as const).map((key) => (
                <Menu.Item key={key} onClick={actions[key].run} disabled={actions[key].disabled}>
                  {actions[key].label}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        ) : (
          <Group gap="xs" role="group" aria-label={t('actions.label')}>
            <Button variant="default" onClick={actions.revert.run} disabled={actions.revert.disabled}>
              {actions.revert.label}
            </Button>
            <Button variant="light" onClick={actions.tests.run} loading={testing}>
              {t('actions.tests')}
            </Button>
            <Button variant="light" onClick={actions.plan.run} loading={planning}>
              {t('actions.plan')}
            </Button>
            <Button onClick={actions.publish.run} disabled={actions.publish.disabled}>
              {actions.publish.label}
            </Button>
          </Group>
        )}
      </Header>

      {newer && keptEditing !== newer.number ? (
        <NewerVersionNotice
          newer={newer}
          dirty={dirty}
          onSee={() => setSeeingTheirs(true)}
          onReload={onLiveChanged}
          onKeep={() => setKeptEditing(newer.number)}
        />
      ) : null}

      <Text fz="sm" role="status" aria-live="polite" data-testid="policy-changes">
        {dirty ? t('changed', { count: changed.length, files: changes.map((c) => (c.change === 'edited' ? c.path : t(`changeOf.${c.change}`, { path: c.path }))).join(', ') }) : t('unchanged')}
      </Text>

      <div className={classes.workbench}>
        {phone ? (
          <NativeSelect
            label={t('files')}
            value={active}
            onChange={(e) => setActive(e.currentTarget.value)}
            data={paths.map((p) => ({
              value: p,
              label: `${p}${changeOf(p) ? ` · ${t(`change.${changeOf(p)!}`)}` : ''}${problemCount(p) ? ` · ${t('problemsN', { count: problemCount(p) })}` : ''}`,
            }))}
          />
        ) : (
          <nav aria-label={t('files')} className={classes.files}>
            <Text fz="xs" fw={700} tt="uppercase" c="dimmed" mb={6} aria-hidden>
              {t('files')}
            </Text>
            <ul>
              {paths.map((p) => (
                <li key={p}>
                  <UnstyledButton
                    className={classes.file}
                    data-active={p === active || undefined}
                    aria-current={p === active ? 'true' : undefined}
                    onClick={() => setActive(p)}
                    title={fileLabel(p)}
                  >
                    <span className={classes.filePath}>{p}</span>
                    <span className={classes.fileMarks}>
                      {changeOf(p) ? (
                        <Badge size="xs" variant="light" color={changeOf(p) === 'added' ? 'teal' : 'blue'}>
                          {t(`change.${changeOf(p)!}`)}
                        </Badge>
                      ) : null}
                      {problemCount(p) ? (
                        <Badge size="xs" variant="light" color="red">
                          {t('problemsN', { count: problemCount(p) })}
                        </Badge>
                      ) : null}
                    </span>
                  </UnstyledButton>
                </li>
              ))}
            </ul>
            {deleted.length > 0 ? (
              <div className={classes.fileActions}>
                <Text fz="xs" c="dimmed">
                  {t('deletedFiles')}
                </Text>
                <ul className={classes.deletedList} aria-label={t('deletedFiles')}>
                  {deleted.map((p) => (
                    <li key={p}>
                      <Text span fz="xs" ff="monospace" td="line-through">
                        {p}
                      </Text>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
            <Button variant="subtle" size="compact-sm" className={classes.fileActions} onClick={actions.newFile.run}>
              {t('actions.newFile')}
            </Button>
          </nav>
        )}

        <section className={classes.editorSection} aria-labelledby="policy-file-heading">
          <Group justify="space-between" gap="xs" mb={6} wrap="wrap">
            <Title order={2} fz="md" id="policy-file-heading" ff="monospace">
              {active}
              {changeOf(active) ? (
                <Badge size="sm" variant="light" color={changeOf(active) === 'added' ? 'teal' : 'blue'} ml="xs" ff="var(--mantine-font-family)">
                  {t(`change.${changeOf(active)!}`)}
                </Badge>
              ) : null}
            </Title>
            <Group gap="xs" wrap="nowrap">
              <Text fz="xs" c="dimmed" visibleFrom="md">
                {t('keysHint')}
              </Text>
              {active !== 'tenant.yaml' ? (
                <Button variant="subtle" color="red" size="compact-sm" onClick={() => setDeleting(active)}>
                  {t('actions.deleteFile')}
                </Button>
              ) : null}
            </Group>
          </Group>
          <div className={classes.editor}>
            <Suspense
              fallback={
                <Text fz="sm" c="dimmed" p="md" role="status">
                  {t('editorLoading')}
                </Text>
              }
            >
              <PolicyEditor
                files={files}
                path={active}
                labelFor={labelFor}
                onChange={onChange}
                serverProblems={serverProblems}
                onSave={() => void runTests()}
                reveal={reveal}
                handleRef={editor}
              />
            </Suspense>
          </div>
        </section>
      </div>

      <Tabs value={panel} onChange={(v) => setPanel((v as Panel | null) ?? 'problems')} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="problems">{t('tabs.problems', { count: problems.length })}</Tabs.Tab>
          <Tabs.Tab value="tests">
            {!tests
              ? t('tabs.tests')
              : tests.report.problems.length > 0
                ? t('tabs.testsNotRun')
                : t('tabs.testsResult', { passed: tests.report.passed, failed: tests.report.failed })}
          </Tabs.Tab>
          <Tabs.Tab value="plan">{t('tabs.plan')}</Tabs.Tab>
          <Tabs.Tab value="history">{t('tabs.history')}</Tabs.Tab>
        </Tabs.List>

        <Tabs.Panel value="problems" pt="md">
          <ProblemsList problems={problems} checkedAt={checkedAt} onGo={goTo} />
        </Tabs.Panel>

        <Tabs.Panel value="tests" pt="md">
          <TestsPanel
            report={tests?.report ?? null}
            stale={tests !== null && tests.files !== candidateKey}
            running={testing}
            error={testError}
            acceptance={acceptance}
            accepting={accepting}
            acceptError={acceptError}
            onAccept={() => void acceptFigures()}
            onGo={goTo}
          />
        </Tabs.Panel>

        <Tabs.Panel value="plan" pt="md">
          {planError ? <ProblemAlert problem={describeError(planError, tc)} title={t('plan.failed')} /> : null}
          {planning ? (
            <Text fz="sm" role="status">
              {t('publish.planning')}
            </Text>
          ) : null}
          {!plan && !planning && !planError ? (
            <Text fz="sm" c="dimmed">
              {t('plan.none')}
            </Text>
          ) : null}
          {plan ? <PlanView plan={plan.plan} stale={plan.files !== candidateKey} /> : null}
        </Tabs.Panel>

        <Tabs.Panel value="history" pt="md">
          <HistoryPanel refresh={historyRefresh} dirty={dirty} onRolledBack={onLiveChanged} />
        </Tabs.Panel>
      </Tabs>

      <PublishDialog
        opened={publishOpen}
        onClose={() => setPublishOpen(false)}
        files={files}
        changed={changed}
        onPlan={(p, sent) => setPlan({ plan: p, files: JSON.stringify(sent) })}
        onRejected={(list) => {
          setServerProblems(list);
          setCheckedAt(new Date().toISOString());
          setPanel('problems');
        }}
        onPublished={published}
        base={baseNumber}
        newer={newer}
        onConflict={refreshLatest}
      />

      <NewFileDialog opened={newFileOpen} existing={paths} onCreate={createFile} onClose={() => setNewFileOpen(false)} />

      <DeleteFileDialog
        path={deleting}
        live={deleting !== null && base.some((f) => f.path === deleting)}
        onConfirm={deleteFile}
        onClose={() => setDeleting(null)}
      />

      <TheirChangesDialog
        newer={seeingTheirs ? newer : null}
        base={{ number: baseNumber, files: base }}
        dirty={dirty}
        onClose={() => {
          setSeeingTheirs(false);
          if (newer) setKeptEditing(newer.number);
        }}
        onReload={() => {
          setSeeingTheirs(false);
          onLiveChanged();
        }}
      />

      <ConfirmDialog
        opened={revertOpen}
        title={t('revert.title')}
        body={t('revert.body', { count: changed.length, files: changed.join(', ') })}
        confirm={t('revert.confirm')}
        onConfirm={revert}
        onCancel={() => setRevertOpen(false)}
      />

      <ConfirmDialog
        opened={blocker.state === 'blocked'}
        title={t('leave.title')}
        body={t('leave.body', { count: changed.length, files: changed.join(', ') })}
        confirm={t('leave.confirm')}
        cancel={t('leave.stay')}
        onConfirm={() => blocker.proceed?.()}
        onCancel={() => blocker.reset?.()}
      />
    </>
  );
}

function ProblemsList({ problems, checkedAt, onGo }: { problems: readonly FileProblem[]; checkedAt: string | null; onGo: (p: FileProblem) => void }) {
  const { t } = useTranslation('policy');
  const format = useFormat();
  return (
    <Stack gap="xs">
      <Text fz="sm" c="dimmed">
        {checkedAt ? t('problems.checkedAt', { at: format.time(checkedAt) }) : t('problems.notChecked')}
      </Text>
      {problems.length === 0 ? (
        <Text fz="sm" data-testid="problems-none">
          {t('problems.none')}
        </Text>
      ) : (
        <ol className={classes.problems} aria-label={t('problems.label')}>
          {problems.map((p, i) => (
            <li key={`${p.source}-${p.file}-${p.line}-${p.column}-${i}`}>
              <Badge size="xs" variant="outline" color={p.source === 'schema' ? 'gray' : 'red'} className={classes.problemSource}>
                {t(`problems.source.${p.source}`)}
              </Badge>
              {placeOf(p) ? (
                <Anchor component="button" type="button" fz="sm" ff="monospace" onClick={() => onGo(p)} className={classes.problemPlace}>
                  {placeOf(p)}
                </Anchor>
              ) : null}
              <Text span fz="sm">
                {p.message}
                {p.yamlPath ? (
                  <Text span fz="xs" c="dimmed">
                    {' '}
                    ({p.yamlPath})
                  </Text>
                ) : null}
              </Text>
            </li>
          ))}
        </ol>
      )}
    </Stack>
  );
}

function ConfirmDialog({
  opened,
  title,
  body,
  confirm,
  cancel,
  onConfirm,
  onCancel,
}: {
  opened: boolean;
  title: string;
  body: string;
  confirm: string;
  cancel?: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('policy');
  return (
    <Modal
      opened={opened}
      onClose={onCancel}
      title={<span style={{ fontWeight: 650, fontSize: 'var(--mantine-font-size-lg)' }}>{title}</span>}
      closeButtonProps={{ 'aria-label': t('close') }}
      overlayProps={{ backgroundOpacity: 0.3 }}
    >
      <Stack gap="md">
        <Text fz="sm">{body}</Text>
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel}>
            {cancel ?? t('cancel')}
          </Button>
          <Button color="red" onClick={onConfirm}>
            {confirm}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
