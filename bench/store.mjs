#!/usr/bin/env node
// Benchmark of the local artifact store: `modelreg register` of one large artifact beside
// `sha256sum` + `cp` of the same file in the same run, a re-register of the same bytes (dedup), `modelreg
// pull` beside `cp` + `sha256sum`, and the peak RSS of each modelreg process at each size (it should not
// grow with the artifact: bytes stream, they are never buffered whole).
//   node bench/store.mjs [--sizes 100M,1G,4G] [--dir /tmp]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFile, measure } from './measure.mjs';

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
const base = mkdtempSync(join(opt('dir', tmpdir()), 'modelreg-store-bench-'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  CI: '1',
};

/** Wall time and the peak resident set (VmHWM, polled from /proc while it runs) of one process. */
const run = (cmd, argv, cwd = base) => measure(cmd, argv, { cwd, env });

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
    const baseline = await run('sh', [
      '-c',
      `sha256sum "${file}" >/dev/null && cp "${file}" "${join(base, 'copy.bin')}" && sync -f "${join(base, 'copy.bin')}"`,
    ]);
    rmSync(join(base, 'copy.bin'), { force: true });
    const reg1 = await run(process.execPath, [BIN, 'register', 'bench', file, '--version', `${i + 1}.0.0`, '--no-code', '--json'], reg);
    const reg2 = await run(process.execPath, [BIN, 'register', 'bench', file, '--version', `${i + 1}.0.1`, '--no-code', '--json'], reg);
    const dedup = JSON.parse(reg2.out).artifacts.every((a) => !a.stored);
    const pulled = join(base, 'pulled');
    const pull = await run(process.execPath, [BIN, 'pull', `bench@${i + 1}.0.0`, '-o', pulled, '--json'], reg);
    const pullBase = await run('sh', [
      '-c',
      `cp "${file}" "${join(base, 'copy.bin')}" && sha256sum "${join(base, 'copy.bin')}" >/dev/null && sync -f "${join(base, 'copy.bin')}"`,
    ]);
    rmSync(pulled, { recursive: true, force: true });
    rmSync(join(base, 'copy.bin'), { force: true });
    rmSync(file, { force: true });
    rows.push({
      size: size.label,
      register: reg1.ms,
      baseline: baseline.ms,
      dedup: reg2.ms,
      deduplicated: dedup,
      pull: pull.ms,
      pullBaseline: pullBase.ms,
      rssRegister: reg1.peak,
      rssPull: pull.peak,
    });
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

const table = [
  ['size', 'register s', 'sha256sum+cp s', 'ratio', 're-register s (dedup)', 'pull s', 'cp+sha256sum s', 'ratio', 'peak RSS register MiB', 'peak RSS pull MiB'],
  ...rows.map((r) => [
    r.size,
    fmt(r.register),
    fmt(r.baseline),
    (r.register / r.baseline).toFixed(2),
    `${fmt(r.dedup)}${r.deduplicated ? '' : ' (NOT deduplicated)'}`,
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
