#!/usr/bin/env node
/**
 * The registry browser's scale targets (issue 17), each figure beside its limit measured in the same run:
 *
 *   full build (`modelreg site` into an empty directory)          ≤ 3× the warm `list --json`
 *   rebuild after a commit touching 10 manifests                  ≤ 1.5× the warm `list --json` right after,
 *                                                                   writing only the files whose facts changed
 *   the overview, cold load in headless Chromium: drawn, and a    ≤ 1 s
 *     search typed at once answered
 *   a model page with 1,000 versions draws its charts             ≤ 300 ms
 *   the site's size                                               ≤ 2× the registry's manifests
 *
 *   npm run bench:site                          # build, then the table for 10k models × 10 versions
 *   node bench/site.mjs --size 1k --runs 3      # after `npm run build`
 *   node bench/site.mjs --browser-only          # the two browser rows and the size: one build of each site,
 *                                                 no build or rebuild rounds
 *
 * Registries come from bench/generate.mjs (cached in bench/.cache/); the 1,000-version model is made here
 * with git fast-import (bench/.cache/site-1000/). Round 0 runs everything once unmeasured (warming the
 * caches as any earlier command would have); each round then runs each operation and its limit
 * alternately, so drift on the machine hits both alike. The rebuild row commits 10 changed manifests (4
 * descriptions, 3 new versions, 3 promotions, in 10 models) in a clone before each measured run, and
 * checks that exactly those models' pages — and the pages of models whose lineage gained a version —
 * were written. Browser figures are read from the page's own clock (performance marks, from navigation
 * start), each in a new, cold browser context. Nothing is asserted: this is a report.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CACHE, ROOT, ensureRegistry, modelName, stageYaml, versionYaml } from './generate.mjs';
import { git, median, parseOptions } from './measure.mjs';
import { launchChromium } from '../scripts/browser/chromium.mjs';

const BIN = join(ROOT, 'bin/run.js');
const log = (m) => process.stderr.write(`${m}\n`);
const BIG = 'big-model';
const BIG_VERSIONS = 1000;

function run(args, cwd) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1', MODELREG_REGISTRY: '' },
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`modelreg ${args.join(' ')} (in ${cwd}) failed (${r.status ?? r.signal}): ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** Ten manifests in ten models, committed: 4 descriptions, 3 new versions, 3 promotions. Returns the models whose pages must change. */
function commitChurn(dir, round) {
  const ids = [];
  for (let i = 1001 + round * 40; ids.length < 10; i++) if (i % 10 !== 0) ids.push(i);
  const pages = new Set(ids.map(modelName));
  ids.slice(0, 4).forEach((i) => {
    const p = join(dir, 'models', modelName(i), 'model.yaml');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/^description: .*$/m, `description: "bench round ${round}"`));
  });
  ids.slice(4, 7).forEach((i) => {
    writeFileSync(join(dir, 'models', modelName(i), 'versions', `3.${round}.0.yaml`), versionYaml(i, 10, `3.${round}.0`));
    // A new version of a fine-tune is a new descendant of its base: the base's lineage changed too.
    pages.add(modelName(i - (i % 10)));
  });
  ids
    .slice(7)
    .forEach((i) =>
      writeFileSync(
        join(dir, 'models', modelName(i), 'stages', 'development.yaml'),
        stageYaml(i, 'development', '2.2.0', '2.1.0', 500 + round, `Bench promotion, round ${round}`),
      ),
    );
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `bench: 10 manifests, round ${round}`]);
  return pages;
}

