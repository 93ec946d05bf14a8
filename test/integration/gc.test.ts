/**
 * gc never deletes bytes something can still name (issue 15), on the local store and on the S3 server:
 * real repositories (a bare remote, clones that fetched different things, one shared store), real races
 * forced deterministically with the pause hook (MODELREG_PAUSE_AT, api/checkpoint.ts), kills at every step.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireS3, skipS3 } from '../s3-setup.js';
import { cli, cliAsync, fixtureRepo, gitIn, tempDir, type CliResult } from './helpers.js';

interface StoreKind {
  name: string;
  /** A fresh, empty store for one test, and the environment that points modelreg at it. */
  make(): { env: Record<string, string> };
  /** S3 keeps object times to the second: let a second pass where a test needs "later". */
  tick: () => Promise<void>;
}

const local: StoreKind = {
  name: 'the local store',
  make: () => ({ env: { MODELREG_STORE: `file://${join(tempDir(), 'store')}` } }),
  tick: () => sleep(20),
};

const s3: StoreKind = {
  name: 'the S3 store',
  make: () => {
    const e = requireS3();
    return {
      env: {
        MODELREG_STORE: `s3://${e.bucket}/gc-${randomBytes(6).toString('hex')}`,
        MODELREG_S3_ENDPOINT: e.endpoint,
        MODELREG_S3_REGION: e.region,
        MODELREG_S3_FORCE_PATH_STYLE: 'true',
        MODELREG_S3_CHECKSUMS: 'when_required',
        AWS_ACCESS_KEY_ID: e.accessKeyId,
        AWS_SECRET_ACCESS_KEY: e.secretAccessKey,
        AWS_REGION: e.region,
      },
    };
  },
  tick: () => sleep(1100),
};

/** A bare remote holding the fixture registry, and clones of it. */
function remoteAndClones(n: number): { remote: string; clones: string[] } {
  const { repo } = fixtureRepo();
  const remote = join(tempDir(), 'remote.git');
  gitIn(repo, 'clone', '-q', '--bare', repo, remote);
  return {
    remote,
    clones: Array.from({ length: n }, (_, i) => {
      const d = join(tempDir(), `clone${i}`);
      gitIn(repo, 'clone', '-q', remote, d);
      return d;
    }),
  };
}

function weights(seed: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.bin'), `weights of ${seed} `.repeat(200));
  return dir;
}

function ok(r: CliResult, what: string): CliResult {
  expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r;
}

const gc = (dir: string, env: Record<string, string>, ...args: string[]) => cli(dir, ['gc', '--grace', '0', '--json', ...args], env);
const verify = (dir: string, env: Record<string, string>) => cli(dir, ['verify', '--json'], env).json();
const missing = (dir: string, env: Record<string, string>) =>
  (verify(dir, env).problems as { problem: string; refs: string[] }[]).filter(
    (p) => p.problem === 'missing' && p.refs.some((r) => !/^(sentiment|bert-base|sentiment-int8)@/.test(r)),
  );

/** Wait until a process paused at `step` (checkpoint) says so. */
async function pausedAt(dir: string, step: string): Promise<void> {
  for (let i = 0; i < 3000 && !existsSync(join(dir, `${step}.paused`)); i++) await sleep(20);
  expect(existsSync(join(dir, `${step}.paused`)), `paused at ${step}`).toBe(true);
}
const resume = (dir: string, step: string) => writeFileSync(join(dir, `${step}.resume`), '');

