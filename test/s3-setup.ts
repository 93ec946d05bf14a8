/**
 * Where the S3 test server is, for tests of S3-backed code.
 *
 * The server is a real one (Ceph RADOS Gateway on 127.0.0.1) started by
 * `bash scripts/s3-server/install.sh && bash scripts/s3-server/up.sh`, which writes its address
 * and keys to `$S3_TEST_DIR/env` (default /tmp/modelreg-s3/env). `.ci/run` starts it before
 * `npm test` and also exports that file's variables.
 *
 * Skipping policy, chosen on purpose:
 * - In CI (`CI` set) S3 tests never skip. `skipS3()` is false there, and `requireS3()` throws, so a
 *   missing or dead server fails the run instead of letting it pass green having tested nothing.
 * - On a developer's machine, a suite may use `describe.skipIf(skipS3())`: the server needs root
 *   and Debian packages, and someone working on the CLI should not have to run Ceph to run the
 *   rest of the tests. The skipped suite still shows in vitest's output as skipped. Once the
 *   server has been started (an env file exists) the suite runs, and fails, with the one-line
 *   hint below, if the server has gone away since.
 *
 * Usage:
 *   describe.skipIf(skipS3())('…', () => {
 *     let s3: S3TestEnv;
 *     beforeAll(() => { s3 = requireS3(); });
 *   });
 *
 * The module is also shaped as a vitest globalSetup file (its default export): listed under
 * `test.globalSetup`, it checks the server once before any test file runs, in CI only.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface S3TestEnv {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  bucket: string;
}

/** How to start the server: the whole of what a failing test tells you. */
export const S3_START_COMMAND = 'bash scripts/s3-server/install.sh && bash scripts/s3-server/up.sh';

/** Defaults of scripts/s3-server/up.sh. */
const DEFAULTS = { accessKeyId: 'testaccesskey', secretAccessKey: 'testsecretkey', region: 'us-east-1', bucket: 'modelreg-test' };

export function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';
}

export function s3EnvFile(): string {
  return join(process.env.S3_TEST_DIR || '/tmp/modelreg-s3', 'env');
}

/** KEY=VALUE lines as up.sh writes them (no quoting, no export). */
function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m && m[1] !== undefined && m[2] !== undefined) vars[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return vars;
}

/**
 * The server's address and keys, or undefined when none is configured. Taken whole from the
 * environment when MODELREG_TEST_S3_ENDPOINT is set there (as .ci/run does), otherwise whole from
 * the env file: keys in the environment are never mixed with a file's endpoint, so a developer's
 * own AWS credentials are not sent to the test server, nor the test keys to anything else.
 * Does not check that the server answers: see requireS3().
 */
export function s3TestEnv(): S3TestEnv | undefined {
  let vars: Record<string, string | undefined>;
  if (process.env.MODELREG_TEST_S3_ENDPOINT) {
    vars = process.env;
  } else {
    try {
      vars = parseEnvFile(readFileSync(s3EnvFile(), 'utf8'));
    } catch {
      return undefined;
    }
  }
  const endpoint = vars.MODELREG_TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
  return {
    endpoint: endpoint.replace(/\/+$/, ''),
    accessKeyId: vars.AWS_ACCESS_KEY_ID || DEFAULTS.accessKeyId,
    secretAccessKey: vars.AWS_SECRET_ACCESS_KEY || DEFAULTS.secretAccessKey,
    region: vars.AWS_REGION || DEFAULTS.region,
    bucket: vars.MODELREG_TEST_S3_BUCKET || DEFAULTS.bucket,
  };
}

/** True when S3 tests are to be skipped: never in CI; elsewhere when no server was started. */
export function skipS3(): boolean {
  return !inCI() && s3TestEnv() === undefined;
}

/**
 * Whether anything answers HTTP at the endpoint (any status: an anonymous request may get 403).
 * Synchronous, so it can run while vitest collects tests: a child node does the request, with a
 * time limit.
 */
function answers(endpoint: string): boolean {
  const probe =
    'fetch(process.argv[1], { signal: AbortSignal.timeout(4000) })' + '.then(r => r.arrayBuffer()).then(() => process.exit(0), () => process.exit(1))';
  const r = spawnSync(process.execPath, ['-e', probe, endpoint + '/'], { timeout: 8000, stdio: 'ignore' });
  return r.status === 0;
}

/**
 * The server's address and keys; throws an Error with a one-line message saying how to start
 * the server when none is configured or it does not answer. In CI that fails the test.
 */
export function requireS3(): S3TestEnv {
  const env = s3TestEnv();
  if (!env) {
    throw new Error(`S3 test server not configured (no MODELREG_TEST_S3_ENDPOINT, no ${s3EnvFile()}): start it with: ${S3_START_COMMAND}`);
  }
  if (!answers(env.endpoint)) {
    throw new Error(`S3 test server not reachable at ${env.endpoint}: start it with: ${S3_START_COMMAND}`);
  }
  return env;
}

/** As a vitest globalSetup: in CI, fail before any test runs if the server is missing. */
export default function setup(): void {
  if (inCI()) requireS3();
}
