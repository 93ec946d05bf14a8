#!/usr/bin/env node
/**
 * The pull-request action (action/dist/index.mjs) on a pull request that changes 3 files, timed beside
 * a bare `node -e 0` and the raw `git diff --name-only` of the same range, in the same run (issue 6).
 *
 *   node bench/action.mjs                          # 1k and 10k
 *   node bench/action.mjs --sizes 10k --runs 3
 *
 * For each size: the cached synthetic registry of bench/generate.mjs is cloned (git clone --local) into
 * a temporary directory, and a branch `pr` off main changes 3 files:
 *   - adds a version (2.3.0) to one model                       (models/<a>/versions/2.3.0.yaml)
 *   - edits one model.yaml's description                        (models/<b>/model.yaml)
 *   - moves staging to the model's development holder           (models/<c>/stages/staging.yaml)
 *     (staging has no approval gate in the generated policy; the candidate holds development, passes
 *     the metric and lineage gates, and names the right `previous`)
 * The action runs as a runner runs it: a pull_request event file, INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, RUNNER_TEMP; INPUT_TOKEN is empty, so no API is called (no status, no
 * comment, no approvals to fetch). A run counts when it exits 0 or 1 and writes report.json; anything
 * else stops the bench with its stderr.
 *
 * Every command is a fresh process (spawnSync), timed whole with process.hrtime.bigint; commands
 * alternate (one round = each once). The action runs under /usr/bin/time -f %M (when present) for its
 * peak RSS; otherwise /proc/<pid>/status VmHWM is polled. Run counts: --runs (default 5) at 1k; at 10k
 * 3, or fewer when the action's first run exceeds 60 s (2 up to 240 s, else 1). Decisions are printed.
 * Nothing is asserted: this is a report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, ensureRegistry, modelName, hasStaging, stageYaml, versionYaml } from './generate.mjs';
import { git, median, parseOptions } from './measure.mjs';

const BUNDLE = join(ROOT, 'action/dist/index.mjs');
const TIME = '/usr/bin/time';
const SLOW_KEEP_FIRST_MS = 2_000;
const TIMEOUT_MS = 900_000;

function parseArgs(argv) {
  const opts = parseOptions(
    argv,
    { sizes: ['1k', '10k'], runs: 0, keep: false },
    'usage: node bench/action.mjs [--sizes 1k,10k] [--runs N] [--keep]   (default: 5 runs at 1k, 3 at 10k)',
  );
  return { ...opts, runs: opts.runs || 5, runsLarge: opts.runs || 3 };
}

const log = (m) => process.stderr.write(`${m}\n`);
const fmt = (ms) => (ms === null ? '-' : ms >= 100 ? Math.round(ms).toLocaleString('en-US') : ms.toFixed(1));
const ratio = (a, b) => {
  if (a === null || b === null || b === 0) return '-';
  const x = a / b;
  return `${x >= 10 ? Math.round(x).toLocaleString('en-US') : x >= 1 ? x.toFixed(1) : x.toFixed(2)}×`;
};

// The pull request's commits: a fixed author and date, so its ids are the same in every run.
const PR_ENV = {
  GIT_AUTHOR_NAME: 'Alice',
  GIT_AUTHOR_EMAIL: 'alice@acme.example',
  GIT_COMMITTER_NAME: 'Alice',
  GIT_COMMITTER_EMAIL: 'alice@acme.example',
  GIT_AUTHOR_DATE: '2026-01-03T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-03T00:00:00Z',
};

/** Clone the cached registry and make the pull request. Returns { repo, base, head, changed, description }. */
export function preparePullRequest(cacheDir, info, work) {
  const repo = join(work, 'repo');
  git(work, ['clone', '-q', '--local', '--branch', 'main', cacheDir, repo]);
  const base = git(repo, ['rev-parse', 'HEAD']);
  // Models away from the ones the generator's own second commit touched (1, the first promotable, n-1).
  const n = info.models;
  const a = 5; // new version
  const b = 6; // description edit
  const c = [...Array(n).keys()].find((i) => i > 10 && hasStaging(i)); // staging move
  git(repo, ['checkout', '-q', '-b', 'pr']);
  const vPath = `models/${modelName(a)}/versions/2.3.0.yaml`;
  writeFileSync(join(repo, vPath), versionYaml(a, 10, '2.3.0'));
  const mPath = `models/${modelName(b)}/model.yaml`;
  const before = readFileSync(join(repo, mPath), 'utf8');
  const after = before.replace(/^description: .*$/m, `description: ${JSON.stringify('Reworded: serves all traffic of this domain since January.')}`);
  if (after === before) throw new Error(`no description line in ${mPath}`);
  writeFileSync(join(repo, mPath), after);
  // generate.mjs: staging holds 2.0.0 (previous 2.0.0-rc.1), development holds 2.1.0.
  const sPath = `models/${modelName(c)}/stages/staging.yaml`;
  writeFileSync(join(repo, sPath), stageYaml(c, 'staging', '2.1.0', '2.0.0', 430, 'Nightly candidate passed offline evaluation.'));
  git(repo, ['add', '--', vPath, mPath, sPath]);
  git(repo, ['commit', '-q', '-m', `Register ${modelName(a)}@2.3.0; reword ${modelName(b)}; ${modelName(c)}@2.1.0 to staging`], { env: PR_ENV });
  const head = git(repo, ['rev-parse', 'HEAD']);
  git(repo, ['checkout', '-q', 'main']);
  const changed = git(repo, ['diff', '--name-only', base, head]).split('\n').filter(Boolean);
  if (changed.length !== 3) throw new Error(`expected 3 changed files, got ${changed.length}: ${changed.join(', ')}`);
  return { repo, base, head, changed, description: `${modelName(a)}@2.3.0 added; ${modelName(b)} description; ${modelName(c)} staging 2.0.0 → 2.1.0` };
}