for (const kind of [local, s3]) {
  describe.skipIf(kind === s3 && skipS3())(`gc on ${kind.name}`, () => {
    beforeAll(() => {
      if (kind === s3) requireS3();
    });

    it(
      "keeps what a branch this clone never fetched, a pull-request ref and a fork's pull request name; deletes what nothing names, in two runs",
      { timeout: 300_000 },
      async () => {
        const { remote, clones } = remoteAndClones(3);
        const [a, b, fork] = clones as [string, string, string];
        const { env } = kind.make();
        // A: a version on a branch, pushed (a pull request in waiting). B never fetches it.
        gitIn(a, 'switch', '-q', '-c', 'wip');
        ok(cli(a, ['register', 'candidate', weights('wip'), '--version', '1.0.0', '--no-code'], env), 'register on wip');
        gitIn(a, 'push', '-q', 'origin', 'wip');
        // A pull request whose only ref is refs/pull/7/head (its branch deleted), and a fork's (refs/pull/8/head).
        gitIn(a, 'switch', '-q', '-c', 'pr7', 'main');
        ok(cli(a, ['register', 'pr7', weights('pr7'), '--version', '1.0.0', '--no-code'], env), 'register for pr 7');
        gitIn(a, 'push', '-q', 'origin', 'HEAD:refs/pull/7/head');
        ok(cli(fork, ['register', 'forked', weights('fork'), '--version', '1.0.0', '--no-code'], env), 'register in a fork');
        gitIn(fork, 'push', '-q', remote, 'HEAD:refs/pull/8/head');
        gitIn(fork, 'reset', '-q', '--hard', 'HEAD~1'); // the fork's own branch moves on
        // Bytes nothing names: a registration whose commit was dropped.
        ok(cli(b, ['register', 'dropped', weights('dropped'), '--version', '1.0.0', '--no-code'], env), 'register, then drop');
        gitIn(b, 'reset', '-q', '--hard', 'HEAD~1');
        gitIn(b, 'reflog', 'expire', '--expire=now', '--all');

        await kind.tick();
        const first = ok(gc(b, env), 'first gc').json();
        expect(first.deleted).toEqual([]); // a run only marks
        expect(first.marked.length).toBe(1);
        await kind.tick();
        const second = ok(gc(b, env), 'second gc').json();
        expect(second.deleted.length).toBe(1);
        expect(second.remotes).toEqual([{ name: 'origin', fetched: true }]);
        // Everything any ref names is there, seen from each clone.
        gitIn(a, 'fetch', '-q', 'origin', '+refs/pull/*:refs/remotes/origin/pull/*');
        expect(missing(a, env)).toEqual([]);
        for (const ref of ['candidate@1.0.0']) expect(ok(cli(a, ['verify', ref, '--at', 'wip', '--json'], env), ref).json().ok).toBe(true);
        expect(ok(cli(a, ['verify', 'pr7@1.0.0', '--at', 'origin/pull/7/head', '--json'], env), 'pr7').json().ok).toBe(true);
        expect(ok(cli(a, ['verify', 'forked@1.0.0', '--at', 'origin/pull/8/head', '--json'], env), 'forked').json().ok).toBe(true);
      },
    );

    it('refuses when a remote cannot be reached; --offline says the view is partial and decides only about old objects', { timeout: 300_000 }, async () => {
      const b = remoteAndClones(1).clones[0]!;
      const { env } = kind.make();
      ok(cli(b, ['register', 'dropped', weights('x'), '--version', '1.0.0', '--no-code'], env), 'register');
      gitIn(b, 'reset', '-q', '--hard', 'HEAD~1');
      gitIn(b, 'reflog', 'expire', '--expire=now', '--all');
      gitIn(b, 'remote', 'set-url', 'origin', join(tempDir(), 'gone.git'));
      const r = gc(b, env);
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe('precondition');
      expect(r.json().error.message).toMatch(/gc needs every ref of every remote, and origin cannot be fetched/);
      const human = cli(b, ['gc', '--offline', '--grace', '14d'], env);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stderr).toContain('note: origin could not be fetched');
      expect(human.stdout).toMatch(/deleted 0 object\(s\).*marked 0 unreferenced/); // young: not considered on a partial view
      const offline = ok(gc(b, env, '--offline'), 'offline gc').json();
      expect(offline.partial).toBe(true);
    });

    it(
      'a dedup hit racing a gc: bytes deleted before the registration refreshed them are stored again; refreshed bytes are spared',
      { timeout: 300_000 },
      async () => {
        const a = remoteAndClones(1).clones[0]!;
        const { env } = kind.make();
        const dir = weights('shared');
        // The bytes are stored, then orphaned: their registration was dropped. A gc marks them.
        ok(cli(a, ['register', 'm', dir, '--version', '1.0.0', '--no-code'], env), 'first registration');
        gitIn(a, 'reset', '-q', '--hard', 'HEAD~1');
        gitIn(a, 'reflog', 'expire', '--expire=now', '--all');
        await kind.tick();
        ok(gc(a, env), 'marking gc');
        await kind.tick();

        // 1. The registration finds the bytes and pauses before refreshing them; a gc deletes them meanwhile.
        const pause1 = mkdtempSync(join(tmpdir(), 'modelreg-pause-'));
        const reg1 = cliAsync(a, ['register', 'm', dir, '--version', '1.0.0', '--no-code', '--json'], {
          ...env,
          MODELREG_PAUSE_AT: 'dedup',
          MODELREG_PAUSE_DIR: pause1,
        });
        await pausedAt(pause1, 'dedup');
        const deleting = await cliAsync(a, ['gc', '--grace', '0', '--json'], env);
        expect(deleting.code, deleting.stderr).toBe(0);
        expect(deleting.json().deleted.length).toBe(1);
        resume(pause1, 'dedup');
        const r1 = await reg1;
        expect(r1.code, r1.stderr).toBe(0);
        expect(r1.json().artifacts[0].stored).toBe(true); // stored again: the gc had taken them
        expect(missing(a, env)).toEqual([]);

        // 2. Orphaned and marked again; this time a gc pauses holding the lock, having decided to delete them,
        // and a registration finds them, refreshes them and waits: the gc spares them at the last moment.
        gitIn(a, 'reset', '-q', '--hard', 'HEAD~1');
        gitIn(a, 'reflog', 'expire', '--expire=now', '--all');
        await kind.tick();
        ok(gc(a, env), 'marking gc');
        await kind.tick();
        const pause2 = mkdtempSync(join(tmpdir(), 'modelreg-pause-'));
        const held = cliAsync(a, ['gc', '--grace', '0', '--json'], { ...env, MODELREG_PAUSE_AT: 'gc-decide', MODELREG_PAUSE_DIR: pause2 });
        await pausedAt(pause2, 'gc-decide');
        const pause3 = mkdtempSync(join(tmpdir(), 'modelreg-pause-'));
        const reg2 = cliAsync(a, ['register', 'm', dir, '--version', '1.0.0', '--no-code', '--json'], {
          ...env,
          MODELREG_PAUSE_AT: 'dedup-refreshed',
          MODELREG_PAUSE_DIR: pause3,
        });
        await pausedAt(pause3, 'dedup-refreshed'); // it has refreshed the bytes; next it waits for the lock
        resume(pause3, 'dedup-refreshed');
        await sleep(200);
        resume(pause2, 'gc-decide');
        const g2 = await held;
        expect(g2.code, g2.stderr).toBe(0);
        expect(g2.json().deleted).toEqual([]);
        expect(g2.json().spared.length).toBe(1);
        const r2 = await reg2;
        expect(r2.code, r2.stderr).toBe(0);
        expect(r2.json().artifacts[0].stored).toBe(false);
        expect(missing(a, env)).toEqual([]);
      },
    );

    it('two gc runs at once cannot both delete: the second is refused while the first holds the store', { timeout: 300_000 }, async () => {
      const a = remoteAndClones(1).clones[0]!;
      const { env } = kind.make();
      const pause = mkdtempSync(join(tmpdir(), 'modelreg-pause-'));
      const first = cliAsync(a, ['gc', '--grace', '0', '--json'], { ...env, MODELREG_PAUSE_AT: 'gc-lock', MODELREG_PAUSE_DIR: pause });
      await pausedAt(pause, 'gc-lock');
      const second = await cliAsync(a, ['gc', '--grace', '0', '--json'], env);
      expect(second.code).toBe(1);
      expect(second.json().error).toMatchObject({ code: 'conflict' });
      expect(second.json().error.message).toMatch(/^another gc holds the store: started .* \(pid \d+\)$/);
      resume(pause, 'gc-lock');
      expect((await first).code).toBe(0);
      ok(gc(a, env), 'a gc after the first is done');
    });

    it('killed at any step, gc deletes nothing referenced, and the next run completes', { timeout: 600_000 }, async () => {
      const steps = ['gc-view', 'gc-lock', 'gc-decide', 'gc-delete', 'gc-marks', 'gc-unlock'];
      for (const step of steps) {
        const a = remoteAndClones(1).clones[0]!;
        const { env } = kind.make();
        ok(cli(a, ['register', 'kept', weights(`kept ${step}`), '--version', '1.0.0', '--no-code'], env), 'kept');
        for (const n of ['one', 'two']) {
          ok(cli(a, ['register', `gone-${n}`, weights(`${n} ${step}`), '--version', '1.0.0', '--no-code'], env), n);
          gitIn(a, 'reset', '-q', '--hard', 'HEAD~1');
        }
        gitIn(a, 'reflog', 'expire', '--expire=now', '--all');
        await kind.tick();
        ok(gc(a, env), 'marking gc');
        await kind.tick();
        const killed = await cliAsync(a, ['gc', '--grace', '0', '--json'], { ...env, MODELREG_FAULT_AFTER: step }, { killAfterMs: 120_000 });
        expect(killed.code, `${step}: ${killed.stderr}`).toBe(128);
        expect(missing(a, env), `after a kill at ${step}`).toEqual([]);
        const next = ok(gc(a, env), `the gc after a kill at ${step}`).json();
        expect(missing(a, env)).toEqual([]);
        const after = ok(gc(a, env, '--dry-run'), 'dry run').json();
        expect(after.deleted, step).toEqual([]);
        expect(after.marked, `${step}: nothing unreferenced is left`).toEqual([]);
        expect(next.referenced).toBeGreaterThan(0);
      }
    });

    it('the default grace is 14 days: two runs a moment apart mark, and delete nothing; --dry-run shows both lists', { timeout: 300_000 }, async () => {
      const a = remoteAndClones(1).clones[0]!;
      const { env } = kind.make();
      ok(cli(a, ['register', 'dropped', weights('default'), '--version', '1.0.0', '--no-code'], env), 'register');
      gitIn(a, 'reset', '-q', '--hard', 'HEAD~1');
      gitIn(a, 'reflog', 'expire', '--expire=now', '--all');
      // The store's clock counts whole seconds: a mark in the second the bytes were written counts them as refreshed.
      await kind.tick();
      const one = ok(cli(a, ['gc', '--json'], env), 'gc').json();
      const two = ok(cli(a, ['gc', '--json'], env), 'gc').json();
      expect(one.graceMs).toBe(14 * 86_400_000);
      expect([one.deleted, two.deleted]).toEqual([[], []]);
      expect(two.marked.map((m: { why: string }) => m.why)).toEqual(['recent']);
      ok(cli(a, ['register', 'dropped-too', weights('newer'), '--version', '1.0.0', '--no-code'], env), 'register another');
      gitIn(a, 'reset', '-q', '--hard', 'HEAD~1');
      gitIn(a, 'reflog', 'expire', '--expire=now', '--all');
      await kind.tick();
      const dry = ok(cli(a, ['gc', '--grace', '0', '--dry-run'], env), 'dry run');
      expect(dry.stdout).toMatch(/^SHA256 +SIZE +MARKED\n[0-9a-f]{64} /); // the one marked by a run before
      expect(dry.stdout).toMatch(/would delete 1 object\(s\).*would mark 1 unreferenced \(1 new\)/);
      expect(dry.stdout).toMatch(/\nMARKED SHA256 +SIZE +SINCE +WHY NOT YET\n[0-9a-f]{64} .* new\n/);
      expect(missing(a, env)).toEqual([]);
      expect(ok(gc(a, env, '--dry-run'), 'dry run again').json().deleted.length).toBe(1); // the dry run deleted nothing
    });
  });
}
