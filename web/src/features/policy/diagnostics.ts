// Problems in a tenant's files, wherever they were found: berth's checks,
// tests and publish answer `file:line:col: message (at yaml.path)` lines
// (policy-dsl's Diagnostic, `extensions.rejection` of an INVALID_INPUT
// error); the editor's own schema validation finds them as it types. Both
// become `Problem`s: a file, a 1-based line and column, a message — shown at
// their line in the editor and in the problems list, which links to them.
import type { CombinedError } from 'urql';

/** Where a problem was found. */
export type ProblemSource = 'server' | 'schema';

/** One problem at one place. */
export interface FileProblem {
  /** The path inside the tenant directory (`tenant.yaml`, `tests/pricing.yaml`); '' for the directory. */
  file: string;
  /** 1-based; 0 when it concerns the whole file. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  message: string;
  /** `pricing.seasons[0].rate`, when known. */
  yamlPath?: string;
  source: ProblemSource;
}

const lineFormat = /^(.+?):(\d+):(\d+): ([\s\S]*?)(?: \(at ([^()]*)\))?$/;

/** One `file:line:col: message (at path)` line; a line of another shape is a message for the whole directory. */
export function parseProblemLine(text: string): FileProblem {
  const match = lineFormat.exec(text.trim());
  if (!match) return { file: '', line: 0, column: 0, message: text.trim(), source: 'server' };
  const [, file, line, column, message, yamlPath] = match;
  return {
    file: file!,
    line: Number(line),
    column: Number(column),
    message: message!,
    ...(yamlPath ? { yamlPath } : {}),
    source: 'server',
  };
}

/**
 * The path of `file` among the directory's `paths`: as given, or the one it
 * ends with (a server may name `tenants/alpine-cabins/tenant.yaml`); else as given.
 */
export function matchPath(file: string, paths: readonly string[]): string {
  const clean = file.replace(/\\/g, '/').replace(/^\.\//, '');
  if (paths.includes(clean)) return clean;
  return paths.find((p) => clean.endsWith(`/${p}`)) ?? clean;
}

/** The `extensions.rejection` lines of an API error (a candidate refused), or null for any other error. */
export function rejectionOf(error: CombinedError | undefined | null): string[] | null {
  for (const e of error?.graphQLErrors ?? []) {
    const rejection = e.extensions.rejection;
    if (Array.isArray(rejection)) return rejection.filter((l): l is string => typeof l === 'string');
  }
  return null;
}

/** The rejection lines as problems, their files matched to the directory's paths. */
export function problemsOfRejection(lines: readonly string[], paths: readonly string[]): FileProblem[] {
  return lines.map(parseProblemLine).map((p) => (p.file ? { ...p, file: matchPath(p.file, paths) } : p));
}

/** `tenant.yaml:12:3`, or the file alone when the line is unknown. */
export function placeOf(p: Pick<FileProblem, 'file' | 'line' | 'column'>): string {
  if (!p.file) return '';
  if (p.line < 1) return p.file;
  return p.column > 0 ? `${p.file}:${p.line}:${p.column}` : `${p.file}:${p.line}`;
}

/** Problems sorted by file (in `order`), line and column. */
export function sortProblems(problems: readonly FileProblem[], order: readonly string[]): FileProblem[] {
  const rank = (file: string) => {
    const i = order.indexOf(file);
    return i < 0 ? order.length : i;
  };
  return [...problems].sort((a, b) => rank(a.file) - rank(b.file) || a.line - b.line || a.column - b.column);
}
