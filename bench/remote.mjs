#!/usr/bin/env node
/**
 * Reading without a clone (issue 19, item 3): `resolve` and `show` of one model with `--remote`, against
 * the bench registry served by `git http-backend` on loopback (uploadpack.allowFilter on), beside a full
 * `git clone` (and a `--depth 1` one) of the same repository through the same server: time and bytes.
 *
 *   npm run bench:remote                      # build, then 3 rounds at 10k
 *   node bench/remote.mjs --size 1k --runs 5  # after `npm run build`
 *
 * Bytes are the response bodies the server sent. "first call" starts with an empty cache; "next call"
 * keeps it (the remote is asked where its branch points, ~1 request); "--at <commit>" names a commit
 * the cache holds, so nothing is asked. The order of the clone and the reads alternates round by round.
 * A `pull` adds the artifact transfer to the same read, measured by bench:s3 and bench:store.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveGit } from '../scripts/git-http-server.mjs';
import { ROOT, ensureRegistry, hasProduction, modelName } from './generate.mjs';
import { measure, median, parseOptions } from './measure.mjs';

const BIN = join(ROOT, 'bin/run.js');
const NODE = process.execPath;
const log = (m) => process.stderr.write(`${m}\n`);
const opts = parseOptions(process.argv.slice(2), { size: '10k', runs: 3 }, 'usage: node bench/remote.mjs [--size 10k] [--runs 3]');

async function main() {
  const reg = ensureRegistry(opts.size, { log });
  const work = mkdtempSync(join(tmpdir(), 'modelreg-remote-'));
  const served = join(work, 'served');
  spawnSync('git', ['clone', '-q', '--bare', reg.dir, join(served, 'registry.git')], { stdio: 'inherit' });
  spawnSync('git', ['-C', join(served, 'registry.git'), 'config', 'uploadpack.allowFilter', 'true'], { stdio: 'inherit' });
  const commit = spawnSync('git', ['-C', reg.dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const server = await serveGit(served);
  const url = `${server.url}registry.git`;
  let i = Math.floor(reg.info.models / 2);
  while (!hasProduction(i)) i++;
  const model = modelName(i);
  const load0 = loadavg()[0];

  /** One measured command and the bytes the server sent while it ran. */
  const timed = async (argv, options) => {
    const before = server.served.bytes;
    const r = await measure(argv[0], argv.slice(1), options);
    return { ms: r.ms, peak: r.peak, bytes: server.served.bytes - before };
  };
  const read = (args, cache) => timed([NODE, BIN, ...args, '--remote', url], { cwd: work, env: { ...process.env, MODELREG_REMOTE_CACHE: cache } });
  const resolveArgs = ['resolve', `${model}@production`, '--json', '--store', 's3://bench/models'];
  const OPS = [
    { op: '`git clone` (full, with checkout)', kind: 'clone', run: (n) => timed(['git', 'clone', '-q', url, join(work, `clone-${n}`)], { cwd: work }) },
    { op: '`git clone --depth 1`', kind: 'clone', run: (n) => timed(['git', 'clone', '-q', '--depth', '1', url, join(work, `shallow-${n}`)], { cwd: work }) },
    { op: '`resolve --remote`, first call (empty cache)', kind: 'read', run: (n) => read(resolveArgs, join(work, `cache-r${n}`)) },
    { op: '`resolve --remote`, next call', kind: 'read', run: (n) => read(resolveArgs, join(work, `cache-r${n}`)) },
    { op: '`resolve --remote --at <commit>`, next call', kind: 'read', run: (n) => read([...resolveArgs, '--at', commit], join(work, `cache-r${n}`)) },
    { op: '`show --remote`, first call (empty cache)', kind: 'read', run: (n) => read(['show', model, '--json'], join(work, `cache-s${n}`)) },
  ];
  const results = new Map(OPS.map((o) => [o.op, []]));
  try {
    for (let round = 0; round < opts.runs; round++) {
      // Clones first in even rounds, reads first in odd ones (the reads keep their order: first, next, pinned).
      const order = round % 2 === 0 ? OPS : [...OPS.filter((o) => o.kind === 'read'), ...OPS.filter((o) => o.kind === 'clone')];
      for (const o of order) {
        const r = await o.run(round);
        results.get(o.op).push(r);
        log(`bench: round ${round + 1}/${opts.runs} ${o.op}: ${Math.round(r.ms)} ms, ${r.bytes.toLocaleString('en-US')} bytes`);
      }
      for (const name of [`clone-${round}`, `shallow-${round}`]) rmSync(join(work, name), { recursive: true, force: true });
    }
  } finally {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const full = results.get(OPS[0].op);
  const fullMs = median(full.map((r) => r.ms));
  const fullBytes = median(full.map((r) => r.bytes));
  console.log(
    `\nOne model (${model}) of the ${opts.size} bench registry (${reg.info.files.toLocaleString('en-US')} manifests) over loopback smart HTTP, medians of ${opts.runs} rounds`,
  );
  console.log(`${cpus().length} cores, Node ${process.version}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end\n`);
  console.log('| operation | time | bytes fetched | time ÷ full clone | bytes ÷ full clone | peak RSS |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const o of OPS) {
    const rs = results.get(o.op);
    const ms = median(rs.map((r) => r.ms));
    const bytes = median(rs.map((r) => r.bytes));
    const peak = Math.max(...rs.map((r) => r.peak));
    console.log(`| ${o.op} | ${fmt(ms)} ms | ${fmt(bytes)} | ${fmt(ms / fullMs, 3)}× | ${fmt(bytes / fullBytes, 4)}× | ${fmt(peak / 2 ** 20)} MiB |`);
  }
}

if (!existsSync(BIN)) throw new Error('build first: npm run build');
await main();
