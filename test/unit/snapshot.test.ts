import { describe, expect, it } from 'vitest';
import { classifyPath, modelDirOf } from '../../src/registry/layout.js';
import { buildSnapshot, emptySnapshot, type ParseCache, type TreeFile } from '../../src/registry/snapshot.js';
import { DEFAULT_YAML_LIMITS } from '../../src/schema/yaml.js';
import { M, S, V, codes, model, only, policy, snap, stage, tree, version } from './helpers.js';

describe('modelDirOf', () => {
  it('names the model directory a path lies in, and nothing outside models/', () => {
    expect(modelDirOf('models/m')).toBe('m');
    expect(modelDirOf('models/m/versions/1.0.0.yaml')).toBe('m');
    expect(modelDirOf('models')).toBeUndefined();
    expect(modelDirOf('registry.yaml')).toBeUndefined();
    expect(modelDirOf('modelsX/m/model.yaml')).toBeUndefined();
  });
});

describe('classifyPath', () => {
  it('names each kind of manifest', () => {
    expect(classifyPath('registry.yaml')).toEqual({ kind: 'registry' });
    expect(classifyPath('models/m/model.yaml')).toEqual({ kind: 'model', model: 'm' });
    expect(classifyPath('models/m/versions/1.0.0.yaml')).toEqual({ kind: 'version', model: 'm', id: '1.0.0' });
    expect(classifyPath('models/m/stages/production.yaml')).toEqual({ kind: 'stage', model: 'm', id: 'production' });
  });

  it('ignores files outside models/ and editor droppings', () => {
    expect(classifyPath('README.md')).toEqual({ kind: 'ignored' });
    expect(classifyPath('.github/workflows/ci.yml')).toEqual({ kind: 'ignored' });
    expect(classifyPath('modelsX/a.yaml')).toEqual({ kind: 'ignored' });
    expect(classifyPath('models/m/versions/.gitkeep')).toEqual({ kind: 'ignored' });
    expect(classifyPath('models/.DS_Store')).toEqual({ kind: 'ignored' });
  });

  it('flags .yml and anything else under models/', () => {
    expect(classifyPath('models/m/versions/1.0.0.yml')).toEqual({ kind: 'unexpected', wrongExtension: true });
    expect(classifyPath('models/m/stages/production.yml')).toEqual({ kind: 'unexpected', wrongExtension: true });
    expect(classifyPath('models/m/model.yml')).toEqual({ kind: 'unexpected', wrongExtension: true });
    expect(classifyPath('models/m/notes.txt')).toEqual({ kind: 'unexpected' });
    expect(classifyPath('models/m/versions/.yaml')).toEqual({ kind: 'unexpected' });
    expect(classifyPath('models/m/versions/old/1.0.0.yaml')).toEqual({ kind: 'unexpected' });
    expect(classifyPath('models/m.yaml')).toEqual({ kind: 'unexpected' });
  });
});

describe('buildSnapshot: classification', () => {
  const files = {
    'registry.yaml': policy(),
    'README.md': '# not yaml: {',
    [M('m')]: model('m'),
    [V('m', '1.0.0')]: version('m', '1.0.0'),
    [V('m', '2.0.0-rc.1')]: version('m', '2.0.0-rc.1'),
    [S('m', 'production')]: stage('m', 'production', '1.0.0'),
    [M('n')]: model('n'),
    'models/n/versions/.gitkeep': '',
  };

  it('files each manifest under its model, keyed by the file name', () => {
    const s = snap(files);
    expect(s.findings).toEqual([]);
    expect(s.brokenFiles.size).toBe(0);
    expect(s.policy?.file).toBe('registry.yaml');
    expect(s.policy?.data.stages.map((x) => x.name)).toEqual(['development', 'staging', 'production']);
    expect([...s.models.keys()]).toEqual(['m', 'n']);
    const m = s.models.get('m')!;
    expect(m.name).toBe('m');
    expect(m.manifest?.file).toBe(M('m'));
    expect(m.manifest?.data.owners).toEqual(['alice']);
    expect([...m.versions.keys()]).toEqual(['1.0.0', '2.0.0-rc.1']);
    expect(m.versions.get('2.0.0-rc.1')?.data.version).toBe('2.0.0-rc.1');
    expect(m.versions.get('1.0.0')?.doc.valueAt.get('/version')).toEqual({ line: 2, column: 10 });
    expect([...m.stages.keys()]).toEqual(['production']);
    expect(m.stages.get('production')?.data.version).toBe('1.0.0');
    expect(s.models.get('n')!.versions.size).toBe(0);
  });

  it('lists the paths the layout concerns, and only those', () => {
    expect(snap(files).paths).toEqual(['registry.yaml', M('m'), V('m', '1.0.0'), V('m', '2.0.0-rc.1'), S('m', 'production'), M('n')]);
  });

  it('keeps the blob id of what it read', () => {
    const s = buildSnapshot([{ path: M('m'), type: 'file', text: model('m'), oid: 'abc123' }]);
    expect(s.models.get('m')!.manifest!.oid).toBe('abc123');
  });

  it('an empty tree is an empty snapshot', () => {
    expect(buildSnapshot([])).toEqual(emptySnapshot());
  });
});

