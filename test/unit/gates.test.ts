import { describe, expect, it } from 'vitest';
import { entryStages, evaluateGates, stagePolicy, type GateInput } from '../../src/checks/gates.js';
import type { RegistryPolicy, StageGates, VersionManifest } from '../../src/registry/types.js';

const SHA = 'a'.repeat(64);

function pol(stages: RegistryPolicy['stages']): RegistryPolicy {
  return { apiVersion: 'modelreg/v1', artifacts: { store: 'file://store' }, stages };
}

function ver(v: string, over: Partial<VersionManifest> = {}): VersionManifest {
  return { name: 'm', version: v, artifacts: [{ path: 'w.bin', sha256: SHA, size: 1 }], created_by: 'a', created_at: '2026-01-01T00:00:00Z', ...over };
}

/** A policy whose only gated stage is `prod` (entered from `qa`), with the given gates. */
function gated(gates: StageGates): RegistryPolicy {
  return pol([{ name: 'dev' }, { name: 'qa' }, { name: 'prod', from: ['qa'], gates }]);
}

function run(input: Partial<GateInput> & { candidate: VersionManifest }) {
  return evaluateGates({ policy: gated({}), stage: 'prod', candidateStages: ['qa'], ...input });
}

describe('entryStages and stagePolicy', () => {
  const p = pol([{ name: 'dev' }, { name: 'qa' }, { name: 'canary', from: [] }, { name: 'prod', from: ['qa', 'canary'] }]);

  it('the first stage may be entered by anything', () => {
    expect(entryStages(p, 'dev')).toEqual([]);
  });

  it('by default, a stage is entered from the one listed before it', () => {
    expect(entryStages(p, 'qa')).toEqual(['dev']);
  });

  it('an explicit from wins, including an empty one', () => {
    expect(entryStages(p, 'prod')).toEqual(['qa', 'canary']);
    expect(entryStages(p, 'canary')).toEqual([]);
  });

  it('an unknown stage has no entry stages', () => {
    expect(entryStages(p, 'nope')).toEqual([]);
    expect(stagePolicy(p, 'nope')).toBeUndefined();
    expect(stagePolicy(p, 'qa')).toEqual({ name: 'qa' });
  });
});

describe('evaluateGates: order', () => {
  it('passes when the candidate holds an entry stage, naming it', () => {
    const p = pol([{ name: 'dev' }, { name: 'qa' }, { name: 'prod', from: ['qa', 'dev'] }]);
    const r = evaluateGates({ policy: p, stage: 'prod', candidate: ver('1.0.0'), candidateStages: ['dev'] });
    expect(r).toEqual([{ gate: 'order', subject: 'prod', passed: true, message: 'm@1.0.0 holds dev' }]);
  });

  it('fails otherwise, listing the alternatives', () => {
    const p = pol([{ name: 'dev' }, { name: 'qa' }, { name: 'prod', from: ['qa', 'dev'] }]);
    const r = evaluateGates({ policy: p, stage: 'prod', candidate: ver('1.0.0'), candidateStages: ['prod'] });
    expect(r).toEqual([{ gate: 'order', subject: 'prod', passed: false, message: 'm@1.0.0 must hold qa or dev before entering prod' }]);
  });

  it('is not checked for a stage anyone may enter, or for a rollback', () => {
    expect(evaluateGates({ policy: gated({}), stage: 'dev', candidate: ver('1.0.0'), candidateStages: [] })).toEqual([]);
    expect(run({ candidate: ver('1.0.0'), candidateStages: [], rollback: true })).toEqual([]);
  });

  it('an unknown stage has no gates at all', () => {
    expect(evaluateGates({ policy: gated({ metrics: { a: { min: 1 } } }), stage: 'nope', candidate: ver('1.0.0'), candidateStages: [] })).toEqual([]);
  });
});

describe('evaluateGates: deprecated', () => {
  it('a deprecated candidate fails, first', () => {
    const r = run({ candidate: ver('1.0.0', { deprecated: { at: '2026-01-01T00:00:00Z', by: 'a' } }) });
    expect(r[0]).toEqual({ gate: 'deprecated', subject: 'prod', passed: false, message: 'm@1.0.0 is deprecated and cannot be promoted' });
    expect(r.map((g) => g.gate)).toEqual(['deprecated', 'order']);
  });
});

