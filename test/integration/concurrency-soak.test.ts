/**
 * A concurrency soak (issue 8): N clones, each with its own identity, each registering M versions of the
 * same model and promoting each to the same stage, all at once, with --push — against a bare repository
 * opened by path, and against one served over HTTP by `git http-backend` on loopback.
 *
 * Two kinds of race are expected and must be handled: a push that loses (modelreg re-plans on the new tip
 * and retries by itself, up to its limit; past it, the command says so and changes nothing, and this test
 * runs it again as a user would), and a promotion whose stage another clone moved in the meantime
 * (refused as a conflict of intent, never applied over the other; run again, it lands).
 *
 * Afterwards, on a fresh clone: every registration and promotion landed exactly once, by the identity
 * that made it, the history (`modelreg history --json`) says who did what, the registry validates, and
 * every new version's artifacts are in the store. MODELREG_SOAK_CLONES and MODELREG_SOAK_WRITES size it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, fixtureRepo, gitIn, gitInAsync, tempDir, type CliResult } from './helpers.js';
import { serveGit, type GitHttpServer } from '../../scripts/git-http-server.mjs';

const CLONES = Number(process.env.MODELREG_SOAK_CLONES ?? 4);
const WRITES = Number(process.env.MODELREG_SOAK_WRITES ?? 2);
/** Errors a user meets in a race and answers by running the command again. */
const RACES = new Set(['push-rejected', 'conflict']);

interface Done {
  clone: number;
  email: string;
  registered: string[];
  promoted: string[];
  /** Commands run again after a lost race, by the error they ended with. */
  reruns: Record<string, number>;
  /** Pushes modelreg itself retried within a command. */
  retries: number;
}

const identity = (i: number) => ({
  GIT_AUTHOR_NAME: `Clone ${i}`,
  GIT_AUTHOR_EMAIL: `clone-${i}@example.com`,
  GIT_COMMITTER_NAME: `Clone ${i}`,
  GIT_COMMITTER_EMAIL: `clone-${i}@example.com`,
});

/** Run a write until it lands; a lost race is answered by running it again, anything else fails the test. */
async function untilLanded(dir: string, args: string[], env: Record<string, string>, done: Done): Promise<CliResult> {
  for (let run = 1; run <= 30; run++) {
    const r = await cliAsync(dir, [...args, '--push', '--json'], env);
    if (r.code === 0) {
      done.retries += r.json().attempts - 1;
      return r;
    }
    const code = JSON.parse(r.stdout || '{}').error?.code;
    expect(RACES.has(code), `${args.join(' ')} in clone ${done.clone}: ${r.stdout}${r.stderr}`).toBe(true);
    expect(gitIn(dir, 'status', '--porcelain'), 'a lost race leaves the work tree clean').toBe('');
    done.reruns[code] = (done.reruns[code] ?? 0) + 1;
    await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
  }
  throw new Error(`${args.join(' ')} in clone ${done.clone} did not land in 30 runs`);
}

async function cloneWork(url: string, i: number, store: string): Promise<Done> {
  const dir = join(tempDir(), `clone${i}`);
  await gitInAsync(tempDir(), 'clone', '-q', url, dir);
  const env = { ...identity(i), MODELREG_STORE: `file://${store}` };
  const done: Done = { clone: i, email: identity(i).GIT_AUTHOR_EMAIL, registered: [], promoted: [], reruns: {}, retries: 0 };
  for (let j = 0; j < WRITES; j++) {
    const artifacts = tempDir();
    writeFileSync(join(artifacts, 'model.safetensors'), `weights of clone ${i}, write ${j} `.repeat(5000));
    const r = await untilLanded(dir, ['register', 'sentiment', artifacts, '--bump', 'patch', '--metric', 'accuracy=0.9', '--no-code'], env, done);
    const version = r.json().version as string;
    done.registered.push(version);
    await untilLanded(dir, ['promote', `sentiment@${version}`, 'development'], env, done);
    done.promoted.push(version);
  }
  return done;
}

