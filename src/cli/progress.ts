/**
 * Progress for long work (hashing, copying) on a terminal; silent in CI, with --json, or when stderr is
 * not a terminal. Redraws at most ten times a second.
 */
import { humanBytes as bytes } from '../registry/text.js';
import { printable } from './terminal.js';

export { bytes };

export interface ProgressReporter {
  /** `unit`: what `done` and `total` count (bytes by default); a total of 0 means unknown. */
  start(label: string, total: number, unit?: 'bytes' | 'items'): (done: number) => void;
  done(): void;
}

export function progressReporter(enabled: boolean): ProgressReporter {
  const on = enabled && process.stderr.isTTY === true && !process.env.CI;
  if (!on) return { start: () => () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  return {
    start(label, total, unit = 'bytes') {
      const t0 = Date.now();
      return (done) => {
        const now = Date.now();
        if (now - last < 100 && done < total) return;
        last = now;
        drawn = true;
        const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : 100;
        const head = printable(label.slice(0, 40)).padEnd(40);
        if (unit === 'items') {
          process.stderr.write(`\r\x1b[K${head}${total ? ` ${done}/${total} ${pct.toString().padStart(3)}%` : ' …'}`);
          return;
        }
        const rate = done / Math.max(0.001, (now - t0) / 1000);
        const width = 24;
        const bar = '█'.repeat(Math.round((pct / 100) * width)).padEnd(width, '░');
        process.stderr.write(`\r\x1b[K${head} ${bar} ${pct.toString().padStart(3)}% ${bytes(done)}/${bytes(total)} ${bytes(rate)}/s`);
      };
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}
