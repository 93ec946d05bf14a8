// What the artifact benchmarks (store.mjs, s3.mjs) share: timing a whole process with its peak RSS,
// and making large test files.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/**
 * Run a process to its end: wall time from spawn to exit, and peak RSS from /proc/<pid>/status VmHWM
 * polled every 20 ms. Rejects with the command's output when it exits non-zero.
 */
export function measure(cmd, argv, { cwd, env, label } = {}) {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let out = '';
    let err = '';
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {}
    }, 20);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearInterval(poll);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) rej(new Error(`${label ?? `${cmd} ${argv.join(' ')}`} failed (${code}): ${(err + out).trim()}`));
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