/** The 1,000-version model: 100 nightly commits of 10 versions each, its stages moving as it goes. */
function ensureBigModel() {
  const base = join(CACHE, 'site-1000');
  const dir = join(base, 'registry');
  if (existsSync(join(base, 'done'))) return dir;
  rmSync(base, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '-b', 'main']);
  const policy = readFileSync(join(ROOT, 'test/fixtures/registry/registry.yaml'), 'utf8');
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const out = [];
  let t = Date.UTC(2024, 0, 1) / 1000;
  const version = (k) => `1.${k}.0`;
  const day = (s) => new Date(s * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const holders = {};
  for (let c = 0; c < BIG_VERSIONS / 10; c++) {
    const files =
      c === 0
        ? [
            ['registry.yaml', policy],
            [
              `models/${BIG}/model.yaml`,
              `name: ${BIG}\ndescription: "One model with a thousand versions."\nowners: [bench@acme.example]\ntask: text-classification\n`,
            ],
          ]
        : [];
    for (let k = c * 10; k < c * 10 + 10; k++) {
      const acc = (0.8 + 0.15 * (k / BIG_VERSIONS) + 0.01 * Math.sin(k)).toFixed(4);
      files.push([
        `models/${BIG}/versions/${version(k)}.yaml`,
        [
          `name: ${BIG}`,
          `version: ${version(k)}`,
          'framework: pytorch',
          `artifacts: [{ path: model.pt, sha256: ${k.toString(16).padStart(64, '0')}, size: ${1e8 + k} }]`,
          `metrics: { accuracy: ${acc}, f1: ${(acc - 0.02).toFixed(4)}, latency_ms: ${(20 + (k % 17)).toFixed(1)} }`,
          'lineage: { datasets: [{ uri: "s3://acme-data/train.parquet" }], code: { repository: "https://github.com/acme/big", commit: ' +
            `${k.toString(16).padStart(40, '0')}` +
            ' } }',
          'created_by: bench@acme.example',
          `created_at: ${day(t)}`,
          '',
        ].join('\n'),
      ]);
    }
    const move = (stage, k) => {
      files.push([
        `models/${BIG}/stages/${stage}.yaml`,
        [
          `model: ${BIG}`,
          `stage: ${stage}`,
          `version: ${version(k)}`,
          'moved_by: lead@acme.example',
          `moved_at: ${day(t)}`,
          'reason: "Nightly."',
          `previous: ${holders[stage] ?? 'null'}`,
          '',
        ].join('\n'),
      ]);
      holders[stage] = version(k);
    };
    move('development', c * 10 + 9);
    if (c % 4 === 1) move('staging', c * 10 + 5);
    if (c % 10 === 3) move('production', c * 10 - 20);
    out.push(`commit refs/heads/main\ncommitter Bench <bench@acme.example> ${t} +0000\n${data(`Nightly ${c}: ${version(c * 10)}–${version(c * 10 + 9)}`)}`);
    for (const [path, text] of files) out.push(`M 100644 inline ${path}\n${data(text)}`);
    out.push('\n');
    t += 86400;
  }
  const stream = join(base, 'stream');
  writeFileSync(stream, out.join(''));
  const fd = spawnSync('sh', ['-c', `git -C ${JSON.stringify(dir)} fast-import --quiet < ${JSON.stringify(stream)}`], { encoding: 'utf8' });
  if (fd.status !== 0) throw new Error(`fast-import failed: ${fd.stderr}`);
  git(dir, ['reset', '-q', '--hard', 'main']);
  rmSync(stream);
  writeFileSync(join(base, 'done'), '');
  return dir;
}

/** Bytes of every file under a directory. */
function du(dir) {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    n += st.isDirectory() ? du(p) : st.size;
  }
  return n;
}

/** The manifests' bytes as Git holds them. */
function manifestBytes(dir) {
  return git(dir, ['ls-tree', '-r', '-l', 'HEAD', '--', 'registry.yaml', 'models'])
    .split('\n')
    .filter(Boolean)
    .reduce((n, line) => n + Number(line.split(/\s+/)[3]), 0);
}

async function overviewInteractive(browser, site) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${pathToFileURL(join(site, 'index.html')).href}#/`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'overview', null, { timeout: 60_000 });
  const result = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const drawn = performance.getEntriesByName('ready:overview')[0].startTime;
        const status = document.getElementById('overview-status');
        const before = status.textContent;
        const t0 = performance.now();
        new MutationObserver(() => resolve({ drawn, search: performance.now() - t0, status: status.textContent, before })).observe(status, {
          childList: true,
          characterData: true,
          subtree: true,
        });
        const input = document.getElementById('f-q');
        input.value = 'fraud ranker';
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }),
  );
  await context.close();
  if (errors.length) throw new Error(`overview: ${errors.join('; ')}`);
  return result;
}

async function bigModelCharts(browser, site) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${pathToFileURL(join(site, 'index.html')).href}#/m/${BIG}`);
  await page.waitForFunction(() => document.documentElement.dataset.ready === 'model', null, { timeout: 60_000 });
  const r = await page.evaluate(() => ({
    charts: performance.getEntriesByName('charts')[0].duration,
    ready: performance.getEntriesByName('ready:model')[0].startTime,
    canvases: document.querySelectorAll('.chart canvas').length,
    rows: document.querySelectorAll('#versions-table tbody tr').length,
  }));
  await context.close();
  return r;
}

