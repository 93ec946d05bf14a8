#!/usr/bin/env node
/**
 * modelreg's scale benchmark: the targets of issue 7, each operation beside its limit, measured in one run.
 *
 *   npm run bench                          # build, then the table for 10k models × 10 versions
 *   node bench/run.mjs --size 1k --runs 3  # after `npm run build`
 *
 * Registries come from bench/generate.mjs and bench/history.mjs, generated once and cached in
 * bench/.cache/. Every command is a fresh process, timed from spawn to exit with its peak RSS polled
 * (measure.mjs). Round 0 runs every command once unmeasured (it warms the parse cache, as any earlier command would have); then each
 * round runs every operation and its limit once, alternately, so drift on the machine hits both alike.
 * Each command's output is checked in round 0. The "first list after a commit" row commits k = 10
 * changed manifests (unmeasured) in a clone before each measured run, and compares that run with the
 * warm `list` measured right after it in the same clone. Nothing is asserted: this is a report.
 */
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { CACHE, ROOT, ensureRegistry, modelName } from './generate.mjs';
import { ensureHistoryRegistry } from './history.mjs';
import { git, measure, median, parseOptions } from './measure.mjs';

const BIN = join(ROOT, 'bin/run.js');
const NODE = process.execPath;
const K_CHANGED = 10;
const log = (m) => process.stderr.write(`${m}\n`);
const RAW_GIT = "git ls-tree -r --format='%(objectname)' HEAD -- registry.yaml models | git cat-file --batch > /dev/null";

/** A command to its end: its time, its peak RSS and (with `out`) its standard output. */
async function run(cmd, args, cwd, { out = false, codes = [0] } = {}) {
  const r = await measure(cmd, args, { cwd, env: { ...process.env, NO_COLOR: '1' }, output: out, codes, label: `${cmd} ${args.join(' ')} (in ${cwd})` });
  return { ms: r.ms, peak: r.peak, stdout: r.out };
}
const modelreg = (...args) => [NODE, [BIN, ...args]];
const sh = (script) => ['sh', ['-c', script]];

/** Each row: an operation, its limit, the target (a ratio, or an allowance in ms above the limit); without `hist` or `churn`, their rows are left out. */
function rows(reg, info, hist, histInfo, churn) {
  const json = (s) => JSON.parse(s);
  return [
    {
      op: `resolve ${info.resolveModel}@production`,
      cmd: modelreg('resolve', `${info.resolveModel}@production`),
      cwd: reg,
      limit: 'modelreg --version',
      limitCmd: modelreg('--version'),
      target: { ratio: 1.2 },
      check: (s) => (s.startsWith(`${info.resolveModel}@`) ? null : 'unexpected output'),
    },
    {
      op: 'list --json (cache warm)',
      cmd: modelreg('list', '--json'),
      cwd: reg,
      limit: 'raw git read of the same files',
      limitCmd: sh(RAW_GIT),
      target: { ratio: 2 },
      check: (s) => (json(s).models.length === info.models ? null : 'wrong model count'),
    },
    ...(churn
      ? [
          {
            op: `first list --json after a commit of ${K_CHANGED} manifests`,
            cmd: modelreg('list', '--json'),
            cwd: churn,
            limit: 'list --json right after (warm)',
            limitCmd: modelreg('list', '--json'),
            target: { aboveMs: 500 },
            before: (round) => commitChurn(churn, round),
            check: (s) => (json(s).models.length === info.models ? null : 'wrong model count'),
          },
        ]
      : []),
    {
      op: 'validate --base --head (3-file change)',
      cmd: modelreg('validate', '--base', 'bench-base', '--head', 'HEAD', '--json'),
      cwd: reg,
      limit: 'modelreg --version',
      limitCmd: modelreg('--version'),
      target: { ratio: 3 },
      // The synthetic promotion's commit is not by the moved_by it names, nor at its moved_at: the
      // provenance check says so (exit 1), and nothing else may be found.
      codes: [0, 1],
      check: (s) => {
        const r = json(s);
        const unexpected = r.findings.filter((f) => f.severity === 'error' && f.code !== 'stage-provenance').map((f) => f.code);
        return !unexpected.length && r.change.versionsAdded.length === 2 && r.change.stageMoves.length === 1 ? null : `unexpected: ${unexpected.join(', ')}`;
      },
    },
    ...(hist
      ? [
          {
            op: `history ${histInfo.model} (${histInfo.commits} commits)`,
            cmd: modelreg('history', histInfo.model, '--json'),
            cwd: hist,
            limit: `git log --name-status -- models/${histInfo.model}/`,
            limitCmd: ['git', ['log', '--name-status', '--', `models/${histInfo.model}/`]],
            target: { ratio: 2 },
            check: (s) => (json(s).events.filter((e) => e.kind === 'registered').length === 10 ? null : 'expected 10 registrations'),
          },
        ]
      : []),
    {
      op: 'validate (all manifests, cache warm)',
      cmd: modelreg('validate', '--json'),
      cwd: reg,
      limit: 'raw git read of the same files',
      limitCmd: sh(RAW_GIT),
      target: { ratio: 2 },
      check: (s) => (json(s).ok && json(s).models === info.models ? null : 'not ok'),
    },
  ];
}

