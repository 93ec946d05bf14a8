import { describe, expect, it } from 'vitest';
import { checkChange, emptyChangeSummary, type ChangeSummary } from '../../src/checks/change.js';
import { validateChange } from '../../src/checks/validate.js';
import type { Finding } from '../../src/registry/findings.js';
import { DEPRECATED, M, S, V, codes, good, lineOf, model, only, policy, policyData, snap, stage, version, withCode, type Files } from './helpers.js';

/**
 * The base registry: model m with
 *   0.9.0 (no metrics, holds nothing), 1.0.0 (accuracy 0.9), 1.1.0 (accuracy 0.92);
 *   development and staging held by 1.1.0, production by 1.0.0.
 * The default policy: development → staging (accuracy ≥ 0.8) → production (from staging; accuracy ≥ 0.85,
 * no regression beyond 0.01, tags reviewed and license=apache-2.0, lineage datasets).
 */
function base(extra: Files = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '0.9.0')]: version('m', '0.9.0'),
    [V('m', '1.0.0')]: version('m', '1.0.0', good(0.9)),
    [V('m', '1.1.0')]: version('m', '1.1.0', good(0.92)),
    [S('m', 'development')]: stage('m', 'development', '1.1.0', { previous: '1.0.0' }),
    [S('m', 'staging')]: stage('m', 'staging', '1.1.0', { previous: '1.0.0' }),
    [S('m', 'production')]: stage('m', 'production', '1.0.0'),
    ...extra,
  };
}

/** A copy of `files` with some paths replaced, added or (with undefined) removed. */
function edit(files: Files, changes: Record<string, string | undefined>): Files {
  const out = { ...files };
  for (const [path, text] of Object.entries(changes)) {
    if (text === undefined) delete out[path];
    else out[path] = text;
  }
  return out;
}

const change = (b: Files, h: Files) => validateChange(snap(b), snap(h));
const errors = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');

const emptySummary: ChangeSummary = emptyChangeSummary();

describe('validateChange: no change', () => {
  it('the empty summary changes nothing: every list empty, the policy unchanged', () => {
    const empty = emptyChangeSummary();
    expect(Object.entries(empty).filter(([, v]) => v !== false && !(Array.isArray(v) && v.length === 0))).toEqual([]);
    expect(emptyChangeSummary()).not.toBe(empty); // a fresh one each time: the steps push into it
  });

  it('the base is valid, and an identical head changes nothing', () => {
    const report = change(base(), base());
    expect(report).toEqual({ ok: true, findings: [], change: emptySummary });
  });
});