/** The runner's files and environment for one pull_request run. */
export function actionSetup(pr, work) {
  const runnerTemp = join(work, 'runner');
  mkdirSync(runnerTemp, { recursive: true });
  const eventPath = join(runnerTemp, 'event.json');
  const payload = {
    action: 'synchronize',
    number: 1,
    pull_request: { number: 1, user: { login: 'alice' }, base: { sha: pr.base, ref: 'main' }, head: { sha: pr.head, ref: 'pr' } },
    repository: { full_name: 'acme/registry' },
  };
  writeFileSync(eventPath, JSON.stringify(payload));
  const files = {
    output: join(runnerTemp, 'output'),
    summary: join(runnerTemp, 'summary'),
    report: join(runnerTemp, 'modelreg/report.json'),
    rss: join(runnerTemp, 'rss'),
  };
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_WORKSPACE: pr.repo,
    GITHUB_REPOSITORY: 'acme/registry',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: runnerTemp,
    INPUT_TOKEN: '',
    INPUT_COMMENT: 'false',
    'INPUT_REGISTRY-PATH': '.',
    'INPUT_FAIL-LEVEL': 'error',
  };
  return { env, files };
}

/** Peak RSS of a child by polling /proc (fallback when /usr/bin/time is missing). */
function runPolled(cmd, args, options) {
  // spawnSync cannot poll; run it in a small node helper that spawns, polls VmHWM and reports.
  const helper = `
    const { spawn } = require('node:child_process'); const { readFileSync } = require('node:fs');
    const [cmd, ...args] = JSON.parse(process.argv[1]);
    const c = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    let peak = 0;
    const poll = () => { try { const m = /VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/' + c.pid + '/status', 'utf8')); if (m) peak = Math.max(peak, +m[1]); } catch {} };
    const t = setInterval(poll, 20);
    c.on('exit', (code, sig) => { clearInterval(t); require('node:fs').writeFileSync(process.argv[2], String(peak)); process.exit(code ?? 128); });`;
  return spawnSync(process.execPath, ['-e', helper, JSON.stringify([cmd, ...args]), options.rssFile], options);
}

