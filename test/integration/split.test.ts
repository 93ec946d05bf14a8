/**
 * A split stage read by the CLI (issue 21): `resolve` lists every arm with its weight and artifacts,
 * `resolve --key` gives each key the arm the published rule gives it (docs/assignment.md), at a revision
 * as in the work tree, and `validate` names the file, line and field of a split that is wrong.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignArm } from '../../src/registry/assignment.js';
import { cli, fixtureRepo, gitIn } from './helpers.js';

const PRODUCTION = 'models/sentiment/stages/production.yaml';
/** The fixture's production (held by 1.1.0) split: a 20% canary of 1.2.0 and a shadow of 2.0.0-rc.1. */
const ARMS = 'arms:\n  - version: 1.2.0\n    weight: 20\n  - version: 2.0.0-rc.1\n    shadow: true\n  - version: 1.1.0\n    weight: 80\n';

function splitRepo(): string {
  const { registry } = fixtureRepo();
  appendFileSync(join(registry, PRODUCTION), ARMS);
  gitIn(registry, 'commit', '-qam', 'Split production: a 20% canary of 1.2.0, a shadow of 2.0.0-rc.1');
  return registry;
}

describe('a split stage, read', () => {
  it('resolve lists every arm with its weight and artifacts; the main holder stays what the stage resolves to', () => {
    const dir = splitRepo();
    const r = cli(dir, ['resolve', 'sentiment@production', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.version).toBe('1.1.0');
    expect(j.arms.map((a: { version: string; weight: number | null; shadow: boolean }) => [a.version, a.weight, a.shadow])).toEqual([
      ['1.2.0', 20, false],
      ['2.0.0-rc.1', null, true],
      ['1.1.0', 80, false],
    ]);
    // Each arm's artifacts are its version's own, as `resolve <model>@<version>` gives them.
    for (const arm of j.arms) expect(arm.artifacts).toEqual(JSON.parse(cli(dir, ['resolve', `sentiment@${arm.version}`, '--json']).stdout).artifacts);
    const text = cli(dir, ['resolve', 'sentiment@production']).stdout;
    expect(text).toContain('split of production: 1.2.0 20%, 2.0.0-rc.1 shadow, 1.1.0 80%');
  });

  it('resolve --key gives each key the arm the published rule gives it, and at a revision before the split, the holder', () => {
    const dir = splitRepo();
    const arms = [
      { version: '1.2.0', weight: 20 },
      { version: '1.1.0', weight: 80 },
    ];
    const keys = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    const got = keys.map((key) => {
      const r = cli(dir, ['resolve', 'sentiment@production', '--key', key, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { version: string; assignment: { key: string; bucket: number; weight: number } };
    });
    expect(got.map((g) => g.version)).toEqual(keys.map((k) => assignArm('sentiment', 'production', k, arms).version));
    expect(new Set(got.map((g) => g.version))).toEqual(new Set(['1.1.0', '1.2.0'])); // both arms answer some key
    for (const g of got) expect(g.assignment.weight).toBe(g.version === '1.2.0' ? 20 : 80);
    expect(got.every((g, i) => g.assignment.key === keys[i])).toBe(true);

    // Back to before the split, at a revision: every key gets the holder.
    gitIn(dir, 'tag', 'split');
    const before = cli(dir, ['resolve', 'sentiment@production', '--key', 'user-3', '--at', 'split~1', '--json']);
    expect(JSON.parse(before.stdout)).toMatchObject({ version: '1.1.0', assignment: { key: 'user-3', weight: 100 } });
    expect(JSON.parse(before.stdout).arms).toBeUndefined();
  });

  it('--key names a stage, not a version', () => {
    const dir = splitRepo();
    const r = cli(dir, ['resolve', 'sentiment@1.2.0', '--key', 'user-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a key picks an arm of a stage's split: name the stage (sentiment@<stage>), not sentiment@1.2.0");
  });

  it('validate names the file, line and field of a split that is wrong, and exits 1', () => {
    const { registry: dir } = fixtureRepo();
    appendFileSync(join(dir, PRODUCTION), 'arms:\n  - version: 1.0.0\n    weight: 20\n  - version: 1.1.0\n    weight: 70\n');
    const r = cli(dir, ['validate', '--json']);
    expect(r.code).toBe(1);
    const findings = JSON.parse(r.stdout).findings.map((f: { code: string; file: string; line: number; field: string }) => [f.code, f.file, f.line, f.field]);
    expect(findings).toEqual([
      ['split-weights', PRODUCTION, 10, '/arms'],
      ['stage-deprecated', PRODUCTION, 10, '/arms/0/version'],
    ]);
  });
});
