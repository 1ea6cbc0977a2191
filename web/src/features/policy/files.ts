// A tenant directory as the Policy page holds it: the live version's files
// (the base) and the user's edits (drafts, by path). Pure: the page keeps
// them in state; the candidate sent to plan and publish is the base with the
// drafts applied.

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

/** Edited texts by path. A draft equal to its base is no draft. */
export type Drafts = Readonly<Record<string, string>>;

/** `drafts` with `path` set to `text` (removed when it equals the base again). */
export function withDraft(base: readonly PolicyFile[], drafts: Drafts, path: string, text: string): Drafts {
  const original = base.find((f) => f.path === path)?.text;
  const next = { ...drafts };
  if (text === original) delete next[path];
  else next[path] = text;
  return next;
}

/** The paths whose text differs from the base, in list order. */
export function changedPaths(base: readonly PolicyFile[], drafts: Drafts): string[] {
  return sortPaths(
    Object.keys(drafts).filter((path) => base.find((f) => f.path === path)?.text !== drafts[path]),
  );
}

/** The candidate directory: every base file with its draft applied. */
export function candidateFiles(base: readonly PolicyFile[], drafts: Drafts): PolicyFile[] {
  return base.map((f) => ({ path: f.path, text: drafts[f.path] ?? f.text }));
}

/** The current text of `path`. */
export function currentText(base: readonly PolicyFile[], drafts: Drafts, path: string): string {
  return drafts[path] ?? base.find((f) => f.path === path)?.text ?? '';
}