async function soak(url: string, remote: string): Promise<Done[]> {
  const store = join(tempDir(), 'store');
  const results = await Promise.all(Array.from({ length: CLONES }, (_, i) => cloneWork(url, i, store)));

  const check = join(tempDir(), 'check');
  gitIn(tempDir(), 'clone', '-q', remote, check);
  const validate = cli(check, ['validate']);
  expect(validate.code, validate.stdout + validate.stderr).toBe(0);

  const log = gitIn(check, 'log', '--format=%ae%x09%s')
    .split('\n')
    .map((l) => l.split('\t') as [string, string]);
  const history = cli(check, ['history', 'sentiment', '--json']).json().events as { kind: string; version?: string; stage?: string; email: string }[];
  const all = results.flatMap((d) => d.registered);
  expect(new Set(all).size, `versions: ${all.join(', ')}`).toBe(CLONES * WRITES);
  for (const d of results) {
    for (const v of d.registered) {
      // Exactly once, by the clone that reported it; the history says the same.
      expect(
        log.filter(([, s]) => s === `Register sentiment@${v}`),
        `register ${v}`,
      ).toEqual([[d.email, `Register sentiment@${v}`]]);
      expect(history.filter((e) => e.kind === 'registered' && e.version === v).map((e) => e.email)).toEqual([d.email]);
      expect(cli(check, ['verify', `sentiment@${v}`], { MODELREG_STORE: `file://${store}` }).code, `artifacts of ${v}`).toBe(0);
    }
    for (const v of d.promoted) {
      expect(
        log.filter(([, s]) => s === `Promote sentiment@${v} to development`),
        `promote ${v}`,
      ).toEqual([[d.email, `Promote sentiment@${v} to development`]]);
      expect(history.filter((e) => e.kind === 'promoted' && e.stage === 'development' && e.version === v).map((e) => e.email)).toEqual([d.email]);
    }
  }
  // The stage ends with the last promotion the history records.
  const lastPromotion = log.find(([, s]) => / to development$/.test(s))![1];
  const holder = cli(check, ['resolve', 'sentiment@development', '--json']).json().version;
  expect(lastPromotion).toBe(`Promote sentiment@${holder} to development`);
  const reruns: Record<string, number> = {};
  for (const d of results) for (const [code, n] of Object.entries(d.reruns)) reruns[code] = (reruns[code] ?? 0) + n;
  const rerunText =
    Object.entries(reruns)
      .map(([code, n]) => `${n} after ${code}`)
      .join(', ') || 'none';
  const retries = results.reduce((n, d) => n + d.retries, 0);
  console.log(
    `concurrency soak (${url.startsWith('http') ? 'HTTP' : 'bare'}): ${CLONES} clones × ${WRITES} registrations and ${WRITES} promotions = ${CLONES * WRITES * 2} writes; ${retries} pushes retried by modelreg, commands run again after a lost race: ${rerunText}; all landed once`,
  );
  return results;
}

function bareRemote(): { root: string; remote: string } {
  const { repo } = fixtureRepo();
  const root = tempDir();
  const remote = join(root, 'registry.git');
  gitIn(repo, 'clone', '-q', '--bare', repo, remote);
  return { root, remote };
}

describe(`a concurrency soak: ${CLONES} clones × ${WRITES} registrations and promotions each, at once`, () => {
  it('against a bare repository: every write lands once, by whoever made it', { timeout: 1_800_000 }, async () => {
    const { remote } = bareRemote();
    await soak(remote, remote);
  });

  describe('against a remote served over HTTP by git http-backend', () => {
    let server: GitHttpServer;
    let remote: string;
    let root: string;
    beforeAll(async () => {
      ({ root, remote } = bareRemote());
      server = await serveGit(root);
    });
    afterAll(() => server.close());

    it('every write lands once, by whoever made it', { timeout: 1_800_000 }, async () => {
      await soak(`${server.url}registry.git`, remote);
      expect(server.served.push).toBeGreaterThanOrEqual(CLONES * WRITES * 2);
      expect(server.served.fetch).toBeGreaterThan(0);
    });
  });
});
