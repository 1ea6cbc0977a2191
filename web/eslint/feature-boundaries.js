// ESLint rule `berth/feature-boundaries`: what a file under src/features/<name>/
// may import from the rest of src/. It resolves each specifier (the `@/` alias
// or a relative path) to the file or folder it names, so `../booking/Panel`
// is caught as surely as `@/features/booking/Panel`.
//
// - Another feature only through its public entry, the folder itself
//   (`@/features/booking` → its index.ts), never its files.
// - Never the app shell (src/app/): the shell composes features, not the reverse.
// - Its own files by relative path, and src/lib, src/components, src/gql.
import path from 'node:path';

const srcDir = path.resolve(import.meta.dirname, '..', 'src');
const featuresDir = path.join(srcDir, 'features');
const appDir = path.join(srcDir, 'app');

/** The absolute path a specifier names, or null for a package. */
function resolveSpecifier(specifier, filename) {
  if (specifier.startsWith('@/')) return path.join(srcDir, specifier.slice(2));
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) {
    return path.resolve(path.dirname(filename), specifier);
  }
  return null;
}

/** `{ name, rest }` for a path inside src/features/<name>/, else null. */
function featureOf(target) {
  const relative = path.relative(featuresDir, target);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  const [name, ...rest] = relative.split(path.sep);
  return { name, rest: rest.join('/') };
}

function inside(dir, target) {
  const relative = path.relative(dir, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** @type {import('eslint').Rule.RuleModule} */
export const featureBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'A feature reaches another feature only through its index.ts, and never the app shell.' },
    schema: [],
    messages: {
      internals:
        "'{{specifier}}' reaches inside the {{feature}} feature: import its public entry '@/features/{{feature}}' (its index.ts) instead.",
      featuresRoot: "'{{specifier}}' names the features folder itself: import '@/features/<name>'.",
      ownAlias: "'{{specifier}}' is this feature's own code: import it by a relative path.",
      shell: "'{{specifier}}' is the app shell: a feature does not import src/app (share through src/lib or src/components).",
    },
  },
  create(context) {
    const filename = context.filename;
    const own = featureOf(filename);
    if (!own) return {};

    function check(node) {
      if (!node || node.type !== 'Literal' || typeof node.value !== 'string') return;
      const specifier = node.value;
      const target = resolveSpecifier(specifier, filename);
      if (!target) return;
      if (inside(appDir, target)) {
        context.report({ node, messageId: 'shell', data: { specifier } });
        return;
      }
      if (target === featuresDir) {
        context.report({ node, messageId: 'featuresRoot', data: { specifier } });
        return;
      }
      const other = featureOf(target);
      if (!other) return;
      if (other.name === own.name) {
        if (specifier.startsWith('@/')) context.report({ node, messageId: 'ownAlias', data: { specifier } });
        return;
      }
      if (other.rest !== '') {
        context.report({ node, messageId: 'internals', data: { specifier, feature: other.name } });
      }
    }

    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};

export default { rules: { 'feature-boundaries': featureBoundaries } };
