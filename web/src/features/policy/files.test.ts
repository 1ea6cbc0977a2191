import { describe, expect, it } from 'vitest';
import {
  candidateFiles,
  fileChanges,
  isLoaded,
  newFilePath,
  newFileProblem,
  newFileText,
  noEdits,
  withDraft,
  withNewFile,
  withoutFile,
  type Edits,
} from './files';
import testsSchema from '../../../../policies/schema/tests.schema.json';
import { validateYaml } from './editor/schema';

const base = [
  { path: 'tenant.yaml', text: 'slug: a\nmodel: nightly\n' },
  { path: 'saturday.rhai', text: 'fn validate() {}' },
  { path: 'tests/rules.yaml', text: 'cases: []' },
];

describe('the files berth reads (core policy_versions::is_loaded)', () => {
  it('are tenant.yaml, hooks beside it and test files in tests/', () => {
    for (const path of ['tenant.yaml', 'saturday.rhai', 'a.b.rhai', 'tests/pricing.yaml', 'tests/rules.yml']) expect(isLoaded(path), path).toBe(true);
    for (const path of ['seed.yaml', 'other.yml', 'hooks/a.rhai', 'tests/a.rhai', 'tests/sub/a.yaml', 'tests/.yaml', '.rhai', 'A.RHAI', 'tests/a.YAML', 'tenant.yml'])
      expect(isLoaded(path), path).toBe(false);
  });

  it('and e-mail templates directly in emails/, named, not hidden', () => {
    for (const path of ['emails/reminder.txt', 'emails/booking_confirmed.html', 'emails/a.b.txt']) expect(isLoaded(path), path).toBe(true);
    for (const path of [
      'emails/.txt',
      'emails/.hidden.html',
      'emails/a/b.txt',
      'emails/logo.png',
      'emails/a.yaml',
      'emails/a.TXT',
      'emails/',
      'emails',
      'reminder.txt',
      'tests/reminder.html',
      'hooks/emails/a.txt',
    ])
      expect(isLoaded(path), path).toBe(false);
  });
});

describe('a new file’s name', () => {
  const existing = base.map((f) => f.path);
  it('becomes a hook beside tenant.yaml or a test file in tests/, with its extension', () => {
    expect(newFilePath('hook', 'quiet_hours')).toBe('quiet_hours.rhai');
    expect(newFilePath('hook', ' quiet_hours.rhai ')).toBe('quiet_hours.rhai');
    expect(newFilePath('test', 'winter')).toBe('tests/winter.yaml');
    expect(newFilePath('test', 'winter.yml')).toBe('tests/winter.yml');
  });

  it('is refused as berth would refuse its path, or when the file exists', () => {
    expect(newFileProblem('hook', 'quiet_hours', existing)).toBeNull();
    expect(newFileProblem('test', 'winter', existing)).toBeNull();
    expect(newFileProblem('hook', '  ', existing)).toBe('empty');
    expect(newFileProblem('hook', 'hooks/quiet', existing)).toBe('folder');
    expect(newFileProblem('test', 'tests/winter', existing)).toBe('folder');
    expect(newFileProblem('hook', 'a\\b', existing)).toBe('characters');
    expect(newFileProblem('hook', 'a\tb', existing)).toBe('characters');
    // `.rhai` alone has no name before its extension; `X.RHAI` becomes X.RHAI.rhai, which is fine.
    expect(newFileProblem('hook', '.rhai', existing)).toBe('extension');
    expect(newFileProblem('test', '.yaml', existing)).toBe('extension');
    expect(newFileProblem('hook', 'saturday', existing)).toBe('exists');
    expect(newFileProblem('test', 'rules.yaml', existing)).toBe('exists');
  });

  it('starts as a hook that changes nothing, or a test file that passes the schema', () => {
    expect(newFileText('hook', 'quiet.rhai', '')).toMatch(/^\/\/ quiet\.rhai: a Rhai hook/);
    expect(newFileText('hook', 'quiet.rhai', '').split('\n').every((l) => l === '' || l.startsWith('//'))).toBe(true);
    const today = new Date('2026-12-07T10:00:00Z');
    const nightly = newFileText('test', 'tests/w.yaml', 'model: nightly', today);
    expect(nightly).toContain('request: { check_in: 2026-12-21, check_out: 2026-12-24, guests: 2 }');
    expect(newFileText('test', 'tests/w.yaml', 'slug: x\nmodel: timeslot\n', today)).toContain('request: { start: "2026-12-21T10:00", guests: 1 }');
    expect(newFileText('test', 'tests/w.yaml', 'model: interval', today)).toContain('end: "2026-12-21T12:00"');
    for (const model of ['nightly', 'timeslot', 'interval']) expect(validateYaml(newFileText('test', 'tests/w.yaml', `model: ${model}`, today), testsSchema)).toEqual([]);
  });
});

describe('adding and deleting files', () => {
  it('adds a new file to the candidate, in list order, and drops it again', () => {
    const edits = withNewFile(base, noEdits, 'quiet.rhai', '// q');
    expect(candidateFiles(base, edits).map((f) => f.path)).toEqual(['tenant.yaml', 'quiet.rhai', 'saturday.rhai', 'tests/rules.yaml']);
    expect(fileChanges(base, edits)).toEqual([{ path: 'quiet.rhai', change: 'added' }]);
    // An empty new file is still a file.
    const typed = { ...edits, drafts: withDraft(base, edits.drafts, 'quiet.rhai', '') };
    expect(fileChanges(base, typed)).toEqual([{ path: 'quiet.rhai', change: 'added' }]);
    expect(withoutFile(base, edits, 'quiet.rhai')).toEqual(noEdits);
  });

  it('deletes a live file from the candidate only (its draft discarded); re-creating it edits it', () => {
    let edits: Edits = { drafts: withDraft(base, {}, 'saturday.rhai', 'fn validate() { [] }'), deleted: [] };
    edits = withoutFile(base, edits, 'saturday.rhai');
    expect(edits).toEqual({ drafts: {}, deleted: ['saturday.rhai'] });
    expect(candidateFiles(base, edits).map((f) => f.path)).toEqual(['tenant.yaml', 'tests/rules.yaml']);
    expect(fileChanges(base, edits)).toEqual([{ path: 'saturday.rhai', change: 'deleted' }]);
    const back = withNewFile(base, edits, 'saturday.rhai', '// again');
    expect(fileChanges(base, back)).toEqual([{ path: 'saturday.rhai', change: 'edited' }]);
    expect(withNewFile(base, edits, 'saturday.rhai', 'fn validate() {}')).toEqual(noEdits);
  });

  it('lists edited, new and deleted files together', () => {
    let edits = withNewFile(base, noEdits, 'tests/winter.yaml', 'cases: []');
    edits = { ...edits, drafts: withDraft(base, edits.drafts, 'tenant.yaml', 'slug: b') };
    edits = withoutFile(base, edits, 'saturday.rhai');
    expect(fileChanges(base, edits)).toEqual([
      { path: 'tenant.yaml', change: 'edited' },
      { path: 'saturday.rhai', change: 'deleted' },
      { path: 'tests/winter.yaml', change: 'added' },
    ]);
  });
});
