#!/usr/bin/env node
// Benchmark of the local artifact store: `modelreg register` of one large artifact beside
// `sha256sum` + `cp` of the same file in the same run, a re-register of the same bytes (dedup), `modelreg
// pull` beside `cp` + `sha256sum`, and the peak RSS of each modelreg process at each size (it should not
// grow with the artifact: bytes stream, they are never buffered whole). Each pair runs --reps times,
// the order alternating from one run to the next; the table shows medians.
//   node bench/store.mjs [--sizes 100M,1G,4G] [--reps 3] [--dir /tmp]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFile, measure, median, settled } from './measure.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');
const BIN = join(ROOT, 'bin/run.js');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const SIZES = opt('sizes', '100M,1G,4G')
  .split(',')
  .map((s) => ({ label: s, bytes: Number.parseFloat(s) * { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[s.slice(-1)] }));
const REPS = Math.max(1, Number.parseInt(opt('reps', '3'), 10));
const base = mkdtempSync(join(opt('dir', tmpdir()), 'modelreg-store-bench-'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  CI: '1',
  MODELREG_DIGEST_CACHE: join(base, 'digests'), // the bench's own: nothing remembered from elsewhere
};

/** Wall time and the peak resident set (VmHWM, polled from /proc while it runs) of one process. */
const run = (cmd, argv, cwd = base, extraEnv = {}) => measure(cmd, argv, { cwd, env: { ...env, ...extraEnv } });

const mib = (b) => (b / 1024 ** 2).toFixed(0);
const fmt = (ms) => (ms / 1000).toFixed(2);
const rows = [];
try {
  spawnSync(process.execPath, [BIN, 'init', join(base, 'reg')], { env, stdio: 'ignore' });
  const reg = join(base, 'reg');
  for (const [i, size] of SIZES.entries()) {
    const file = join(base, `weights-${size.label}.safetensors`);
    process.stderr.write(`writing ${size.label} test file…\n`);
    makeFile(file, size.bytes);
    spawnSync('sh', ['-c', `cat "${file}" > /dev/null`]); // same page-cache state for both sides
    await settled(file);
    const copy = join(base, 'copy.bin');
    const runs = [];
    let stored;
    for (let r = 0; r < REPS; r++) {
      const pair = async (a, b) => ((r + i) % 2 === 0 ? [await a(), await b()] : [await b(), await a()].reverse());
      const version = `${i + 1}.${r}.0`;
      // The previous run's object goes, so that this run's register stores the bytes anew.
      if (stored) rmSync(join(reg, '.modelreg/store/sha256', stored.slice(0, 2), stored), { force: true });
      const [reg1, baseline] = await pair(
        () => run(process.execPath, [BIN, 'register', 'bench', file, '--version', version, '--no-code', '--json'], reg),
        () => run('sh', ['-c', `sha256sum "${file}" >/dev/null && cp "${file}" "${copy}" && sync -f "${copy}"`]),
      );
      stored = JSON.parse(reg1.out).artifacts[0].sha256;
      rmSync(copy, { force: true });
      const reg2 = await run(process.execPath, [BIN, 'register', 'bench', file, '--version', `${i + 1}.${r}.1`, '--no-code', '--json'], reg);
      // The same without the digest cache: the file is read again (a copy, discarded: docs/performance.md).
      const reg3 = await run(process.execPath, [BIN, 'register', 'bench', file, '--version', `${i + 1}.${r}.2`, '--no-code', '--json'], reg, {
        MODELREG_DIGEST_CACHE: 'off',
      });
      const dedup = [reg2, reg3].every((x) => JSON.parse(x.out).artifacts.every((a) => !a.stored));
      const pulled = join(base, 'pulled');
      const [pull, pullBase] = await pair(
        () => run(process.execPath, [BIN, 'pull', `bench@${version}`, '-o', pulled, '--json'], reg),
        () => run('sh', ['-c', `cp "${file}" "${copy}" && sha256sum "${copy}" >/dev/null && sync -f "${copy}"`]),
      );
      rmSync(pulled, { recursive: true, force: true });
      rmSync(copy, { force: true });
      runs.push({
        register: reg1.ms,
        baseline: baseline.ms,
        dedup: reg2.ms,
        dedupUncached: reg3.ms,
        deduplicated: dedup,
        pull: pull.ms,
        pullBaseline: pullBase.ms,
        rssRegister: reg1.peak,
        rssPull: pull.peak,
      });
    }
    const med = (k) => median(runs.map((x) => x[k]));
    rmSync(file, { force: true });
    rows.push({
      size: size.label,
      register: med('register'),
      baseline: med('baseline'),
      dedup: med('dedup'),
      dedupUncached: med('dedupUncached'),
      deduplicated: runs.every((x) => x.deduplicated),
      pull: med('pull'),
      pullBaseline: med('pullBaseline'),
      rssRegister: Math.max(...runs.map((x) => x.rssRegister)),
      rssPull: Math.max(...runs.map((x) => x.rssPull)),
      runs,
    });
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

console.log(`local store, medians of ${REPS} run(s)`);
const table = [
  [
    'size',
    'register s',
    'sha256sum+cp s',
    'ratio',
    're-register s (dedup)',
    're-register, cache off s',
    'pull s',
    'cp+sha256sum s',
    'ratio',
    'peak RSS register MiB',
    'peak RSS pull MiB',
  ],
  ...rows.map((r) => [
    r.size,
    fmt(r.register),
    fmt(r.baseline),
    (r.register / r.baseline).toFixed(2),
    `${fmt(r.dedup)}${r.deduplicated ? '' : ' (NOT deduplicated)'}`,
    fmt(r.dedupUncached),
    fmt(r.pull),
    fmt(r.pullBaseline),
    (r.pull / r.pullBaseline).toFixed(2),
    mib(r.rssRegister),
    mib(r.rssPull),
  ]),
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
for (const r of table) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
console.log(JSON.stringify({ bench: 'store', rows }));
