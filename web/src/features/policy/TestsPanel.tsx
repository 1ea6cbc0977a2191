// The candidate's test cases as berth ran them (`testPolicy`): how many
// passed and failed, each failure with a link to its line, and — when cases
// fail only by their figures after a deliberate change — "Accept figures"
// (`acceptPolicyFigures`, `berth policy test --accept`): the expected
// figures rewritten in the editor as changes to review, the cases run again.
import { Alert, Anchor, Button, List, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CombinedError } from 'urql';
import { ProblemAlert } from '@/components/ProblemAlert';
import type { PolicyAcceptFiguresQuery, PolicyTestQuery } from '@/gql/graphql';
import { describeError } from '@/lib/errors';
import { placeOf, type FileProblem } from './diagnostics';
import classes from './policy.module.css';

export type TestReport = PolicyTestQuery['testPolicy'];
export type Acceptance = PolicyAcceptFiguresQuery['acceptPolicyFigures'];

/** A failing case as a problem at its line (what berth's refusal says of it too). */
export function caseProblem(c: { file: string; line: number; name: string; failure: string | null }): FileProblem {
  return { file: c.file, line: c.line, column: 1, message: `test case \`${c.name}\` failed: ${c.failure ?? ''}`, source: 'server' };
}

/** berth's problem (file, line, column, message, YAML path) in the page's shape. */
export function problemOf(p: TestReport['problems'][number], match: (file: string) => string): FileProblem {
  return {
    file: p.file ? match(p.file) : '',
    line: p.line,
    column: p.column,
    message: p.message,
    ...(p.yamlPath ? { yamlPath: p.yamlPath } : {}),
    source: 'server',
  };
}

/** The report's problems at their places: what kept the files from loading, and each failing case. */
export function reportProblems(report: TestReport, match: (file: string) => string): FileProblem[] {
  const loading = report.problems.map((p) => problemOf(p, match));
  const failing = report.cases.filter((c) => !c.passed).map((c) => caseProblem({ ...c, file: match(c.file) }));
  return [...loading, ...failing];
}

interface Props {
  report: TestReport | null;
  stale: boolean;
  running: boolean;
  error: CombinedError | null;
  acceptance: Acceptance | null;
  accepting: boolean;
  acceptError: CombinedError | null;
  onAccept: () => void;
  onGo: (p: Pick<FileProblem, 'file' | 'line' | 'column'>) => void;
}

export function TestsPanel({ report, stale, running, error, acceptance, accepting, acceptError, onAccept, onGo }: Props) {
  const { t } = useTranslation('policy');
  const { t: tc } = useTranslation();
  const failing = report?.cases.filter((c) => !c.passed) ?? [];
  const passing = report?.cases.filter((c) => c.passed) ?? [];

  return (
    <Stack gap="sm" data-testid="tests">
      {error ? <ProblemAlert problem={describeError(error, tc)} title={t('tests.failed')} /> : null}
      {running ? (
        <Text fz="sm" role="status">
          {t('tests.running')}
        </Text>
      ) : null}
      {!report && !running && !error ? (
        <Text fz="sm" c="dimmed">
          {t('tests.none')}
        </Text>
      ) : null}
      {acceptance ? <AcceptanceNote acceptance={acceptance} onGo={onGo} /> : null}
      {report ? (
        <>
          {stale ? (
            <Alert color="yellow" variant="light" title={t('tests.staleTitle')}>
              {t('tests.staleBody')}
            </Alert>
          ) : null}
          <Text fw={700} data-testid="tests-summary">
            {report.problems.length > 0 ? t('tests.notRun') : t('tests.summary', { passed: report.passed, failed: report.failed })}
          </Text>
          {report.problems.length > 0 ? (
            <ol className={classes.problems} aria-label={t('tests.problemsLabel')}>
              {report.problems.map((p) => problemOf(p, (f) => f)).map((p, i) => (
                <li key={i}>
                  {placeOf(p) ? (
                    <Anchor component="button" type="button" fz="sm" ff="monospace" className={classes.problemPlace} onClick={() => onGo(p)}>
                      {placeOf(p)}
                    </Anchor>
                  ) : null}
                  <Text span fz="sm">
                    {p.message}
                  </Text>
                </li>
              ))}
            </ol>
          ) : null}
          {failing.length > 0 ? (
            <>
              <ol className={classes.problems} aria-label={t('tests.failingLabel')}>
                {failing.map((c) => (
                  <li key={`${c.file}:${c.line}`}>
                    <Anchor component="button" type="button" fz="sm" ff="monospace" className={classes.problemPlace} onClick={() => onGo({ file: c.file, line: c.line, column: 1 })}>
                      {`${c.file}:${c.line}`}
                    </Anchor>
                    <Text span fz="sm" fw={600}>
                      {c.name}
                    </Text>
                    <Text span fz="sm">
                      {c.failure}
                    </Text>
                  </li>
                ))}
              </ol>
              <Stack gap={4} align="flex-start">
                <Button variant="light" onClick={onAccept} loading={accepting} disabled={stale}>
                  {t('tests.accept')}
                </Button>
                <Text fz="xs" c="dimmed">
                  {t('tests.acceptHint')}
                </Text>
              </Stack>
              {acceptError ? <ProblemAlert problem={describeError(acceptError, tc)} title={t('tests.acceptFailed')} /> : null}
            </>
          ) : null}
          {passing.length > 0 ? (
            <details className={classes.passed}>
              <summary>{t('tests.passedList', { count: passing.length })}</summary>
              <List size="sm" spacing={2} mt={6}>
                {passing.map((c) => (
                  <List.Item key={`${c.file}:${c.line}`}>
                    <Text span fz="sm" ff="monospace">
                      {`${c.file}:${c.line}`}
                    </Text>{' '}
                    {c.name}
                  </List.Item>
                ))}
              </List>
            </details>
          ) : null}
        </>
      ) : null}
    </Stack>
  );
}

