/**
 * The assignment rule of a weighted stage (src/registry/assignment.ts, docs/assignment.md): the published
 * vectors, by modelreg's implementation and by the Python the document shows (run as it stands, standard
 * library only), and the properties the document promises, over generated splits and keys.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignArm, assignmentBucket, assertWeights, BUCKETS, type Arm } from '../../src/registry/assignment.js';
import { ModelregError } from '../../src/registry/errors.js';

const DOC = fileURLToPath(new URL('../../docs/assignment.md', import.meta.url));
const VECTORS = fileURLToPath(new URL('../../docs/assignment-vectors.json', import.meta.url));
interface Vector {
  model: string;
  stage: string;
  key: string;
  bucket: number;
  arms: Arm[];
  version: string;
}
const vectors = (JSON.parse(readFileSync(VECTORS, 'utf8')) as { vectors: Vector[] }).vectors;

describe('the published vectors', () => {
  it('cover what the document says: three places, eleven keys, five splits', () => {
    expect(vectors).toHaveLength(165);
    expect(new Set(vectors.map((v) => v.key)).size).toBe(11);
    expect(new Set(vectors.map((v) => JSON.stringify(v.arms))).size).toBe(5);
    // Every arm of every multi-arm split is someone's answer somewhere, so a rule that always answered the first (or last) arm would fail.
    for (const arms of new Set(vectors.filter((v) => v.arms.filter((a) => a.weight > 0).length > 1).map((v) => JSON.stringify(v.arms)))) {
      const answers = new Set(vectors.filter((v) => JSON.stringify(v.arms) === arms).map((v) => v.version));
      expect(answers.size, arms).toBeGreaterThan(1);
    }
  });

  it('are what modelreg assigns', () => {
    for (const v of vectors) {
      expect(assignmentBucket(v.model, v.stage, v.key), JSON.stringify(v)).toBe(v.bucket);
      expect(assignArm(v.model, v.stage, v.key, v.arms).version, JSON.stringify(v)).toBe(v.version);
    }
  });

  it("are what the document's Python assigns, run as the document shows it", () => {
    const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    const block = /```python\n([\s\S]*?)```/.exec(readFileSync(DOC, 'utf8'))?.[1];
    expect(block, 'docs/assignment.md has a python block').toBeTruthy();
    const check = `${block}
import json, sys
vectors = json.load(open(sys.argv[1], encoding="utf-8"))["vectors"]
wrong = [v for v in vectors if assignment_bucket(v["model"], v["stage"], v["key"]) != v["bucket"] or assign_arm(v["model"], v["stage"], v["key"], v["arms"])["version"] != v["version"]]
print(json.dumps({"checked": len(vectors), "wrong": wrong[:3]}))
`;
    const r = spawnSync(python, ['-c', check, VECTORS], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ checked: vectors.length, wrong: [] });
  });
});

const RUNS = Number(process.env.MODELREG_FUZZ_RUNS) || 100;

/** 1 to 5 arms with whole weights summing to 100. */
const split = fc
  .array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 5 })
  .map((cuts) => {
    const points = [...new Set([0, ...cuts.slice(1), 100])].sort((a, b) => a - b);
    return points.slice(1).map((p, i): Arm => ({ version: `${i + 1}.0.0`, weight: p - points[i]! }));
  })
  .filter((arms) => arms.reduce((n, a) => n + a.weight, 0) === 100);
const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);

