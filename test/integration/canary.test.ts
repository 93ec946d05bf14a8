/**
 * A canary through pull requests (issue 21): `promote --weight` writes each step on a branch, the bundled
 * pull-request action judges it with the base branch's policy — the gates on the version gaining weight,
 * `max_step`, and the soak time counted from the commit times in `git log` — and merging it moves the
 * split. 10 → 50 → 100, then a rollback; and a step taken too soon, refused by the CLI and by the check.
 *
 * Time is told the way Git tells it: a step taken "three hours ago" is a commit dated then (the CLI
 * records moved_at from GIT_COMMITTER_DATE, as the commit does) merged by a merge commit dated then; the
 * check itself runs on the real clock.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, commitAll, fixtureRepo, gitIn, treeState } from './helpers.js';
import { expectNoLeak, gh, prEvent, runAction, useStandIn, type Pr } from './action-harness.js';

useStandIn();

const PRODUCTION = 'models/sentiment/stages/production.yaml';

/** The fixture registry with production allowed to grow by 50 points a step, an hour at each weight. */
function canaryRepo(): string {
  const { repo } = fixtureRepo();
  const policy = join(repo, 'registry.yaml');
  const text = readFileSync(policy, 'utf8');
  const withSplit = text.replace('    never_empty: true\n', '    never_empty: true\n    split: { max_step: 50, soak: 1h }\n');
  expect(withSplit).not.toBe(text);
  writeFileSync(policy, withSplit);
  commitAll(repo, 'Production: canaries of at most 50 points a step, an hour at each weight');
  return repo;
}

const ago = (minutes: number) => `@${Math.floor(Date.now() / 1000) - minutes * 60} +0000`;
const dated = (when: string) => ({ GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when });

/** A step of the canary, written by the CLI on its own branch; the work tree stays on main. */
function step(repo: string, branch: string, args: string[], env: Record<string, string> = {}) {
  const r = cli(repo, ['promote', 'sentiment@1.2.0', 'production', ...args, '--branch', branch, '--json'], env);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  expect(gitIn(repo, 'branch', '--show-current')).toBe('main');
  return r.json();
}

/** The pull request of `branch` against main, judged by the action, approved by bob (production needs one approval). */
async function judge(repo: string, branch: string, number: number) {
  const pr: Pr = { repo, base: gitIn(repo, 'rev-parse', 'main'), head: gitIn(repo, 'rev-parse', branch) };
  const event = prEvent(pr, { number });
  gh.state.reviews.set(number, [{ login: 'bob', state: 'APPROVED', commit_id: pr.head }]);
  const run = await runAction(pr, event);
  expectNoLeak(run);
  return run;
}

/** GitHub merging the pull request at `when` (default: now): a merge commit on main's first-parent line, by GitHub. */
function merge(repo: string, branch: string, number: number, when?: string): void {
  const r = spawnSync('git', ['merge', '-q', '--no-ff', branch, '-m', `Merge pull request #${number} from acme/${branch}`], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_COMMITTER_NAME: 'GitHub', GIT_COMMITTER_EMAIL: 'noreply@github.com', ...(when ? dated(when) : {}) },
  });
  expect(r.status, r.stderr).toBe(0);
}

const split = (repo: string) => {
  const r = cli(repo, ['resolve', 'sentiment@production', '--json']);
  expect(r.code, r.stderr).toBe(0);
  const j = r.json();
  return {
    version: j.version as string,
    arms: (j.arms ?? []).map((a: { version: string; weight: number | null; shadow: boolean }) => [a.version, a.shadow ? 'shadow' : a.weight]),
  };
};

