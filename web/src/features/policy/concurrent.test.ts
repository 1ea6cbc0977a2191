import { describe, expect, it } from 'vitest';
import { hunks, lineDiff, publishedSince, versionDiff } from './concurrent';

describe('a version published while editing', () => {
  it('is another live number than the one the editor started from', () => {
    expect(publishedSince(4, { number: 5 })).toBe(true);
    expect(publishedSince(4, { number: 4 })).toBe(false);
    expect(publishedSince(4, null)).toBe(false);
    expect(publishedSince(4, undefined)).toBe(false);
  });
});

describe('line diffs', () => {
  it('keeps common lines and marks removals before additions', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
    expect(lineDiff('same', 'same')).toEqual([{ kind: 'same', text: 'same' }]);
  });

  it('shows changes with context, counting what is skipped and where they are', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
    const after = before.replace('line 10', 'line ten');
    const [hunk, ...rest] = hunks(lineDiff(before, after), 2);
    expect(rest).toEqual([]);
    expect(hunk!.line).toBe(8);
    expect(hunk!.skipped).toBe(7);
    expect(hunk!.lines.map((l) => `${l.kind[0]} ${l.text}`)).toEqual(['s line 8', 's line 9', 'r line 10', 'a line ten', 's line 11', 's line 12']);
  });
});

describe('what a newer version changed', () => {
  it('lists edited, added and deleted files by path, and nothing for equal ones', () => {
    const mine = [
      { path: 'tenant.yaml', text: 'slug: a\nphone: 1' },
      { path: 'old.rhai', text: '// old' },
      { path: 'tests/a.yaml', text: 'cases: []' },
    ];
    const theirs = [
      { path: 'tenant.yaml', text: 'slug: a\nphone: 2' },
      { path: 'new.rhai', text: '// new' },
      { path: 'tests/a.yaml', text: 'cases: []' },
    ];
    const diff = versionDiff(mine, theirs);
    expect(diff.map((d) => [d.path, d.change])).toEqual([
      ['new.rhai', 'added'],
      ['old.rhai', 'deleted'],
      ['tenant.yaml', 'edited'],
    ]);
    expect(diff[0]!.hunks[0]!.lines).toEqual([{ kind: 'added', text: '// new' }]);
    expect(diff[2]!.hunks[0]!.lines.filter((l) => l.kind !== 'same').map((l) => l.text)).toEqual(['phone: 1', 'phone: 2']);
  });
});
