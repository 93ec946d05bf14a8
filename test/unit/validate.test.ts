import { describe, expect, it } from 'vitest';
import { validateTree } from '../../src/checks/validate.js';
import { finding, formatLocation, hasErrors, sortFindings, type Finding } from '../../src/registry/findings.js';
import { buildSnapshot } from '../../src/registry/snapshot.js';
import { M, S, V, fixtureFiles, model, policy, snap, stage, tree, version, type Files } from './helpers.js';

function registry(extra: Files = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '1.0.0')]: version('m', '1.0.0'),
    [S('m', 'development')]: stage('m', 'development', '1.0.0'),
    ...extra,
  };
}

const brief = (findings: Finding[]) => findings.map((f) => [f.code, f.file, f.line, f.severity]);

describe('validateTree', () => {
  it('the fixture registry is valid, with no finding at all', () => {
    const report = validateTree(snap(fixtureFiles()));
    expect(report).toEqual({ ok: true, findings: [] });
  });

  it('a small consistent registry is valid', () => {
    expect(validateTree(snap(registry()))).toEqual({ ok: true, findings: [] });
  });

  it('combines reading, parsing, schema and consistency findings, sorted by file and line', () => {
    const files = registry({
      'models/m/notes.txt': 'hi',
      [V('m', '1.1.0')]: 'name: m\nversion: 1.1.0\nversion: 1.1.0\n',
      [S('m', 'staging')]: stage('m', 'staging', '2.0.0'),
      [S('m', 'production')]: stage('x', 'production', '1.0.0', { moved_at: 'never' }),
      [M('m')]: model('other'),
    });
    const report = validateTree(snap(files));
    expect(report.ok).toBe(false);
    expect(brief(report.findings)).toEqual([
      ['name-mismatch', M('m'), 1, 'error'],
      ['tree-unexpected-file', 'models/m/notes.txt', undefined, 'warning'],
      ['schema', S('m', 'production'), 5, 'error'],
      ['stage-dangling', S('m', 'staging'), 3, 'error'],
      ['yaml-duplicate-key', V('m', '1.1.0'), 3, 'error'],
    ]);
  });

  it('is ok with warnings and notices only', () => {
    const report = validateTree(
      snap(registry({ 'models/m/README.md': '# m', [S('m', 'development')]: stage('m', 'development', '1.0.0', { previous: '0.0.1' }) })),
    );
    expect(report.ok).toBe(true);
    expect(brief(report.findings)).toEqual([
      ['tree-unexpected-file', 'models/m/README.md', undefined, 'warning'],
      ['stage-previous-dangling', S('m', 'development'), 6, 'warning'],
    ]);
  });

  it('does not pile dangling references on top of a broken file', () => {
    const files = registry({
      [V('m', '1.1.0')]: version('m', '1.1.0', { artifacts: 'none' }),
      [S('m', 'staging')]: stage('m', 'staging', '1.1.0', { previous: '1.1.0' }),
      [M('n')]: model('n'),
      [V('n', '1.0.0')]: version('n', '1.0.0', { lineage: { parents: [{ model: 'm', version: '1.1.0' }] } }),
    });
    const report = validateTree(snap(files));
    expect(brief(report.findings)).toEqual([['schema', V('m', '1.1.0'), 3, 'error']]);
  });

  it('reports tree-level problems with the rest', () => {
    const s = buildSnapshot([
      ...tree(registry()),
      { path: V('m', '1.1.0'), type: 'symlink' },
      { path: S('m', 'staging'), type: 'file', text: stage('m', 'staging', '1.1.0') },
    ]);
    // The symlinked version is unusable, so the stage naming it is not called dangling.
    expect(brief(validateTree(s).findings)).toEqual([['tree-symlink', V('m', '1.1.0'), undefined, 'error']]);
  });
});

describe('findings helpers', () => {
  it('sortFindings orders by file, line, column, severity, code', () => {
    const list = [
      finding('schema', 'x', { file: 'b', line: 1 }),
      finding('tree-unexpected-file', 'x', { file: 'a', line: 2 }),
      finding('stage-removed', 'x', { file: 'a', line: 2 }),
      finding('yaml-syntax', 'x', { file: 'a', line: 2 }),
      finding('schema', 'x', { file: 'a', line: 2 }),
      finding('schema', 'x', { file: 'a', line: 2, column: 1 }),
      finding('schema', 'x', { file: 'a' }),
      finding('policy-changed', 'x'),
    ];
    expect(sortFindings(list).map((f) => [f.file, f.line, f.column, f.code])).toEqual([
      [undefined, undefined, undefined, 'policy-changed'],
      ['a', undefined, undefined, 'schema'],
      ['a', 2, undefined, 'schema'],
      ['a', 2, undefined, 'yaml-syntax'],
      ['a', 2, undefined, 'tree-unexpected-file'],
      ['a', 2, undefined, 'stage-removed'],
      ['a', 2, 1, 'schema'],
      ['b', 1, undefined, 'schema'],
    ]);
  });

  it('finding takes severity and hint from the code unless given', () => {
    expect(finding('tree-unexpected-file', 'm')).toEqual({
      code: 'tree-unexpected-file',
      severity: 'warning',
      message: 'm',
      hint: 'Move or delete it; see docs/format.md for the layout.',
    });
    expect(finding('schema', 'm', { severity: 'warning', hint: 'h', file: 'f', line: 2, column: 3, field: '/a' })).toEqual({
      code: 'schema',
      severity: 'warning',
      message: 'm',
      file: 'f',
      line: 2,
      column: 3,
      field: '/a',
      hint: 'h',
    });
    expect(finding('schema', 'm')).toEqual({ code: 'schema', severity: 'error', message: 'm' });
  });

  it('hasErrors and formatLocation', () => {
    expect(hasErrors([finding('stage-removed', 'x'), finding('policy-changed', 'y')])).toBe(false);
    expect(hasErrors([finding('stage-removed', 'x'), finding('schema', 'y')])).toBe(true);
    expect(formatLocation({ file: 'a.yaml', line: 3, column: 7 })).toBe('a.yaml:3:7');
    expect(formatLocation({ file: 'a.yaml', line: 3 })).toBe('a.yaml:3');
    expect(formatLocation({ file: 'a.yaml' })).toBe('a.yaml');
    expect(formatLocation({})).toBe('');
  });
});
