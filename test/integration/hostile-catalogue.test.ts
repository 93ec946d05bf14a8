/**
 * The hostile-input catalogue (test/hostile/catalogue.ts) through `modelreg validate`, on a real
 * repository per case, read both ways a registry is read: from Git objects exactly as the pull-request
 * check reads a change (`--base`/`--head`), and from the work tree. Each case must be rejected (exit 1;
 * a few are warnings by design, exit 0) with its findings naming file and line, with no uncaught
 * exception, nothing from outside the registry in any output, no terminal or workflow-command
 * injection in the human output, and nothing in the work tree touched.
 */
import { describe, expect, it } from 'vitest';
import { CANARY, CATALOGUE, type HostileCase } from '../hostile/catalogue.js';
import { applyCase, expectCaseFindings, outsideCanaryFile, pairwise } from '../hostile/apply.js';
import { cli, cliAsync, commitAll, fixtureRepo, gitIn, write } from './helpers.js';

const canaryFile = outsideCanaryFile();

function setUp(c: HostileCase): { repo: string; base: string } {
  const { repo } = fixtureRepo();
  const base = gitIn(repo, 'rev-parse', 'HEAD');
  applyCase(repo, c, canaryFile);
  commitAll(repo, `hostile: ${c.id}`);
  return { repo, base };
}

async function check(c: HostileCase): Promise<void> {
  const { repo, base } = setUp(c);
  const before = gitIn(repo, 'status', '--porcelain', '--ignore-submodules=none');
  const runs = {
    // -r: the registry named, as the pull-request check names it (without registry.yaml it cannot be found).
    'git objects (--base/--head)': await cliAsync(repo, ['validate', '-r', '.', '--base', base, '--head', 'HEAD', '--json']),
    'work tree': await cliAsync(repo, ['validate', '-r', '.', '--json']),
  };
  for (const [how, r] of Object.entries(runs)) {
    const where = `${c.id} (${c.what}), read from the ${how}`;
    expect(r.stderr, where).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError|Maximum call stack/);
    const refused = (c.verdict ?? 'error') === 'error';
    expect(r.code, `${where}: exit ${r.code}\n${r.stderr}`).toBe(refused ? 1 : 0);
    expect(r.stdout + r.stderr, where).not.toContain(CANARY);
    let report;
    try {
      report = r.json();
    } catch {
      throw new Error(`${where}: not JSON: ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
    }
    expect(report.error, `${where}: ${JSON.stringify(report.error)}`).toBeUndefined();
    expect(report.ok, where).toBe(!refused);
    expectCaseFindings(report.findings, c, where);
    for (const f of report.findings) expect(f.file === undefined || typeof f.file === 'string').toBe(true);
  }
  // The human output: no terminal escapes, no line a runner would take as a workflow command.
  const human = await cliAsync(repo, ['validate', '-r', '.']);
  expect(human.code).toBe((c.verdict ?? 'error') === 'error' ? 1 : 0);
  expect(human.stdout + human.stderr).not.toMatch(/[\u001b\u0007]/);
  expect((human.stdout + human.stderr).split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
  expect(human.stdout + human.stderr).not.toContain(CANARY);
  expect(gitIn(repo, 'status', '--porcelain', '--ignore-submodules=none')).toBe(before);
}

describe('the hostile-input catalogue', () => {
  it('has at least 60 cases across every group, with unique ids', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CATALOGUE.map((c) => c.id)).size).toBe(CATALOGUE.length);
    expect(new Set(CATALOGUE.map((c) => c.group))).toEqual(new Set(['yaml', 'names', 'values', 'tree', 'output']));
  });

  for (const group of ['yaml', 'names', 'values', 'tree', 'output'] as const) {
    it(`rejects every ${group} case with findings naming file and line, leaking and changing nothing`, { timeout: 300_000 }, async () => {
      await pairwise(
        CATALOGUE.filter((c) => c.group === group),
        check,
      );
    });
  }
});

describe("Git's own text on the terminal", () => {
  it('a commit author and message carrying terminal escapes and a bidirectional override reach the terminal as visible escapes', () => {
    const { repo } = fixtureRepo();
    write(repo, 'models/bert-base/model.yaml', 'name: bert-base\nowners: [x]\ndescription: changed\n');
    gitIn(repo, 'add', '-A');
    gitIn(
      repo,
      '-c',
      'user.name=mallory\u001b]52;c;cHduZWQ=\u0007\u001b[2J',
      '-c',
      'user.email=m@example.com',
      'commit',
      '-q',
      '--author',
      'mallory\u001b[2J\u202E <m@example.com>',
      '-m',
      'Promote\u001b[31m to production (#7)\u202E',
    );
    for (const args of [
      ['history', 'bert-base'],
      ['history', 'bert-base', '--json'],
    ]) {
      const r = cli(repo, args);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain('mallory');
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(/[\u001b\u0007\u202e]/);
    }
  });
});
