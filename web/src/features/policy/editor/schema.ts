// Schema-aware YAML for the policy editor: validation of a file against the
// JSON Schema berth publishes (policies/schema/*.json, `berth schema policy`),
// with each problem at the node it concerns, and the completions of keys and
// values at a cursor. Pure (no editor): the editor's linter and completion
// source call these, and the tests do.
//
// The validator covers what berth's schemas use (draft 2020-12 as schemars
// writes it): $ref into $defs, type (one or a list), const, enum, anyOf/oneOf,
// properties, required, additionalProperties (false or a schema), items,
// minItems/maxItems, minLength/maxLength, pattern, minimum/maximum and their
// exclusive forms. `format` is left to berth's own check, which the page runs
// before publishing. Messages are written for people ("unknown key `phnoe` in
// profile — did you mean `phone`?"), not as validator keywords.
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
  type Pair,
} from 'yaml';

/** A JSON Schema as berth's schemas write it (the parts read here). */
export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | boolean;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  default?: unknown;
  examples?: unknown[];
}

/** A problem found in the text: offsets into it, and a message. */
export interface TextProblem {
  from: number;
  to: number;
  message: string;
  /** `profile.phone`, `pricing.seasons[0]` ('' for the document). */
  path: string;
}

type Segment = string | number;

function pathText(path: readonly Segment[]): string {
  return path.reduce<string>(
    (out, s) => (typeof s === 'number' ? `${out}[${s}]` : out ? `${out}.${s}` : s),
    '',
  );
}

/** Follows `$ref`s (`#/$defs/Name`) to the schema they name. */
export function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 32 && current.$ref; i++) {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(current.$ref)?.[1];
    const target = name ? (root.$defs?.[name] ?? root.definitions?.[name]) : undefined;
    if (!target) return {};
    const rest: JsonSchema = { ...current };
    delete rest.$ref;
    current = { ...target, ...rest };
  }
  return current;
}

/** The schema's alternatives (anyOf/oneOf), each resolved; the schema itself when it has none. */
function alternatives(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  const s = deref(schema, root);
  const list = s.anyOf ?? s.oneOf;
  if (!list) return [s];
  return list.flatMap((alt) => alternatives(alt, root));
}

