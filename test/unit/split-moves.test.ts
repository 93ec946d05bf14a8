/**
 * Moving a split stage (issue 21), on plain data: `promote --weight` and `--shadow` planned, and every
 * move judged by the pull-request engine — the gates on the version gaining weight with the main holder
 * as the baseline, the policy's `max_step` and soak time, `split: false`, and the records a split keeps.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/changes/check.js';
import { planChange, type Intent, type Plan, type PromoteIntent } from '../../src/changes/plan.js';
import { checkChange, soakedStageFiles, type ChangeTiming } from '../../src/checks/change.js';
import { parseManifestYaml } from '../../src/schema/yaml.js';
import type { StageArm } from '../../src/registry/types.js';
import { M, S, V, codes, good, lineOf, model, only, policyData, snap, stage, toYaml, tree, version, type Fields, type Files } from './helpers.js';
import { thrown } from '../thrown.js';

const ctx = { now: '2026-03-01T12:00:00Z', actor: 'bob' };
const FILE = S('m', 'production');

/** The default policy, production's `split` set to `split` (absent: not set). */
function policyWith(split?: Fields | boolean): string {
  const p = policyData();
  const stages = p.stages as Fields[];
  if (split !== undefined) stages[2] = { ...stages[2], split };
  return toYaml(p);
}

/**
 * m: 1.0.0 (accuracy 0.9) holds production, previous 0.9.0; 1.1.0 (0.92) holds staging; 1.2.0 (0.80, below
 * production's threshold); 1.3.0 (0.95, in no stage). `arms` splits production.
 */
function registry(arms?: StageArm[], over: { policy?: string; stageFields?: Fields } = {}): Files {
  return {
    'registry.yaml': over.policy ?? policyWith(),
    [M('m')]: model('m'),
    [V('m', '0.9.0')]: version('m', '0.9.0', good(0.88)),
    [V('m', '1.0.0')]: version('m', '1.0.0', good(0.9)),
    [V('m', '1.1.0')]: version('m', '1.1.0', good(0.92)),
    [V('m', '1.2.0')]: version('m', '1.2.0', good(0.8)),
    [V('m', '1.3.0')]: version('m', '1.3.0', good(0.95)),
    [S('m', 'staging')]: stage('m', 'staging', '1.1.0', { previous: '1.0.0' }),
    [FILE]: stage('m', 'production', '1.0.0', { previous: '0.9.0', ...(arms ? { arms: arms as unknown as Fields[] } : {}), ...over.stageFields }),
  };
}

const promote = (version: string, share: { weight?: number; shadow?: boolean } = {}): PromoteIntent => ({
  kind: 'promote',
  model: 'm',
  version,
  stage: 'production',
  ...share,
});
const plan = (files: Files, intent: Intent): Plan => planChange(snap(files), intent, ctx);
const written = (p: Plan) => parseManifestYaml(p.files[0]!.path, p.files[0]!.text).doc!.value as Record<string, unknown>;
const check = (files: Files, p: Plan, timing?: ChangeTiming) => checkPlan(tree(files), p, timing ? { timing } : {});

