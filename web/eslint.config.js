// ESLint 9 flat config: typescript-eslint (type-aware), React hooks rules
// (including the React Compiler's), and the app's import boundaries.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import berthRules from './eslint/feature-boundaries.js';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'src/gql', 'test-results', 'playwright-report', 'site/vendor'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2023,
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat['recommended-latest']],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@/gql',
              message: "Import typed documents from '@/gql/graphql'; the graphql() map puts every operation into the entry chunk.",
            },
            {
              name: '@/gql/gql',
              message: "Import typed documents from '@/gql/graphql'; the graphql() map puts every operation into the entry chunk.",
            },
          ],
          patterns: [
            {
              group: ['@/features/*/*', '!@/features/auth/SignOutButton'],
              message: 'A feature is reached through its route (app/routes.tsx), not by importing its insides.',
            },
          ],
        },
      ],
    },
  },
  {
    // A feature reaches another feature only through its public entry,
    // `@/features/<name>` (the folder's index.ts: the booking panel the board
    // opens), never through its files, by alias or relative path; and never
    // the app shell. See eslint/feature-boundaries.js.
    files: ['src/features/**/*.{ts,tsx}'],
    plugins: { berth: berthRules },
    rules: {
      'berth/feature-boundaries': 'error',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: '@/gql', message: "Import typed documents from '@/gql/graphql'." },
            { name: '@/gql/gql', message: "Import typed documents from '@/gql/graphql'." },
          ],
        },
      ],
    },
  },
  {
    files: ['*.{js,mjs,ts}', 'scripts/**/*.mjs', 'e2e/**/*.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    // Playwright fixtures that use no other fixture are written `async ({}, use)`.
    files: ['e2e/**/*.ts'],
    rules: { 'no-empty-pattern': 'off' },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
  },
  {
    // The public site's script (server-rendered pages, see web/site/): a
    // browser module, type-checked by site/tsconfig.json.
    files: ['site/static/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