describe('buildSnapshot: what the tree may not hold', () => {
  it('symlinks in the registry are reported and never read', () => {
    const s = buildSnapshot([
      { path: M('m'), type: 'file', text: model('m') },
      { path: V('m', '1.0.0'), type: 'symlink' },
    ]);
    only(s.findings, { code: 'tree-symlink', file: V('m', '1.0.0'), line: undefined, severity: 'error' });
    expect(s.brokenFiles.has(V('m', '1.0.0'))).toBe(true);
    expect(s.paths).toContain(V('m', '1.0.0'));
    expect(s.models.get('m')!.versions.size).toBe(0);
  });

  it('symlinks and submodules outside models/ are reported too, but do not break anything', () => {
    const s = buildSnapshot([
      { path: 'docs', type: 'symlink' },
      { path: 'vendor/lib', type: 'submodule' },
    ]);
    expect(s.findings.map((f) => [f.code, f.file])).toEqual([
      ['tree-symlink', 'docs'],
      ['tree-submodule', 'vendor/lib'],
    ]);
    expect(s.brokenFiles.size).toBe(0);
    expect(s.paths).toEqual([]);
  });

  it('a submodule at registry.yaml or under models/', () => {
    const s = buildSnapshot([
      { path: 'registry.yaml', type: 'submodule' },
      { path: 'models/m/stages/production.yaml', type: 'submodule' },
    ]);
    expect(s.findings.map((f) => [f.code, f.file, f.severity])).toEqual([
      ['tree-submodule', 'registry.yaml', 'error'],
      ['tree-submodule', 'models/m/stages/production.yaml', 'error'],
    ]);
    expect([...s.brokenFiles]).toEqual(['registry.yaml', 'models/m/stages/production.yaml']);
    expect(s.policy).toBeUndefined();
  });

  it('.yml manifests are an error, and are not read', () => {
    const s = snap({ [M('m')]: model('m'), 'models/m/versions/1.0.0.yml': version('m', '1.0.0'), 'models/x/model.yml': model('x') });
    expect(s.findings.map((f) => [f.code, f.file, f.severity, f.line])).toEqual([
      ['tree-bad-extension', 'models/m/versions/1.0.0.yml', 'error', undefined],
      ['tree-bad-extension', 'models/x/model.yml', 'error', undefined],
    ]);
    expect(s.models.get('m')!.versions.size).toBe(0);
    expect(s.models.has('x')).toBe(false);
  });

  it('unexpected files under models/ are a warning', () => {
    const s = snap({ [M('m')]: model('m'), 'models/m/notes.txt': 'hello', 'models/m/versions/old/1.0.0.yaml': version('m', '1.0.0') });
    expect(s.findings.map((f) => [f.code, f.file, f.severity])).toEqual([
      ['tree-unexpected-file', 'models/m/notes.txt', 'warning'],
      ['tree-unexpected-file', 'models/m/versions/old/1.0.0.yaml', 'warning'],
    ]);
    expect(s.brokenFiles.size).toBe(0);
    expect(s.models.get('m')!.versions.size).toBe(0);
  });

  it('files larger than the limit by their declared size are not parsed', () => {
    const files: TreeFile[] = [
      { path: M('m'), type: 'file', text: model('m') },
      // No text: an oversize file is never read.
      { path: V('m', '1.0.0'), type: 'file', size: DEFAULT_YAML_LIMITS.maxBytes + 1 },
      { path: V('m', '1.1.0'), type: 'file', text: version('m', '1.1.0'), size: DEFAULT_YAML_LIMITS.maxBytes },
    ];
    const s = buildSnapshot(files);
    const f = only(s.findings, { code: 'tree-oversize', file: V('m', '1.0.0'), line: 1 });
    expect(f.message).toBe(`${V('m', '1.0.0')} is ${DEFAULT_YAML_LIMITS.maxBytes + 1} bytes; the limit is ${DEFAULT_YAML_LIMITS.maxBytes}`);
    expect([...s.brokenFiles]).toEqual([V('m', '1.0.0')]);
    expect([...s.models.get('m')!.versions.keys()]).toEqual(['1.1.0']);
  });

  it('honours limits passed in', () => {
    const text = model('m');
    const s = buildSnapshot([{ path: M('m'), type: 'file', text, size: 10 }], { limits: { ...DEFAULT_YAML_LIMITS, maxBytes: 9 } });
    only(s.findings, { code: 'tree-oversize', file: M('m'), line: 1 });
    const t = snap({ [M('m')]: text }, { limits: { ...DEFAULT_YAML_LIMITS, maxBytes: 9 } });
    only(t.findings, { code: 'tree-oversize', file: M('m'), line: 1 });
  });
});

