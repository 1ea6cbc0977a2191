// The bundle-size budgets, run at the end of `npm run build`. Reads Vite's
// build manifest (dist/.vite/manifest.json), measures gzip sizes, prints every
// budget with its measured size, and exits 1 when any is over:
//   - initial JS: the app's entry chunk and every chunk it imports statically ≤ 200 KB
//   - CSS: every stylesheet the app can load (initial and lazy)             ≤ 50 KB
//   - each lazily loaded chunk (a route, a namespace of strings), with the
//     chunks it alone imports statically (not already in the initial set)  ≤ 80 KB
//   - except the policy editor (CodeMirror 6, the YAML parser and berth's
//     JSON Schemas), loaded only by the Policy page after it has rendered:
//     ≤ 180 KB (decision 0163; Monaco would be ~2 MB)
// GraphiQL's page (graphiql.html) is a separate tool, not an app route: its
// size is printed, and exempt.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KB = 1024;
const budgets = { initialJs: 200 * KB, css: 50 * KB, lazyChunk: 80 * KB };
/** Lazy chunks with a budget of their own (by source), each a decision. */
const lazyExceptions = { 'src/features/policy/editor/PolicyEditor.tsx': 180 * KB };

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifestPath = join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`check-size: ${manifestPath} is missing; run vite build first`);
  process.exit(1);
}
/** @type {Record<string, {file: string, css?: string[], imports?: string[], dynamicImports?: string[], isEntry?: boolean, isDynamicEntry?: boolean, src?: string, name?: string}>} */
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const gzipCache = new Map();
/** Gzip size (level 9, as a server would send it) of a file under dist/. */
function gz(file) {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  return gzipCache.get(file);
}
const sum = (files) => [...files].reduce((n, f) => n + gz(f), 0);
const kb = (bytes) => `${(bytes / KB).toFixed(1)} KB`;

/** The manifest keys reachable from `key` through static imports (itself included). */
function staticClosure(key, into = new Set()) {
  if (into.has(key) || !manifest[key]) return into;
  into.add(key);
  for (const k of manifest[key].imports ?? []) staticClosure(k, into);
  return into;
}

/** Every manifest key reachable from `key` through static and dynamic imports. */
function fullClosure(key, into = new Set()) {
  if (into.has(key) || !manifest[key]) return into;
  into.add(key);
  for (const k of [...(manifest[key].imports ?? []), ...(manifest[key].dynamicImports ?? [])]) fullClosure(k, into);
  return into;
}

const appEntry = 'index.html';
const toolEntry = 'graphiql.html';
if (!manifest[appEntry]) {
  console.error('check-size: the manifest has no index.html entry');
  process.exit(1);
}

const failures = [];
function report(label, bytes, budget) {
  const over = budget !== undefined && bytes > budget;
  const verdict = budget === undefined ? '' : over ? `  OVER the ${kb(budget)} budget` : `  (budget ${kb(budget)})`;
  console.log(`  ${label.padEnd(58)} ${kb(bytes).padStart(9)}${verdict}`);
  if (over) failures.push(`${label}: ${kb(bytes)} > ${kb(budget)}`);
}

console.log('Bundle sizes (gzip -9):');

// Initial JS: the entry and its static imports.
const initialKeys = staticClosure(appEntry);
const initialJs = new Set([...initialKeys].map((k) => manifest[k].file).filter((f) => f.endsWith('.js')));
report(`initial JS (entry + ${initialJs.size - 1} static imports)`, sum(initialJs), budgets.initialJs);

// CSS the app can load.
const appKeys = fullClosure(appEntry);
const appCss = new Set([...appKeys].flatMap((k) => manifest[k].css ?? []));
report(`CSS (${appCss.size} stylesheets)`, sum(appCss), budgets.css);

// Each lazily loaded chunk with what it alone pulls in.
// (A lazy root is any chunk the app reaches through a dynamic import and does
// not already load up front; a chunk shared with GraphiQL counts too.)
const lazyKeys = [
  ...new Set([...appKeys].flatMap((k) => manifest[k].dynamicImports ?? []).filter((k) => !initialKeys.has(k))),
];
for (const key of lazyKeys.sort()) {
  const own = new Set(
    [...staticClosure(key)]
      .filter((k) => !initialKeys.has(k))
      .map((k) => manifest[k].file)
      .filter((f) => f.endsWith('.js')),
  );
  const name = manifest[key].src ?? `${key.replace(/^_/, '')} (shared chunk)`;
  report(`lazy ${name}`, sum(own), lazyExceptions[manifest[key].src ?? ''] ?? budgets.lazyChunk);
}

// GraphiQL: printed, exempt.
if (manifest[toolEntry]) {
  const toolKeys = fullClosure(toolEntry);
  const toolJs = new Set([...toolKeys].map((k) => manifest[k].file).filter((f) => f.endsWith('.js')));
  const toolCss = new Set([...toolKeys].flatMap((k) => manifest[k].css ?? []));
  report('GraphiQL page JS (tool page, exempt from budgets)', sum(toolJs));
  report('GraphiQL page CSS (tool page, exempt from budgets)', sum(toolCss));
} else {
  failures.push('graphiql.html is missing from the build');
}

if (failures.length > 0) {
  console.error(`\ncheck-size: ${failures.length} budget(s) exceeded:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('All budgets met.');