/**
 * The bytes the bench change names, as sparse files of their sizes in the registry's local store:
 * `validate --base --head` checks that the artifacts of every version a change adds or moves into a
 * stage are in the store (a local store by size), as the pull-request check does.
 */
function seedChangedArtifacts(reg, changed) {
  for (const path of changed) {
    const stage = /^models\/([^/]+)\/stages\//.exec(path);
    const versionFile = stage ? `models/${stage[1]}/versions/${/^version: (\S+)$/m.exec(readFileSync(join(reg, path), 'utf8'))[1]}.yaml` : path;
    for (const [, sha, size] of readFileSync(join(reg, versionFile), 'utf8').matchAll(/sha256: ([0-9a-f]{64}), size: (\d+)/g)) {
      const object = join(reg, '.modelreg/store/sha256', sha.slice(0, 2), sha);
      mkdirSync(dirname(object), { recursive: true });
      closeSync(openSync(object, 'w'));
      truncateSync(object, Number(size));
    }
  }
}

/** Change K_CHANGED model.yaml files in the churn clone and commit them (not measured). */
function commitChurn(dir, round) {
  for (let i = 0; i < K_CHANGED; i++) {
    const p = join(dir, 'models', modelName(i), 'model.yaml');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/^description: .*$/m, `description: "bench round ${round}"`));
  }
  git(dir, ['commit', '-q', '-a', '-m', `bench: ${K_CHANGED} manifests, round ${round}`]);
}

