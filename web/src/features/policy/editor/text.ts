// Offsets in the editor's texts, and which schema and mode a file gets, kept
// inside the editor's chunk (the page's modules stay out of it).

/** The offset in `text` of a 1-based line and column, clamped to the text (line 0: the start). */
export function offsetAt(text: string, line: number, column: number): number {
  if (line < 1) return 0;
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return text.length;
    start = next + 1;
  }
  const end = text.indexOf('\n', start);
  const lineEnd = end < 0 ? text.length : end;
  return Math.min(start + Math.max(column - 1, 0), lineEnd);
}

/** The 1-based line and column of an offset in `text`. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}

/** How the editor treats a file: its schema (by name) or its language. */
export type EditorKind = 'tenant' | 'seed' | 'test' | 'yaml' | 'rhai' | 'text';

export function editorKind(path: string): EditorKind {
  if (path === 'tenant.yaml') return 'tenant';
  if (path === 'seed.yaml') return 'seed';
  if (/^tests\/[^/]+\.ya?ml$/.test(path)) return 'test';
  if (/\.ya?ml$/.test(path)) return 'yaml';
  if (path.endsWith('.rhai')) return 'rhai';
  return 'text';
}
