import { CombinedError } from 'urql';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { matchPath, parseProblemLine, placeOf, problemsOfRejection, rejectionOf, sortProblems } from './diagnostics';
import { offsetAt, positionAt } from './editor/text';
import { candidateFiles, changedPaths, sortPaths, withDraft } from './files';

describe('parseProblemLine', () => {
  it('reads berth’s file:line:col: message (at path)', () => {
    expect(parseProblemLine('tenant.yaml:12:3: unknown field `phnoe` (at profile.phnoe)')).toEqual({
      file: 'tenant.yaml',
      line: 12,
      column: 3,
      message: 'unknown field `phnoe`',
      yamlPath: 'profile.phnoe',
      source: 'server',
    });
    expect(parseProblemLine('tests/pricing.yaml:143:1: test case `winter week` failed: expected total 115605, got 126956')).toMatchObject({
      file: 'tests/pricing.yaml',
      line: 143,
      column: 1,
      message: 'test case `winter week` failed: expected total 115605, got 126956',
    });
  });

  it('keeps parentheses that are part of the message', () => {
    expect(parseProblemLine('pricing.rhai:4:9: call to `f` (line 2) failed').message).toBe('call to `f` (line 2) failed');
  });

  it('takes a line of another shape as a message for the whole directory', () => {
    expect(parseProblemLine('too many files')).toEqual({ file: '', line: 0, column: 0, message: 'too many files', source: 'server' });
  });
});

describe('matching berth’s files to the editor’s', () => {
  const paths = ['tenant.yaml', 'pricing.rhai', 'tests/pricing.yaml'];
  it('accepts paths inside the directory and longer paths ending in one', () => {
    expect(matchPath('tenant.yaml', paths)).toBe('tenant.yaml');
    expect(matchPath('./tests/pricing.yaml', paths)).toBe('tests/pricing.yaml');
    expect(matchPath('/tmp/berth-candidate-1/alpine-cabins/tests/pricing.yaml', paths)).toBe('tests/pricing.yaml');
    expect(matchPath('other.yaml', paths)).toBe('other.yaml');
  });

  it('maps a rejection to problems at their files', () => {
    const problems = problemsOfRejection(['/x/alpine-cabins/tenant.yaml:7:3: bad (at profile.phone)', 'whole directory'], paths);
    expect(problems.map((p) => placeOf(p))).toEqual(['tenant.yaml:7:3', '']);
  });

  it('reads the rejection from an INVALID_INPUT error, and nothing from others', () => {
    const rejected = new CombinedError({
      graphQLErrors: [new GraphQLError('refused', { extensions: { code: 'INVALID_INPUT', rejection: ['tenant.yaml:1:1: no'] } })],
    });
    expect(rejectionOf(rejected)).toEqual(['tenant.yaml:1:1: no']);
    const forbidden = new CombinedError({ graphQLErrors: [new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } })] });
    expect(rejectionOf(forbidden)).toBeNull();
  });

  it('sorts problems by file order, line and column', () => {
    const p = (file: string, line: number, column = 1) => ({ file, line, column, message: '', source: 'schema' as const });
    expect(sortProblems([p('tests/pricing.yaml', 1), p('tenant.yaml', 9), p('tenant.yaml', 2, 5), p('tenant.yaml', 2, 1)], paths).map(placeOf)).toEqual([
      'tenant.yaml:2:1',
      'tenant.yaml:2:5',
      'tenant.yaml:9:1',
      'tests/pricing.yaml:1:1',
    ]);
  });
});

describe('offsets', () => {
  const text = 'slug: a\nprofile:\n  phnoe: "+41"\n';
  it('turns line and column into an offset and back', () => {
    const at = offsetAt(text, 3, 3);
    expect(text.slice(at, at + 5)).toBe('phnoe');
    expect(positionAt(text, at)).toEqual({ line: 3, column: 3 });
  });

  it('clamps to the line and to the text', () => {
    expect(offsetAt(text, 1, 99)).toBe(7);
    expect(offsetAt(text, 99, 1)).toBe(text.length);
    expect(offsetAt(text, 0, 0)).toBe(0);
  });
});

describe('drafts', () => {
  const base = [
    { path: 'tests/a.yaml', text: 'cases: []' },
    { path: 'tenant.yaml', text: 'slug: a' },
    { path: 'pricing.rhai', text: 'fn price() {}' },
  ];
  it('lists tenant.yaml, hooks, then tests', () => {
    expect(sortPaths(base.map((f) => f.path))).toEqual(['tenant.yaml', 'pricing.rhai', 'tests/a.yaml']);
  });

  it('keeps a draft only while it differs from the live text', () => {
    let drafts = withDraft(base, {}, 'tenant.yaml', 'slug: b');
    expect(changedPaths(base, { drafts, deleted: [] })).toEqual(['tenant.yaml']);
    expect(candidateFiles(base, { drafts, deleted: [] }).find((f) => f.path === 'tenant.yaml')!.text).toBe('slug: b');
    drafts = withDraft(base, drafts, 'tenant.yaml', 'slug: a');
    expect(drafts).toEqual({});
    expect(changedPaths(base, { drafts, deleted: [] })).toEqual([]);
  });
});

describe('a test report as problems', () => {
  it('puts load problems and failing cases at their lines', async () => {
    const { reportProblems } = await import('./TestsPanel');
    const report = {
      passed: 1,
      failed: 1,
      problems: [{ file: 'tenant.yaml', line: 7, column: 3, message: 'unknown field', yamlPath: 'profile.phnoe' }],
      cases: [
        { file: 'tests/pricing.yaml', line: 12, name: 'a week', passed: true, failure: null },
        { file: 'tests/pricing.yaml', line: 143, name: 'winter', passed: false, failure: 'expected total 115605, got 126956' },
      ],
    };
    const problems = reportProblems(report, (f) => f);
    expect(problems.map((p) => [placeOf(p), p.message, p.yamlPath])).toEqual([
      ['tenant.yaml:7:3', 'unknown field', 'profile.phnoe'],
      ['tests/pricing.yaml:143:1', 'test case `winter` failed: expected total 115605, got 126956', undefined],
    ]);
  });
});