function typesOf(schema: JsonSchema): string[] | null {
  if (schema.type === undefined) return null;
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

type Kind = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

function typeMatches(types: readonly string[], kind: Kind): boolean {
  return types.includes(kind) || (kind === 'integer' && types.includes('number'));
}

const kindWords: Record<string, string> = {
  object: 'a mapping of keys',
  array: 'a list',
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'nothing (null)',
};

function show(value: unknown): string {
  return typeof value === 'string' ? `\`${value}\`` : JSON.stringify(value);
}

/** Edit distance with adjacent transpositions (`phnoe` → `phone` is 1), for "did you mean". */
export function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest of `candidates` to `word`, if close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

interface Context {
  root: JsonSchema;
  out: TextProblem[];
}

function rangeOf(node: YamlNode | null | undefined, fallback: [number, number]): [number, number] {
  const r = node?.range;
  return r ? [r[0], Math.max(r[1], r[0] + 1)] : fallback;
}

function report(ctx: Context, at: [number, number], path: readonly Segment[], message: string) {
  ctx.out.push({ from: at[0], to: at[1], message, path: pathText(path) });
}

function nodeValue(node: YamlNode | null | undefined): unknown {
  if (!node) return null;
  if (isScalar(node)) return node.value;
  if (isMap(node)) return {};
  if (isSeq(node)) return [];
  return null;
}

/** Validates `node` (at `path`, spanning `at`) against `schema`, adding problems to ctx.out. */
function check(
  node: YamlNode | null | undefined,
  schema: JsonSchema | boolean,
  path: readonly Segment[],
  at: [number, number],
  ctx: Context,
): void {
  if (schema === true) return;
  if (schema === false) {
    report(ctx, at, path, `\`${pathText(path)}\` is not allowed here`);
    return;
  }
  if (isAlias(node)) return; // anchors and aliases: berth's loader decides
  const s = deref(schema, ctx.root);
  const span = rangeOf(node, at);

  if (s.allOf) for (const part of s.allOf) check(node, part, path, at, ctx);

  const alts = s.anyOf ?? s.oneOf;
  if (alts) {
    const tries = alts.map((alt) => {
      const sub: Context = { root: ctx.root, out: [] };
      check(node, alt, path, at, sub);
      return sub.out;
    });
    if (tries.some((t) => t.length === 0)) return;
    const value = nodeValue(node);
    const kind = kindOf(value);
    // The alternatives of the node's own type say the most precise thing.
    const fitting = alts
      .map((alt, i) => ({ alt: deref(alt, ctx.root), problems: tries[i]! }))
      .filter(({ alt }) => {
        const types = typesOf(alt);
        return types === null || typeMatches(types, kind);
      });
    const consts = alts.map((alt) => deref(alt, ctx.root)).filter((alt) => alt.const !== undefined);
    if (consts.length === alts.length) {
      const allowed = consts.map((alt) => alt.const);
      const hint = typeof value === 'string' ? closest(value, allowed.filter((v): v is string => typeof v === 'string')) : undefined;
      report(
        ctx,
        span,
        path,
        `${show(value)} is not one of ${allowed.map(show).join(', ')}${hint ? ` — did you mean ${show(hint)}?` : ''}`,
      );
      return;
    }
    if (fitting.length === 1) {
      ctx.out.push(...fitting[0]!.problems);
      return;
    }
    const expected = [...new Set(alts.flatMap((alt) => typesOf(deref(alt, ctx.root)) ?? []))];
    report(ctx, span, path, `expected ${expected.map((t) => kindWords[t] ?? t).join(' or ')}`);
    return;
  }

  const value = nodeValue(node);
  const kind = kindOf(value);
  const types = typesOf(s);
  if (types && !typeMatches(types, kind)) {
    report(ctx, span, path, `expected ${types.map((t) => kindWords[t] ?? t).join(' or ')}, found ${kindWords[kind]}`);
    return;
  }
  if (s.const !== undefined && value !== s.const) {
    report(ctx, span, path, `expected ${show(s.const)}`);
    return;
  }
  if (s.enum && !s.enum.includes(value)) {
    report(ctx, span, path, `${show(value)} is not one of ${s.enum.map(show).join(', ')}`);
    return;
  }

  if (isMap(node)) {
    const present = new Set<string>();
    const known = Object.keys(s.properties ?? {});
    for (const pair of node.items as Pair<YamlNode, YamlNode>[]) {
      const keyNode = pair.key;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      present.add(key);
      const keyRange = rangeOf(keyNode, span);
      const valueRange = pair.value ? rangeOf(pair.value, keyRange) : keyRange;
      const sub = s.properties?.[key];
      if (sub !== undefined) {
        check(pair.value, sub, [...path, key], valueRange, ctx);
      } else if (s.additionalProperties === false) {
        const hint = closest(key, known);
        const where = path.length ? ` in ${pathText(path)}` : '';
        report(
          ctx,
          keyRange,
          [...path, key],
          `unknown key \`${key}\`${where}${hint ? ` — did you mean \`${hint}\`?` : ''}`,
        );
      } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        check(pair.value, s.additionalProperties, [...path, key], valueRange, ctx);
      }
    }
    const missing = (s.required ?? []).filter((k) => !present.has(k));
    if (missing.length) {
      // At the map's first key (the line it starts on), or where it should be.
      const first = node.items[0]?.key as YamlNode | undefined;
      const where = first ? rangeOf(first, span) : at;
      const owner = path.length ? `${pathText(path)} needs` : 'needs';
      report(ctx, where, path, `${owner} ${missing.map((k) => `\`${k}\``).join(', ')}`);
    }
    return;
  }

  if (isSeq(node)) {
    const items = node.items as YamlNode[];
    if (s.minItems !== undefined && items.length < s.minItems) report(ctx, span, path, `needs at least ${s.minItems} item(s)`);
    if (s.maxItems !== undefined && items.length > s.maxItems) report(ctx, span, path, `takes at most ${s.maxItems} item(s)`);
    if (s.items !== undefined) {
      items.forEach((item, i) => check(item, s.items as JsonSchema | boolean, [...path, i], rangeOf(item, span), ctx));
    }
    return;
  }

  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) report(ctx, span, path, `needs at least ${s.minLength} character(s)`);
    if (s.maxLength !== undefined && length > s.maxLength) report(ctx, span, path, `takes at most ${s.maxLength} characters`);
    if (s.pattern !== undefined) {
      let re: RegExp | null = null;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        re = null; // a pattern JavaScript cannot read: berth's check has the last word
      }
      if (re && !re.test(value)) {
        const example = s.examples?.find((e) => typeof e === 'string');
        report(ctx, span, path, `${show(value)} is not in the expected form${example ? ` (like ${show(example)})` : ''}`);
      }
    }
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) report(ctx, span, path, `must be at least ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) report(ctx, span, path, `must be at most ${s.maximum}`);
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) report(ctx, span, path, `must be more than ${s.exclusiveMinimum}`);
    if (s.exclusiveMaximum !== undefined && value >= s.exclusiveMaximum) report(ctx, span, path, `must be less than ${s.exclusiveMaximum}`);
  }
}

/**
 * The problems of a YAML text: its syntax errors, then (when it parses) every
 * place it breaks `schema`. Offsets into `text`.
 */
export function validateYaml(text: string, schema: JsonSchema): TextProblem[] {
  const doc = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, prettyErrors: false });
  const syntax = doc.errors.map((e) => ({
    from: e.pos[0],
    to: Math.max(e.pos[1], e.pos[0] + 1),
    message: e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''),
    path: '',
  }));
  if (syntax.length) return syntax;
  const ctx: Context = { root: schema, out: [] };
  const contents = doc.contents as YamlNode | null;
  if (!contents) {
    if (schema.required?.length) ctx.out.push({ from: 0, to: Math.min(1, text.length), message: 'the file is empty', path: '' });
    return ctx.out;
  }
  check(contents, schema, [], rangeOf(contents, [0, 1]), ctx);
  return ctx.out.sort((a, b) => a.from - b.from);
}