async function main() {
  const opts = parseOptions(
    process.argv.slice(2),
    { size: '10k', runs: 5, browserOnly: false },
    'usage: node bench/site.mjs [--size 10k] [--runs 5] [--browser-only]',
  );
  const builds = !opts.browserOnly;
  if (!existsSync(join(ROOT, 'dist/site/app.js'))) throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench:site`).');
  const started = Date.now();
  const { dir: reg, info } = ensureRegistry(opts.size, { log });
  const big = ensureBigModel();
  const work = join(CACHE, opts.size, 'site-bench');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const churn = join(work, 'churn');
  if (builds) {
    git(ROOT, ['clone', '-q', reg, churn]);
    // The caches are keyed by blob id and digest, so the registry's hold in its clone.
    if (existsSync(join(reg, '.git/modelreg'))) cpSync(join(reg, '.git/modelreg'), join(churn, '.git/modelreg'), { recursive: true });
  }
  const full = join(work, 'full');
  const churnSite = join(work, 'churn-site');
  const bigSite = join(work, 'big-site');
  log(`registries ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${reg} (${info.files} files), ${big} (${BIG_VERSIONS} versions)`);

  // Round 0: warm every cache, build the sites the browser rows open.
  run(['list', '--json'], reg);
  run(['site', '-o', full, '--json'], reg);
  if (builds) {
    run(['list', '--json'], churn);
    run(['site', '-o', churnSite, '--json'], churn);
  }
  run(['site', '-o', bigSite, '--json'], big);
  const browser = await launchChromium();
  await overviewInteractive(browser, full);
  await bigModelCharts(browser, bigSite);
  log(`round 0 (warm-up) done (${((Date.now() - started) / 1000).toFixed(0)} s)`);

  const rows = {
    full: { op: 'full build, empty -o (caches warm)', limit: 'list --json (warm)', target: 3, a: [], b: [], problem: null },
    rebuild: { op: 'rebuild after a commit of 10 manifests', limit: 'list --json right after (warm)', target: 1.5, a: [], b: [], problem: null },
    overview: { op: 'overview, cold load: drawn + a search answered', limit: 'fixed: 1000 ms', target: 1, a: [], b: [], problem: null, fixed: 1000 },
    charts: { op: `model page of ${BIG_VERSIONS} versions: charts drawn`, limit: 'fixed: 300 ms', target: 1, a: [], b: [], problem: null, fixed: 300 },
  };
  const info2 = { overviewDrawn: [], overviewSearch: [], bigReady: [], written: [] };
  /** One round of the build rows: a full build beside list --json, a commit and a rebuild beside list --json. */
  function buildRows(round) {
    rmSync(full, { recursive: true, force: true });
    const f = run(['site', '-o', full, '--json'], reg);
    const fj = JSON.parse(f.stdout);
    if (!fj.fresh || fj.models !== info.models) rows.full.problem = `models=${fj.models} fresh=${fj.fresh}`;
    rows.full.a.push(f.ms);
    rows.full.b.push(run(['list', '--json'], reg).ms);

    const expected = commitChurn(churn, round);
    const r = run(['site', '-o', churnSite, '--json'], churn);
    const rj = JSON.parse(r.stdout);
    const models = new Set(rj.written.filter((p) => p.startsWith('data/models/')).map((p) => p.slice('data/models/'.length, -3)));
    const other = rj.written.filter((p) => !p.startsWith('data/models/'));
    const same = models.size === expected.size && [...expected].every((m) => models.has(m));
    if (!same || other.some((p) => !/^(data\/index\.js|data\/meta\.js|index\.html|data\/history\/\d+\.js)$/.test(p)))
      rows.rebuild.problem = `wrote ${[...models].join(',')} + ${other.join(',')}; expected the pages of ${[...expected].join(',')}`;
    info2.written.push(rj.written.length);
    rows.rebuild.a.push(r.ms);
    rows.rebuild.b.push(run(['list', '--json'], churn).ms);
  }

  for (let round = 1; round <= opts.runs; round++) {
    if (builds) buildRows(round);
    const o = await overviewInteractive(browser, full);
    if (o.status === o.before) rows.overview.problem = 'the search did not change the results';
    rows.overview.a.push(o.drawn + o.search);
    info2.overviewDrawn.push(o.drawn);
    info2.overviewSearch.push(o.search);
    const c = await bigModelCharts(browser, bigSite);
    if (c.canvases !== 4 || c.rows !== 100) rows.charts.problem = `${c.canvases} charts, ${c.rows} rows`;
    rows.charts.a.push(c.charts);
    info2.bigReady.push(c.ready);
    log(`  round ${round}/${opts.runs} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await browser.close();

  // For information: a build whose own caches are cold (the parse cache warm), once.
  let cold = null;
  if (builds) {
    const cacheDir = readdirSync(join(churn, '.git/modelreg/parse-cache')).map((d) => join(churn, '.git/modelreg/parse-cache', d))[0];
    for (const f of readdirSync(cacheDir))
      if (f === 'site.json' || f === 'site-texts' || f.startsWith('history-')) rmSync(join(cacheDir, f), { recursive: true, force: true });
    cold = run(['site', '-o', join(work, 'cold'), '--json'], churn).ms;
  }
  const scripts = Object.fromEntries(['app.js', 'pages.js'].map((f) => [f, statSync(join(full, 'assets', f)).size]));

  const siteBytes = du(full) - statSync(join(full, '.modelreg-site.json')).size;
  const registryBytes = manifestBytes(reg);

  const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  const out = Object.values(rows)
    .filter((r) => r.a.length)
    .map((r) => {
      const a = median(r.a);
      const b = r.fixed ?? median(r.b);
      const ratio = a / b;
      return {
        operation: r.op,
        modelreg: fmt(a),
        limit: r.limit,
        limitMs: fmt(b),
        ratio: `${ratio.toFixed(2)}×`,
        target: `≤ ${r.target}×`,
        result: r.problem ? `FAIL (${r.problem})` : ratio <= r.target ? 'pass' : 'FAIL',
        samples: { modelreg: r.a.map((x) => Number(x.toFixed(1))), limit: r.fixed ? [] : r.b.map((x) => Number(x.toFixed(1))) },
      };
    });
  const sizeRatio = siteBytes / registryBytes;
  out.push({
    operation: 'site size (bytes, without the marker)',
    modelreg: String(siteBytes),
    limit: "the registry's manifests",
    limitMs: String(registryBytes),
    ratio: `${sizeRatio.toFixed(2)}×`,
    target: '≤ 2×',
    result: sizeRatio <= 2 ? 'pass' : 'FAIL',
  });
  const head = ['OPERATION', 'MODELREG (ms)', 'LIMIT', 'LIMIT (ms)', 'RATIO', 'TARGET', 'RESULT'];
  const cells = [head, ...out.map((o) => [o.operation, o.modelreg, o.limit, o.limitMs, o.ratio, o.target, o.result])];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const env = `${process.version}, ${git(ROOT, ['--version'])}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}; modelreg ${git(ROOT, ['rev-parse', '--short', 'HEAD'])}`;
  console.log(
    `\nmodelreg site bench — ${opts.size} models × 10 versions (${info.files} files); medians of ${opts.runs} runs${builds ? '' : ' (--browser-only: no build rows)'}; ${env}\n`,
  );
  cells.forEach((c, i) => {
    console.log(
      c
        .map((x, j) => (j === 1 || j === 3 ? x.padStart(widths[j]) : x.padEnd(widths[j])))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  const m = (xs) => fmt(median(xs));
  console.log(
    `\nfor information: overview drawn ${m(info2.overviewDrawn)} ms + search ${m(info2.overviewSearch)} ms; the ${BIG_VERSIONS}-version model page ready ${m(info2.bigReady)} ms after navigation; ${builds ? `rebuilds wrote ${info2.written.join(', ')} files; a build with the site's caches cold (parse cache warm) ${fmt(cold)} ms; ` : ''}scripts: assets/app.js ${scripts['app.js']} bytes (the overview), assets/pages.js ${scripts['pages.js']} bytes`,
  );
  const total = (Date.now() - started) / 1000;
  console.log(`total ${total.toFixed(0)} s`);
  writeFileSync(
    join(CACHE, 'last-site-run.json'),
    JSON.stringify(
      {
        env,
        size: opts.size,
        runs: opts.runs,
        browserOnly: opts.browserOnly,
        totalSeconds: total,
        rows: out,
        info: { ...info2, coldMs: cold, siteBytes, registryBytes, scripts },
      },
      null,
      2,
    ) + '\n',
  );
}

await main();
