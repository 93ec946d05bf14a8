#!/usr/bin/env node
/**
 * modelreg benchmark: whole-process timings of the CLI beside the limits it cannot beat.
 *
 *   npm run bench                              # build, then 1k and 10k, 5 runs each
 *   node bench/run.mjs --sizes 1k --runs 3     # after `npm run build`
 *   node bench/run.mjs --sizes 1k,10k --regenerate
 *
 * Registries come from bench/generate.mjs (cached in bench/.cache/<size>/). Every command is a fresh
 * process started with spawnSync and timed with process.hrtime.bigint. Commands run alternately (one
 * round = each command once) so drift on the machine hits all of them alike. The first round also
 * checks every command (exit status 0, expected output); a command whose first run takes more than
 * 2 s keeps that run as a sample (no separate warm-up), one over 5 s runs at most 3 times, and one
 * over 20 s runs once. A time budget (--budget, default 600 s for the whole run; 0 = none) keeps the
 * run short on a small machine: a command whose time, projected from the previous size of the same
 * run (× file ratio × 1.5), would overrun the budget is skipped, and extra runs stop when the budget
 * is spent. Every such decision is printed in the notes. Nothing is asserted: this is a report.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { CACHE, GENERATOR_VERSION, ROOT, ensureRegistry } from './generate.mjs';

const SLOW_KEEP_WARMUP_MS = 2_000;
const SLOW_FEW_RUNS_MS = 5_000;
const SLOW_FEW_RUNS = 3;
const SLOW_SINGLE_RUN_MS = 20_000;
const PROJECTION_MARGIN = 1.5;
const TIMEOUT_MS = 600_000;

function parseArgs(argv) {
  const opts = { sizes: ['1k', '10k'], runs: 5, regenerate: false, budget: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a.startsWith('--sizes')) opts.sizes = value().split(',').filter(Boolean);
    else if (a.startsWith('--runs')) opts.runs = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (a.startsWith('--budget')) opts.budget = Math.max(0, Number(value()) || 0);
    else if (a === '--regenerate') opts.regenerate = true;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/run.mjs [--sizes 1k,10k] [--runs 5] [--budget 600] [--regenerate]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

const log = (m) => process.stderr.write(`${m}\n`);
const median = (xs) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (ms) => (ms === null ? '-' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
const tool = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout?.trim() ?? '?';

const BIN = join(ROOT, 'bin/run.js');
const RAW_GIT = (rev) => `git ls-tree -r --format='%(objectname)' ${rev} -- registry.yaml models | git cat-file --batch > /dev/null`;

/** The commands for one registry. `check` looks at the first run's output; it returns a problem or null. */
function commandsFor(dir, info) {
  const node = process.execPath;
  const modelreg = (...args) => [node, [BIN, ...args]];
  const prodRef = `${info.resolveModel}@production`;
  return [
    { id: 'node', label: 'node -e 0', cmd: [node, ['-e', '0']] },
    { id: 'version', label: 'modelreg --version', cmd: modelreg('--version'), check: (out) => (/modelreg\//.test(out) ? null : 'no version line') },
    { id: 'resolve', label: `modelreg resolve ${prodRef}`, cmd: modelreg('resolve', prodRef, '-r', dir), check: (out) => (out.startsWith(`${info.resolveModel}@`) && out.includes('production') ? null : 'unexpected output') },
    { id: 'rawgit', label: 'raw git read (HEAD)', cmd: ['sh', ['-c', RAW_GIT('HEAD')]] },
    { id: 'rawgit2', label: 'raw git read (base+head)', cmd: ['sh', ['-c', `${RAW_GIT('bench-base')} && ${RAW_GIT('HEAD')}`]] },
    { id: 'rawfs', label: 'raw work-tree read', cmd: ['sh', ['-c', 'find registry.yaml models -type f -exec cat {} + > /dev/null']] },
    {
      id: 'list',
      label: 'modelreg list --json',
      cmd: modelreg('list', '--json', '-r', dir),
      check: (out) => {
        const n = JSON.parse(out).models?.length;
        return n === info.models ? null : `listed ${n} models, expected ${info.models}`;
      },
    },
    {
      id: 'validateFull',
      label: 'modelreg validate (work tree)',
      cmd: modelreg('validate', '--json', '-r', dir),
      check: (out) => {
        const r = JSON.parse(out);
        return r.ok && r.errors === 0 && r.models === info.models ? null : `ok=${r.ok} errors=${r.errors} warnings=${r.warnings} models=${r.models}`;
      },
    },
    {
      id: 'validateChange',
      label: 'modelreg validate --base bench-base --head HEAD',
      cmd: modelreg('validate', '--base', 'bench-base', '--head', 'HEAD', '--json', '-r', dir),
      check: (out) => {
        const r = JSON.parse(out);
        const moves = r.change?.stageMoves?.length;
        const added = r.change?.versionsAdded?.length;
        return r.ok && r.errors === 0 && moves === 1 && added === 2 ? null : `ok=${r.ok} errors=${r.errors} stageMoves=${moves} versionsAdded=${added}`;
      },
    },
  ];
}

/** What is compared with what, in the printed table. */
const PAIRS = [
  ['version', 'node'],
  ['resolve', 'version'],
  ['list', 'rawgit'],
  ['list', 'rawfs'],
  ['validateChange', 'version'],
  ['validateChange', 'rawgit'],
  ['validateChange', 'rawgit2'],
  ['validateFull', 'rawgit'],
  ['validateFull', 'rawfs'],
];

function runOnce(c, dir, outFile) {
  const fd = openSync(outFile ?? '/dev/null', 'w');
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(c.cmd[0], c.cmd[1], { cwd: dir, stdio: ['ignore', fd, 'pipe'], timeout: TIMEOUT_MS, maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ms, status: r.status, signal: r.signal, error: r.error?.message, stderr: r.stderr?.toString('utf8') ?? '' };
  } finally {
    closeSync(fd);
  }
}

/**
 * Benchmark one size. `clock` is shared by all sizes: { started, budgetMs }; `prior` holds the medians
 * of the previous size of this run ({ files, commands }), for projections.
 */
function benchSize(size, opts, clock, prior) {
  const t0 = Date.now();
  const elapsed = () => Date.now() - clock.started;
  const { dir, info, cached } = ensureRegistry(size, { force: opts.regenerate, log });
  log(`${size}: ${dir} (${cached ? 'cached' : `generated in ${info.generateSeconds.toFixed(1)} s`}; ${info.files} files)`);
  const outDir = join(CACHE, 'out', size);
  mkdirSync(outDir, { recursive: true });
  const cmds = commandsFor(dir, info).map((c) => ({ ...c, samples: [], runs: opts.runs, notes: [], failed: null, skipped: null }));

  // Round 0: run and check every command once (cheapest first, so a budget cut falls on the costliest).
  for (const c of cmds) {
    const before = prior?.commands[c.id]?.median;
    if (clock.budgetMs && before) {
      const projected = before * (info.files / prior.files) * PROJECTION_MARGIN;
      if (elapsed() + projected > clock.budgetMs) {
        c.skipped = `skipped: projected ${(projected / 1000).toFixed(0)} s (from ${prior.size} × ${(info.files / prior.files).toFixed(1)} × ${PROJECTION_MARGIN}) overruns the --budget of ${clock.budgetMs / 1000} s with ${(elapsed() / 1000).toFixed(0)} s spent; rerun with --sizes ${size} or --budget 0`;
        c.runs = 0;
        log(`  [${size}] ${c.label}: ${c.skipped}`);
        continue;
      }
    }
    const outFile = join(outDir, `${c.id}.out`);
    const r = runOnce(c, dir, outFile);
    log(`  [${size}] first run ${c.label}: ${fmt(r.ms)} ms${r.status !== 0 ? ` (exit ${r.status ?? r.signal})` : ''}`);
    if (r.status !== 0 || r.error) {
      c.failed = `exit ${r.status ?? r.signal}${r.error ? ` (${r.error})` : ''}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      c.samples.push(r.ms);
      c.runs = 1;
      continue;
    }
    if (c.check) {
      let problem;
      try {
        problem = c.check(readFileSync(outFile, 'utf8'));
      } catch (e) {
        problem = `output not understood: ${e.message}`;
      }
      if (problem) c.notes.push(`check failed: ${problem}`);
    }
    if (r.stderr.trim()) c.notes.push(`stderr: ${r.stderr.trim().split('\n')[0].slice(0, 160)}`);
    if (r.ms > SLOW_KEEP_WARMUP_MS) {
      c.samples.push(r.ms);
      c.notes.push(`first run (${(r.ms / 1000).toFixed(1)} s) kept as a sample, no warm-up`);
    }
    if (r.ms > SLOW_SINGLE_RUN_MS) {
      c.runs = 1;
      c.notes.push(`runs reduced to 1 (first run > ${SLOW_SINGLE_RUN_MS / 1000} s)`);
    } else if (r.ms > SLOW_FEW_RUNS_MS && c.runs > SLOW_FEW_RUNS) {
      c.runs = SLOW_FEW_RUNS;
      c.notes.push(`runs reduced to ${SLOW_FEW_RUNS} (first run > ${SLOW_FEW_RUNS_MS / 1000} s)`);
    }
  }

  // Alternating rounds: each command once per round, until each has its runs or the budget is spent.
  for (let round = 1; cmds.some((c) => c.samples.length < c.runs); round++) {
    for (const c of cmds) {
      if (c.samples.length >= c.runs) continue;
      if (clock.budgetMs && elapsed() + median(c.samples) > clock.budgetMs) {
        c.notes.push(`runs cut to ${c.samples.length} by the --budget of ${clock.budgetMs / 1000} s`);
        c.runs = c.samples.length;
        continue;
      }
      const r = runOnce(c, dir);
      if (r.status !== 0 && !c.failed) c.failed = `exit ${r.status ?? r.signal} in round ${round}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
      c.samples.push(r.ms);
    }
    log(`  [${size}] round ${round} done (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }

  const byId = Object.fromEntries(
    cmds.map((c) => [
      c.id,
      { label: c.label, median: median(c.samples), samples: c.samples.map((x) => Number(x.toFixed(1))), runs: c.samples.length, notes: c.notes, failed: c.failed, skipped: c.skipped },
    ]),
  );
  return { size, models: info.models, files: info.files, dir, generated: !cached, seconds: (Date.now() - t0) / 1000, commands: byId };
}

function printTable(results) {
  const rows = [['SIZE', 'OPERATION', 'MODELREG (ms)', 'RUNS', 'LIMIT', 'LIMIT (ms)', 'RATIO']];
  for (const r of results) {
    for (const [a, b] of PAIRS) {
      const x = r.commands[a];
      const y = r.commands[b];
      const ratio = x.median !== null && y.median ? `${(x.median / y.median).toFixed(x.median / y.median >= 10 ? 0 : 1)}×` : '-';
      const mark = (c) => (c.failed ? ' [FAILED]' : c.skipped ? ' [skipped]' : '');
      rows.push([r.size, x.label + mark(x), fmt(x.median), String(x.runs), y.label + mark(y), fmt(y.median), ratio]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const right = new Set([2, 3, 5, 6]);
  for (const [i, row] of rows.entries()) {
    console.log(row.map((c, j) => (right.has(j) ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  ').trimEnd());
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const notes = [];
  for (const r of results) {
    for (const c of Object.values(r.commands)) {
      if (c.failed) notes.push(`${r.size} ${c.label}: FAILED ${c.failed}`);
      if (c.skipped) notes.push(`${r.size} ${c.label}: ${c.skipped}`);
      for (const n of c.notes) notes.push(`${r.size} ${c.label}: ${n}`);
    }
  }
  if (notes.length) console.log(`\nnotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(join(ROOT, 'dist/src/commands'))) {
    console.error('dist/ is missing: run `npm run build` first (or `npm run bench`).');
    process.exit(2);
  }
  const started = Date.now();
  const env = {
    node: process.version,
    git: tool('git', ['--version']),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    modelregCommit: tool('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    modelregDirty: tool('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src']).length > 0,
    generatorVersion: GENERATOR_VERSION,
    runs: opts.runs,
    budgetSeconds: opts.budget,
  };
  log(`modelreg bench: sizes ${opts.sizes.join(', ')}, ${opts.runs} runs, budget ${opts.budget || 'none'} s; ${env.node}, ${env.git}, ${env.cpus} cpus`);
  const clock = { started, budgetMs: opts.budget * 1000 };
  const results = [];
  for (const size of opts.sizes) results.push(benchSize(size, opts, clock, results[results.length - 1]));
  const total = (Date.now() - started) / 1000;
  console.log(`\nmodelreg bench — ${env.node}, ${env.git}, ${env.cpus}× ${env.cpu ?? 'cpu'}; modelreg ${env.modelregCommit}${env.modelregDirty ? ' (src modified)' : ''}; medians of whole-process wall time\n`);
  printTable(results);
  console.log(`\ntotal ${total.toFixed(0)} s`);
  const json = {
    env,
    totalSeconds: Number(total.toFixed(1)),
    results: results.map((r) => ({
      ...r,
      ratios: Object.fromEntries(PAIRS.map(([a, b]) => [`${a}/${b}`, r.commands[a].median !== null && r.commands[b].median ? Number((r.commands[a].median / r.commands[b].median).toFixed(2)) : null])),
    })),
  };
  writeFileSync(join(CACHE, 'last-run.json'), JSON.stringify(json, null, 2) + '\n');
  console.log(JSON.stringify(json));
}

main();