describe('evaluateGates: metric thresholds', () => {
  const policy = gated({ metrics: { acc: { min: 0.8 }, latency: { max: 50 }, f1: { min: 0.5, max: 0.99 } } });
  const metrics = (m: Record<string, number>) => run({ policy, candidate: ver('1.0.0', { metrics: m }) }).filter((g) => g.gate === 'metric');

  it('passes within bounds, bounds included', () => {
    expect(metrics({ acc: 0.8, latency: 50, f1: 0.99 }).map((g) => [g.subject, g.passed, g.candidate, g.reference])).toEqual([
      ['acc', true, 0.8, '≥ 0.8'],
      ['latency', true, 50, '≤ 50'],
      ['f1', true, 0.99, '≥ 0.5 and ≤ 0.99'],
    ]);
  });

  it('fails outside bounds, with a message naming the bound', () => {
    const r = metrics({ acc: 0.79, latency: 50.5, f1: 1 });
    expect(r.map((g) => [g.subject, g.passed, g.message])).toEqual([
      ['acc', false, 'acc = 0.79; prod needs ≥ 0.8'],
      ['latency', false, 'latency = 50.5; prod needs ≤ 50'],
      ['f1', false, 'f1 = 1; prod needs ≥ 0.5 and ≤ 0.99'],
    ]);
  });

  it('fails when the metric is missing', () => {
    const r = metrics({ acc: 0.9, f1: 0.7 });
    expect(r[1]).toEqual({
      gate: 'metric',
      subject: 'latency',
      passed: false,
      message: 'metric latency is missing; prod needs latency ≤ 50',
      candidate: null,
      reference: '≤ 50',
    });
    const none = run({ policy, candidate: ver('1.0.0') }).filter((g) => g.gate === 'metric');
    expect(none.map((g) => g.passed)).toEqual([false, false, false]);
  });

  it('does not take inherited properties for metrics', () => {
    const p = gated({ metrics: { constructor: { min: 0 }, toString: { max: 1 } } });
    const r = run({ policy: p, candidate: ver('1.0.0', { metrics: {} }) }).filter((g) => g.gate === 'metric');
    expect(r.map((g) => [g.subject, g.passed, g.candidate])).toEqual([
      ['constructor', false, null],
      ['toString', false, null],
    ]);
  });
});

describe('evaluateGates: no regression', () => {
  const policy = gated({ no_regression: { acc: { better: 'higher', tolerance: 0.01 }, latency: { better: 'lower' } } });
  const regress = (cand: Record<string, number> | undefined, held: Record<string, number> | undefined, extra: Partial<GateInput> = {}) =>
    run({ policy, candidate: ver('2.0.0', cand ? { metrics: cand } : {}), holder: ver('1.0.0', held ? { metrics: held } : {}), ...extra }).filter(
      (g) => g.gate === 'regression',
    );

  it('higher is better: a drop within the tolerance passes, beyond it fails', () => {
    expect(regress({ acc: 0.895, latency: 10 }, { acc: 0.9, latency: 10 }).map((g) => g.passed)).toEqual([true, true]);
    expect(regress({ acc: 0.89, latency: 10 }, { acc: 0.9, latency: 10 }).map((g) => g.passed)).toEqual([true, true]);
    const r = regress({ acc: 0.889, latency: 10 }, { acc: 0.9, latency: 10 });
    expect(r[0]).toEqual({
      gate: 'regression',
      subject: 'acc',
      passed: false,
      message: 'acc 0.889 against 0.9 held by 1.0.0 (higher is better, tolerance 0.01)',
      candidate: 0.889,
      reference: 0.9,
    });
  });

  it('lower is better, with no tolerance: any rise fails, a fall passes', () => {
    expect(regress({ acc: 1, latency: 10.001 }, { acc: 1, latency: 10 })[1]).toMatchObject({
      subject: 'latency',
      passed: false,
      message: 'latency 10.001 against 10 held by 1.0.0 (lower is better)',
    });
    expect(regress({ acc: 1, latency: 9 }, { acc: 1, latency: 10 })[1]!.passed).toBe(true);
  });

  it('passes when the holder has nothing to compare with', () => {
    expect(regress({ acc: 0.1 }, undefined).map((g) => [g.subject, g.passed, g.message, g.candidate, g.reference])).toEqual([
      ['acc', true, '1.0.0 has no acc to compare with', 0.1, null],
      ['latency', true, '1.0.0 has no latency to compare with', null, null],
    ]);
  });

  it('fails when the candidate lacks a metric the holder has', () => {
    expect(regress({ acc: 0.95 }, { acc: 0.9, latency: 10 })[1]).toEqual({
      gate: 'regression',
      subject: 'latency',
      passed: false,
      message: 'metric latency is missing; 1.0.0 has 10',
      candidate: null,
      reference: 10,
    });
  });

  it('is not checked without a holder, against itself, or on a rollback', () => {
    expect(run({ policy, candidate: ver('2.0.0', { metrics: { acc: 0 } }) }).filter((g) => g.gate === 'regression')).toEqual([]);
    expect(
      run({ policy, candidate: ver('1.0.0', { metrics: { acc: 0 } }), holder: ver('1.0.0', { metrics: { acc: 1 } }) }).filter((g) => g.gate === 'regression'),
    ).toEqual([]);
    expect(regress({ acc: 0, latency: 99 }, { acc: 1, latency: 1 }, { rollback: true })).toEqual([]);
  });
});