describe('a canary through pull requests', () => {
  it('goes 10 → 50 → 100 with the gates, max_step and the soak time judged at each step, then rolls back', async () => {
    const repo = canaryRepo();

    // Straight to 100, or a first step of 60: more than production's max_step, refused before anything is written.
    const before = treeState(repo);
    for (const args of [[], ['--weight', '60']]) {
      const r = cli(repo, ['promote', 'sentiment@1.2.0', 'production', ...args, '--branch', 'too-far', '--json']);
      expect(r.code).not.toBe(0);
      const e = JSON.parse(r.stdout || r.stderr);
      expect(e.error.findings.map((f: { code: string }) => f.code)).toEqual(['split-step']);
      expect(e.error.findings[0]).toMatchObject({ file: PRODUCTION, field: '/arms' });
    }
    expect(gitIn(repo, 'branch', '--list', 'too-far')).toBe('');
    expect(treeState(repo)).toEqual(before);

    // 10%, three hours ago: the gates judge 1.2.0 against the holder 1.1.0; the split is shown before and after.
    const ten = step(repo, 'canary-10', ['--weight', '10', '--reason', 'canary'], dated(ago(180)));
    expect(ten.split.after).toEqual([
      { version: '1.2.0', weight: 10 },
      { version: '1.1.0', weight: 90 },
    ]);
    const run10 = await judge(repo, 'canary-10', 10);
    expect(run10.code, run10.stdout + run10.stderr).toBe(0);
    expect(run10.report.verdict).toBe('pass');
    const p10 = run10.report.promotions[0];
    expect(p10).toMatchObject({ from: '1.1.0', to: '1.2.0', rollback: false, passed: true });
    expect(p10.gates.map((g: { gate: string }) => g.gate)).toEqual(expect.arrayContaining(['order', 'metric', 'regression', 'step', 'approvals']));
    expect(p10.gates.find((g: { gate: string }) => g.gate === 'regression').message).toContain('held by 1.1.0');
    expect(run10.summary).toContain('- Split: sentiment **production** 1\\.1\\.0 100% → 1\\.2\\.0 10% · 1\\.1\\.0 90%');
    expect(run10.summary).toContain('| 1\\.2\\.0 | – | 10% |');
    expect(run10.summary).toContain('| 1\\.1\\.0 | 100% | 90% |');
    merge(repo, 'canary-10', 10, ago(180));
    expect(split(repo)).toEqual({
      version: '1.1.0',
      arms: [
        ['1.2.0', 10],
        ['1.1.0', 90],
      ],
    });

    // 50%, an hour and a half later (soaked at 10% for 1h30m): passes.
    step(repo, 'canary-50', ['--weight', '50'], dated(ago(90)));
    const run50 = await judge(repo, 'canary-50', 11);
    expect(run50.report.verdict, JSON.stringify(run50.report.findings)).toBe('pass');
    const soak50 = run50.report.promotions[0].gates.find((g: { gate: string }) => g.gate === 'soak');
    expect(soak50).toMatchObject({ passed: true });
    expect(soak50.message).toMatch(/^sentiment@1\.2\.0 has held 10% for 3h( \d+m)? \(since /);
    merge(repo, 'canary-50', 11, ago(90));

    // 100% now: soaked at 50% for 1h30m, a step of 50; 1.2.0 holds production alone, 1.1.0 is its previous.
    const hundred = step(repo, 'canary-100', ['--weight', '100']);
    expect(hundred.previous).toBe('1.1.0');
    const run100 = await judge(repo, 'canary-100', 12);
    expect(run100.report.verdict, JSON.stringify(run100.report.findings)).toBe('pass');
    expect(run100.summary).toContain('- Split: sentiment **production** 1\\.2\\.0 50% · 1\\.1\\.0 50% → 1\\.2\\.0 100%');
    merge(repo, 'canary-100', 12);
    expect(split(repo)).toEqual({ version: '1.2.0', arms: [] });
    const stage = readFileSync(join(repo, PRODUCTION), 'utf8');
    expect(stage).toContain('previous: 1.1.0');
    expect(stage).not.toContain('arms:');

    // The audit trail tells each step from what it was to what it became.
    const history = cli(repo, ['history', 'sentiment', '--json'])
      .json()
      .events.filter((e: { stage?: string }) => e.stage === 'production');
    expect(
      history.slice(0, 3).map((e: { kind: string; pr?: number; split: { before: unknown[]; after: unknown[] } }) => [e.kind, e.pr, e.split.after.length]),
    ).toEqual([
      ['promoted', 12, 1],
      ['promoted', 11, 2],
      ['promoted', 10, 2],
    ]);
    expect(cli(repo, ['history', 'sentiment']).stdout).toContain('promoted production: 1.1.0 100% → 1.2.0 10% · 1.1.0 90%');

    // And back: the rollback goes to the version the canary replaced, with no soak to wait.
    const back = cli(repo, ['rollback', 'sentiment', 'production', '--branch', 'back', '--json']);
    expect(back.code, back.stderr).toBe(0);
    expect((await judge(repo, 'back', 13)).report.verdict).toBe('pass');
    merge(repo, 'back', 13);
    expect(split(repo).version).toBe('1.1.0');
  });

  it('a step taken before the soak time is up is refused by the CLI, and by the check when --no-verify wrote it', async () => {
    const repo = canaryRepo();
    step(repo, 'canary-10', ['--weight', '10'], dated(ago(20)));
    merge(repo, 'canary-10', 20, ago(20));

    const before = treeState(repo);
    const early = cli(repo, ['promote', 'sentiment@1.2.0', 'production', '--weight', '50', '--branch', 'too-soon', '--json']);
    expect(early.code).not.toBe(0);
    const findings = JSON.parse(early.stdout || early.stderr).error.findings;
    expect(findings.map((f: { code: string }) => f.code)).toEqual(['split-soak']);
    expect(findings[0].message).toMatch(/has held 10% for 20m \(since .*\); production needs 1h at each weight: 40m to go$/);
    expect(treeState(repo)).toEqual(before);

    // Written anyway (--no-verify waives it locally), the pull-request check refuses it, at the stage file's line.
    const waived = step(repo, 'too-soon', ['--weight', '50', '--no-verify']);
    expect(waived.waived.map((f: { code: string }) => f.code)).toEqual(['split-soak']);
    const run = await judge(repo, 'too-soon', 21);
    expect(run.code).not.toBe(0);
    expect(run.report.verdict).toBe('fail');
    const f = run.report.findings.find((x: { code: string }) => x.code === 'split-soak');
    expect(f).toMatchObject({ file: PRODUCTION, field: '/arms' });
    expect(f.line).toBeGreaterThan(1);
    expect(run.commands.some((c) => c.startsWith(`::error file=${PRODUCTION},line=${f.line}`))).toBe(true);

    // Ending the split needs no soak.
    const end = cli(repo, ['rollback', 'sentiment', 'production', '--branch', 'end', '--json']);
    expect(end.code, end.stderr).toBe(0);
    expect((await judge(repo, 'end', 22)).report.verdict).toBe('pass');
  });
});
