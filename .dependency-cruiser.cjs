/**
 * The boundary, checked (issue 16): the core is pure — it imports no edge and does no I/O — there are no
 * circles, and commands reach the library through the API. `npm run depcheck` (part of `npm test`).
 * Why dependency-cruiser: it reads the TypeScript imports themselves (type-only ones included) and says
 * which rule an import breaks, with the path; ESLint's import rules would need ESLint and a resolver too.
 */
const CORE = '^src/(registry|schema|checks|changes|review|mlflow|render)/';
const EDGES = '^src/(git|artifacts|cache|api|cli|commands|action|github|serve|import|site)/';
/** Node modules that touch the disk, processes or the network. */
const IO = '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|dgram|dns|os|worker_threads|cluster|readline|tty)$';

module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-edge',
      severity: 'error',
      comment: 'The core is pure: plan, check and render on data; the edges do the reading and writing.',
      from: { path: CORE },
      to: { path: EDGES },
    },
    {
      name: 'core-does-no-io',
      severity: 'error',
      comment: 'No disk, process or network in the core: the edges pass data in.',
      from: { path: CORE },
      to: { dependencyTypes: ['core'], path: IO },
    },
    { name: 'no-circles', severity: 'error', comment: 'A circle makes two modules one.', from: { path: '^src/' }, to: { circular: true } },
    {
      name: 'commands-through-the-api',
      severity: 'error',
      comment:
        'A command parses flags, calls the library API and prints: what it needs from git, stores or the caches goes through src/api, where a library caller can reuse it. The site, serve and import commands start their own edge (its entry module).',
      from: { path: '^src/commands/' },
      to: { path: '^src/(git|artifacts|cache|github|action|serve|import|site)/', pathNot: '^src/(site/build|serve/index|import/mlflow/index)\\.ts$' },
    },
    {
      name: 'commands-take-core-types-only',
      severity: 'error',
      comment:
        'Commands use the checks, plans and the MLflow view through the API; from them only types. The registry model itself (names, references, errors, text) and the renderers (review) are theirs to use.',
      from: { path: '^src/commands/' },
      to: { path: '^src/(schema|checks|changes|mlflow)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'site-client-is-pure-or-its-own',
      severity: 'error',
      comment: 'The browser bundle holds the pure core and its own modules only: no Node edge can run in a page.',
      from: { path: '^src/site/client/' },
      to: { path: '^src/(git|artifacts|cache|api|cli|commands|action|github|serve|import)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/schema/validators\\.generated\\.ts$' },
  },
};
