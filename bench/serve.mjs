#!/usr/bin/env node
/**
 * `modelreg serve` beside a real `mlflow server` holding the same registry, in one run:
 *
 *   npm run bench:serve                                   # build, then the whole table
 *   node bench/serve.mjs --models 1000 --versions 10 --duration 10 --connections 16
 *
 * 1. One registry description (N models × V versions, tags, descriptions, staging and production) is
 *    written as a modelreg registry (one commit) and loaded into MLflow's SQLite store through MLflow's own
 *    model-registry store (bench/mlflow_load.py). Importing N×V versions with `modelreg import mlflow`
 *    would take one commit each (about a third of a second apiece here), so the benchmark builds both
 *    sides from the description; a sample of models is checked to read the same through both servers.
 * 2. autocannon (npm, pinned) drives each endpoint as MLflow's client calls it, with C connections for D
 *    seconds after a warm-up, on modelreg serve and on mlflow server (its default 4 workers), alternately.
 *    Every answer must be a 200. Reported: requests per second, p50 and p99 latency, and ratios to MLflow.
 * 3. Start-up of `modelreg serve` on the 10k bench registry (bench/generate.mjs; parse cache warm) beside
 *    the raw git read of the same files, medians of 3.
 * 4. With --follow origin/main --interval 1: from the end of a pushed promotion to the first answer that
 *    shows it, medians of 5, beside the interval.
 * Nothing is asserted: this is a report. Loopback only; every loop is bounded.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { CACHE, ROOT, ensureRegistry } from './generate.mjs';
import { git, median, parseOptions } from './measure.mjs';

const BIN = join(ROOT, 'bin/run.js');
const log = (m) => process.stderr.write(`${m}\n`);
const opts = parseOptions(
  process.argv.slice(2),
  { models: 1000, versions: 10, duration: 10, warmup: 2, connections: 16, startupRuns: 3, followRuns: 5, only: 'throughput,startup,follow' },
  'usage: node bench/serve.mjs [--models 1000] [--versions 10] [--duration 10] [--connections 16] [--startup-runs 3] [--follow-runs 5] [--only throughput,startup,follow]',
);
const parts = new Set(String(opts.only).split(','));
const WORK = join(CACHE, `serve-${opts.models}x${opts.versions}`);
const IDENTITY = { GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com' };

function python() {
  const r = spawnSync('bash', [join(ROOT, 'scripts/python/setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error('scripts/python/setup.sh failed');
  return r.stdout.trim();
}

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const name = (i) => `bench-model-${String(i).padStart(5, '0')}`;

/** The registry both servers hold: N models × V versions; staging = V-1, production = V-2. */
function description() {
  const models = [];
  for (let i = 0; i < opts.models; i++) {
    models.push({
      name: name(i),
      description: `Bench model ${i}.`,
      tags: { team: ['nlp', 'vision', 'risk'][i % 3] },
      versions: Array.from({ length: opts.versions }, (_, k) => ({ description: `Version ${k + 1} of model ${i}.`, tags: { run: `r${i}-${k + 1}` } })),
      stages: { staging: opts.versions - 1, production: opts.versions - 2 },
    });
  }
  return models;
}

function writeModelreg(dir, models) {
  const bytes = Buffer.from('bench model\n');
  const sha = createHash('sha256').update(bytes).digest('hex');
  const store = join(dir, '.modelreg/store/sha256', sha.slice(0, 2));
  mkdirSync(store, { recursive: true });
  writeFileSync(join(store, sha), bytes);
  writeFileSync(join(dir, '.gitignore'), '.modelreg/store/\n');
  writeFileSync(
    join(dir, 'registry.yaml'),
    'apiVersion: modelreg/v1\nartifacts:\n  store: file://.modelreg/store\nstages:\n  - name: staging\n    from: []\n  - name: production\n    from: []\n',
  );
  const at = '2026-11-01T10:00:00Z';
  for (const m of models) {
    const base = join(dir, 'models', m.name);
    mkdirSync(join(base, 'versions'), { recursive: true });
    mkdirSync(join(base, 'stages'), { recursive: true });
    writeFileSync(
      join(base, 'model.yaml'),
      `name: ${m.name}\ndescription: ${JSON.stringify(m.description)}\nowners: [bench@example.com]\ntags:\n  team: ${m.tags.team}\n`,
    );
    m.versions.forEach((v, k) => {
      const n = k + 1;
      writeFileSync(
        join(base, 'versions', `${n}.0.0.yaml`),
        `name: ${m.name}\nversion: ${n}.0.0\ndescription: ${JSON.stringify(v.description)}\nartifacts:\n  - { path: model.bin, sha256: ${sha}, size: ${bytes.length} }\ntags:\n  run: ${v.tags.run}\n  mlflow.version: "${n}"\ncreated_by: bench@example.com\ncreated_at: ${at}\n`,
      );
    });
    for (const [stage, n] of Object.entries(m.stages))
      writeFileSync(
        join(base, 'stages', `${stage}.yaml`),
        `model: ${m.name}\nstage: ${stage}\nversion: ${n}.0.0\nmoved_by: bench@example.com\nmoved_at: ${at}\nprevious: null\n`,
      );
  }
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'bench registry'], { env: IDENTITY });
}

