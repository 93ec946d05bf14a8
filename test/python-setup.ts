/**
 * The Python clients the MLflow tests drive: a virtual environment with the pinned `mlflow` and
 * `scikit-learn` of scripts/python/requirements.txt, built by `bash scripts/python/setup.sh` (.ci/run does
 * it first). Its interpreter is used by absolute path, never found on PATH.
 *
 * Skipping policy, as for the S3 server (test/s3-setup.ts): in CI these tests never skip — a missing venv
 * fails them; on a developer's machine a suite may skip with one line saying how to build it (~2 min).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { inCI } from './s3-setup.js';

export const PYTHON_SETUP_COMMAND = 'bash scripts/python/setup.sh';
const ROOT = join(import.meta.dirname, '..');

let found: string | null | undefined;

/** The venv's python, or undefined when it is not built. */
export function pythonPath(): string | undefined {
  if (found === undefined) {
    const r = spawnSync('bash', [join(ROOT, 'scripts/python/setup.sh'), '--print'], { encoding: 'utf8' });
    found = r.status === 0 ? r.stdout.trim() : null;
  }
  return found ?? undefined;
}

export function skipPython(): boolean {
  return !inCI() && pythonPath() === undefined;
}

export function requirePython(): string {
  const p = pythonPath();
  if (!p) throw new Error(`the Python venv with MLflow is not built: run ${PYTHON_SETUP_COMMAND}`);
  return p;
}