describe('promote --weight and --shadow: the planned stage file', () => {
  it('a canary joins beside the holder, which keeps the rest and stays the holder; previous is kept', () => {
    const p = plan(registry(), promote('1.1.0', { weight: 10 }));
    expect(written(p)).toMatchObject({
      version: '1.0.0',
      previous: '0.9.0',
      arms: [
        { version: '1.1.0', weight: 10 },
        { version: '1.0.0', weight: 90 },
      ],
    });
    expect(p.message.split('\n')[0]).toBe('Promote m@1.1.0 to production at 10%');
    expect(p.message).toContain('split: 1.1.0 10% · 1.0.0 90% (was 1.0.0 100%)');
    expect(p.ref).toBe('m@1.1.0');
  });

  it('shifting keeps the arm in its place; completing makes it the sole holder with the old one as previous', () => {
    const canary = registry([
      { version: '1.1.0', weight: 10 },
      { version: '1.0.0', weight: 90 },
    ]);
    const shift = plan(canary, promote('1.1.0', { weight: 50 }));
    expect(written(shift).arms).toEqual([
      { version: '1.1.0', weight: 50 },
      { version: '1.0.0', weight: 50 },
    ]);
    expect(shift.message.split('\n')[0]).toBe('Promote m@1.1.0 to production at 50% (from 10%)');
    for (const intent of [promote('1.1.0', { weight: 100 }), promote('1.1.0')]) {
      const done = plan(canary, intent);
      expect(written(done)).toMatchObject({ version: '1.1.0', previous: '1.0.0' });
      expect(written(done).arms).toBeUndefined();
      expect(done.message.split('\n')[0]).toBe('Promote m@1.1.0 to production, completing its split from 10%');
    }
  });

  it('a second arm joins next to the holder; --weight 0 takes an arm out; a shadow stays through completion', () => {
    const two = plan(
      registry([
        { version: '1.1.0', weight: 10 },
        { version: '1.0.0', weight: 90 },
      ]),
      promote('1.3.0', { weight: 20 }),
    );
    expect(written(two).arms).toEqual([
      { version: '1.1.0', weight: 10 },
      { version: '1.3.0', weight: 20 },
      { version: '1.0.0', weight: 70 },
    ]);
    const out = plan(
      registry([
        { version: '1.1.0', weight: 10 },
        { version: '1.0.0', weight: 90 },
      ]),
      promote('1.1.0', { weight: 0 }),
    );
    expect(written(out).arms).toBeUndefined();
    expect(out.message.split('\n')[0]).toBe("Take m@1.1.0 out of production's split (from 10%)");
    const shadowed = registry([
      { version: '1.3.0', shadow: true },
      { version: '1.1.0', weight: 30 },
      { version: '1.0.0', weight: 70 },
    ]);
    expect(written(plan(shadowed, promote('1.1.0', { weight: 100 })))).toMatchObject({
      version: '1.1.0',
      arms: [
        { version: '1.3.0', shadow: true },
        { version: '1.1.0', weight: 100 },
      ],
    });
  });

  it('a shadow joins with no weight; a shadow turning into a canary moves next to the holder', () => {
    const p = plan(registry(), promote('1.3.0', { shadow: true }));
    expect(written(p).arms).toEqual([
      { version: '1.3.0', shadow: true },
      { version: '1.0.0', weight: 100 },
    ]);
    expect(p.message.split('\n')[0]).toBe('Shadow m@1.3.0 in production');
    const canary = plan(
      registry([
        { version: '1.3.0', shadow: true },
        { version: '1.1.0', weight: 10 },
        { version: '1.0.0', weight: 90 },
      ]),
      promote('1.3.0', { weight: 5 }),
    );
    expect(written(canary).arms).toEqual([
      { version: '1.1.0', weight: 10 },
      { version: '1.3.0', weight: 5 },
      { version: '1.0.0', weight: 85 },
    ]);
  });

  it('rollback ends a split: the main holder alone, previous as it was', () => {
    const p = plan(
      registry([
        { version: '1.3.0', shadow: true },
        { version: '1.1.0', weight: 10 },
        { version: '1.0.0', weight: 90 },
      ]),
      { kind: 'rollback', model: 'm', stage: 'production' },
    );
    expect(written(p)).toMatchObject({ version: '1.0.0', previous: '0.9.0' });
    expect(written(p).arms).toBeUndefined();
    expect(p.message.split('\n')[0]).toBe('Rollback m production to 1.0.0 alone (from 1.3.0 shadow · 1.1.0 10% · 1.0.0 90%)');
  });

  it('refuses what a share cannot be, each with what to do instead', () => {
    const canary = registry([
      { version: '1.1.0', weight: 60 },
      { version: '1.0.0', weight: 40 },
    ]);
    const cases: [Files, Intent, string][] = [
      [canary, promote('1.0.0', { weight: 50 }), 'm@1.0.0 is the main holder of production (1.1.0 60% · 1.0.0 40%)'],
      [canary, promote('1.3.0', { weight: 40 }), 'the main holder 1.0.0 has only 40% to give'],
      [canary, promote('1.1.0', { weight: 60 }), 'm@1.1.0 already receives 60% of production'],
      [canary, promote('1.1.0', { shadow: true }), 'm@1.1.0 receives 60% of production (1.1.0 60% · 1.0.0 40%); a shadow receives none'],
      [canary, promote('1.3.0', { weight: 0 }), "m@1.3.0 is not in production's split"],
      [canary, promote('1.0.0'), 'm@1.0.0 already holds production (1.1.0 60% · 1.0.0 40%)'],
      [canary, promote('1.1.0', { weight: 101 }), '--weight is a whole percentage from 0 to 100, not 101'],
      [
        canary,
        { ...promote('1.3.0', { weight: 20 }), deprecatePrevious: true },
        '--deprecate-previous deprecates the holder a promotion replaces, and 1.0.0 stays',
      ],
      [
        canary,
        { ...promote('1.1.0', { weight: 70 }), expectedArms: null },
        "m@production's split changed meanwhile: it was 1.0.0 alone, it is now 1.1.0 60% · 1.0.0 40%",
      ],
    ];
    for (const [files, intent, message] of cases) expect(thrown(() => plan(files, intent)).message).toContain(message);
    const unheld = registry();
    delete unheld[FILE];
    expect(thrown(() => plan(unheld, promote('1.1.0', { weight: 10 }))).message).toBe('no version of m holds production, so there is no split to join');
  });

  it('an arm is a holder: it cannot be deprecated, and keep-latest keeps it', () => {
    const files = registry([
      { version: '0.9.0', weight: 10 },
      { version: '1.0.0', weight: 90 },
    ]);
    expect(thrown(() => plan(files, { kind: 'deprecate', model: 'm', version: '0.9.0' })).message).toBe('m@0.9.0 holds production and cannot be deprecated');
    const keep = plan(files, { kind: 'keep-latest', model: 'm', keepLatest: 1 });
    expect(keep.retired?.kept).toContainEqual({ version: '0.9.0', reason: 'holds production' });
  });
});