// ---------------------------------------------------------------------------
// Completion

/** One completion: a key to insert (`phone: `) or a value. */
export interface SchemaCompletion {
  label: string;
  kind: 'key' | 'value';
  /** What the schema says about it. */
  detail?: string;
  /** The text to insert (a key gets `: ` or a new line for a mapping). */
  apply: string;
}

/** Where completions apply and what they are. */
export interface CompletionAnswer {
  /** The offset the typed word starts at (replaced by the completion). */
  from: number;
  options: SchemaCompletion[];
}

interface LineInfo {
  indent: number;
  /** Column of the content after a `- ` (equals indent when there is no dash). */
  content: number;
  dash: boolean;
  key: string | null;
  /** Whether the key's value is on the same line. */
  inlineValue: boolean;
  blank: boolean;
}

function lineInfo(line: string): LineInfo {
  const indent = line.length - line.trimStart().length;
  const rest = line.slice(indent);
  if (rest === '' || rest.startsWith('#')) return { indent, content: indent, dash: false, key: null, inlineValue: false, blank: true };
  const dash = /^-( +|$)/.exec(rest);
  const content = indent + (dash ? dash[0].length : 0);
  const body = line.slice(content);
  const key = /^([A-Za-z_][\w-]*)\s*:(?:\s|$)/.exec(body);
  const inlineValue = key ? body.slice(key[0].length).replace(/#.*$/, '').trim() !== '' : false;
  return { indent, content, dash: !!dash, key: key ? key[1]! : null, inlineValue, blank: false };
}

/**
 * The YAML path of the mapping (or, with `inList`, the list) that a line at
 * `column` belongs to, read upwards from line `index` by indentation:
 * `['profile']`, `['pricing', 'seasons', -1]` (-1: an item of a list).
 */
function parentPath(lines: readonly string[], index: number, column: number, inList: boolean): Segment[] {
  const path: Segment[] = [];
  let target = column;
  let listMode = inList;
  for (let i = index - 1; i >= 0; i--) {
    if (target === 0 && !listMode) break;
    const info = lineInfo(lines[i]!);
    if (info.blank) continue;
    if (!listMode && info.dash && info.indent < target && info.content >= target) {
      // The line that starts the list item this mapping is in.
      path.unshift(-1);
      target = info.indent;
      listMode = true;
      continue;
    }
    if (listMode && info.dash && info.indent === target) continue; // an earlier item of the same list
    if (listMode ? info.content <= target : info.content < target) {
      if (!info.key || info.inlineValue) return path; // flow or scalar content: no block parent
      path.unshift(info.key);
      if (info.dash) {
        path.unshift(-1);
        target = info.indent;
        listMode = true;
      } else {
        target = info.content;
        listMode = false;
      }
    }
  }
  return path;
}

/** The keys already written in the mapping at `column` that line `index` belongs to. */
function siblingKeys(lines: readonly string[], index: number, column: number, startsItem: boolean): Set<string> {
  const keys = new Set<string>();
  const scan = (from: number, step: number) => {
    for (let i = from; i >= 0 && i < lines.length; i += step) {
      const info = lineInfo(lines[i]!);
      if (info.blank || info.content > column) continue;
      if (info.content < column) return;
      if (info.dash && info.indent < column) {
        if (step < 0 && info.key) keys.add(info.key); // the item's first key
        return;
      }
      if (!info.dash && info.key) keys.add(info.key);
    }
  };
  if (!startsItem) scan(index - 1, -1);
  scan(index + 1, 1);
  return keys;
}

/** The schema at a path, its alternatives merged (for completion). */
function schemaAt(schema: JsonSchema, path: readonly Segment[], root: JsonSchema): JsonSchema[] {
  let current: JsonSchema[] = alternatives(schema, root);
  for (const segment of path) {
    current = current.flatMap((s) => {
      if (segment === -1 || typeof segment === 'number') {
        return s.items && typeof s.items === 'object' ? alternatives(s.items, root) : [];
      }
      const sub = s.properties?.[segment] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      return sub ? alternatives(sub, root) : [];
    });
  }
  return current;
}

function firstLine(text: string | undefined): string | undefined {
  return text?.split('\n')[0];
}

function isObjectSchema(s: JsonSchema): boolean {
  return !!s.properties || (typesOf(s)?.includes('object') ?? false);
}

function isArraySchema(s: JsonSchema): boolean {
  return typesOf(s)?.includes('array') ?? false;
}

/** The values a schema allows by name: consts, enums, booleans. */
function valuesOf(alts: readonly JsonSchema[]): { value: string; detail?: string }[] {
  const out: { value: string; detail?: string }[] = [];
  for (const s of alts) {
    if (s.const !== undefined) out.push({ value: typeof s.const === 'string' ? s.const : JSON.stringify(s.const), ...(s.description ? { detail: firstLine(s.description)! } : {}) });
    for (const e of s.enum ?? []) out.push({ value: typeof e === 'string' ? e : JSON.stringify(e) });
    if (typesOf(s)?.includes('boolean')) out.push({ value: 'true' }, { value: 'false' });
  }
  return out.filter((o, i) => out.findIndex((x) => x.value === o.value) === i);
}

/**
 * The completions at `offset` in a block-style YAML text: at a key's place,
 * the keys its mapping may still take (with their descriptions); after
 * `key: `, the values the schema names (consts, enums, true/false).
 */
export function completeYaml(text: string, offset: number, schema: JsonSchema): CompletionAnswer | null {
  const lines = text.split('\n');
  const before = text.slice(0, offset);
  const index = before.split('\n').length - 1;
  const lineStart = before.lastIndexOf('\n') + 1;
  const typed = text.slice(lineStart, offset);
  if (typed.includes('#')) return null;

  // A value: `  key: va|`
  const valueMatch = /^(\s*)(- +)?([A-Za-z_][\w-]*)\s*:\s+(["']?)([\w.+-]*)$/.exec(typed);
  if (valueMatch) {
    const indent = valueMatch[1]!.length;
    const key = valueMatch[3]!;
    const path = valueMatch[2]
      ? [...parentPath(lines, index, indent, true), -1, key]
      : [...parentPath(lines, index, indent, false), key];
    const values = valuesOf(schemaAt(schema, path, schema));
    if (!values.length) return null;
    return {
      from: offset - valueMatch[5]!.length,
      options: values.map((v) => ({ label: v.value, kind: 'value' as const, apply: v.value, ...(v.detail ? { detail: v.detail } : {}) })),
    };
  }

  // A key: `  ph|` or `  - ph|`
  const keyMatch = /^(\s*)(- +)?([A-Za-z_][\w-]*)?$/.exec(typed);
  if (!keyMatch) return null;
  const indent = keyMatch[1]!.length;
  const column = indent + (keyMatch[2]?.length ?? 0);
  const path = keyMatch[2] ? [...parentPath(lines, index, indent, true), -1] : parentPath(lines, index, column, false);
  const alts = schemaAt(schema, path, schema).filter(isObjectSchema);
  const present = siblingKeys(lines, index, column, !!keyMatch[2]);
  const options: SchemaCompletion[] = [];
  for (const s of alts) {
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      if (present.has(key) || options.some((o) => o.label === key)) continue;
      const subAlts = alternatives(sub, schema);
      const nested = subAlts.some((a) => isObjectSchema(a) || isArraySchema(a)) && !subAlts.some((a) => valuesOf([a]).length);
      const description = firstLine(deref(sub, schema).description ?? subAlts.find((a) => a.description)?.description);
      options.push({
        label: key,
        kind: 'key',
        apply: nested ? `${key}:\n${' '.repeat(column + 2)}` : `${key}: `,
        ...(description ? { detail: description } : {}),
      });
    }
  }
  if (!options.length) return null;
  return { from: offset - (keyMatch[3]?.length ?? 0), options };
}