describe('validateChange: versions are immutable', () => {
  it('a modified version file, at the first field that differs', () => {
    const text = version('m', '1.0.0', good(0.95));
    const report = change(base(), edit(base(), { [V('m', '1.0.0')]: text }));
    expect(report.ok).toBe(false);
    const f = only(report.findings, {
      code: 'version-immutable',
      file: V('m', '1.0.0'),
      line: lineOf(text, 'accuracy'),
      column: 13,
      field: '/metrics/accuracy',
      severity: 'error',
    });
    expect(f.message).toBe('m@1.0.0 was modified; merged versions are immutable');
    expect(report.change.versionsModified).toEqual(['m@1.0.0']);
    expect(report.change.models).toEqual(['m']);
  });

  it('an added field points at that field; a removed one at its parent', () => {
    const added = version('m', '0.9.0', { description: 'now with words' });
    const r1 = change(base(), edit(base(), { [V('m', '0.9.0')]: added }));
    only(r1.findings, { code: 'version-immutable', file: V('m', '0.9.0'), line: 9, field: '/description' });

    const removed = version('m', '1.0.0', good(0.9, { tags: undefined }));
    const r2 = change(base(), edit(base(), { [V('m', '1.0.0')]: removed }));
    // With the tags gone, production's holder also lacks what its gates need; that is not a change rule.
    only(r2.findings, { code: 'version-immutable', file: V('m', '1.0.0'), line: 1, field: '' });
  });

  it('adding only a deprecation mark is allowed and reported', () => {
    const report = change(base(), edit(base(), { [V('m', '0.9.0')]: version('m', '0.9.0', { deprecated: DEPRECATED }) }));
    expect(report).toEqual({ ok: true, findings: [], change: { ...emptySummary, deprecated: ['m@0.9.0'], models: ['m'] } });
  });

  it('removing only a deprecation mark is allowed and reported', () => {
    const b = base({ [V('m', '0.9.0')]: version('m', '0.9.0', { deprecated: DEPRECATED }) });
    const report = change(b, base());
    expect(report).toEqual({ ok: true, findings: [], change: { ...emptySummary, undeprecated: ['m@0.9.0'], models: ['m'] } });
  });

  it('changing the reason of a deprecation is allowed and is neither', () => {
    const b = base({ [V('m', '0.9.0')]: version('m', '0.9.0', { deprecated: DEPRECATED }) });
    const h = base({ [V('m', '0.9.0')]: version('m', '0.9.0', { deprecated: { ...DEPRECATED, reason: 'bad' } }) });
    expect(change(b, h)).toEqual({ ok: true, findings: [], change: emptySummary });
  });

  it('deprecating and modifying at once is still a modification', () => {
    const report = change(base(), edit(base(), { [V('m', '0.9.0')]: version('m', '0.9.0', { created_by: 'mallory', deprecated: DEPRECATED }) }));
    only(report.findings, { code: 'version-immutable', file: V('m', '0.9.0'), line: 7, field: '/created_by' });
    expect(report.change.deprecated).toEqual(['m@0.9.0']);
    expect(report.change.versionsModified).toEqual(['m@0.9.0']);
  });

  it('a deleted version file', () => {
    const report = change(base(), edit(base(), { [V('m', '0.9.0')]: undefined }));
    expect(report.ok).toBe(false);
    const f = only(report.findings, { code: 'version-immutable', file: V('m', '0.9.0'), line: undefined, severity: 'error' });
    expect(f.message).toBe('m@0.9.0 was deleted; merged versions are never removed');
    expect(f.hint).toBe('Restore the file; deprecate the version instead: modelreg deprecate m@0.9.0');
    expect(report.change.versionsDeleted).toEqual(['m@0.9.0']);
    expect(report.change.models).toEqual(['m']);
  });

  it('a version file broken in the head is reported as broken, not as deleted', () => {
    const report = change(base(), edit(base(), { [V('m', '0.9.0')]: 'name: m\nname: m\n' }));
    expect(codes(report.findings)).toEqual(['yaml-duplicate-key']);
    expect(report.change.versionsDeleted).toEqual([]);
  });

  it('a version added', () => {
    const report = change(base(), edit(base(), { [V('m', '1.2.0')]: version('m', '1.2.0') }));
    expect(report).toEqual({ ok: true, findings: [], change: { ...emptySummary, versionsAdded: ['m@1.2.0'], models: ['m'] } });
  });

  it('a version whose file was broken in the base is not counted as added', () => {
    const b = base({ [V('m', '1.2.0')]: 'name: [' });
    const report = change(b, edit(b, { [V('m', '1.2.0')]: version('m', '1.2.0') }));
    expect(report.change.versionsAdded).toEqual([]);
    expect(report.ok).toBe(true);
  });
});