describe('a split move, judged', () => {
  const canary = [
    { version: '1.1.0', weight: 10 },
    { version: '1.0.0', weight: 90 },
  ];

  it('the gates apply to the version gaining weight, with the main holder as the baseline', () => {
    const files = registry();
    const c = check(files, plan(files, promote('1.1.0', { weight: 10 })));
    expect(c.ok).toBe(true);
    const [move] = c.change.stageMoves;
    expect(move).toMatchObject({ from: '1.0.0', to: '1.1.0', rollback: false, split: { before: [{ version: '1.0.0', weight: 100 }], after: canary } });
    expect(move!.gates.map((g) => [g.gate, g.passed])).toEqual([
      ['order', true],
      ['metric', true],
      ['regression', true],
      ['tag', true],
      ['tag', true],
      ['lineage', true],
    ]);
    expect(move!.gates.find((g) => g.gate === 'regression')!.message).toContain('held by 1.0.0');

    // 1.2.0 is below production's threshold and worse than the holder: a canary of it is refused like a promotion.
    const bad = check(files, plan(files, promote('1.2.0', { weight: 10 })));
    expect(codes(bad.blocking)).toEqual(['gate-metric', 'gate-regression', 'stage-order']);
    expect(bad.blocking[0]!.message).toBe('m@1.2.0 → production: accuracy = 0.8; production needs ≥ 0.85');
  });

  it('a version in the split already has met the order: staging moving on does not stall its canary', () => {
    const files = registry(canary);
    files[S('m', 'staging')] = stage('m', 'staging', '1.3.0', { previous: '1.1.0' });
    const c = check(files, plan(files, promote('1.1.0', { weight: 50 })));
    expect(c.ok).toBe(true);
    expect(c.change.stageMoves[0]!.gates[0]).toMatchObject({ gate: 'order', passed: true, message: "m@1.1.0 is in production's split already" });
  });

  it('weight going back to the holder, and a rollback ending the split, are judged as rollbacks', () => {
    const files = registry(canary);
    for (const intent of [promote('1.1.0', { weight: 0 }), { kind: 'rollback', model: 'm', stage: 'production' } as Intent]) {
      const c = check(files, plan(files, intent));
      expect(c.ok).toBe(true);
      expect(c.change.stageMoves[0]).toMatchObject({ from: '1.0.0', to: '1.0.0', rollback: true });
      expect(c.change.stageMoves[0]!.gates.map((g) => g.gate)).not.toContain('regression');
    }
  });

  it('a shadow is judged by the gates as it enters', () => {
    const files = registry();
    const c = check(files, plan(files, promote('1.3.0', { shadow: true })));
    expect(c.change.stageMoves[0]).toMatchObject({ to: '1.3.0' });
    expect(codes(c.blocking)).toEqual(['stage-order']); // 1.3.0 holds no staging
  });

  it('max_step: a weight grows by at most that much at a time, and a held stage is entered only through a split', () => {
    const files = registry(undefined, { policy: policyWith({ max_step: 40 }) });
    expect(check(files, plan(files, promote('1.1.0', { weight: 40 }))).ok).toBe(true);
    const fifty = plan(files, promote('1.1.0', { weight: 50 }));
    const tooFar = check(files, fifty);
    const f = only(tooFar.blocking, { code: 'split-step', file: FILE, field: '/arms', line: lineOf(fifty.files[0]!.text, 'arms:') + 1 }); // the list's first line
    expect(f.message).toBe('m@1.1.0 → production: m@1.1.0 grows by 50 points (0% → 50%); production lets a weight grow by at most 40 at a time');
    expect(codes(check(files, plan(files, promote('1.1.0'))).blocking)).toEqual(['split-step']);
    // --no-verify waives it as it waives the gates; the pull-request check still applies it.
    expect(checkPlan(tree(files), plan(files, promote('1.1.0')), { noVerify: true }).ok).toBe(true);
    // The first holder of a stage no one holds has nothing to split with.
    const unheld = registry(undefined, { policy: policyWith({ max_step: 40 }) });
    delete unheld[FILE];
    expect(check(unheld, plan(unheld, promote('1.1.0'))).ok).toBe(true);
  });

  it('soak: a weight grows only after it was held that long, counted from when the base wrote the stage file', () => {
    const files = registry(canary, { policy: policyWith({ soak: '24h' }), stageFields: { moved_at: '2026-03-01T00:00:00Z' } });
    const shift = plan(files, promote('1.1.0', { weight: 50 }));
    const at = (now: string, when = '2026-03-01T00:00:00Z'): ChangeTiming => ({ now, written: new Map([[FILE, when]]) });
    const early = check(files, shift, at('2026-03-01T05:30:00Z'));
    expect(only(early.blocking, { code: 'split-soak', file: FILE, field: '/arms' }).message).toBe(
      'm@1.1.0 → production: m@1.1.0 has held 10% for 5h 30m (since 2026-03-01T00:00:00Z); production needs 24h at each weight: 18h 30m to go',
    );
    expect(check(files, shift, at('2026-03-02T00:00:00Z')).ok).toBe(true);
    // Completing is growing too; no times known fails closed; a back-dated commit cannot shorten it.
    expect(codes(check(files, plan(files, promote('1.1.0', { weight: 100 })), at('2026-03-01T01:00:00Z')).blocking)).toEqual(['split-soak']);
    expect(check(files, shift).blocking[0]!.message).toContain('cannot be judged');
    expect(codes(check(files, shift, at('2026-03-02T00:00:00Z', '2026-02-01T00:00:00Z')).blocking)).toEqual([]);
    const backdated = registry(canary, { policy: policyWith({ soak: '24h' }), stageFields: { moved_at: '2026-03-01T12:00:00Z' } });
    expect(codes(check(backdated, shift, at('2026-03-02T00:00:00Z', '2026-02-01T00:00:00Z')).blocking)).toEqual(['split-soak']);
    // Starting a canary, lowering it and ending the split wait for nothing.
    const plain = registry(undefined, { policy: policyWith({ soak: '24h' }) });
    expect(check(plain, plan(plain, promote('1.1.0', { weight: 10 })), at('2026-03-01T00:01:00Z')).ok).toBe(true);
    expect(check(files, plan(files, promote('1.1.0', { weight: 0 })), at('2026-03-01T00:01:00Z')).ok).toBe(true);
    // Which base files the edge must date: the changed stage files of stages with a soak.
    expect(soakedStageFiles(snap(files), snap({ ...files, [FILE]: shift.files[0]!.text }))).toEqual([FILE]);
    expect(soakedStageFiles(snap(files), snap(files))).toEqual([]);
  });

  it('split: false forbids a split, by the base policy and by the tree’s own', () => {
    const files = registry(undefined, { policy: policyWith(false) });
    const c = check(files, plan(files, promote('1.1.0', { weight: 10 })));
    const text = plan(files, promote('1.1.0', { weight: 10 })).files[0]!.text;
    const line = lineOf(text, 'arms:') + 1; // the list's first line
    expect(only(c.blocking, { code: 'split-forbidden', file: FILE, field: '/arms', line }).message).toBe(
      'm@production is split, and registry.yaml says production is never split',
    );
    // A head that allows splits is still judged by the base that forbids them.
    const head = { ...files, 'registry.yaml': policyWith(), [FILE]: text };
    const judged = checkChange(snap(files), snap(head));
    expect(only(judged.findings, { code: 'split-forbidden', file: FILE, field: '/arms', line }).message).toBe(
      'm@production is split, and the base registry.yaml says production is never split',
    );
  });

  it('one version gains at a time; previous stays as the base has it while the holder does', () => {
    const files = registry();
    const two = stage('m', 'production', '1.0.0', {
      previous: '0.9.0',
      arms: [
        { version: '1.1.0', weight: 10 },
        { version: '1.3.0', weight: 10 },
        { version: '1.0.0', weight: 80 },
      ],
    });
    const judged = checkChange(snap(files), snap({ ...files, [FILE]: two }));
    expect(only(judged.findings, { code: 'split-move', file: FILE, field: '/arms' }).message).toBe(
      'm@production: 1.1.0 and 1.3.0 all gain in one change (1.0.0 100% → 1.1.0 10% · 1.3.0 10% · 1.0.0 80%)',
    );
    const moved = stage('m', 'production', '1.0.0', { previous: null, arms: canary });
    expect(only(checkChange(snap(files), snap({ ...files, [FILE]: moved })).findings, { code: 'stage-previous-mismatch', field: '/previous' }).message).toBe(
      'previous is null; m@production keeps its holder 1.0.0, so previous stays "0.9.0" as the base has it',
    );
    // The same split with another reason or time is still an edit, not a move.
    const edited = stage('m', 'production', '1.0.0', { previous: '0.9.0', arms: canary, reason: 'edited' });
    const base = registry(canary);
    expect(codes(checkChange(snap(base), snap({ ...base, [FILE]: edited })).findings)).toEqual(['stage-rewritten']);
  });
});
