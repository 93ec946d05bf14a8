#!/usr/bin/env node
// Bundles the registry browser (src/site/client/) into dist/site/ with esbuild: classic scripts
// (module scripts do not load from file://), one stylesheet with uPlot's, the icon, and the licences of
// every package the bundle holds (assets/licenses.txt beside the site). `npm run build` runs it.
//   node scripts/bundle-site.mjs [--outdir <dir>]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--outdir');
const outdir = i > 0 ? process.argv[i + 1] : join(root, 'dist/site');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const common = { absWorkingDir: root, bundle: true, minify: true, logLevel: 'warning', legalComments: 'none', metafile: true };
// Two scripts: app.js (the shell and the overview) and pages.js (every other page, loaded when first
// needed), so the front page's cold load parses a fifth of the code.
const js = await build({
  ...common,
  entryPoints: { app: 'src/site/client/app.ts', pages: 'src/site/client/pages.ts' },
  outdir,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  tsconfig: 'src/site/client/tsconfig.json',
});
await build({ ...common, entryPoints: ['src/site/client/site.css'], outfile: join(outdir, 'site.css'), loader: { '.css': 'css' } });
copyFileSync(join(root, 'src/site/client/favicon.svg'), join(outdir, 'favicon.svg'));

// The licence of each package whose code is in the bundle.
const packages = new Set();
for (const input of Object.keys(js.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const notices = [...packages].sort().map((name) => {
  const dir = join(root, 'node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  return `${name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n${file ? readFileSync(join(dir, file), 'utf8').trim() : 'No licence file in the package.'}\n`;
});
writeFileSync(join(outdir, 'licenses.txt'), `The registry browser's script bundles these packages:\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);
for (const f of ['app.js', 'pages.js']) if (!existsSync(join(outdir, f))) throw new Error(`bundle-site: ${f} was not written`);
