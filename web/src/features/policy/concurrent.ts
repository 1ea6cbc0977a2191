// Someone else publishing while this page edits: what the page compares and
// shows. Pure; the page polls the live version's number (and asks again on a
// policy event), and sends the number it started from with its publication
// (`baseVersion`), which berth refuses with CONFLICT once another is live.
import type { PolicyFile } from './files';

/** Whether `latest` (the live version now) is another than the one the editor started from. */
export function publishedSince(base: number, latest: { number: number } | null | undefined): boolean {
  return latest != null && latest.number !== base;
}

/** One line of a line diff. */
export interface DiffLine {
  kind: 'same' | 'added' | 'removed';
  text: string;
}

/** The lines of `after` against `before`: a longest common subsequence, removals before additions. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  // Common head and tail first: most edits touch a few lines of a long file.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const n = midA.length;
  const m = midB.length;
  // lcs[i][j]: the common subsequence's length of midA[i..] and midB[j..].
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && midA[i] === midB[j]) {
      middle.push({ kind: 'same', text: midA[i]! });
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      middle.push({ kind: 'removed', text: midA[i]! });
      i++;
    } else {
      middle.push({ kind: 'added', text: midB[j]! });
      j++;
    }
  }
  return [
    ...a.slice(0, head).map((text) => ({ kind: 'same' as const, text })),
    ...middle,
    ...a.slice(a.length - tail).map((text) => ({ kind: 'same' as const, text })),
  ];
}

/** A run of a diff to show: changed lines with `context` unchanged lines around them; `skipped` lines left out before it. */
export interface Hunk {
  /** The 1-based line in the newer text where the hunk starts. */
  line: number;
  skipped: number;
  lines: DiffLine[];
}

/** The changed parts of `diff`, each with up to `context` unchanged lines around it. */
export function hunks(diff: readonly DiffLine[], context = 2): Hunk[] {
  const keep = diff.map(() => false);
  diff.forEach((d, k) => {
    if (d.kind === 'same') return;
    for (let x = Math.max(0, k - context); x <= Math.min(diff.length - 1, k + context); x++) keep[x] = true;
  });
  const out: Hunk[] = [];
  let line = 1;
  let skipped = 0;
  let current: Hunk | null = null;
  diff.forEach((d, k) => {
    if (keep[k]) {
      if (!current) {
        current = { line, skipped, lines: [] };
        out.push(current);
        skipped = 0;
      }
      current.lines.push(d);
    } else {
      current = null;
      skipped++;
    }
    if (d.kind !== 'removed') line++;
  });
  return out;
}

/** How a newer version's file differs from the one the editor started from. */
export interface FileDiff {
  path: string;
  change: 'edited' | 'added' | 'deleted';
  hunks: Hunk[];
}

/** What `theirs` (a newer live version's files) changed against `mine` (those the editor started from), by path. */
export function versionDiff(mine: readonly PolicyFile[], theirs: readonly PolicyFile[]): FileDiff[] {
  const paths = [...new Set([...mine.map((f) => f.path), ...theirs.map((f) => f.path)])].sort();
  return paths.flatMap((path): FileDiff[] => {
    const before = mine.find((f) => f.path === path);
    const after = theirs.find((f) => f.path === path);
    if (before && after && before.text === after.text) return [];
    if (!before) return [{ path, change: 'added', hunks: [{ line: 1, skipped: 0, lines: after!.text.split('\n').map((text) => ({ kind: 'added', text })) }] }];
    if (!after) return [{ path, change: 'deleted', hunks: [{ line: 1, skipped: 0, lines: before.text.split('\n').map((text) => ({ kind: 'removed', text })) }] }];
    return [{ path, change: 'edited', hunks: hunks(lineDiff(before.text, after.text)) }];
  });
}
