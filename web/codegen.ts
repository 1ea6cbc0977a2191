// GraphQL Code Generator: typed documents for every `graphql(...)` call under
// src/, from the SDL berth commits (../graphql/schema.graphql). The output in
// src/gql/ is committed; `npm run codegen:check` fails when it is stale.
import { existsSync, readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

const sdl = '../graphql/schema.graphql';
// TEMPORARY, until the browser-session API (signIn, signOut, User.tenant,
// Tenant.model) is in the SDL: schema.pending.graphql adds it. Once the SDL has
// it, the file is skipped (and should be deleted); the generated code is the same.
const pending = 'schema.pending.graphql';
const sdlHasSession = /^\s*signIn\(/m.test(readFileSync(sdl, 'utf8'));
if (sdlHasSession && existsSync(pending)) {
  console.warn(`codegen: ${sdl} now has signIn; web/${pending} is obsolete: delete it`);
}

const config: CodegenConfig = {
  schema: sdlHasSession || !existsSync(pending) ? [sdl] : [sdl, pending],
  // Operations live in .graphql files beside the feature that uses them; code
  // imports their typed documents from '@/gql/graphql' (tree-shaken per
  // route), never the `graphql()` map in gql.ts, which would put every
  // operation of every screen into the initial bundle.
  documents: ['src/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        // Screens read the fields they ask for directly; fragments are for
        // sharing selections, not for hiding data between components.
        fragmentMasking: false,
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: {
          Date: 'string',
          DateTime: 'string',
          JSON: 'unknown',
        },
      },
    },
  },
};

export default config;