function prepare(py) {
  const done = join(WORK, 'ready.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8'));
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const models = description();
  const reg = join(WORK, 'registry');
  mkdirSync(reg);
  log(`bench: writing the modelreg registry (${opts.models} × ${opts.versions})`);
  writeModelreg(reg, models);
  log('bench: loading the same registry into MLflow (SQLite, through its model-registry store)');
  mkdirSync(join(WORK, 'mlflow/artifacts'), { recursive: true });
  const spec = join(WORK, 'spec.json');
  writeFileSync(spec, JSON.stringify({ source: 'mlflow-artifacts:/bench/model', models }));
  const t0 = Date.now();
  const r = spawnSync(py, [join(ROOT, 'bench/mlflow_load.py'), `sqlite:///${join(WORK, 'mlflow/mlflow.db')}`, spec], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error('bench/mlflow_load.py failed');
  const ready = { registry: reg, mlflowDir: join(WORK, 'mlflow'), loadSeconds: (Date.now() - t0) / 1000 };
  writeFileSync(done, JSON.stringify(ready));
  return ready;
}

/** Start a server process; resolves when `ready()` answers true (polled every 100 ms, for at most `waitSeconds`). */
async function startProcess(cmd, args, options, ready, waitSeconds = 120) {
  const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.on('exit', r));
  for (let i = 0; i < waitSeconds * 10; i++) {
    if (await ready(out))
      return {
        child,
        output: () => out,
        stop: async () => {
          try {
            process.kill(-child.pid, 'SIGTERM');
          } catch {}
          await exited;
        },
      };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {}
  throw new Error(`${cmd} ${args.join(' ')} did not start: ${out.slice(-2000)}`);
}

const answers = (url) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

async function startModelreg(dir, extra = [], waitSeconds = 120) {
  let url;
  const p = await startProcess(
    process.execPath,
    [BIN, 'serve', '--port', '0', ...extra],
    { cwd: dir, env: { ...process.env, ...IDENTITY } },
    async (out) => {
      const m = /"event":"listening","url":"([^"]+)"/.exec(out);
      if (m) url = m[1];
      return !!url;
    },
    waitSeconds,
  );
  return { ...p, url };
}

async function startMlflow(dir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const p = await startProcess('bash', [join(ROOT, 'scripts/python/mlflow-server.sh'), dir, String(port), '4'], {}, () => answers(`${url}/health`));
  return { ...p, url };
}

/** The endpoints, as MLflow's client sends them, cycling over 64 models. */
function endpoints() {
  const sample = Array.from({ length: 64 }, (_, i) => name((i * 7919) % opts.models));
  const q = (s) => encodeURIComponent(s);
  return [
    {
      label: 'get-latest-versions (POST, Production)',
      requests: sample.map((n) => ({
        method: 'POST',
        path: '/api/2.0/mlflow/registered-models/get-latest-versions',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: n, stages: ['Production'] }),
      })),
    },
    {
      label: 'registered-models/alias (production)',
      requests: sample.map((n) => ({ method: 'GET', path: `/api/2.0/mlflow/registered-models/alias?name=${q(n)}&alias=production` })),
    },
    {
      label: 'model-versions/get',
      requests: sample.map((n, i) => ({ method: 'GET', path: `/api/2.0/mlflow/model-versions/get?name=${q(n)}&version=${(i % opts.versions) + 1}` })),
    },
    {
      label: "model-versions/search (name = '…')",
      requests: sample.map((n) => ({ method: 'GET', path: `/api/2.0/mlflow/model-versions/search?filter=${q(`name='${n}'`)}&max_results=100` })),
    },
    {
      label: 'registered-models/search (LIKE, 100)',
      requests: sample.map((n) => ({
        method: 'GET',
        path: `/api/2.0/mlflow/registered-models/search?filter=${q(`name LIKE '${n.slice(0, -2)}%'`)}&max_results=100`,
      })),
    },
  ];
}

