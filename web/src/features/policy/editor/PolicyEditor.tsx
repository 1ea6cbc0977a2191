// The policy editor (CodeMirror 6), loaded lazily with the schemas: one view,
// one editor state per file (each keeps its own undo history and cursor).
// YAML files get the YAML mode and, when berth publishes a schema for them
// (tenant.yaml, seed.yaml, tests/*.yaml), completion of keys and values and
// validation marked at their line (lint gutter, underline, message on hover
// and in the lint panel); Rhai hooks get a small Rhai mode (./rhai.ts).
// Problems berth reported (checks, tests, publish) are shown at their line
// too, and follow the text as it is edited until the next run replaces them.
//
// Keys: the default keymap, history, search (Mod-F), completion (Ctrl-Space),
// the lint panel (Mod-Shift-M); Mod-S runs `onSave` (the page's checks, never
// a publish). Tab is not captured: it moves focus on, as everywhere else in
// the app (Mod-] / Mod-[ indent).
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react';
import { autocompletion, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  foldKeymap,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from '@codemirror/language';
import { forceLinting, linter, lintGutter, lintKeymap, type Diagnostic } from '@codemirror/lint';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorSelection, EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import seedSchema from '../../../../../policies/schema/seed.schema.json';
import tenantSchema from '../../../../../policies/schema/tenant.schema.json';
import testsSchema from '../../../../../policies/schema/tests.schema.json';
import type { FileProblem } from '../diagnostics';
import type { PolicyFile } from '../files';
import { rhai } from './rhai';
import { completeYaml, validateYaml, type JsonSchema } from './schema';
import { editorKind, offsetAt, positionAt } from './text';

/** The schema berth checks a file against, if any. */
export function schemaFor(path: string): JsonSchema | null {
  switch (editorKind(path)) {
    case 'tenant':
      return tenantSchema;
    case 'seed':
      return seedSchema;
    case 'test':
      return testsSchema;
    default:
      return null;
  }
}

/** The schema problems of every file, as the page lists them (1-based lines). */
export function localProblems(files: readonly PolicyFile[]): FileProblem[] {
  return files.flatMap((file) => {
    const schema = schemaFor(file.path);
    if (!schema) return [];
    return validateYaml(file.text, schema).map((p) => {
      const { line, column } = positionAt(file.text, p.from);
      return { file: file.path, line, column, message: p.message, ...(p.path ? { yamlPath: p.path } : {}), source: 'schema' as const };
    });
  });
}

/** Where the page wants the cursor: a file, a 1-based line and column; `nonce` repeats a request. */
export interface Reveal {
  path: string;
  line: number;
  column: number;
  nonce: number;
}

export interface EditorHandle {
  focus: () => void;
}

export interface PolicyEditorProps {
  /** Every file with its current text (live text or the user's draft). */
  files: readonly PolicyFile[];
  /** The file shown. */
  path: string;
  /** The accessible name of the text area of `path`. */
  labelFor: (path: string) => string;
  onChange: (path: string, text: string) => void;
  /** Problems berth reported, for every file. */
  serverProblems: readonly FileProblem[];
  /** Mod-S. */
  onSave: () => void;
  reveal: Reveal | null;
  handleRef?: Ref<EditorHandle>;
}

interface Marked {
  from: number;
  to: number;
  message: string;
}

const setServerProblems = StateEffect.define<Marked[]>();

/** berth's problems for this file, mapped through every edit since they came. */
const serverField = StateField.define<Marked[]>({
  create: () => [],
  update(value, tr) {
    for (const e of tr.effects) if (e.is(setServerProblems)) return e.value;
    if (!tr.docChanged || value.length === 0) return value;
    return value.map((m) => {
      const from = tr.changes.mapPos(m.from, 1);
      return { ...m, from, to: Math.max(from, tr.changes.mapPos(m.to, -1)) };
    });
  },
});

function marksOf(text: string, problems: readonly FileProblem[]): Marked[] {
  return problems.map((p) => {
    const from = offsetAt(text, p.line, p.column);
    const lineEnd = text.indexOf('\n', from);
    // From the column to the end of the word (or of the line).
    const word = /^[^\s:,]+/.exec(text.slice(from, lineEnd < 0 ? undefined : lineEnd))?.[0].length ?? 0;
    return { from, to: from + word, message: p.message };
  });
}

const theme = EditorView.theme({
  '&': {
    height: '100%',
    fontSize: '13px',
    backgroundColor: 'var(--mantine-color-body)',
    color: 'var(--mantine-color-text)',
  },
  '.cm-scroller': { fontFamily: 'var(--mantine-font-family-monospace)', lineHeight: '1.55' },
  '&.cm-focused': { outline: '2px solid var(--mantine-primary-color-filled)', outlineOffset: '-2px' },
  '.cm-gutters': {
    backgroundColor: 'var(--mantine-color-gray-0)',
    color: 'var(--mantine-color-gray-7)',
    borderRight: '1px solid var(--mantine-color-gray-3)',
  },
  '.cm-activeLine': { backgroundColor: 'rgba(34, 139, 230, 0.06)' },
  '.cm-activeLineGutter': { backgroundColor: 'rgba(34, 139, 230, 0.12)' },
  '.cm-tooltip': { fontFamily: 'var(--mantine-font-family)', fontSize: '13px', maxWidth: 'min(90vw, 480px)' },
  '.cm-tooltip-autocomplete ul li': { padding: '2px 6px' },
  '.cm-completionDetail': { marginLeft: '0.75em', fontStyle: 'normal', color: 'var(--mantine-color-gray-7)' },
  '.cm-diagnostic': { whiteSpace: 'pre-wrap' },
  '.cm-panels': { fontFamily: 'var(--mantine-font-family)' },
});

function completionSource(schema: JsonSchema) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[\w-]*/);
    if (!context.explicit && (!word || word.from === word.to)) {
      // Typing: only once a word is started (a blank line asks with Ctrl-Space).
      const before = context.state.doc.sliceString(context.state.doc.lineAt(context.pos).from, context.pos);
      if (!/:\s+$/.test(before)) return null;
    }
    const answer = completeYaml(context.state.doc.toString(), context.pos, schema);
    if (!answer) return null;
    return {
      from: answer.from,
      validFor: /^[\w-]*$/,
      options: answer.options.map((o) => ({
        label: o.label,
        apply: o.apply,
        type: o.kind === 'key' ? 'property' : 'enum',
        ...(o.detail ? { detail: o.detail.length > 80 ? `${o.detail.slice(0, 79)}…` : o.detail, info: o.detail } : {}),
      })),
    };
  };
}