async function main() {
  const opts = parseOptions(
    process.argv.slice(2),
    { size: '10k', runs: 5, noHistory: false, noChurn: false },
    'usage: node bench/run.mjs [--size 10k] [--runs 5] [--no-history] [--no-churn]',
  );
  if (!existsSync(join(ROOT, 'dist/src/commands'))) throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench`).');
  const started = Date.now();
  const { dir: reg, info } = ensureRegistry(opts.size, { log });
  seedChangedArtifacts(reg, info.changed);
  // --no-history and --no-churn leave out the rows whose registries take longest to make at 100k
  // (a generated history of ~10k commits; a clone with a checkout of every manifest).
  const history = opts.noHistory ? undefined : ensureHistoryRegistry(opts.size, { log });
  const churn = opts.noChurn ? undefined : join(CACHE, opts.size, 'churn');
  if (churn) {
    rmSync(churn, { recursive: true, force: true });
    git(ROOT, ['clone', '-q', reg, churn]);
    // The parse cache is keyed by blob id, so the registry's is valid in its clone: seeding it saves
    // the clone's one cold parse of every manifest, which this row does not measure.
    if (existsSync(join(reg, '.git/modelreg'))) cpSync(join(reg, '.git/modelreg'), join(churn, '.git/modelreg'), { recursive: true });
  }
  log(
    `registries ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${reg} (${info.files} files)${history ? `, ${history.dir} (${history.info.commits} commits)` : ''}${churn ? `, ${churn}` : ''}`,
  );
  const table = rows(reg, info, history?.dir, history?.info, churn).map((r) => ({ ...r, a: [], b: [], peak: 0 }));

  // Round 0: every command once, unmeasured; outputs checked.
  for (const r of table) {
    r.before?.(0);
    const { stdout, peak } = await run(r.cmd[0], r.cmd[1], r.cwd, { out: true, codes: r.codes });
    r.problem = r.check(stdout);
    r.peak0 = peak;
    await run(r.limitCmd[0], r.limitCmd[1], r.cwd);
    if (r.problem) log(`  CHECK FAILED ${r.op}: ${r.problem}`);
  }
  for (let round = 1; round <= opts.runs; round++) {
    for (const r of table) {
      r.before?.(round);
      const a = await run(r.cmd[0], r.cmd[1], r.cwd, { codes: r.codes });
      r.a.push(a.ms);
      r.peak = Math.max(r.peak, a.peak);
      r.b.push((await run(r.limitCmd[0], r.limitCmd[1], r.cwd)).ms);
    }
    log(`  round ${round}/${opts.runs} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }

  const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  const out = table.map((r) => {
    const a = median(r.a);
    const b = median(r.b);
    const pass = !r.problem && (r.target.ratio ? a / b <= r.target.ratio : a - b <= r.target.aboveMs);
    return {
      operation: r.op,
      modelreg: fmt(a),
      limit: r.limit,
      limitMs: fmt(b),
      ratio: r.target.ratio ? `${(a / b).toFixed(2)}×` : `+${fmt(a - b)} ms`,
      target: r.target.ratio ? `≤ ${r.target.ratio}×` : `≤ +${r.target.aboveMs} ms`,
      result: r.problem ? `FAIL (${r.problem})` : pass ? 'pass' : 'FAIL',
      // The measured rounds' peak; round 0's (the first, cold run of each command) beside it.
      peakMiB: Math.round(r.peak / 2 ** 20),
      coldPeakMiB: Math.round(r.peak0 / 2 ** 20),
      samples: { modelreg: r.a.map((x) => Number(x.toFixed(1))), limit: r.b.map((x) => Number(x.toFixed(1))) },
    };
  });
  const head = ['OPERATION', 'MODELREG (ms)', 'LIMIT', 'LIMIT (ms)', 'RATIO', 'TARGET', 'RESULT', 'PEAK RSS (MiB)', 'ROUND 0 PEAK'];
  const cells = [head, ...out.map((o) => [o.operation, o.modelreg, o.limit, o.limitMs, o.ratio, o.target, o.result, String(o.peakMiB), String(o.coldPeakMiB)])];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  const env = `${process.version}, ${git(ROOT, ['--version'])}, ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}; modelreg ${git(ROOT, ['rev-parse', '--short', 'HEAD'])}`;
  console.log(`\nmodelreg bench — ${opts.size} models × 10 versions (${info.files} files); medians of ${opts.runs} runs; ${env}\n`);
  cells.forEach((c, i) => {
    console.log(
      c
        .map((x, j) => (j === 1 || j === 3 || j >= 7 ? x.padStart(widths[j]) : x.padEnd(widths[j])))
        .join('  ')
        .trimEnd(),
    );
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  });
  const total = (Date.now() - started) / 1000;
  console.log(`\ntotal ${total.toFixed(0)} s`);
  writeFileSync(join(CACHE, 'last-run.json'), JSON.stringify({ env, size: opts.size, runs: opts.runs, totalSeconds: total, rows: out }, null, 2) + '\n');
}

await main();
