/**
 * Faults at random points of every write path (issue 8): register, promote, rollback and deprecate, with
 * and without --push, killed (SIGKILL, no cleanup: a crash, an OOM kill, a pulled plug for the process)
 * either right after one of their named steps (hash, put, plan, write, commit, push) or after a random
 * delay anywhere in the run — between steps, inside a file write, while git is committing.
 *
 * After every kill: the committed registry validates, every version it names has its artifacts in the
 * store, the work tree is clean or differs only by the paths the write journaled (which the next write
 * restores first), and Git's object store is sound (`git fsck`, after each test). Then the same command
 * is run again: it lands, or says the change already landed; afterwards the change is in the history
 * exactly once, the work tree is clean, and with --push the remote has it.
 *
 * CI runs a bounded number of trials; MODELREG_SOAK_TRIALS=<n> or MODELREG_SOAK_SECONDS=<s> runs a soak,
 * and MODELREG_SOAK_SEED=<n> replays one (every failure message names its seed and trial).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, FIXTURE_STORE, fixtureRepo, gitIn, seedFixtureBytes, tempDir } from './helpers.js';
import { S3Store } from '../../src/artifacts/s3-store.js';
import { s3TestEnv } from '../s3-setup.js';

interface Op {
  name: string;
  args: (dir: string) => string[];
  steps: string[];
  /** The commit subject of the change, to count it in the history. */
  subject: string;
  /** Whether the change is in the registry at HEAD. */
  landed: (repo: string) => boolean;
  /** Versions whose artifacts the store must hold once the change landed. */
  versions: string[];
}

/** A file's text at HEAD, or '' when HEAD has no such file. */
function at(repo: string, path: string): string {
  try {
    return gitIn(repo, 'show', `HEAD:${path}`);
  } catch {
    return '';
  }
}
const holder = (repo: string, stage: string) => /^version: (.+)$/m.exec(at(repo, `models/sentiment/stages/${stage}.yaml`))?.[1];

const WRITE_STEPS = ['plan', 'write', 'commit', 'push'];
const OPS: Op[] = [
  {
    name: 'register',
    args: (dir) => [
      'register',
      'sentiment',
      dir,
      '--version',
      '3.0.0',
      '--metric',
      'accuracy=0.93',
      '--dataset',
      's3://d/train.parquet',
      '--code',
      'https://github.com/acme/s@abcdef1',
    ],
    steps: ['hash', 'put', ...WRITE_STEPS],
    subject: 'Register sentiment@3.0.0',
    landed: (repo) => at(repo, 'models/sentiment/versions/3.0.0.yaml') !== '',
    versions: ['3.0.0'],
  },
  // Into a stage without an approval gate: a gated one is refused on the default branch (it needs a pull request).
  {
    name: 'promote',
    args: () => ['promote', 'sentiment@1.1.0', 'development'],
    steps: WRITE_STEPS,
    subject: 'Promote sentiment@1.1.0 to development',
    landed: (repo) => holder(repo, 'development') === '1.1.0',
    versions: [],
  },
  {
    name: 'rollback',
    args: () => ['rollback', 'sentiment', 'staging', '--to', '1.1.0'],
    steps: WRITE_STEPS,
    subject: 'Rollback sentiment staging to 1.1.0 (from 1.2.0)',
    landed: (repo) => holder(repo, 'staging') === '1.1.0',
    versions: [],
  },
  {
    name: 'deprecate',
    args: () => ['deprecate', 'sentiment@2.0.0-rc.1', '--reason', 'superseded'],
    steps: WRITE_STEPS,
    subject: 'Deprecate sentiment@2.0.0-rc.1',
    landed: (repo) => /^deprecated:/m.test(at(repo, 'models/sentiment/versions/2.0.0-rc.1.yaml')),
    versions: [],
  },
];

/**
 * Where artifacts go: a local directory, or (when the S3 test server is up, as in CI) a fresh prefix on it;
 * either holds the fixture's bytes, as a promotion checks the entering version's are there.
 */