describe('buildSnapshot: broken files', () => {
  it('keeps files that do not parse out of the model and remembers them', () => {
    const s = snap({ [M('m')]: model('m'), [V('m', '1.0.0')]: 'name: m\nname: m\n', [V('m', '1.1.0')]: version('m', '1.1.0') });
    only(s.findings, { code: 'yaml-duplicate-key', file: V('m', '1.0.0'), line: 2 });
    expect([...s.brokenFiles]).toEqual([V('m', '1.0.0')]);
    expect([...s.models.get('m')!.versions.keys()]).toEqual(['1.1.0']);
  });

  it('keeps files that fail their schema out too, with every schema finding', () => {
    const s = snap({ [M('m')]: model('m'), [S('m', 'production')]: stage('m', 'production', '1.0', { moved_at: 'soon' }) });
    expect(s.findings.map((f) => [f.code, f.file, f.line, f.field])).toEqual([
      ['schema', S('m', 'production'), 3, '/version'],
      ['schema', S('m', 'production'), 5, '/moved_at'],
    ]);
    expect([...s.brokenFiles]).toEqual([S('m', 'production')]);
    expect(s.models.get('m')!.stages.size).toBe(0);
  });

  it('a broken registry.yaml leaves the snapshot without a policy', () => {
    const s = snap({ 'registry.yaml': policy({ apiVersion: 'v0' }) });
    expect(codes(s.findings)).toEqual(['schema']);
    expect(s.policy).toBeUndefined();
    expect(s.brokenFiles.has('registry.yaml')).toBe(true);
  });

  it('a model whose only file is broken has no entry', () => {
    const s = snap({ [M('m')]: 'owners: [a]\n' });
    only(s.findings, { code: 'schema', file: M('m'), line: 1, field: '' });
    expect(s.models.size).toBe(0);
  });
});

describe('buildSnapshot: parse cache', () => {
  function memoryCache() {
    const map = new Map<string, ReturnType<ParseCache['get']>>();
    const cache: ParseCache = { get: (k) => map.get(k), set: (k, v) => void map.set(k, v) };
    return { map, cache };
  }

  it('caches by kind and blob id, and a cached result is reused', () => {
    const { map, cache } = memoryCache();
    const text = version('m', '1.0.0');
    buildSnapshot([{ path: V('m', '1.0.0'), type: 'file', text, oid: 'o1' }], { cache });
    expect([...map.keys()]).toEqual(['version:o1']);
    // The same oid again: the text is not looked at.
    const s = buildSnapshot([{ path: V('m', '1.0.0'), type: 'file', text: 'garbage: [', oid: 'o1' }], { cache });
    expect(s.findings).toEqual([]);
    expect(s.models.get('m')!.versions.get('1.0.0')!.data.version).toBe('1.0.0');
  });

  it('findings of a cached blob name the path being read', () => {
    const { cache } = memoryCache();
    const bad = 'name: m\nname: m\n';
    buildSnapshot([{ path: V('m', '1.0.0'), type: 'file', text: bad, oid: 'o2' }], { cache });
    const s = buildSnapshot([{ path: V('m', '9.9.9'), type: 'file', text: bad, oid: 'o2' }], { cache });
    only(s.findings, { code: 'yaml-duplicate-key', file: V('m', '9.9.9'), line: 2 });
    expect(s.brokenFiles.has(V('m', '9.9.9'))).toBe(true);
  });

  it('does not share cache entries between kinds', () => {
    const { map, cache } = memoryCache();
    const text = model('m');
    const s = buildSnapshot(
      [
        { path: M('m'), type: 'file', text, oid: 'same' },
        { path: V('m', '1.0.0'), type: 'file', text, oid: 'same' },
      ],
      { cache },
    );
    expect([...map.keys()].sort()).toEqual(['model:same', 'version:same']);
    expect(s.findings.filter((f) => f.file === V('m', '1.0.0')).length).toBeGreaterThan(0);
    expect(s.findings.filter((f) => f.file === M('m'))).toEqual([]);
  });

  it('without an oid nothing is cached', () => {
    const { map, cache } = memoryCache();
    buildSnapshot(tree({ [M('m')]: model('m') }), { cache });
    expect(map.size).toBe(0);
  });
});
