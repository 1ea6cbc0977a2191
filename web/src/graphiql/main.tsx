// berth's GraphiQL page (graphiql.html; berth serves it at GET /graphql):
// GraphiQL 4 with React 19, from this build, no CDN. Queries and mutations
// go to /graphql, subscriptions over graphql-ws to /graphql/ws; the browser's
// session cookie (same origin) signs them in, or paste a bearer token into the
// headers pane: {"Authorization": "Bearer …"}.
//
// The schema (docs, completion, validation) is the SDL of the same commit,
// built in, rather than an introspection query: berth's query-depth limit
// refuses the standard introspection query, which nests ~13 levels deep.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { buildSchema } from 'graphql';
import { createClient } from 'graphql-ws';
import sdl from '../../../graphql/schema.graphql?raw';
import 'graphiql/style.css';
import './graphiql.css';

const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  wsClient: createClient({ url: `${scheme}://${window.location.host}/graphql/ws`, lazy: true }),
});

const defaultQuery = `# berth's GraphQL API.
#
# Signed in to the admin app (/admin/) in this browser? Your session works here.
# Otherwise sign in with login(...) and put the token in Headers:
#   {"Authorization": "Bearer <token>"}
#
# mutation {
#   login(tenant: "alpine-cabins", email: "admin@alpine-cabins.example.org", password: "…") {
#     token
#   }
# }

{
  me {
    email
    role
  }
}
`;

const root = document.getElementById('graphiql');
if (!root) throw new Error('graphiql.html has no #graphiql');
createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} schema={buildSchema(sdl)} defaultQuery={defaultQuery} defaultEditorToolsVisibility />
  </StrictMode>,
);