describe('validateChange: promotions', () => {
  /** A base where candidate 1.2.0 (with `fields`) holds `holds`; production is held by 1.0.0 (accuracy 0.9). */
  function withCandidate(fields: Record<string, unknown>, holds: string[] = ['development', 'staging']): Files {
    const extra: Files = { [V('m', '1.2.0')]: version('m', '1.2.0', fields) };
    for (const s of holds) extra[S('m', s)] = stage('m', s, '1.2.0', { previous: '1.1.0' });
    return base(extra);
  }
  const promote = (b: Files, st: string, ver: string, previous: string | null) => edit(b, { [S('m', st)]: stage('m', st, ver, { previous }) });

  it('a promotion passing every gate', () => {
    const report = change(base(), promote(base(), 'production', '1.1.0', '1.0.0'));
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([]);
    expect(report.change.stageMoves).toHaveLength(1);
    const move = report.change.stageMoves[0]!;
    expect({ ...move, gates: undefined }).toEqual({
      model: 'm',
      stage: 'production',
      from: '1.0.0',
      to: '1.1.0',
      rollback: false,
      file: S('m', 'production'),
      gates: undefined,
    });
    expect(move.gates.map((g) => [g.gate, g.subject, g.passed])).toEqual([
      ['order', 'production', true],
      ['metric', 'accuracy', true],
      ['regression', 'accuracy', true],
      ['tag', 'reviewed', true],
      ['tag', 'license', true],
      ['lineage', 'datasets', true],
    ]);
    expect(report.change.models).toEqual(['m']);
  });

  it('a promotion straight to production breaks the stage order', () => {
    const b = base({ [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95)) });
    const report = change(b, promote(b, 'production', '1.2.0', '1.0.0'));
    expect(report.ok).toBe(false);
    const f = only(report.findings, { code: 'stage-order', file: S('m', 'production'), line: 3, column: 10, field: '/version', severity: 'error' });
    expect(f.message).toBe('m@1.2.0 → production: m@1.2.0 must hold staging before entering production');
    expect(errors(report.findings)).toHaveLength(1);
  });

  it('a version added and promoted in the same change has not held the earlier stage in the base', () => {
    const h = edit(base(), {
      [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95)),
      [S('m', 'development')]: stage('m', 'development', '1.2.0', { previous: '1.1.0' }),
      [S('m', 'staging')]: stage('m', 'staging', '1.2.0', { previous: '1.1.0' }),
    });
    const report = change(base(), h);
    // development is the first stage: anything may enter. staging needs development, held in the base.
    only(report.findings, { code: 'stage-order', file: S('m', 'staging'), line: 3 });
    expect(report.change.stageMoves.map((m) => [m.stage, m.from, m.to])).toEqual([
      ['development', '1.1.0', '1.2.0'],
      ['staging', '1.1.0', '1.2.0'],
    ]);
  });

  it('a metric below the threshold', () => {
    const b = withCandidate({ metrics: { accuracy: 0.5 } }, ['development']);
    const report = change(b, promote(b, 'staging', '1.2.0', '1.1.0'));
    const f = only(report.findings, { code: 'gate-metric', file: S('m', 'staging'), line: 3, field: '/version', severity: 'error' });
    expect(f.message).toBe('m@1.2.0 → staging: accuracy = 0.5; staging needs ≥ 0.8');
    expect(report.ok).toBe(false);
  });

  it('a missing metric', () => {
    const b = withCandidate({}, ['development']);
    const report = change(b, promote(b, 'staging', '1.2.0', '1.1.0'));
    const f = only(report.findings, { code: 'gate-metric', file: S('m', 'staging'), line: 3 });
    expect(f.message).toBe('m@1.2.0 → staging: metric accuracy is missing; staging needs accuracy ≥ 0.8');
  });

  it('a regression against the base holder beyond the tolerance', () => {
    const b = withCandidate(good(0.88));
    const report = change(b, promote(b, 'production', '1.2.0', '1.0.0'));
    const f = only(report.findings, { code: 'gate-regression', file: S('m', 'production'), line: 3, severity: 'error' });
    expect(f.message).toBe('m@1.2.0 → production: accuracy 0.88 against 0.9 held by 1.0.0 (higher is better, tolerance 0.01)');
    expect(errors(report.findings)).toHaveLength(1);
  });

  it('a regression within the tolerance, and exactly at it, passes', () => {
    for (const accuracy of [0.895, 0.89]) {
      const b = withCandidate(good(accuracy));
      const report = change(b, promote(b, 'production', '1.2.0', '1.0.0'));
      expect(report.findings, String(accuracy)).toEqual([]);
      const gate = report.change.stageMoves[0]!.gates.find((g) => g.gate === 'regression')!;
      expect(gate).toMatchObject({ passed: true, candidate: accuracy, reference: 0.9 });
    }
  });

  it('required tags: a missing key and a wrong value', () => {
    const b = withCandidate(good(0.95, { tags: { license: 'mit' } }));
    const report = change(b, promote(b, 'production', '1.2.0', '1.0.0'));
    const tags = withCode(report.findings, 'gate-tag');
    expect(tags.map((f) => [f.file, f.line, f.message])).toEqual([
      [S('m', 'production'), 3, 'm@1.2.0 → production: tag reviewed is required by production'],
      [S('m', 'production'), 3, 'm@1.2.0 → production: tag license is "mit"; production requires "apache-2.0"'],
    ]);
    expect(errors(report.findings)).toHaveLength(2);
  });

  it('required lineage', () => {
    for (const lineage of [undefined, { datasets: [] }, { code: { repository: 'r', commit: 'abcdef0' } }]) {
      const b = withCandidate(good(0.95, { lineage }));
      const report = change(b, promote(b, 'production', '1.2.0', '1.0.0'));
      const f = only(report.findings, { code: 'gate-lineage', file: S('m', 'production'), line: 3 });
      expect(f.message).toBe('m@1.2.0 → production: lineage.datasets is required by production');
      expect(errors(report.findings)).toHaveLength(1);
    }
  });

  it('a deprecated candidate', () => {
    const b = withCandidate(good(0.95));
    const h = edit(promote(b, 'production', '1.2.0', '1.0.0'), { [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95, { deprecated: DEPRECATED })) });
    const report = change(b, h);
    const f = only(report.findings, { code: 'gate-deprecated', file: S('m', 'production'), line: 3 });
    expect(f.message).toBe('m@1.2.0 → production: m@1.2.0 is deprecated and cannot be promoted');
    // The head also has stages held by a deprecated version; the mark itself is not a modification.
    expect(withCode(report.findings, 'stage-deprecated').map((x) => x.file)).toEqual([S('m', 'development'), S('m', 'production'), S('m', 'staging')]);
    expect(withCode(report.findings, 'version-immutable')).toEqual([]);
    expect(report.change.deprecated).toEqual(['m@1.2.0']);
  });

  it('a rollback to `previous` is exempt from stage order and regression', () => {
    // production: 1.0.0 → 1.1.0 in the base; back to 1.0.0, which holds no earlier stage and has a lower accuracy.
    const b = edit(base(), { [S('m', 'production')]: stage('m', 'production', '1.1.0', { previous: '1.0.0' }) });
    const report = change(b, promote(b, 'production', '1.0.0', '1.1.0'));
    expect(report).toMatchObject({ ok: true, findings: [] });
    const move = report.change.stageMoves[0]!;
    expect(move).toMatchObject({ stage: 'production', from: '1.1.0', to: '1.0.0', rollback: true });
    expect(move.gates.map((g) => g.gate)).toEqual(['metric', 'tag', 'tag', 'lineage']);
  });

  it('a rollback still has to meet the thresholds', () => {
    const b = edit(base(), {
      [V('m', '1.0.0')]: version('m', '1.0.0', good(0.84)),
      [S('m', 'production')]: stage('m', 'production', '1.1.0', { previous: '1.0.0' }),
    });
    const report = change(b, promote(b, 'production', '1.0.0', '1.1.0'));
    only(report.findings, { code: 'gate-metric', file: S('m', 'production'), line: 3 });
    expect(report.change.stageMoves[0]!.rollback).toBe(true);
  });

  it('moving to a version other than `previous` is not a rollback', () => {
    const b = edit(base(), { [S('m', 'production')]: stage('m', 'production', '1.1.0', { previous: '1.0.0' }) });
    const report = change(b, promote(b, 'production', '0.9.0', '1.1.0'));
    expect(report.change.stageMoves[0]!.rollback).toBe(false);
    expect(withCode(report.findings, 'stage-order')).toHaveLength(1);
  });

  it('`previous` must name the base holder', () => {
    const report = change(base(), promote(base(), 'production', '1.1.0', null));
    const f = only(report.findings, {
      code: 'stage-previous-mismatch',
      file: S('m', 'production'),
      line: 6,
      column: 11,
      field: '/previous',
      severity: 'error',
    });
    expect(f.message).toBe('previous is null; the base holder of m@production is "1.0.0"');
    expect(report.ok).toBe(false);

    const wrong = change(base(), promote(base(), 'production', '1.1.0', '0.9.0'));
    only(wrong.findings, { code: 'stage-previous-mismatch', file: S('m', 'production'), line: 6 });
  });

  it('a first holder must have previous null', () => {
    const b = base({ [M('n')]: model('n'), [V('n', '1.0.0')]: version('n', '1.0.0') });
    const ok = change(b, edit(b, { [S('n', 'development')]: stage('n', 'development', '1.0.0') }));
    expect(ok).toMatchObject({ ok: true, findings: [] });
    expect(ok.change.stageMoves.map((m) => [m.model, m.stage, m.from, m.to])).toEqual([['n', 'development', null, '1.0.0']]);

    const bad = change(b, edit(b, { [S('n', 'development')]: stage('n', 'development', '1.0.0', { previous: '0.1.0' }) }));
    const f = only(bad.findings, { code: 'stage-previous-mismatch', file: S('n', 'development'), line: 6 });
    expect(f.message).toBe('previous is "0.1.0"; the base holder of n@development is null');
  });

  it('a stage naming a missing version gets no gates (the head reports it dangling)', () => {
    const report = change(base(), promote(base(), 'production', '7.0.0', '1.0.0'));
    expect(report.change.stageMoves[0]!.gates).toEqual([]);
    expect(codes(errors(report.findings))).toEqual(['stage-dangling']);
  });
});