function extensionsFor(path: string, label: string, handlers: { onChange: (text: string) => void; onSave: () => void }): Extension[] {
  const kind = editorKind(path);
  const schema = schemaFor(path);
  const language = kind === 'rhai' ? [rhai] : kind === 'text' ? [] : [yaml()];
  const lint = linter(
    (view) => {
      const own: Diagnostic[] = schema
        ? validateYaml(view.state.doc.toString(), schema).map((p) => ({
            from: p.from,
            to: Math.min(p.to, view.state.doc.length),
            severity: 'error',
            source: 'schema',
            message: p.message,
          }))
        : [];
      const server: Diagnostic[] = view.state.field(serverField).map((m) => ({
        from: Math.min(m.from, view.state.doc.length),
        to: Math.min(m.to, view.state.doc.length),
        severity: 'error',
        source: 'berth',
        message: m.message,
      }));
      return [...own, ...server];
    },
    { delay: 300 },
  );
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    foldGutter(),
    lintGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    indentUnit.of('  '),
    EditorState.tabSize.of(2),
    bracketMatching(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    search({ top: true }),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    EditorView.lineWrapping,
    ...language,
    serverField,
    lint,
    schema ? autocompletion({ override: [completionSource(schema)], icons: false }) : [],
    keymap.of([
      {
        key: 'Mod-s',
        preventDefault: true,
        run: () => {
          handlers.onSave();
          return true;
        },
      },
      ...completionKeymap,
      ...defaultKeymap,
      ...historyKeymap,
      ...searchKeymap,
      ...foldKeymap,
      ...lintKeymap,
    ]),
    // tabindex: the text is a stop of its own (and axe sees the scroller's focusable content).
    EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) handlers.onChange(update.state.doc.toString());
    }),
    theme,
  ];
}

