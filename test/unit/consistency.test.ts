import { describe, expect, it } from 'vitest';
import { checkConsistency } from '../../src/checks/consistency.js';
import type { Finding } from '../../src/registry/findings.js';
import { DEPRECATED, M, S, SHA_A, SHA_B, V, codes, lineOf, model, only, policy, policyData, snap, stage, version, type Files } from './helpers.js';

/** A consistent registry: model m with 1.0.0 and 1.1.0, 1.0.0 in development. */
function registry(extra: Files = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '1.0.0')]: version('m', '1.0.0'),
    [V('m', '1.1.0')]: version('m', '1.1.0'),
    [S('m', 'development')]: stage('m', 'development', '1.0.0'),
    ...extra,
  };
}

const check = (files: Files): Finding[] => checkConsistency(snap(files));

describe('checkConsistency', () => {
  it('finds nothing in a consistent registry', () => {
    const s = snap(registry());
    expect(s.findings).toEqual([]);
    expect(checkConsistency(s)).toEqual([]);
  });

  describe('names against paths', () => {
    it('model.yaml name differs from its directory', () => {
      const f = only(check(registry({ [M('m')]: model('other') })), { code: 'name-mismatch', file: M('m'), line: 1, column: 7, field: '/name' });
      expect(f.message).toBe('name "other" does not match the directory models/m');
    });

    it('version file: name and version fields', () => {
      const f = check(registry({ [V('m', '1.1.0')]: version('x', '1.1.1') }));
      expect(f.map((x) => [x.code, x.file, x.line, x.field])).toEqual([
        ['name-mismatch', V('m', '1.1.0'), 1, '/name'],
        ['name-mismatch', V('m', '1.1.0'), 2, '/version'],
      ]);
      expect(f[1]!.message).toBe('version "1.1.1" does not match the file name 1.1.0.yaml');
    });

    it('stage file: model and stage fields', () => {
      const f = check(registry({ [S('m', 'development')]: stage('x', 'staging', '1.0.0') }));
      expect(f.map((x) => [x.code, x.file, x.line, x.field])).toEqual([
        ['name-mismatch', S('m', 'development'), 1, '/model'],
        ['name-mismatch', S('m', 'development'), 2, '/stage'],
      ]);
    });
  });

  describe('path-safe names', () => {
    it.each([['Upper'], ['-lead'], ['a..b'], ['..'], ['trailing.']])('rejects the model directory %j, once per model', (dir) => {
      const f = check({
        'registry.yaml': policy(),
        [`models/${dir}/model.yaml`]: model('ok'),
        [`models/${dir}/versions/1.0.0.yaml`]: version('ok', '1.0.0'),
      });
      const hits = f.filter((x) => x.code === 'name-invalid');
      expect(hits).toEqual([
        {
          code: 'name-invalid',
          severity: 'error',
          message: expect.stringMatching(new RegExp(`^model name ${JSON.stringify(dir).replace(/[.]/g, '\\.')} is not path-safe: `)),
          file: `models/${dir}/model.yaml`,
          hint: expect.any(String),
        },
      ]);
    });

    it('accepts the edges of the name rule', () => {
      const f = check({ 'registry.yaml': policy(), [M('a')]: model('a'), [M('a.b_c-9')]: model('a.b_c-9'), [M('x_')]: model('x_') });
      expect(f).toEqual([]);
    });

    it('rejects version files that are not semantic versions', () => {
      const f = check(registry({ [V('m', '1.0')]: version('m', '1.0.0'), [V('m', '1.0.0+build')]: version('m', '1.0.0') }));
      const hits = f.filter((x) => x.code === 'version-invalid');
      expect(hits.map((x) => [x.file, x.line])).toEqual([
        [V('m', '1.0'), undefined],
        [V('m', '1.0.0+build'), undefined],
      ]);
      expect(hits[1]!.message).toBe('"1.0.0+build" is not a semantic version (build metadata is not allowed)');
    });

    it('rejects invalid stage file names', () => {
      const f = check(registry({ [S('m', 'Prod')]: stage('m', 'Prod', '1.0.0') }));
      // The schema rejects the stage field too, so the file is broken: only the path is judged.
      const hits = f.filter((x) => x.code === 'name-invalid');
      expect(hits.map((x) => [x.file, x.line, x.message])).toEqual([
        [
          S('m', 'Prod'),
          undefined,
          'stage name "Prod" is not valid: stage names are lowercase letters, digits, "_" and "-", starting with a letter, at most 64 characters',
        ],
      ]);
    });
  });

  it('reports paths that differ only by letter case', () => {
    const f = check(registry({ [V('m', '1.0.0-RC.1')]: version('m', '1.0.0-RC.1'), [V('m', '1.0.0-rc.1')]: version('m', '1.0.0-rc.1') }));
    const hit = only(f, { code: 'name-case-collision', file: V('m', '1.0.0-rc.1'), line: undefined });
    expect(hit.message).toBe(`${V('m', '1.0.0-rc.1')} and ${V('m', '1.0.0-RC.1')} differ only by letter case`);
  });

  it('reports a case collision between model directories', () => {
    const f = check({ 'registry.yaml': policy(), [M('m')]: model('m'), 'models/M/model.yaml': model('m') });
    only(f, { code: 'name-case-collision', file: 'models/M/model.yaml', line: undefined });
  });

  it('reports versions and stages without model.yaml', () => {
    const files = registry();
    delete files[M('m')];
    const f = only(check(files), { code: 'model-missing', file: V('m', '1.0.0'), line: undefined });
    expect(f.message).toBe('model "m" has no models/m/model.yaml');
  });

  it('does not call a model missing when its model.yaml is broken', () => {
    const f = check(registry({ [M('m')]: 'name: m\n' }));
    expect(f).toEqual([]);
  });

  describe('stages', () => {
    it('a stage the policy does not define', () => {
      const f = only(check(registry({ [S('m', 'canary')]: stage('m', 'canary', '1.0.0') })), {
        code: 'stage-unknown',
        file: S('m', 'canary'),
        line: 2,
        column: 8,
        field: '/stage',
      });
      expect(f.message).toBe('"canary" is not a stage of registry.yaml');
      expect(f.hint).toBe('Stages: development, staging, production.');
    });

    it('a stage naming a version that does not exist', () => {
      const f = only(check(registry({ [S('m', 'staging')]: stage('m', 'staging', '9.9.9') })), {
        code: 'stage-dangling',
        file: S('m', 'staging'),
        line: 3,
        column: 10,
        field: '/version',
      });
      expect(f.message).toBe('m@staging names version 9.9.9, which does not exist');
    });

    it('no dangling finding when the named version file is there but broken', () => {
      const f = check(registry({ [V('m', '1.2.0')]: 'name: [', [S('m', 'staging')]: stage('m', 'staging', '1.2.0') }));
      expect(f).toEqual([]);
    });

    it('a stage held by a deprecated version', () => {
      const f = only(check(registry({ [V('m', '1.0.0')]: version('m', '1.0.0', { deprecated: DEPRECATED }) })), {
        code: 'stage-deprecated',
        file: S('m', 'development'),
        line: 3,
        field: '/version',
      });
      expect(f.message).toBe('m@development is held by 1.0.0, which is deprecated');
    });

    it('a previous holder that does not exist is a warning', () => {
      const f = check(registry({ [S('m', 'development')]: stage('m', 'development', '1.0.0', { previous: '0.1.0' }) }));
      only(f, { code: 'stage-previous-dangling', severity: 'warning', file: S('m', 'development'), line: 6, field: '/previous' });
    });

    it('without a policy, stage names are not judged (the missing policy is)', () => {
      const files = registry({ [S('m', 'canary')]: stage('m', 'canary', '1.0.0') });
      delete files['registry.yaml'];
      const f = check(files);
      expect(codes(f)).toEqual(['tree-missing-policy']);
      only(f, { code: 'tree-missing-policy', file: 'registry.yaml', line: undefined });
    });

    it('a broken registry.yaml is not also reported missing', () => {
      expect(check(registry({ 'registry.yaml': 'apiVersion: [' }))).toEqual([]);
    });
  });

  describe('lineage', () => {
    const parents = (...refs: [string, string][]) => ({ lineage: { parents: refs.map(([m, v]) => ({ model: m, version: v })) } });

    it('a parent that does not exist', () => {
      const text = version('m', '1.1.0', parents(['m', '1.0.0'], ['base', '1.0.0']));
      const f = only(check(registry({ [V('m', '1.1.0')]: text })), {
        code: 'lineage-dangling',
        file: V('m', '1.1.0'),
        line: lineOf(text, '"base"'),
        column: 7,
        field: '/lineage/parents/1',
      });
      expect(f.message).toBe('parent base@1.0.0 does not exist');
    });

    it('a cycle a → b → a, reported once', () => {
      const a = version('m', '1.0.0', parents(['m', '1.1.0']));
      const b = version('m', '1.1.0', parents(['m', '1.0.0']));
      const f = only(check(registry({ [V('m', '1.0.0')]: a, [V('m', '1.1.0')]: b })), {
        code: 'lineage-cycle',
        file: V('m', '1.0.0'),
        line: lineOf(a, 'parents') + 1,
        field: '/lineage/parents',
      });
      expect(f.message).toBe('lineage cycle: m@1.0.0 → m@1.1.0 → m@1.0.0');
    });

    it('a version that is its own parent', () => {
      const a = version('m', '1.1.0', parents(['m', '1.1.0']));
      const f = only(check(registry({ [V('m', '1.1.0')]: a })), { code: 'lineage-cycle', file: V('m', '1.1.0'), field: '/lineage/parents' });
      expect(f.message).toBe('lineage cycle: m@1.1.0 → m@1.1.0');
    });

    it('a cycle across models', () => {
      const files = registry({
        [M('n')]: model('n'),
        [V('n', '1.0.0')]: version('n', '1.0.0', parents(['m', '1.1.0'])),
        [V('m', '1.1.0')]: version('m', '1.1.0', parents(['n', '1.0.0'])),
      });
      const f = only(check(files), { code: 'lineage-cycle', file: V('m', '1.1.0') });
      expect(f.message).toBe('lineage cycle: m@1.1.0 → n@1.0.0 → m@1.1.0');
    });

    it('a diamond is not a cycle', () => {
      const files = registry({
        [V('m', '1.2.0')]: version('m', '1.2.0', parents(['m', '1.0.0'])),
        [V('m', '1.3.0')]: version('m', '1.3.0', parents(['m', '1.0.0'])),
        [V('m', '2.0.0')]: version('m', '2.0.0', parents(['m', '1.2.0'], ['m', '1.3.0'])),
      });
      expect(check(files)).toEqual([]);
    });
  });

  describe('artifact paths', () => {
    const artifacts = (...paths: string[]) => ({ artifacts: paths.map((path, i) => ({ path, sha256: i % 2 ? SHA_B : SHA_A, size: 1 })) });

    it.each([['weights/../../etc/passwd'], ['a//b'], ['./a'], ['a/./b'], ['..']])('rejects %j', (bad) => {
      const text = version('m', '1.1.0', artifacts('ok.bin', bad));
      const f = only(check(registry({ [V('m', '1.1.0')]: text })), {
        code: 'artifact-path',
        file: V('m', '1.1.0'),
        line: 7,
        column: 11,
        field: '/artifacts/1/path',
      });
      expect(f.message).toBe(`artifact path ${JSON.stringify(bad)} has an empty, "." or ".." segment`);
    });

    it('rejects a repeated path, letter case ignored, at the repeat', () => {
      const text = version('m', '1.1.0', artifacts('Model.bin', 'config.json', 'model.bin'));
      const f = only(check(registry({ [V('m', '1.1.0')]: text })), { code: 'artifact-path', file: V('m', '1.1.0'), line: 10, field: '/artifacts/2/path' });
      expect(f.message).toBe('artifact path "model.bin" repeats artifact 0 (letter case ignored)');
    });

    it('accepts dots inside names', () => {
      expect(check(registry({ [V('m', '1.1.0')]: version('m', '1.1.0', artifacts('a..b/c.d', '.hidden', 'x/..a')) }))).toEqual([]);
    });

    it.each([
      ['con.bin', '"con.bin" is a Windows device name (CON)'],
      ['w/NUL', '"NUL" is a Windows device name (NUL)'],
      ['x/...', '"..." ends in a dot, which Windows drops'],
      ['notes ', '"notes " ends in a space, which Windows drops'],
      ['w/a:b', '"a:b" holds ":", which Windows does not allow in a file name'],
    ])('refuses %j, which some checkout cannot hold', (path, why) => {
      const f = check(registry({ [V('m', '1.1.0')]: version('m', '1.1.0', artifacts(path)) }));
      expect(f.map((x) => [x.code, x.message])).toEqual([
        ['artifact-path', `artifact path ${JSON.stringify(path)} is not a file name every checkout can hold: ${why}`],
      ]);
    });
  });

  describe('policy', () => {
    const stages = (policyData().stages as Record<string, unknown>[]).map((s) => ({ ...s }));

    it('a stage defined twice, at the second', () => {
      const text = policy({ stages: [...stages, { name: 'staging' }] });
      const f = only(check(registry({ 'registry.yaml': text })), { code: 'policy-invalid', file: 'registry.yaml', field: '/stages/3/name' });
      expect(f.line).toBe(text.split('\n').lastIndexOf('  - name: "staging"') + 1);
      expect(f.message).toBe('stage "staging" is defined twice');
    });

    it('a from naming an unknown stage', () => {
      const text = policy({ stages: [stages[0], { name: 'staging', from: ['development', 'qa'] }, stages[2]] });
      const f = only(check(registry({ 'registry.yaml': text })), {
        code: 'policy-invalid',
        file: 'registry.yaml',
        line: lineOf(text, '"qa"'),
        column: 9,
        field: '/stages/1/from/1',
      });
      expect(f.message).toBe('stage "staging" may be entered from "qa", which is not a stage');
    });

    it('a from naming a later stage is fine; naming itself is not', () => {
      const ok = policy({ stages: [{ name: 'a', from: ['b'] }, { name: 'b' }] });
      expect(check({ 'registry.yaml': ok })).toEqual([]);
      const self = policy({ stages: [{ name: 'a', from: ['a'] }] });
      const f = only(check({ 'registry.yaml': self }), {
        code: 'policy-invalid',
        file: 'registry.yaml',
        line: lineOf(self, '- "a"'),
        field: '/stages/0/from/0',
      });
      expect(f.message).toBe('stage "a" lists itself in from');
    });
  });
});