describe('validateChange: the base policy judges', () => {
  it('weakening the gates and promoting in the same change fails, and the policy change is reported', () => {
    const weak = policy({ stages: [{ name: 'development' }, { name: 'staging' }, { name: 'production', from: [] }] });
    const h = edit(base(), {
      'registry.yaml': weak,
      [V('m', '1.2.0')]: version('m', '1.2.0', { metrics: { accuracy: 0.5 } }),
      [S('m', 'production')]: stage('m', 'production', '1.2.0', { previous: '1.0.0' }),
    });
    // The head policy on its own would let this through.
    expect(change(edit(base(), { 'registry.yaml': weak }), h).ok).toBe(true);

    const report = change(base(), h);
    expect(report.ok).toBe(false);
    expect(report.change.policyChanged).toBe(true);
    only(report.findings, { code: 'policy-changed', file: 'registry.yaml', line: 1, severity: 'warning' });
    expect(errors(report.findings).map((f) => [f.code, f.file, f.line])).toEqual([
      ['gate-lineage', S('m', 'production'), 3],
      ['gate-metric', S('m', 'production'), 3],
      ['gate-regression', S('m', 'production'), 3],
      ['gate-tag', S('m', 'production'), 3],
      ['gate-tag', S('m', 'production'), 3],
      ['stage-order', S('m', 'production'), 3],
    ]);
  });

  it('a stage added to the policy in the same change is unknown to the base', () => {
    const stages = [...(policyData().stages as object[]), { name: 'canary' }];
    const h = edit(base(), { 'registry.yaml': policy({ stages }), [S('m', 'canary')]: stage('m', 'canary', '1.1.0') });
    const report = change(base(), h);
    const f = only(report.findings, { code: 'stage-unknown', file: S('m', 'canary'), line: 2, field: '/stage', severity: 'error' });
    expect(f.message).toBe('"canary" is not a stage of the base registry.yaml');
    only(report.findings, { code: 'policy-changed', file: 'registry.yaml', line: 1 });
  });

  it('a reformatted but equal policy is not a change', () => {
    const reformatted = `# comment\n${policy()}`;
    const report = change(base(), edit(base(), { 'registry.yaml': reformatted }));
    expect(report).toEqual({ ok: true, findings: [], change: emptySummary });
  });

  it('a policy added or removed is a policy change without a finding of its own', () => {
    const noPolicy = edit(base(), { 'registry.yaml': undefined });
    const { findings, summary } = checkChange(snap(base()), snap(noPolicy));
    expect(findings).toEqual([]);
    expect(summary.policyChanged).toBe(true);
    expect(codes(change(base(), noPolicy).findings)).toEqual(['tree-missing-policy']);
  });

  it('without a base policy, a move fails closed', () => {
    const b = edit(base(), { 'registry.yaml': undefined });
    const { findings, summary } = checkChange(snap(b), snap(edit(b, { [S('m', 'production')]: stage('m', 'production', '0.9.0', { previous: '1.0.0' }) })));
    expect(findings.map((f) => [f.code, f.severity, f.file, f.line])).toEqual([['policy-unavailable', 'error', S('m', 'production'), 3]]);
    expect(summary.stageMoves).toEqual([
      { model: 'm', stage: 'production', from: '1.0.0', to: '0.9.0', rollback: false, file: S('m', 'production'), gates: [] },
    ]);
  });
});