async function storeEnv(kind: 'file' | 's3'): Promise<Record<string, string>> {
  if (kind === 'file') {
    const dir = join(tempDir(), 'store');
    seedFixtureBytes(dir);
    return { MODELREG_STORE: `file://${dir}` };
  }
  const s3 = s3TestEnv()!;
  const uri = `s3://${s3.bucket}/fault-soak-${randomUUID()}`;
  // The store takes its keys from the default chain, as the CLI does.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey });
  const store = new S3Store(uri, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, checksums: 'when_required' });
  for (const file of readdirSync(FIXTURE_STORE, { recursive: true }).map(String)) {
    const path = join(FIXTURE_STORE, file);
    if (statSync(path).isFile()) await store.putFile(path);
  }
  return {
    MODELREG_STORE: uri,
    MODELREG_S3_ENDPOINT: s3.endpoint,
    MODELREG_S3_REGION: s3.region,
    MODELREG_S3_FORCE_PATH_STYLE: 'true',
    MODELREG_S3_PART_SIZE: '5',
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
  };
}

function setUp(push: boolean): { repo: string; remote?: string; dir: string } {
  const { repo: origin } = fixtureRepo();
  const dir = tempDir();
  // 6.4 MB: two multipart parts on S3, so a kill can fall between them.
  writeFileSync(join(dir, 'model.safetensors'), 'weights '.repeat(800_000));
  writeFileSync(join(dir, 'config.json'), '{"layers": 12}');
  if (!push) return { repo: origin, dir };
  const remote = join(tempDir(), 'remote.git');
  gitIn(origin, 'clone', '-q', '--bare', origin, remote);
  const repo = join(tempDir(), 'clone');
  gitIn(origin, 'clone', '-q', remote, repo);
  return { repo, remote, dir };
}

/** The paths a killed write journaled (see src/git/writer.ts), or none. */
function journaled(repo: string): string[] {
  const file = join(repo, '.git', 'modelreg-pending.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { files: { path: string }[] }).files.map((f) => f.path) : [];
}

const commitsWith = (repo: string, subject: string) =>
  gitIn(repo, 'log', '--format=%s')
    .split('\n')
    .filter((s) => s === subject).length;

interface Tally {
  trials: number;
  byStep: Record<string, number>;
  timed: number;
  landedBeforeRerun: number;
  byStore: Record<string, number>;
}

async function trial(op: Op, push: boolean, store: 'file' | 's3', kill: { step: string } | { afterMs: number }, where: string, tally: Tally): Promise<void> {
  const { repo, remote, dir } = setUp(push);
  const env = await storeEnv(store);
  const args = [...op.args(dir), ...(push ? ['--push'] : [])];
  const killed =
    'step' in kill ? await cliAsync(repo, args, { ...env, MODELREG_FAULT_AFTER: kill.step }) : await cliAsync(repo, args, env, { killAfterMs: kill.afterMs });
  expect(killed.stderr, where).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError/);

  // What the crash left.
  const validate = cli(repo, ['validate', '--at', 'HEAD']);
  expect(validate.code, `${where}: validate at HEAD\n${validate.stdout}${validate.stderr}`).toBe(0);
  const landed = op.landed(repo);
  if (landed) for (const v of op.versions) expect(cli(repo, ['verify', `sentiment@${v}`, '--at', 'HEAD'], env).code, `${where}: artifacts of ${v}`).toBe(0);
  const dirty = gitIn(repo, 'ls-files', '--modified', '--deleted', '--others', '--exclude-standard').split('\n').filter(Boolean);
  const pending = journaled(repo);
  // A kill inside a file write also leaves that write's temp file beside the journaled path; recovery removes both.
  const covered = (p: string) => pending.some((j) => p === j || (p.startsWith(`${j}.modelreg-`) && p.endsWith('.tmp')));
  expect(
    dirty.filter((p) => !covered(p)),
    `${where}: left in the work tree beyond the journal (${pending.join(', ')})`,
  ).toEqual([]);
  expect(commitsWith(repo, op.subject), where).toBe(landed ? 1 : 0);

  // The same command again: it lands, or says the change already has.
  const rerun = await cliAsync(repo, args, env);
  if (landed) expect(rerun.stderr, `${where}: rerun\n${rerun.stderr}`).toMatch(/error\[conflict\].*already/);
  else expect(rerun.code, `${where}: rerun\n${rerun.stdout}${rerun.stderr}`).toBe(0);
  expect(op.landed(repo), where).toBe(true);
  expect(commitsWith(repo, op.subject), `${where}: the change once in the history`).toBe(1);
  expect(gitIn(repo, 'status', '--porcelain', '--untracked-files=all'), where).toBe('');
  expect(existsSync(join(repo, '.git', 'modelreg-pending.json')), `${where}: journal left`).toBe(false);
  expect(cli(repo, ['validate']).code, where).toBe(0);
  for (const v of op.versions) expect(cli(repo, ['verify', `sentiment@${v}`], env).code, `${where}: artifacts of ${v}`).toBe(0);
  if (remote) expect(gitIn(remote, 'rev-parse', 'main'), `${where}: the remote has the change`).toBe(gitIn(repo, 'rev-parse', 'HEAD'));

  tally.trials++;
  tally.byStore[store] = (tally.byStore[store] ?? 0) + 1;
  if ('step' in kill) tally.byStep[kill.step] = (tally.byStep[kill.step] ?? 0) + 1;
  else tally.timed++;
  if (landed) tally.landedBeforeRerun++;
}