describe('what the rule promises', () => {
  it('each arm gets its weight of 100,000 keys, within 1 percentage point', () => {
    fc.assert(
      fc.property(split, name, name, (arms, model, stage) => {
        const counts = new Map(arms.map((a) => [a.version, 0]));
        const N = 100_000;
        for (let i = 0; i < N; i++) {
          const arm = assignArm(model, stage, `user-${i}`, arms);
          counts.set(arm.version, counts.get(arm.version)! + 1);
        }
        for (const a of arms) expect(Math.abs((counts.get(a.version)! / N) * 100 - a.weight), `${a.version} of ${JSON.stringify(arms)}`).toBeLessThanOrEqual(1);
      }),
      { numRuns: 3 }, // 300,000 assignments: enough to see a biased rule, cheap enough for the inner loop
    );
  });

  it('moving weight between neighbours moves keys only from the arm that lost it to the arm that gained it', () => {
    fc.assert(
      fc.property(
        split.filter((a) => a.length >= 2),
        fc.nat(),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        fc.array(fc.string({ maxLength: 12 }), { minLength: 200, maxLength: 200 }),
        (arms, at, amount, forward, keys) => {
          const i = at % (arms.length - 1);
          const [from, to] = forward ? [i, i + 1] : [i + 1, i];
          const moved = Math.min(amount, arms[from]!.weight);
          const after = arms.map((a, k) => ({ ...a, weight: a.weight + (k === to ? moved : k === from ? -moved : 0) }));
          for (const key of keys) {
            const was = assignArm('fraud', 'production', key, arms).version;
            const now = assignArm('fraud', 'production', key, after).version;
            if (was !== now) expect([was, now]).toEqual([arms[from]!.version, arms[to]!.version]);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a canary ramping 10 → 50 → 100 beside its holder only ever gains keys, and rolling back returns each key to the holder', () => {
    const ramp = [10, 50, 100].map((w) => [
      { version: '1.3.0', weight: w },
      { version: '1.2.0', weight: 100 - w },
    ]);
    const keys = Array.from({ length: 20_000 }, (_, i) => `account-${i}`);
    const inCanary = ramp.map((arms) => new Set(keys.filter((k) => assignArm('fraud', 'production', k, arms).version === '1.3.0')));
    for (const k of inCanary[0]!) expect(inCanary[1]!.has(k)).toBe(true);
    for (const k of inCanary[1]!) expect(inCanary[2]!.has(k)).toBe(true);
    expect(inCanary[2]!.size).toBe(keys.length);
    const back = [
      { version: '1.3.0', weight: 0 },
      { version: '1.2.0', weight: 100 },
    ];
    expect(keys.every((k) => assignArm('fraud', 'production', k, back).version === '1.2.0')).toBe(true);
  });

  it('the bucket is the same key elsewhere in another model or stage, and always within 0–9999', () => {
    fc.assert(
      fc.property(name, name, fc.string(), (model, stage, key) => {
        const b = assignmentBucket(model, stage, key);
        expect(Number.isInteger(b) && b >= 0 && b < BUCKETS).toBe(true);
      }),
      { numRuns: RUNS },
    );
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    const same = keys.filter((k) => assignmentBucket('fraud', 'production', k) === assignmentBucket('fraud', 'staging', k)).length;
    expect(same).toBeLessThan(20); // independent buckets agree about 1 time in 10,000
  });
});

describe('weights a split may not have', () => {
  it.each([
    [
      'summing to 90',
      [
        { version: 'a', weight: 40 },
        { version: 'b', weight: 50 },
      ],
      /sum to 90/,
    ],
    [
      'summing to 110',
      [
        { version: 'a', weight: 60 },
        { version: 'b', weight: 50 },
      ],
      /sum to 110/,
    ],
    [
      'a fraction',
      [
        { version: 'a', weight: 50.5 },
        { version: 'b', weight: 49.5 },
      ],
      /whole percentage/,
    ],
    [
      'negative',
      [
        { version: 'a', weight: -10 },
        { version: 'b', weight: 110 },
      ],
      /whole percentage/,
    ],
    ['no arm at all', [], /sum to 0/],
  ])('%s', (_what, arms, message) => {
    expect(() => assertWeights(arms)).toThrow(ModelregError);
    expect(() => assignArm('m', 's', 'k', arms)).toThrow(message);
  });
});