describe('evaluateGates: tags and lineage', () => {
  const tags = (required: string[], have: Record<string, string> | undefined) =>
    run({ policy: gated({ required_tags: required }), candidate: ver('1.0.0', have ? { tags: have } : {}) }).filter((g) => g.gate === 'tag');

  it('a key alone needs the tag with any value', () => {
    expect(tags(['reviewed'], { reviewed: '' })).toEqual([
      { gate: 'tag', subject: 'reviewed', passed: true, message: 'tag reviewed = ', candidate: '', reference: null },
    ]);
    expect(tags(['reviewed'], undefined)).toEqual([
      { gate: 'tag', subject: 'reviewed', passed: false, message: 'tag reviewed is required by prod', candidate: null, reference: null },
    ]);
  });

  it('key=value needs that exact value; the value may itself hold "="', () => {
    expect(tags(['license=apache-2.0'], { license: 'apache-2.0' })[0]!.passed).toBe(true);
    expect(tags(['license=apache-2.0'], { license: 'MIT' })[0]).toEqual({
      gate: 'tag',
      subject: 'license',
      passed: false,
      message: 'tag license is "MIT"; prod requires "apache-2.0"',
      candidate: 'MIT',
      reference: 'apache-2.0',
    });
    expect(tags(['expr=a=b'], { expr: 'a=b' })[0]).toMatchObject({ subject: 'expr', passed: true, reference: 'a=b' });
    expect(tags(['empty='], { empty: '' })[0]).toMatchObject({ subject: 'empty', passed: true, reference: '' });
    expect(tags(['empty='], { empty: 'x' })[0]!.passed).toBe(false);
  });

  it('does not take inherited properties for tags', () => {
    expect(tags(['constructor', 'hasOwnProperty'], {}).map((g) => g.passed)).toEqual([false, false]);
  });

  it('lineage fields must be present, and lists non-empty', () => {
    const lineage = (l: VersionManifest['lineage']) =>
      run({ policy: gated({ required_lineage: ['parents', 'datasets', 'code', 'environment'] }), candidate: ver('1.0.0', l ? { lineage: l } : {}) })
        .filter((g) => g.gate === 'lineage')
        .map((g) => [g.subject, g.passed]);
    expect(lineage(undefined)).toEqual([
      ['parents', false],
      ['datasets', false],
      ['code', false],
      ['environment', false],
    ]);
    expect(lineage({ parents: [], datasets: [{ uri: 'u' }], code: { repository: 'r', commit: 'abcdef0' }, environment: {} })).toEqual([
      ['parents', false],
      ['datasets', true],
      ['code', true],
      ['environment', true],
    ]);
    const msg = run({ policy: gated({ required_lineage: ['code'] }), candidate: ver('1.0.0') }).find((g) => g.gate === 'lineage')!.message;
    expect(msg).toBe('lineage.code is required by prod');
  });
});

describe('evaluateGates: all together', () => {
  it('reports every gate in a fixed order: deprecated, order, metric, regression, tag, lineage', () => {
    const policy = gated({
      metrics: { acc: { min: 0.5 } },
      no_regression: { acc: { better: 'higher' } },
      required_tags: ['t'],
      required_lineage: ['datasets'],
    });
    const r = evaluateGates({
      policy,
      stage: 'prod',
      candidate: ver('2.0.0', { metrics: { acc: 0.6 }, tags: { t: 'x' }, deprecated: { at: '2026-01-01T00:00:00Z', by: 'a' } }),
      holder: ver('1.0.0', { metrics: { acc: 0.7 } }),
      candidateStages: [],
    });
    expect(r.map((g) => [g.gate, g.passed])).toEqual([
      ['deprecated', false],
      ['order', false],
      ['metric', true],
      ['regression', false],
      ['tag', true],
      ['lineage', false],
    ]);
  });
});
