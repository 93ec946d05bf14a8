/**
 * A test-only fault hook: with MODELREG_FAULT_AFTER=<step>, the process kills itself (SIGKILL, no cleanup)
 * right after that step, so tests can prove a crash at any point leaves nothing half-done.
 * Steps: hash, put, plan, write, commit, push.
 */
export function checkpoint(step: string): void {
  if (process.env.MODELREG_FAULT_AFTER === step) process.kill(process.pid, 'SIGKILL');
}