describe('validateChange: findings that are not the change’s fault', () => {
  it('errors already in the base become warnings marked pre-existing', () => {
    const b = base({
      [M('n')]: model('n'),
      [S('n', 'development')]: stage('n', 'development', '3.0.0'),
      [V('n', '0.1.0')]: 'name: n\nname: n\n',
    });
    const report = change(b, edit(b, { [S('m', 'production')]: stage('m', 'production', '1.1.0', { previous: '1.0.0' }) }));
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.code, f.file, f.line, f.severity, f.message])).toEqual([
      ['stage-dangling', S('n', 'development'), 3, 'warning', 'n@development names version 3.0.0, which does not exist (pre-existing in the base)'],
      ['yaml-duplicate-key', V('n', '0.1.0'), 2, 'warning', 'Map keys must be unique (pre-existing in the base)'],
    ]);
  });

  it('a new error of the same code elsewhere is still an error', () => {
    const b = base({ [M('n')]: model('n'), [S('n', 'development')]: stage('n', 'development', '3.0.0') });
    const report = change(b, edit(b, { [S('m', 'staging')]: stage('m', 'staging', '9.0.0', { previous: '1.1.0' }) }));
    expect(report.ok).toBe(false);
    expect(withCode(report.findings, 'stage-dangling').map((f) => [f.file, f.severity])).toEqual([
      [S('m', 'staging'), 'error'],
      [S('n', 'development'), 'warning'],
    ]);
  });

  it('a stage removed is a notice', () => {
    const report = change(base(), edit(base(), { [S('m', 'development')]: undefined }));
    expect(report.ok).toBe(true);
    const f = only(report.findings, { code: 'stage-removed', file: S('m', 'development'), line: undefined, severity: 'notice' });
    expect(f.message).toBe('m no longer holds development (was 1.1.0)');
    expect(report.change.stagesRemoved).toEqual([{ model: 'm', stage: 'development', version: '1.1.0' }]);
    expect(report.change.models).toEqual(['m']);
  });

  it('a stage file broken in the head is not reported as removed', () => {
    const report = change(base(), edit(base(), { [S('m', 'development')]: 'model: [' }));
    expect(withCode(report.findings, 'stage-removed')).toEqual([]);
    expect(report.change.stagesRemoved).toEqual([]);
  });
});

