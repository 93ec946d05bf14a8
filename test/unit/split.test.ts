/**
 * Split stages (issue 21): a stage file's `arms` — weighted versions in the assignment order with the main
 * holder last, and shadows — checked by the schema and the consistency rules, each finding with its file,
 * line and field.
 */
import { describe, expect, it } from 'vitest';
import { checkConsistency } from '../../src/checks/consistency.js';
import type { Finding } from '../../src/registry/findings.js';
import { DEPRECATED, M, S, V, lineOf, model, only, policy, snap, stage, version, type Fields, type Files } from './helpers.js';

const CANARY = [
  { version: '1.1.0', weight: 10 },
  { version: '1.0.0', weight: 90 },
];

/** m with 1.0.0 (holding production), 1.1.0 and 1.2.0; production's file with `arms`. */
function registry(arms: Fields[] | undefined, extra: Files = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '1.0.0')]: version('m', '1.0.0'),
    [V('m', '1.1.0')]: version('m', '1.1.0'),
    [V('m', '1.2.0')]: version('m', '1.2.0'),
    [S('m', 'production')]: stage('m', 'production', '1.0.0', arms ? { arms } : {}),
    ...extra,
  };
}

/** Every finding, the schema's and the consistency rules'. */
function findings(files: Files): Finding[] {
  const s = snap(files);
  return [...s.findings, ...checkConsistency(s)];
}

const FILE = S('m', 'production');

describe('a split stage', () => {
  it('a canary beside its holder, and a shadow, are consistent', () => {
    expect(findings(registry(CANARY))).toEqual([]);
    expect(
      findings(
        registry([
          { version: '1.1.0', weight: 10 },
          { version: '1.2.0', shadow: true },
          { version: '1.0.0', weight: 90 },
        ]),
      ),
    ).toEqual([]);
  });

  it('weights that do not sum to 100', () => {
    const files = registry([
      { version: '1.1.0', weight: 10 },
      { version: '1.0.0', weight: 80 },
    ]);
    const f = only(findings(files), { code: 'split-weights', file: FILE, line: lineOf(files[FILE]!, '1.1.0'), field: '/arms' }); // the list's first line
    expect(f.message).toBe('the weights of m@production sum to 90: 1.1.0 10, 1.0.0 80');
  });

  it('the main holder is not the last weighted arm', () => {
    const files = registry([
      { version: '1.0.0', weight: 90 },
      { version: '1.1.0', weight: 10 },
    ]);
    const f = only(findings(files), { code: 'split-holder', file: FILE, field: '/arms/1/version', line: lineOf(files[FILE]!, '1.1.0') });
    expect(f.message).toBe('m@production is held by 1.0.0, but its last weighted arm is 1.1.0');
  });

  it('a shadow with a weight, a weighted arm without one, a version twice', () => {
    const shadowWeighted = registry([
      { version: '1.1.0', weight: 10 },
      { version: '1.2.0', shadow: true, weight: 5 },
      { version: '1.0.0', weight: 90 },
    ]);
    expect(only(findings(shadowWeighted), { code: 'split-arm', file: FILE, field: '/arms/1/weight' }).message).toBe(
      'm@production: the shadow 1.2.0 has a weight; a shadow answers no one',
    );

    const unweighted = registry([{ version: '1.1.0' }, { version: '1.0.0', weight: 100 - 1 }]);
    const f = findings(unweighted);
    expect(f.find((x) => x.code === 'split-arm')?.message).toBe('m@production: the arm 1.1.0 has no weight (a shadow says shadow: true)');
    expect(f.find((x) => x.code === 'split-arm')?.field).toBe('/arms/0');

    const twice = registry([
      { version: '1.1.0', weight: 5 },
      { version: '1.1.0', weight: 5 },
      { version: '1.0.0', weight: 90 },
    ]);
    expect(only(findings(twice), { code: 'split-arm', file: FILE, field: '/arms/1/version' }).message).toBe('m@production names 1.1.0 twice among its arms');
  });

  it('an arm that does not exist, and one that is deprecated', () => {
    const dangling = registry([
      { version: '2.0.0', weight: 10 },
      { version: '1.0.0', weight: 90 },
    ]);
    const d = only(findings(dangling), { code: 'stage-dangling', file: FILE, field: '/arms/0/version', line: lineOf(dangling[FILE]!, '2.0.0') });
    expect(d.message).toBe('m@production splits its traffic with version 2.0.0, which does not exist');

    const deprecated = registry(CANARY, { [V('m', '1.1.0')]: version('m', '1.1.0', { deprecated: DEPRECATED }) });
    expect(only(findings(deprecated), { code: 'stage-deprecated', file: FILE, field: '/arms/0/version' }).message).toBe(
      'm@production splits its traffic with 1.1.0, which is deprecated',
    );
  });

  it('the schema: a whole percentage from 1 to 99, at least two arms, nothing else in an arm', () => {
    for (const [arms, field] of [
      [
        [
          { version: '1.1.0', weight: 10.5 },
          { version: '1.0.0', weight: 89.5 },
        ],
        '/arms/0/weight',
      ],
      [
        [
          { version: '1.1.0', weight: 0 },
          { version: '1.0.0', weight: 100 },
        ],
        '/arms/0/weight',
      ],
      [[{ version: '1.0.0', weight: 100 }], '/arms'],
      [
        [
          { version: '1.1.0', weight: 10, note: 'x' },
          { version: '1.0.0', weight: 90 },
        ],
        '/arms/0',
      ],
      [
        [
          { version: '1.1.0', shadow: false },
          { version: '1.0.0', weight: 100 },
        ],
        '/arms/0/shadow',
      ],
    ] as [Fields[], string][]) {
      const f = snap(registry(arms)).findings.filter((x) => x.code === 'schema');
      expect(f.length, JSON.stringify(arms)).toBeGreaterThan(0);
      expect(f.every((x) => x.file === FILE && x.line !== undefined)).toBe(true);
      expect(
        f.some((x) => x.field?.startsWith(field)),
        `${JSON.stringify(f)} at ${field}`,
      ).toBe(true);
    }
  });
});