function AcceptanceNote({ acceptance, onGo }: { acceptance: Acceptance; onGo: (p: Pick<FileProblem, 'file' | 'line' | 'column'>) => void }) {
  const { t } = useTranslation('policy');
  const nothing = acceptance.changes.length === 0;
  return (
    <Alert
      color={nothing || acceptance.leftFailing.length > 0 ? 'yellow' : 'green'}
      variant="light"
      title={
        nothing
          ? t('tests.acceptedNothing')
          : t('tests.accepted', { count: acceptance.changes.length, files: acceptance.files.map((f) => f.path).join(', ') })
      }
      data-testid="acceptance"
    >
      <Stack gap={6}>
        {nothing ? null : <Text fz="sm">{t('tests.acceptedBody')}</Text>}
        {acceptance.changes.length > 0 && acceptance.changes.length <= 6 ? <ChangeList changes={acceptance.changes} onGo={onGo} /> : null}
        {acceptance.changes.length > 6 ? (
          <details className={classes.passed}>
            <summary>{t('tests.showAll', { count: acceptance.changes.length })}</summary>
            <ChangeList changes={acceptance.changes} onGo={onGo} />
          </details>
        ) : null}
        {acceptance.leftFailing.length > 0 ? (
          <>
            <Text fz="sm" fw={600}>
              {t('tests.leftFailing', { count: acceptance.leftFailing.length })}
            </Text>
            <List size="sm" spacing={2}>
              {acceptance.leftFailing.map((c) => (
                <List.Item key={`${c.file}:${c.line}`}>
                  <Text span fz="sm" ff="monospace">{`${c.file}:${c.line}`}</Text> {c.case}: {c.reason}
                </List.Item>
              ))}
            </List>
          </>
        ) : null}
      </Stack>
    </Alert>
  );
}

function ChangeList({ changes, onGo }: { changes: Acceptance['changes']; onGo: (p: Pick<FileProblem, 'file' | 'line' | 'column'>) => void }) {
  const { t } = useTranslation('policy');
  return (
    <List size="sm" spacing={2} mt={4}>
      {changes.map((c) => (
        <List.Item key={`${c.file}:${c.line}:${c.figure}`}>
          <Anchor component="button" type="button" fz="sm" ff="monospace" onClick={() => onGo({ file: c.file, line: c.line, column: 1 })}>
            {`${c.file}:${c.line}`}
          </Anchor>{' '}
          {t('tests.change', { figure: c.figure, was: c.was, now: c.now, name: c.case })}
        </List.Item>
      ))}
    </List>
  );
}
