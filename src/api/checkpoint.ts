/**
 * Test-only hooks at named steps of a write or a gc, so tests can prove a crash or a race at any point
 * leaves nothing half-done:
 * - MODELREG_FAULT_AFTER=<step>: the process kills itself (SIGKILL, no cleanup) right after that step.
 * - MODELREG_PAUSE_AT=<step> with MODELREG_PAUSE_DIR=<dir>: the process writes <dir>/<step>.paused and
 *   waits until <dir>/<step>.resume exists, so a test can run something else in between, deterministically.
 * Steps: hash, put, dedup, dedup-refreshed, plan, write, commit, push; gc-view, gc-lock, gc-decide,
 * gc-delete, gc-marks, gc-unlock.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function checkpoint(step: string): void {
  if (process.env.MODELREG_FAULT_AFTER === step) process.kill(process.pid, 'SIGKILL');
  const dir = process.env.MODELREG_PAUSE_DIR;
  if (dir && process.env.MODELREG_PAUSE_AT === step) {
    writeFileSync(join(dir, `${step}.paused`), String(process.pid));
    const resume = join(dir, `${step}.resume`);
    const nap = new Int32Array(new SharedArrayBuffer(4));
    while (!existsSync(resume)) Atomics.wait(nap, 0, 0, 20);
  }
}
