// A tenant directory as the Policy page holds it: the live version's files
// (the base) and the user's edits — texts by path (drafts, which may name a
// file the base does not have: a new file) and the base files deleted. Pure:
// the page keeps them in state; the candidate sent to test, plan and publish
// is the whole directory — the base without the deleted files, with the
// drafts applied, plus the new files — since berth stores exactly the files
// it is sent (a file left out is not in the new version).
//
// Which files a directory may have is berth's rule (core's
// `policy_versions::is_loaded`, what the policy loader reads): `tenant.yaml`,
// Rhai hooks beside it (`NAME.rhai`), test files in `tests/`
// (`tests/NAME.yaml` or `.yml`), e-mail templates in `emails/`
// (`emails/NAME.txt` or `.html`). `isLoaded` repeats it, so a new file's name
// is refused at its input rather than by berth on publishing.

/** One file of a tenant directory. */
export interface PolicyFile {
  path: string;
  text: string;
}

/** What a file is, which decides its editor mode and schema. */
export type FileKind = 'tenant' | 'rhai' | 'test' | 'seed' | 'yaml' | 'other';

export function fileKind(path: string): FileKind {
  if (path === 'tenant.yaml') return 'tenant';
  if (path === 'seed.yaml') return 'seed';
  if (path.endsWith('.rhai')) return 'rhai';
  if (/^tests\/[^/]+\.ya?ml$/.test(path)) return 'test';
  if (/\.ya?ml$/.test(path)) return 'yaml';
  return 'other';
}

const kindOrder: Record<FileKind, number> = { tenant: 0, rhai: 1, test: 2, seed: 3, yaml: 4, other: 5 };

/** Paths in the order the file list shows them: tenant.yaml, hooks, tests, the rest. */
export function sortPaths(paths: readonly string[]): string[] {
  return [...paths].sort((a, b) => kindOrder[fileKind(a)] - kindOrder[fileKind(b)] || a.localeCompare(b));
}

/** Edited texts by path (a path the base lacks is a new file). A draft equal to its base is no draft. */
export type Drafts = Readonly<Record<string, string>>;

/** The user's edits of the base: texts by path, and the base files deleted. */
export interface Edits {
  drafts: Drafts;
  /** Base paths removed from the candidate (until published, the live version keeps them). */
  deleted: readonly string[];
}

export const noEdits: Edits = { drafts: {}, deleted: [] };

/** `drafts` with `path` set to `text` (removed when it equals the base again). */
export function withDraft(base: readonly PolicyFile[], drafts: Drafts, path: string, text: string): Drafts {
  const original = base.find((f) => f.path === path)?.text;
  const next = { ...drafts };
  if (text === original) delete next[path];
  else next[path] = text;
  return next;
}

/** `edits` with a new file at `path` (a deleted base file of that name comes back with `text`). */
export function withNewFile(base: readonly PolicyFile[], edits: Edits, path: string, text: string): Edits {
  return { drafts: withDraft(base, edits.drafts, path, text), deleted: edits.deleted.filter((p) => p !== path) };
}

/** `edits` without `path`: a new file is dropped, a base file marked deleted (its draft discarded). */
export function withoutFile(base: readonly PolicyFile[], edits: Edits, path: string): Edits {
  const drafts = { ...edits.drafts };
  delete drafts[path];
  const inBase = base.some((f) => f.path === path);
  return { drafts, deleted: inBase && !edits.deleted.includes(path) ? [...edits.deleted, path] : edits.deleted };
}

/** How a path of the candidate differs from the base. */
export type Change = 'edited' | 'added' | 'deleted';

/** Every difference from the base, in list order. */
export function fileChanges(base: readonly PolicyFile[], edits: Edits): { path: string; change: Change }[] {
  const changes = new Map<string, Change>();
  for (const [path, text] of Object.entries(edits.drafts)) {
    if (edits.deleted.includes(path)) continue;
    const original = base.find((f) => f.path === path);
    if (!original) changes.set(path, 'added');
    else if (original.text !== text) changes.set(path, 'edited');
  }
  for (const path of edits.deleted) if (base.some((f) => f.path === path)) changes.set(path, 'deleted');
  return sortPaths([...changes.keys()]).map((path) => ({ path, change: changes.get(path)! }));
}

/** The paths that differ from the base (edited, new or deleted), in list order. */
export function changedPaths(base: readonly PolicyFile[], edits: Edits): string[] {
  return fileChanges(base, edits).map((c) => c.path);
}

