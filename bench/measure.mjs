// What the artifact benchmarks (store.mjs, s3.mjs) share: timing a whole process with its peak RSS,
// and making large test files.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Run a process to its end: wall time from spawn to exit, and peak RSS from /proc/<pid>/status VmHWM
 * polled every 20 ms. Rejects with the command's output when it exits non-zero. `output: false` sends
 * its standard output to /dev/null (a whole registry's JSON need not pass through this process);
 * `codes`: the exit codes that count as success.
 */
export function measure(cmd, argv, { cwd, env, label, output = true, codes = [0] } = {}) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', output ? 'pipe' : 'ignore', 'pipe'] });
    let peak = 0;
    let out = '';
    let err = '';
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {}
    }, 20);
    child.stdout?.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (!codes.includes(code)) rej(new Error(`${label ?? `${cmd} ${argv.join(' ')}`} failed (${code}): ${(err + out).trim()}`));
      else res({ ms, peak, out, err });
    });
  });
}

/** A file of `bytes` bytes, distinct per MiB, so nothing in the pipeline can take a shortcut on repeated content. */
export function makeFile(path, bytes) {
  const block = randomBytes(1 << 20);
  const fd = openSync(path, 'w');
  for (let off = 0, i = 0; off < bytes; off += block.length, i++) {
    block.writeUInt32LE(i, 0);
    writeSync(fd, block, 0, Math.min(block.length, bytes - off));
  }
  closeSync(fd);
}

/**
 * Wait until `path` was last changed at least `ms` ago. The digest cache remembers only a file whose last
 * change was 2 s or more before it was hashed (the racy window, src/cache/file-digests.ts), as a checkpoint
 * written a while before it is registered is; a file registered the moment it was written is hashed again
 * on its next registration, which the re-register rows would otherwise measure in their first run.
 */
export async function settled(path, ms = 2100) {
  const wait = statSync(path).ctimeMs + ms - Date.now();
  if (wait > 0) await sleep(wait);
}

/** The median, or null of nothing. */
export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * `--name value` / `--name=value` options over `defaults`: numbers stay numbers, booleans are flags,
 * arrays take comma-separated lists. `-h`/`--help` prints `usage` and exits; anything else unknown throws.
 */
export function parseOptions(argv, defaults, usage) {
  const opts = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') {
      console.log(usage);
      process.exit(0);
    }
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const name = flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!flag.startsWith('--') || !(name in defaults)) throw new Error(`unknown argument ${a}\n${usage}`);
    const def = defaults[name];
    if (typeof def === 'boolean') {
      opts[name] = true;
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`${flag} needs a value`);
    opts[name] = Array.isArray(def) ? v.split(',').filter(Boolean) : typeof def === 'number' ? Math.max(1, Number.parseInt(v, 10) || 1) : v;
  }
  return opts;
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Bench Bot',
  GIT_AUTHOR_EMAIL: 'bench@modelreg.invalid',
  GIT_COMMITTER_NAME: 'Bench Bot',
  GIT_COMMITTER_EMAIL: 'bench@modelreg.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  LC_ALL: 'C',
};

/**
 * Git as the benchmarks run it: a fixed identity (overridable through `env`), no user or system
 * config, no signing, hooks or automatic gc to wait on. `stdin`: a file descriptor to read from.
 * Returns stdout trimmed; throws with git's stderr.
 */
export function git(cwd, args, { env, stdin } = {}) {
  const r = spawnSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...args], {
    cwd,
    env: env ? { ...GIT_ENV, ...env } : GIT_ENV,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: [stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} (in ${cwd}) failed (${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}