function cannon(url, requests, duration) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: opts.connections, duration, requests, timeout: 30 }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

/** Both servers answer a sample the same way (MLflow numbers, stages, aliases, tags). */
async function sameAnswers(a, b) {
  for (const i of [0, Math.floor(opts.models / 2), opts.models - 1]) {
    const path = `/api/2.0/mlflow/registered-models/get?name=${name(i)}`;
    const [x, y] = await Promise.all([fetch(a + path).then((r) => r.json()), fetch(b + path).then((r) => r.json())]);
    const facts = (rm) =>
      JSON.stringify({
        d: rm.description,
        t: rm.tags.filter((t) => !t.key.startsWith('mlflow.')),
        a: [...rm.aliases].sort((p, q) => (p.alias < q.alias ? -1 : 1)),
        l: rm.latest_versions.map((v) => [v.version, v.current_stage]).sort(),
      });
    if (facts(x.registered_model) !== facts(y.registered_model))
      throw new Error(`the two servers disagree on ${name(i)}:\n${facts(x.registered_model)}\n${facts(y.registered_model)}`);
  }
}

async function throughput(ready) {
  const mr = await startModelreg(ready.registry);
  const ml = await startMlflow(ready.mlflowDir);
  const rows = [];
  try {
    await sameAnswers(mr.url, ml.url);
    for (const e of endpoints()) {
      const r = {};
      // Alternate which server goes first, so drift on the machine hits both alike.
      for (const [who, url] of rows.length % 2
        ? [
            ['mlflow', ml.url],
            ['modelreg', mr.url],
          ]
        : [
            ['modelreg', mr.url],
            ['mlflow', ml.url],
          ]) {
        await cannon(url, e.requests, opts.warmup);
        const res = await cannon(url, e.requests, opts.duration);
        if (res.non2xx || res.errors || res.timeouts)
          throw new Error(`${who} ${e.label}: ${res.non2xx} non-2xx, ${res.errors} errors, ${res.timeouts} timeouts`);
        r[who] = { rps: res.requests.average, p50: res.latency.p50, p99: res.latency.p99, total: res.requests.total };
        log(`bench: ${who.padEnd(8)} ${e.label}: ${Math.round(res.requests.average)} req/s, p50 ${res.latency.p50} ms, p99 ${res.latency.p99} ms`);
      }
      rows.push({ endpoint: e.label, ...r });
    }
  } finally {
    await mr.stop();
    await ml.stop();
  }
  return rows;
}

async function startup() {
  const { dir } = ensureRegistry('10k', { log });
  const rawGit = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('sh', ['-c', "git ls-tree -r --format='%(objectname)' HEAD -- registry.yaml models | git cat-file --batch > /dev/null"], { cwd: dir });
    if (r.status !== 0) throw new Error('raw git read failed');
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const once = async (waitSeconds) => {
    const t0 = process.hrtime.bigint();
    const s = await startModelreg(dir, ['--at', 'HEAD'], waitSeconds);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const body = await fetch(`${s.url}/api/2.0/mlflow/registered-models/search?max_results=1`).then((r) => r.json());
    await s.stop();
    if (!body.registered_models?.length) throw new Error('serve answered no model');
    return ms;
  };
  log('bench: warming the parse cache of the 10k registry (first read parses every manifest)');
  await once(1800); // a cold parse of 134k manifests takes minutes on 2 cores
  const serve = [];
  const raw = [];
  for (let i = 0; i < opts.startupRuns; i++) {
    serve.push(await once());
    raw.push(rawGit());
    log(`bench: start-up ${Math.round(serve.at(-1))} ms, raw git read ${Math.round(raw.at(-1))} ms`);
  }
  return { serve: median(serve), raw: median(raw) };
}

