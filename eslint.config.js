/**
 * The linter (issue 16): ESLint's and typescript-eslint's recommended rules, which catch what the type
 * checker does not — unused imports and variables, useless escapes, expressions that do nothing — and a
 * few choices of ours, each with its reason. The formatter is Prettier (.prettierrc.json); layout is its
 * job, so no rule here is about layout. `npm run lint` runs both, as part of `npm test`.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'action/dist/', 'node_modules/', 'bench/.cache/', 'test-output/', 'src/schema/validators.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore says "deliberately unused" (a destructured field left out of a rest, a callback's first argument).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Control characters in patterns are what modelreg looks for on purpose: the unsafe-text checks and escapes.
      'no-control-regex': 'off',
      // `catch {}` where a failure is expected and harmless (a best-effort clean-up) says so by being empty.
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      // Tests read JSON a command printed and poke at shapes on purpose; `any` there is the honest type.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', 'bin/**'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The browser benchmark passes functions to the page (page.evaluate), where the DOM is.
    files: ['bench/site.mjs'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
);
