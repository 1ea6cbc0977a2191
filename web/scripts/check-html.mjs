// berth serves the built pages with `script-src 'self'`: an inline <script>
// would not run. Fails the build when any HTML page in dist/ has a <script>
// without a src attribute (or an inline event handler attribute).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const pages = readdirSync(dist).filter((f) => f.endsWith('.html'));
const problems = [];
for (const page of pages) {
  const html = readFileSync(join(dist, page), 'utf8');
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const [, attributes, body] = match;
    if (!/\bsrc\s*=/.test(attributes) || body.trim() !== '') problems.push(`${page}: inline <script${attributes}>`);
  }
  for (const match of html.matchAll(/\son[a-z]+\s*=/gi)) problems.push(`${page}: inline event handler ${match[0].trim()}`);
}
if (pages.length === 0) problems.push('no HTML pages in dist/');
if (problems.length > 0) {
  console.error(`check-html: the Content-Security-Policy would block:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`check-html: ${pages.join(', ')}: no inline script`);