async function follow(ready) {
  const remote = join(WORK, 'follow-remote.git');
  const served = join(WORK, 'follow-served');
  const writer = join(WORK, 'follow-writer');
  for (const d of [remote, served, writer]) rmSync(d, { recursive: true, force: true });
  git(ready.registry, ['clone', '-q', '--bare', ready.registry, remote]);
  git(WORK, ['clone', '-q', remote, served]);
  git(WORK, ['clone', '-q', remote, writer]);
  const s = await startModelreg(served, ['--follow', 'origin/main', '--interval', '1']);
  const latencies = [];
  const loads = [];
  const model = name(0);
  try {
    for (let i = 0; i < opts.followRuns; i++) {
      const version = `${(i % (opts.versions - 2)) + 1}.0.0`;
      const r = spawnSync(process.execPath, [BIN, 'promote', `${model}@${version}`, 'production', '--push', '--no-verify', '--json'], {
        cwd: writer,
        env: { ...process.env, ...IDENTITY },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`promote failed: ${r.stderr}${r.stdout}`);
      const commit = JSON.parse(r.stdout).commit;
      const t0 = process.hrtime.bigint();
      for (let k = 0; k < 6000; k++) {
        const res = await fetch(`${s.url}/api/2.0/mlflow/registered-models/alias?name=${model}&alias=production`);
        await res.arrayBuffer();
        if (res.headers.get('x-modelreg-commit') === commit) break;
        await sleep(10);
      }
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const switched = [...s.output().matchAll(/"event":"switched".*?"to":"([0-9a-f]+)".*?"loadMs":(\d+)/g)].find((m) => m[1] === commit);
      if (switched) loads.push(Number(switched[2]));
      log(`bench: promotion ${i + 1} seen after ${Math.round(latencies.at(-1))} ms (revision load ${switched?.[2] ?? '?'} ms)`);
    }
  } finally {
    await s.stop();
  }
  return { latency: median(latencies), load: median(loads), interval: 1000 };
}

const fmt = (x, d = 0) => (x === null || x === undefined ? '-' : x.toFixed(d));

async function main() {
  const load0 = loadavg()[0];
  const py = python();
  const ready = prepare(py);
  const rows = parts.has('throughput') ? await throughput(ready) : [];
  const start = parts.has('startup') ? await startup() : null;
  const fol = parts.has('follow') ? await follow(ready) : null;
  const lines = [
    `modelreg serve vs mlflow server (SQLite, 4 workers), ${opts.models} models × ${opts.versions} versions, ${opts.connections} connections, ${opts.duration} s per endpoint, autocannon 9.0.0`,
    `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
    '',
    '| endpoint | modelreg req/s | MLflow req/s | ratio | modelreg p50 / p99 ms | MLflow p50 / p99 ms | p99 ratio |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.endpoint} | ${fmt(r.modelreg.rps)} | ${fmt(r.mlflow.rps)} | ${r.mlflow.rps ? `${fmt(r.modelreg.rps / r.mlflow.rps, 1)}×` : '-'} | ${r.modelreg.p50} / ${r.modelreg.p99} | ${r.mlflow.p50} / ${r.mlflow.p99} | ${fmt(r.modelreg.p99 / r.mlflow.p99, 2)}× |`,
    ),
    '',
    '| measure | modelreg | limit | ratio |',
    '|---|---:|---|---:|',
    ...(start
      ? [
          `| serve start-up, 10k models × 10 versions, cache warm (spawn → listening) | ${fmt(start.serve)} ms | raw git read of the same files ${fmt(start.raw)} ms | ${fmt(start.serve / start.raw, 2)}× |`,
        ]
      : []),
    ...(fol
      ? [
          `| pushed promotion → first answer showing it (--follow, --interval 1) | ${fmt(fol.latency)} ms | the interval, ${fol.interval} ms | ${fmt(fol.latency / fol.interval, 2)}× |`,
          `| of which: reading the new revision (the changed model of ${opts.models}) | ${fmt(fol.load)} ms | | |`,
        ]
      : []),
  ];
  console.log(lines.join('\n'));
  writeFileSync(join(WORK, 'results.json'), JSON.stringify({ opts, rows, start, follow: fol, at: new Date().toISOString() }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
