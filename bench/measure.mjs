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