export default function PolicyEditor({ files, path, labelFor, onChange, serverProblems, onSave, reveal, handleRef }: PolicyEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const states = useRef(new Map<string, EditorState>());
  const shown = useRef<string | null>(null);
  // The latest callbacks, read by the editor's listeners.
  const latest = useRef({ onChange, onSave, labelFor });
  useEffect(() => {
    latest.current = { onChange, onSave, labelFor };
  });

  useImperativeHandle(handleRef, () => ({ focus: () => view.current?.focus() }), []);

  const stateFor = (p: string, text: string) =>
    EditorState.create({
      doc: text,
      extensions: extensionsFor(p, latest.current.labelFor(p), {
        onChange: (t) => latest.current.onChange(p, t),
        onSave: () => latest.current.onSave(),
      }),
    });

  // The view, once.
  useEffect(() => {
    if (!host.current) return;
    const v = new EditorView({ parent: host.current });
    view.current = v;
    const map = states.current;
    return () => {
      v.destroy();
      view.current = null;
      shown.current = null;
      map.clear();
    };
  }, []);

  // Texts changed from outside (revert, publish, accepted figures): into each file's state.
  useEffect(() => {
    const v = view.current;
    for (const file of files) {
      const state = file.path === shown.current && v ? v.state : states.current.get(file.path);
      if (!state) continue;
      if (state.doc.toString() === file.text) continue;
      const change = { changes: { from: 0, to: state.doc.length, insert: file.text } };
      if (file.path === shown.current && v) v.dispatch(change);
      else states.current.set(file.path, state.update(change).state);
    }
  }, [files]);

  // The file shown.
  useEffect(() => {
    const v = view.current;
    if (!v || shown.current === path) return;
    if (shown.current) states.current.set(shown.current, v.state);
    const text = files.find((f) => f.path === path)?.text ?? '';
    const state = states.current.get(path) ?? stateFor(path, text);
    v.setState(state);
    shown.current = path;
    // eslint-disable-next-line react-hooks/exhaustive-deps -- files are read when a file is opened; later changes come through the effect above
  }, [path]);

  // berth's problems: into every file's state, and re-lint the one shown.
  useEffect(() => {
    const v = view.current;
    for (const file of files) {
      const mine = serverProblems.filter((p) => p.file === file.path);
      const isShown = file.path === shown.current && v;
      const state = isShown ? v.state : states.current.get(file.path);
      if (!state) {
        if (mine.length === 0) continue;
        states.current.set(file.path, stateFor(file.path, file.text));
      }
      const current = isShown ? v.state : states.current.get(file.path)!;
      const effect = setServerProblems.of(marksOf(current.doc.toString(), mine));
      if (isShown) {
        v.dispatch({ effects: effect });
        forceLinting(v);
      } else states.current.set(file.path, current.update({ effects: effect }).state);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only a new set of problems is applied
  }, [serverProblems]);

  // Move the cursor where the page asks (a problem's link), and focus.
  useEffect(() => {
    const v = view.current;
    if (!v || !reveal || reveal.path !== shown.current) return;
    const text = v.state.doc.toString();
    const at = offsetAt(text, reveal.line, reveal.column);
    v.dispatch({ selection: EditorSelection.cursor(at), effects: EditorView.scrollIntoView(at, { y: 'center' }) });
    v.focus();
  }, [reveal, path]);

  return <div ref={host} style={{ height: '100%' }} data-testid="policy-editor" />;
}