describe('validateChange: summary', () => {
  it('lists what the change does, sorted', () => {
    const h = edit(base(), {
      [M('m')]: model('m', { description: 'Now described.' }),
      [V('m', '1.2.0')]: version('m', '1.2.0'),
      [V('m', '1.10.0')]: version('m', '1.10.0'),
      [M('z')]: model('z'),
      [V('z', '1.0.0')]: version('z', '1.0.0'),
      [S('z', 'development')]: stage('z', 'development', '1.0.0'),
      [M('a')]: model('a'),
      [S('m', 'production')]: stage('m', 'production', '1.1.0', { previous: '1.0.0' }),
    });
    const report = change(base(), h);
    expect(report.findings).toEqual([]);
    const s = report.change;
    expect(s.policyChanged).toBe(false);
    expect(s.modelsAdded).toEqual(['a', 'z']);
    expect(s.modelsChanged).toEqual(['m']);
    expect(s.versionsAdded).toEqual(['m@1.2.0', 'm@1.10.0', 'z@1.0.0']); // semantic-version order
    expect(s.stageMoves.map((m) => [m.model, m.stage, m.from, m.to, m.rollback, m.file])).toEqual([
      ['m', 'production', '1.0.0', '1.1.0', false, S('m', 'production')],
      ['z', 'development', null, '1.0.0', false, S('z', 'development')],
    ]);
    expect(s.models).toEqual(['a', 'm', 'z']);
  });

  it('a model removed entirely is touched, and its versions are deleted', () => {
    const b = base({ [M('n')]: model('n'), [V('n', '1.0.0')]: version('n', '1.0.0') });
    const report = change(b, base());
    expect(report.change.versionsDeleted).toEqual(['n@1.0.0']);
    expect(report.change.models).toEqual(['n']);
    only(report.findings, { code: 'version-immutable', file: V('n', '1.0.0') });
  });

  it('checkChange alone returns only the rules between base and head', () => {
    const h = edit(base(), {
      [V('m', '1.0.0')]: version('m', '1.0.0', good(0.91)),
      [S('m', 'staging')]: stage('m', 'staging', '7.7.7', { previous: '1.1.0' }),
    });
    const { findings } = checkChange(snap(base()), snap(h));
    // stage-dangling belongs to the head's own validation, not to checkChange.
    expect(codes(findings)).toEqual(['version-immutable']);
  });
});
