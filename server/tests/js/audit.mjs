// Audits berth's POST/GET /graphql against the GraphQL-over-HTTP specification
// with the `graphql-http` library's server audit (`auditServer`, the audit the
// specification's working group maintains; pinned in package-lock.json). Run by
// server/tests/e2e/graphql_http.rs, which fails on any MUST or SHOULD audit
// that does not pass; by hand, against a running server:
//
//   node server/tests/js/audit.mjs http://127.0.0.1:8080/graphql
//
// Prints one line per audit (`ok|warn|error|notice  ID  NAME  [reason]`) on
// stderr, and on stdout one JSON line: {"results": [{id, name, level, status,
// reason, httpStatus}]}, level being MUST, SHOULD or MAY.

import { auditServer } from 'graphql-http';

const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: node audit.mjs <http://host:port/graphql>');
  process.exit(2);
}

const watchdog = setTimeout(() => {
  console.error('audit.mjs: gave up after 60 s');
  process.exit(1);
}, 60_000);

try {
  const results = await auditServer({ url });
  const rows = results.map((r) => ({
    id: r.id,
    name: r.name,
    level: r.name.split(' ')[0],
    status: r.status,
    reason: r.reason ?? null,
    httpStatus: r.response ? r.response.status : null,
  }));
  for (const r of rows) {
    const why = r.reason ? `  (${r.reason}; got ${r.httpStatus})` : '';
    console.error(`${r.status.padEnd(6)} ${r.id}  ${r.name}${why}`);
  }
  console.log(JSON.stringify({ results: rows }));
  clearTimeout(watchdog);
} catch (error) {
  console.error(`audit.mjs: ${error.stack ?? error}`);
  process.exit(1);
}