/** The candidate directory: the base files not deleted with their drafts applied, and the new files, in list order. */
export function candidateFiles(base: readonly PolicyFile[], { drafts, deleted }: Edits): PolicyFile[] {
  const kept = base.filter((f) => !deleted.includes(f.path)).map((f) => ({ path: f.path, text: drafts[f.path] ?? f.text }));
  const added = Object.entries(drafts)
    .filter(([path]) => !base.some((f) => f.path === path) && !deleted.includes(path))
    .map(([path, text]) => ({ path, text }));
  const all = [...kept, ...added];
  return sortPaths(all.map((f) => f.path)).map((p) => all.find((f) => f.path === p)!);
}

/** The current text of `path`. */
export function currentText(base: readonly PolicyFile[], drafts: Drafts, path: string): string {
  return drafts[path] ?? base.find((f) => f.path === path)?.text ?? '';
}

/**
 * Whether berth reads the file at `path` of a tenant directory — core's
 * `policy_versions::is_loaded`: `tenant.yaml`; `NAME.rhai` beside it;
 * `tests/NAME.yaml` or `tests/NAME.yml`; the e-mail templates
 * `emails/NAME.txt` and `emails/NAME.html` (NAME not starting with `.`).
 * NAME is not empty; the extensions are lower case.
 */
export function isLoaded(path: string): boolean {
  const named = (name: string, extensions: readonly string[]) =>
    extensions.some((x) => name.endsWith(`.${x}`) && name.length > x.length + 1);
  const parts = path.split('/');
  if (parts.length === 1) return parts[0] === 'tenant.yaml' || named(parts[0]!, ['rhai']);
  if (parts.length === 2 && parts[0] === 'tests') return named(parts[1]!, ['yaml', 'yml']);
  if (parts.length === 2 && parts[0] === 'emails') return named(parts[1]!, ['txt', 'html']) && !parts[1]!.startsWith('.');
  return false;
}

/** A file the editor can add: a Rhai hook beside tenant.yaml, or a test file in tests/. */
export type NewFileKind = 'hook' | 'test';

/** Why a name cannot be a new file's (each has a message at the input). */
export type NameProblem = 'empty' | 'folder' | 'characters' | 'extension' | 'exists';

/** The path of a new file named `name` (with or without its extension). */
export function newFilePath(kind: NewFileKind, name: string): string {
  const bare = name.trim();
  if (kind === 'hook') return bare.endsWith('.rhai') ? bare : `${bare}.rhai`;
  return `tests/${/\.ya?ml$/.test(bare) ? bare : `${bare}.yaml`}`;
}

/**
 * Why `name` cannot be a new `kind` file among `existing` paths (the
 * candidate's), or null: berth's rule for a directory's paths (no folders, no
 * `\`, no control characters, a name before the extension, the lower-case
 * extension of its kind) and no second file of one path.
 */
export function newFileProblem(kind: NewFileKind, name: string, existing: readonly string[]): NameProblem | null {
  const bare = name.trim();
  if (bare === '') return 'empty';
  if (bare.includes('/')) return 'folder';
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (bare.includes('\\') || /[\u0000-\u001f\u007f-\u009f]/.test(bare)) return 'characters';
  const path = newFilePath(kind, bare);
  if (!isLoaded(path)) return 'extension';
  if (existing.includes(path)) return 'exists';
  return null;
}

/** The text a new file starts with: a hook that changes nothing yet, or one test case in the tenant's model's shape. */
export function newFileText(kind: NewFileKind, path: string, tenantYaml: string, today: Date = new Date()): string {
  if (kind === 'hook') {
    return [
      `// ${path}: a Rhai hook of this tenant. berth compiles every *.rhai file`,
      '// beside tenant.yaml with the booking model and merges their functions,',
      '// in name order; a function defined here replaces the model’s own',
      '// (policies/README.md, “Hooks”: validate, price, slots).',
      '',
    ].join('\n');
  }
  const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const model = /^model:\s*(\w+)/m.exec(tenantYaml)?.[1] ?? 'nightly';
  const request =
    model === 'timeslot'
      ? `{ start: "${day(14)}T10:00", guests: 1 }`
      : model === 'interval'
        ? `{ start: "${day(14)}T10:00", end: "${day(14)}T12:00", guests: 1 }`
        : `{ check_in: ${day(14)}, check_out: ${day(17)}, guests: 2 }`;
  return [
    `# ${path}: test cases — a request each, and what berth must answer.`,
    '# "Run tests" runs them; "Accept figures" fills in expected prices.',
    `now: ${day(0)}T09:00:00Z`,
    'unit: { name: Test unit, inventory: 1, max_guests: 4 }',
    'cases:',
    '  - name: a first case',
    `    request: ${request}`,
    '    expect: { accepted: true }',
    '',
  ].join('\n');
}
