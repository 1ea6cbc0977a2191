// berth's GraphiQL page (graphiql.html; berth serves it at GET /graphql):
// GraphiQL 4 with React 19, from this build, no CDN. Queries and mutations
// go to /graphql, subscriptions over graphql-ws to /graphql/ws; the browser's
// session cookie (same origin) signs them in, or paste a bearer token into the
// headers pane: {"Authorization": "Bearer …"}.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import 'graphiql/style.css';
import './graphiql.css';

const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  wsClient: createClient({ url: `${scheme}://${window.location.host}/graphql/ws`, lazy: true }),
});

const root = document.getElementById('graphiql');
if (!root) throw new Error('graphiql.html has no #graphiql');
createRoot(root).render(
  <StrictMode>
    <GraphiQL fetcher={fetcher} defaultEditorToolsVisibility />
  </StrictMode>,
);