describe('faults at random points of every write path', () => {
  it(
    'a kill at a random step or moment of register, promote, rollback or deprecate loses nothing, and a rerun completes it',
    { timeout: 3_600_000 },
    async () => {
      const seed = Number(process.env.MODELREG_SOAK_SEED ?? Date.now() % 1_000_000);
      const seconds = Number(process.env.MODELREG_SOAK_SECONDS ?? 0);
      const trials = Number(process.env.MODELREG_SOAK_TRIALS ?? (seconds ? Infinity : 12));
      // Seeded (pure-rand, fast-check's generator), so a failing trial can be replayed.
      const generator = xoroshiro128plus(seed);
      const rand = () => uniformFloat64(generator);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

      // How long each command takes uninterrupted (with --push, the longer case), so a timed kill can fall anywhere in it.
      const stores = s3TestEnv() ? (['file', 's3'] as const) : (['file'] as const);
      const duration = new Map<string, number>();
      for (const op of OPS) {
        const { repo, dir } = setUp(true);
        const started = performance.now();
        const r = await cliAsync(repo, [...op.args(dir), '--push'], await storeEnv(stores[stores.length - 1]!));
        expect(r.code, `${op.name} uninterrupted: ${r.stderr}`).toBe(0);
        duration.set(op.name, performance.now() - started);
      }

      const tally: Tally = { trials: 0, byStep: {}, timed: 0, landedBeforeRerun: 0, byStore: {} };
      const deadline = Date.now() + seconds * 1000;
      for (let i = 0; i < trials && (!seconds || Date.now() < deadline); i++) {
        const op = pick(OPS);
        const push = rand() < 0.5;
        const store = pick(stores);
        const steps = push ? op.steps : op.steps.filter((s) => s !== 'push');
        // Half the trials at a named step, half at a random moment up to the whole run's length.
        const kill = rand() < 0.5 ? { step: pick(steps) } : { afterMs: Math.round(rand() * duration.get(op.name)! * 1.1) };
        const where = `seed ${seed}, trial ${i}: ${op.name}${push ? ' --push' : ''} (${store} store) killed ${'step' in kill ? `after "${kill.step}"` : `at ${kill.afterMs} ms`}`;
        await trial(op, push, store, kill, where, tally);
      }
      expect(tally.trials).toBeGreaterThan(0);
      console.log(
        `fault soak (seed ${seed}): ${tally.trials} kills (${Object.entries(tally.byStore)
          .map(([k, n]) => `${n} on the ${k} store`)
          .join(
            ', ',
          )}) — ${[...Object.entries(tally.byStep).map(([s, n]) => `${n} after ${s}`), `${tally.timed} at random moments`].join(', ')}; ${tally.landedBeforeRerun} had landed before the rerun; nothing lost`,
      );
    },
  );
});
