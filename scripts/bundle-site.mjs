#!/usr/bin/env node
// Bundles the registry browser (src/site/client/) into dist/site/ with esbuild: two classic scripts
// (below), one stylesheet with uPlot's, the icon, and the licences of every package the scripts hold
// (assets/licenses.txt beside the site). `npm run build` runs it.
//   node scripts/bundle-site.mjs [--outdir <dir>]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const i = process.argv.indexOf('--outdir');
const outdir = i > 0 ? process.argv[i + 1] : join(root, 'dist/site');
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });

const common = { absWorkingDir: root, bundle: true, minify: true, logLevel: 'warning', legalComments: 'none', metafile: true };
const script = {
  ...common,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  tsconfig: 'src/site/client/tsconfig.json',
  write: false,
};
const APP = 'src/site/client/app.ts';
const PAGES = 'src/site/client/pages.ts';

// Two scripts: app.js (the shell and the overview) and pages.js (every other page, with the charts, the
// graph layout and the Markdown renderer; app.js adds it when one is first opened), so the front page's
// cold load parses only what it draws. Classic scripts (module scripts do not load from file://) cannot
// import one another, so pages.js holds no copy of what app.js has: each module of app.js that pages.js
// imports is taken, at run time, from window.modelregModules, which app.js fills with exactly those.
const inApp = new Set(Object.keys((await build({ ...script, entryPoints: [APP], outfile: join(outdir, 'app.js') })).metafile.inputs));
const shared = new Set();
const pages = await build({ ...script, entryPoints: [PAGES], outfile: join(outdir, 'pages.js'), plugins: [fromApp(inApp, shared)] });
const app = await build({
  ...script,
  stdin: { contents: appEntry(shared), resolveDir: root, sourcefile: 'app-entry.js', loader: 'js' },
  outfile: join(outdir, 'app.js'),
});
for (const out of [...app.outputFiles, ...pages.outputFiles]) writeFileSync(out.path, out.contents);
const kib = (r) => `${(Object.values(r.metafile.outputs)[0].bytes / 1024).toFixed(1)} KiB`;
console.log(`bundle-site: assets/app.js ${kib(app)}, assets/pages.js ${kib(pages)} (${shared.size} modules taken from app.js)`);

await build({ ...common, entryPoints: ['src/site/client/site.css'], outfile: join(outdir, 'site.css'), loader: { '.css': 'css' } });
copyFileSync(join(root, 'src/site/client/favicon.svg'), join(outdir, 'favicon.svg'));

// The licence of each package whose code is in either script.
const packages = new Set();
for (const input of [...Object.keys(app.metafile.inputs), ...Object.keys(pages.metafile.inputs)]) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.add(m[1]);
}
const notices = [...packages].sort().map((name) => {
  const dir = join(root, 'node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  return `${name} ${pkg.version} (${pkg.license ?? 'see below'})\n\n${file ? readFileSync(join(dir, file), 'utf8').trim() : 'No licence file in the package.'}\n`;
});
writeFileSync(join(outdir, 'licenses.txt'), `The registry browser's scripts bundle these packages:\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`);

/**
 * The esbuild plugin of pages.js: a module app.js holds (`inApp`, paths as in the metafile) becomes a stub
 * that hands over app.js's instance of it, and its path is added to `shared`.
 */
function fromApp(inApp, shared) {
  const TAKE = 'from-app:take';
  return {
    name: 'from-app',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'from-app' || args.kind === 'entry-point' || args.path === TAKE) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: 'from-app' });
        if (r.errors.length) return { errors: r.errors };
        const key = relative(root, r.path).split(sep).join('/');
        if (!inApp.has(key)) return r;
        // A package's module may be CommonJS, whose default export a stub could not hand over faithfully.
        if (key.startsWith('node_modules/'))
          return {
            errors: [{ text: `${key} is in app.js and imported by a module only pages.js holds: import it through a module of src/ that app.js holds` }],
          };
        shared.add(key);
        return { path: key, namespace: 'from-app' };
      });
      b.onLoad({ filter: /.*/, namespace: 'from-app' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(TAKE)})(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      b.onResolve({ filter: /^from-app:take$/ }, () => ({ path: 'take', namespace: 'from-app-take' }));
      b.onLoad({ filter: /.*/, namespace: 'from-app-take' }, () => ({
        contents:
          'module.exports = function (key) { var m = window.modelregModules && window.modelregModules[key]; if (!m) throw new Error("assets/pages.js is not from the build of assets/app.js (" + key + " is missing)"); return m; };',
        loader: 'js',
      }));
    },
  };
}

/**
 * app.js's entry: app.ts, then the namespace of each module pages.js takes from it. pages.js is added
 * only after app.js has run, so the order does not matter; the stubs read named exports only.
 */
function appEntry(shared) {
  const keys = [...shared].sort();
  return [
    `import './${APP}';`,
    ...keys.map((k, n) => `import * as m${n} from './${k}';`),
    `window.modelregModules = { ${keys.map((k, n) => `${JSON.stringify(k)}: m${n}`).join(', ')} };`,
  ].join('\n');
}
