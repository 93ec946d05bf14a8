/**
 * Progress for long work (hashing, copying) on a terminal; silent in CI, with --json, or when stderr is
 * not a terminal. Redraws at most ten times a second.
 */
import { printable } from './terminal.js';

export interface ProgressReporter {
  start(label: string, total: number): (done: number) => void;
  done(): void;
}

export function progressReporter(enabled: boolean): ProgressReporter {
  const on = enabled && process.stderr.isTTY === true && !process.env.CI;
  if (!on) return { start: () => () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  return {
    start(label, total) {
      const t0 = Date.now();
      return (done) => {
        const now = Date.now();
        if (now - last < 100 && done < total) return;
        last = now;
        drawn = true;
        const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : 100;
        const rate = done / Math.max(0.001, (now - t0) / 1000);
        const width = 24;
        const bar = '█'.repeat(Math.round((pct / 100) * width)).padEnd(width, '░');
        process.stderr.write(`\r\x1b[K${printable(label.slice(0, 40)).padEnd(40)} ${bar} ${pct.toString().padStart(3)}% ${bytes(done)}/${bytes(total)} ${bytes(rate)}/s`);
      };
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}
