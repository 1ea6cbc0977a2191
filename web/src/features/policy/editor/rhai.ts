// Rhai highlighting for the policy editor: a small StreamLanguage (no grammar
// package: Rhai has none for CodeMirror 6, and the legacy JavaScript/Rust
// modes mark Rhai's own words wrongly). Comments (`//`, `/* */` nested, `///`
// docs), strings ("…", '…' characters, `…` with ${} interpolation), numbers
// (with `_`), keywords, booleans, function names at definition and call.
import { StreamLanguage, type StringStream } from '@codemirror/language';

const keywords = new Set([
  'let', 'const', 'fn', 'private', 'if', 'else', 'switch', 'while', 'loop', 'for', 'in', 'do', 'until',
  'break', 'continue', 'return', 'throw', 'try', 'catch', 'import', 'export', 'as', 'global', 'is_shared',
]);
const atoms = new Set(['true', 'false', 'this', '()']);
const builtins = new Set(['Fn', 'call', 'curry', 'type_of', 'print', 'debug', 'is_def_var', 'is_def_fn', 'eval']);

interface RhaiState {
  /** Depth of open block comments (Rhai nests them). */
  comment: number;
  /** Inside a back-tick string. */
  template: boolean;
  /** The previous word was `fn`. */
  afterFn: boolean;
}

function blockComment(stream: StringStream, state: RhaiState): string {
  while (!stream.eol()) {
    if (stream.match('/*')) state.comment++;
    else if (stream.match('*/')) {
      state.comment--;
      if (state.comment === 0) break;
    } else stream.next();
  }
  return 'comment';
}

function template(stream: StringStream, state: RhaiState): string {
  while (!stream.eol()) {
    if (stream.match('`')) {
      state.template = false;
      break;
    }
    if (stream.peek() === '$' && stream.string.charAt(stream.pos + 1) === '{') break;
    if (stream.next() === '\\') stream.next();
  }
  return 'string';
}

export const rhai = StreamLanguage.define<RhaiState>({
  name: 'rhai',
  startState: () => ({ comment: 0, template: false, afterFn: false }),
  token(stream, state) {
    if (state.comment > 0) return blockComment(stream, state);
    if (state.template) {
      if (stream.match('${')) return 'meta';
      return template(stream, state);
    }
    if (stream.eatSpace()) return null;
    if (stream.match('//')) {
      stream.skipToEnd();
      return 'comment';
    }
    if (stream.match('/*')) {
      state.comment = 1;
      return blockComment(stream, state);
    }
    const ch = stream.peek();
    if (ch === '"') {
      stream.next();
      while (!stream.eol()) {
        const c = stream.next();
        if (c === '\\') stream.next();
        else if (c === '"') break;
      }
      return 'string';
    }
    if (ch === "'") {
      if (!stream.match(/^'(?:\\.|[^'\\])'/)) stream.next();
      return 'string';
    }
    if (ch === '`') {
      stream.next();
      state.template = true;
      return template(stream, state);
    }
    if (stream.match(/^(?:0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:e[+-]?\d+)?)/)) return 'number';
    if (stream.match(/^[A-Za-z_][\w]*/)) {
      const word = stream.current();
      const afterFn = state.afterFn;
      state.afterFn = word === 'fn';
      if (keywords.has(word)) return 'keyword';
      if (atoms.has(word)) return 'atom';
      if (afterFn) return 'def';
      if (builtins.has(word)) return 'builtin';
      if (stream.match(/^\s*\(/, false)) return 'variableName.function';
      return 'variableName';
    }
    if (stream.match(/^(?:[-+*/%^&|!<>=]=?|&&|\|\||\?\?|\?\.|\.\.=?|::|=>)/)) return 'operator';
    stream.next();
    state.afterFn = false;
    return null;
  },
  languageData: { commentTokens: { line: '//', block: { open: '/*', close: '*/' } } },
});