function runOnce(c, cwd) {
  c.before?.();
  const t0 = process.hrtime.bigint();
  const r = c.polled
    ? runPolled(c.cmd[0], c.cmd[1], { cwd, env: c.env, stdio: ['ignore', 'ignore', 'pipe'], timeout: TIMEOUT_MS, rssFile: c.rssFile })
    : spawnSync(c.cmd[0], c.cmd[1], { cwd, env: c.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], timeout: TIMEOUT_MS, maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const result = { ms, status: r.status, signal: r.signal, error: r.error?.message, stderr: r.stderr?.toString('utf8') ?? '' };
  const problem = c.check ? c.check(result) : r.status === 0 && !r.error ? null : `exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}`;
  if (problem) {
    log(`\n${c.label} failed: ${problem}\n--- stderr ---\n${result.stderr.trim()}`);
    throw new Error(`${c.label} failed: ${problem}`);
  }
  return result;
}

function benchSize(size, opts) {
  const { dir, info, cached } = ensureRegistry(size, { log });
  log(`${size}: ${dir} (${cached ? 'cached' : `generated in ${info.generateSeconds.toFixed(1)} s`}; ${info.files} files)`);
  const work = mkdtempSync(join(tmpdir(), `modelreg-bench-action-${size}-`));
  const notes = [];
  try {
    const t0 = Date.now();
    const pr = preparePullRequest(dir, info, work);
    log(`  clone + pull request in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${pr.description}`);
    const { env, files } = actionSetup(pr, work);
    const useTime = existsSync(TIME);
    const node = process.execPath;
    const action = {
      id: 'action',
      label: 'the action (`node action/dist/index.mjs`)',
      cmd: useTime ? [TIME, ['-f', '%M', '-o', files.rss, node, BUNDLE]] : [node, [BUNDLE]],
      polled: !useTime,
      rssFile: files.rss,
      env,
      rss: [],
      reports: [],
      before: () => {
        rmSync(files.report, { force: true });
        rmSync(files.rss, { force: true });
        writeFileSync(files.output, '');
        writeFileSync(files.summary, '');
      },
      check: (r) => {
        // /usr/bin/time reports the child's exit status as its own.
        if (r.error || (r.status !== 0 && r.status !== 1)) return `exit ${r.status ?? r.signal}${r.error ? ` (${r.error})` : ''}`;
        if (!existsSync(files.report)) return `exit ${r.status} without ${files.report}`;
        const report = JSON.parse(readFileSync(files.report, 'utf8'));
        action.reports.push({ status: r.status, report });
        if (existsSync(files.rss)) {
          const kb = Number.parseInt(readFileSync(files.rss, 'utf8').trim().split('\n').pop(), 10);
          if (Number.isFinite(kb)) action.rss.push(kb);
        }
        return null;
      },
    };
    const cmds = [
      action,
      { id: 'node', label: '`node -e 0`', cmd: [node, ['-e', '0']] },
      { id: 'diff', label: '`git diff --name-only base head`', cmd: ['git', ['diff', '--name-only', pr.base, pr.head]] },
      {
        id: 'read2',
        label: 'raw git read of both trees (`ls-tree` + `cat-file --batch`, base and head)',
        cmd: [
          'sh',
          [
            '-c',
            [pr.base, pr.head]
              .map((rev) => `git ls-tree -r --format='%(objectname)' ${rev} -- registry.yaml models | git cat-file --batch > /dev/null`)
              .join(' && '),
          ],
        ],
      },
    ];
    for (const c of cmds) Object.assign(c, { samples: [], runs: size === '10k' ? opts.runsLarge : opts.runs });

    // Round 0: every command once (checked); a slow first run is kept as a sample, fast ones are warm-ups.
    for (const c of cmds) {
      const r = runOnce(c, pr.repo);
      log(`  [${size}] first run ${c.label}: ${fmt(r.ms)} ms${c.id === 'action' ? ` (exit ${r.status})` : ''}`);
      if (r.ms > SLOW_KEEP_FIRST_MS) {
        c.samples.push(r.ms);
        notes.push(`${c.label}: first run (${(r.ms / 1000).toFixed(1)} s) kept as a sample, no warm-up`);
      }
      if (c.id === 'action' && size === '10k' && c.runs > 1 && r.ms > 60_000) {
        c.runs = r.ms > 240_000 ? 1 : Math.min(c.runs, 2);
        notes.push(`action: first run ${(r.ms / 1000).toFixed(0)} s > 60 s, so ${c.runs} run(s) at 10k instead of ${opts.runsLarge}`);
      }
    }
    for (const n of notes) log(`  [${size}] ${n}`);
    // Alternating rounds. The fast commands keep pace with the action's samples (at least --runs each).
    const target = (c) => (c.id === 'action' ? c.runs : Math.max(c.runs, action.runs));
    for (let round = 1; cmds.some((c) => c.samples.length < target(c)); round++) {
      for (const c of cmds) {
        if (c.samples.length >= target(c)) continue;
        c.samples.push(runOnce(c, pr.repo).ms);
      }
      log(`  [${size}] round ${round}: ${cmds.map((c) => `${c.id} ${fmt(c.samples.at(-1) ?? null)}`).join(', ')}`);
    }
    const statuses = [...new Set(action.reports.map((x) => x.status))];
    const first = action.reports[0].report;
    return {
      size,
      models: info.models,
      files: info.files,
      pr,
      cmds: Object.fromEntries(cmds.map((c) => [c.id, { label: c.label, samples: c.samples, median: median(c.samples) }])),
      verdict: first.verdict,
      exit: statuses.join('/'),
      counts: first.counts,
      findings: Object.entries(first.findings.reduce((m, f) => ((m[`${f.severity} ${f.code}`] = (m[`${f.severity} ${f.code}`] ?? 0) + 1), m), {})),
      change: {
        models: first.models,
        versionsAdded: first.change.versionsAdded,
        promotions: first.promotions.map((p) => `${p.model} ${p.stage} ${p.from} → ${p.to} (${p.passed ? 'passed' : 'failed'})`),
      },
      rssMiB: action.rss.length ? Math.max(...action.rss) / 1024 : null,
      rssRuns: action.rss.length,
      rssHow: useTime ? '/usr/bin/time -f %M' : '/proc VmHWM polled every 20 ms',
      notes,
    };
  } finally {
    if (opts.keep) log(`  kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing; run \`npm run bundle\``);
  const results = opts.sizes.map((s) => benchSize(s, opts));
  const gitVersion = spawnSync('git', ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(
    `\n# The pull-request action, ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${gitVersion}\n`,
  );
  console.log('| size | operation | runs | median ms | ÷ `node -e 0` | ÷ `git diff --name-only` |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of results) {
    const nodeMs = r.cmds.node.median;
    const diffMs = r.cmds.diff.median;
    for (const id of ['action', 'node', 'diff', 'read2']) {
      const c = r.cmds[id];
      console.log(`| ${r.size} | ${c.label} | ${c.samples.length} | ${fmt(c.median)} | ${ratio(c.median, nodeMs)} | ${ratio(c.median, diffMs)} |`);
    }
  }
  console.log('');
  for (const r of results) {
    console.log(`${r.size} (${r.models} models, ${r.files} files): pull request ${r.pr.description}`);
    console.log(
      `  verdict ${r.verdict} (exit ${r.exit}); findings: ${r.counts.error} error, ${r.counts.warning} warning, ${r.counts.notice} notice${r.findings.length ? ` — ${r.findings.map(([k, v]) => `${v}× ${k}`).join(', ')}` : ''}`,
    );
    console.log(
      `  change: models ${r.change.models.join(', ')}; versions added ${r.change.versionsAdded.join(', ') || '-'}; ${r.change.promotions.join('; ') || 'no stage moves'}`,
    );
    console.log(`  action peak RSS: ${r.rssMiB === null ? '-' : `${r.rssMiB.toFixed(0)} MiB`} (the largest of ${r.rssRuns} runs, ${r.rssHow})`);
    for (const n of r.notes) console.log(`  note: ${n}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
