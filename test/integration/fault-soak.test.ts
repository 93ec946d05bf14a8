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
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, fixtureRepo, gitIn, tempDir } from './helpers.js';

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

const at = (repo: string, path: string) => spawnText(repo, ['show', `HEAD:${path}`]);
function spawnText(repo: string, args: string[]): string {
  try {
    return gitIn(repo, ...args);
  } catch {
    return '';
  }
}
const holder = (repo: string, stage: string) => /^version: (.+)$/m.exec(at(repo, `models/sentiment/stages/${stage}.yaml`))?.[1];

const WRITE_STEPS = ['plan', 'write', 'commit', 'push'];
const OPS: Op[] = [
  {
    name: 'register',
    args: (dir) => ['register', 'sentiment', dir, '--version', '3.0.0', '--metric', 'accuracy=0.93', '--dataset', 's3://d/train.parquet', '--code', 'https://github.com/acme/s@abcdef1'],
    steps: ['hash', 'put', ...WRITE_STEPS],
    subject: 'Register sentiment@3.0.0',
    landed: (repo) => at(repo, 'models/sentiment/versions/3.0.0.yaml') !== '',
    versions: ['3.0.0'],
  },
  { name: 'promote', args: () => ['promote', 'sentiment@1.2.0', 'production'], steps: WRITE_STEPS, subject: 'Promote sentiment@1.2.0 to production', landed: (repo) => holder(repo, 'production') === '1.2.0', versions: [] },
  { name: 'rollback', args: () => ['rollback', 'sentiment', 'staging', '--to', '1.1.0'], steps: WRITE_STEPS, subject: 'Rollback sentiment staging to 1.1.0 (from 1.2.0)', landed: (repo) => holder(repo, 'staging') === '1.1.0', versions: [] },
  {
    name: 'deprecate',
    args: () => ['deprecate', 'sentiment@2.0.0-rc.1', '--reason', 'superseded'],
    steps: WRITE_STEPS,
    subject: 'Deprecate sentiment@2.0.0-rc.1',
    landed: (repo) => /^deprecated:/m.test(at(repo, 'models/sentiment/versions/2.0.0-rc.1.yaml')),
    versions: [],
  },
];

/** mulberry32: a small seeded generator, so a failing trial can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function setUp(push: boolean): { repo: string; remote?: string; store: string; dir: string } {
  const { repo: origin } = fixtureRepo();
  const store = join(tempDir(), 'store');
  const dir = tempDir();
  writeFileSync(join(dir, 'model.safetensors'), 'weights '.repeat(200_000));
  writeFileSync(join(dir, 'config.json'), '{"layers": 12}');
  if (!push) return { repo: origin, store, dir };
  const remote = join(tempDir(), 'remote.git');
  gitIn(origin, 'clone', '-q', '--bare', origin, remote);
  const repo = join(tempDir(), 'clone');
  gitIn(origin, 'clone', '-q', remote, repo);
  return { repo, remote, store, dir };
}

/** The paths a killed write journaled (see src/git/writer.ts), or none. */
function journaled(repo: string): string[] {
  const file = join(repo, '.git', 'modelreg-pending.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { files: { path: string }[] }).files.map((f) => f.path) : [];
}

const commitsWith = (repo: string, subject: string) => gitIn(repo, 'log', '--format=%s').split('\n').filter((s) => s === subject).length;

interface Tally {
  trials: number;
  byStep: Record<string, number>;
  timed: number;
  landedBeforeRerun: number;
}

async function trial(op: Op, push: boolean, kill: { step: string } | { afterMs: number }, where: string, tally: Tally): Promise<void> {
  const { repo, remote, store, dir } = setUp(push);
  const env = { MODELREG_STORE: `file://${store}` };
  const args = [...op.args(dir), ...(push ? ['--push'] : [])];
  const killed = 'step' in kill ? await cliAsync(repo, args, { ...env, MODELREG_FAULT_AFTER: kill.step }) : await cliAsync(repo, args, env, { killAfterMs: kill.afterMs });
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
  expect(dirty.filter((p) => !covered(p)), `${where}: left in the work tree beyond the journal (${pending.join(', ')})`).toEqual([]);
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
  if ('step' in kill) tally.byStep[kill.step] = (tally.byStep[kill.step] ?? 0) + 1;
  else tally.timed++;
  if (landed) tally.landedBeforeRerun++;
}

describe('faults at random points of every write path', () => {
  it('a kill at a random step or moment of register, promote, rollback or deprecate loses nothing, and a rerun completes it', { timeout: 3_600_000 }, async () => {
    const seed = Number(process.env.MODELREG_SOAK_SEED ?? Date.now() % 1_000_000);
    const seconds = Number(process.env.MODELREG_SOAK_SECONDS ?? 0);
    const trials = Number(process.env.MODELREG_SOAK_TRIALS ?? (seconds ? Infinity : 12));
    const rand = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

    // How long each command takes uninterrupted (with --push, the longer case), so a timed kill can fall anywhere in it.
    const duration = new Map<string, number>();
    for (const op of OPS) {
      const { repo, store, dir } = setUp(true);
      const started = performance.now();
      const r = await cliAsync(repo, [...op.args(dir), '--push'], { MODELREG_STORE: `file://${store}` });
      expect(r.code, `${op.name} uninterrupted: ${r.stderr}`).toBe(0);
      duration.set(op.name, performance.now() - started);
    }

    const tally: Tally = { trials: 0, byStep: {}, timed: 0, landedBeforeRerun: 0 };
    const deadline = Date.now() + seconds * 1000;
    for (let i = 0; i < trials && (!seconds || Date.now() < deadline); i++) {
      const op = pick(OPS);
      const push = rand() < 0.5;
      const steps = push ? op.steps : op.steps.filter((s) => s !== 'push');
      // Half the trials at a named step, half at a random moment up to the whole run's length.
      const kill = rand() < 0.5 ? { step: pick(steps) } : { afterMs: Math.round(rand() * duration.get(op.name)! * 1.1) };
      const where = `seed ${seed}, trial ${i}: ${op.name}${push ? ' --push' : ''} killed ${'step' in kill ? `after "${kill.step}"` : `at ${kill.afterMs} ms`}`;
      await trial(op, push, kill, where, tally);
    }
    expect(tally.trials).toBeGreaterThan(0);
    console.log(`fault soak (seed ${seed}): ${tally.trials} kills — ${Object.entries(tally.byStep).map(([s, n]) => `${n} after ${s}`).join(', ')}, ${tally.timed} at random moments; ${tally.landedBeforeRerun} had landed before the rerun; nothing lost`);
  });
});
