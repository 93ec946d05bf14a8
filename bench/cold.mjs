#!/usr/bin/env node
/**
 * Reads in a fresh clone (issue 19, item 1): the first `list --json`, `validate`, `site` and `serve`
 * start-up of a clone of the 10k bench registry, each beside the raw git read of the same files in the
 * same clone, measured in one run.
 *
 *   npm run bench:cold                      # build, then 3 rounds at 10k
 *   node bench/cold.mjs --size 1k --runs 5  # after `npm run build`
 *
 * Each round clones the cached registry (bench/generate.mjs) afresh, unmeasured; before each modelreg
 * command its caches are removed (`.git/modelreg`), so every command starts as the first one in a fresh
 * clone does. The raw read and the command alternate which goes first, round by round, so drift on the
 * machine hits both alike. Nothing is asserted: this is a report.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, mkdtempSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, ensureRegistry } from './generate.mjs';
import { measure, median, parseOptions } from './measure.mjs';

const BIN = join(ROOT, 'bin/run.js');
const NODE = process.execPath;
const RAW_GIT = "git ls-tree -r --format='%(objectname)' HEAD -- registry.yaml models | git cat-file --batch > /dev/null";
const log = (m) => process.stderr.write(`${m}\n`);
const opts = parseOptions(process.argv.slice(2), { size: '10k', runs: 3 }, 'usage: node bench/cold.mjs [--size 10k] [--runs 3]');

/** `modelreg serve` from spawn to its "listening" line (it reads the registry before it listens). */
function serveStart(cwd) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(NODE, [BIN, 'serve', '--port', '0', '--at', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const seen = (d) => {
      out += d;
      if (/"event":"listening"/.test(out)) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        process.kill(-child.pid, 'SIGTERM');
        child.on('exit', () => res({ ms }));
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => {
      if (!/"event":"listening"/.test(out)) rej(new Error(`serve exited (${code}) before listening: ${out.slice(-2000)}`));
    });
  });
}

const OPS = [
  { op: 'list --json', run: (cwd) => measure(NODE, [BIN, 'list', '--json'], { cwd }) },
  { op: 'validate', run: (cwd) => measure(NODE, [BIN, 'validate', '--json'], { cwd }) },
  { op: 'site', run: (cwd) => measure(NODE, [BIN, 'site', '-o', join(cwd, '.site-out')], { cwd }) },
  { op: 'serve start-up (spawn → listening)', run: (cwd) => serveStart(cwd) },
];

async function main() {
  const reg = ensureRegistry(opts.size, { log });
  const load0 = loadavg()[0];
  const times = new Map(OPS.map((o) => [o.op, { cmd: [], raw: [], peak: [] }]));
  const work = mkdtempSync(join(tmpdir(), 'modelreg-cold-'));
  try {
    for (let round = 0; round < opts.runs; round++) {
      const clone = join(work, `clone${round}`);
      spawnSync('git', ['clone', '-q', reg.dir, clone], { stdio: 'inherit' });
      for (const o of OPS) {
        const t = times.get(o.op);
        const raw = () => measure('sh', ['-c', RAW_GIT], { cwd: clone }).then((r) => t.raw.push(r.ms));
        const cmd = async () => {
          rmSync(join(clone, '.git/modelreg'), { recursive: true, force: true });
          const r = await o.run(clone);
          t.cmd.push(r.ms);
          if (r.peak) t.peak.push(r.peak);
        };
        if (round % 2 === 0) {
          await raw();
          await cmd();
        } else {
          await cmd();
          await raw();
        }
        log(`bench: round ${round + 1}/${opts.runs} ${o.op}: ${Math.round(t.cmd.at(-1))} ms, raw git read ${Math.round(t.raw.at(-1))} ms`);
      }
      rmSync(clone, { recursive: true, force: true });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`\nFresh clone of the ${opts.size} bench registry (${reg.info.files.toLocaleString('en-US')} manifests), medians of ${opts.runs} rounds`);
  console.log(`${cpus().length} cores, Node ${process.version}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end\n`);
  console.log('| first command in a fresh clone | time | raw git read of the same files | ratio | target | peak RSS |');
  console.log('|---|---|---|---|---|---|');
  for (const o of OPS) {
    const t = times.get(o.op);
    const c = median(t.cmd);
    const r = median(t.raw);
    const ratio = c / r;
    const peak = t.peak.length ? `${fmt(Math.max(...t.peak) / 2 ** 20)} MiB` : '—';
    console.log(`| ${o.op} | ${fmt(c)} ms | ${fmt(r)} ms | ${fmt(ratio, 2)}× | ≤ 5× — ${ratio <= 5 ? 'met' : 'not met'} | ${peak} |`);
  }
}

if (!existsSync(BIN)) throw new Error('build first: npm run build');
await main();
