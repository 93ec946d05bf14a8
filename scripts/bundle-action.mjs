#!/usr/bin/env node
// Bundles the pull-request action (src/action/entry.ts) into action/dist/ with esbuild, so the action runs
// with no `npm install` on the runner. The bundle is committed; test/integration/action.test.ts rebuilds
// it into a temporary directory and fails when the committed one differs (a stale bundle).
//   node scripts/bundle-action.mjs [--outdir <dir>]
// Why esbuild: one pinned binary, deterministic output, ESM with code splitting — the AWS SDK and
// octokit sit in chunks loaded only when a run needs them. (ncc, GitHub's usual choice, drives webpack
// and the TypeScript compiler, and emits one file that loads everything at start.)
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--outdir');
const outdir = i > 0 ? process.argv[i + 1] : `${root}action/dist`;
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/action/entry.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'eof',
  minify: true,
  // CommonJS dependencies call require() for Node's built-ins; an ESM bundle must provide it.
  banner: { js: "import { createRequire as __modelregCreateRequire } from 'node:module'; const require = __modelregCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
