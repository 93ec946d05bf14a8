import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyPath } from '../../src/registry/layout.js';
import type { Finding } from '../../src/registry/findings.js';
import type { ManifestKind } from '../../src/registry/types.js';
import { validateSchema } from '../../src/schema/schemas.js';
import { parseManifestYaml } from '../../src/schema/yaml.js';
import { SHA_A, fixtureFiles, lineOf, model, policy, stage, toYaml, version } from './helpers.js';

function check(kind: ManifestKind, text: string): Finding[] {
  const parsed = parseManifestYaml('f.yaml', text);
  expect(parsed.findings).toEqual([]);
  return validateSchema(kind, 'f.yaml', parsed.doc!);
}

const brief = (findings: Finding[]) => findings.map((f) => [f.line, f.column, f.field]);

describe('validateSchema: valid manifests', () => {
  it('accepts every file of the fixture registry', () => {
    const files = fixtureFiles();
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(12);
    for (const [path, text] of Object.entries(files)) {
      const where = classifyPath(path);
      expect(['registry', 'model', 'version', 'stage'], path).toContain(where.kind);
      const parsed = parseManifestYaml(path, text);
      expect(parsed.findings, path).toEqual([]);
      expect(validateSchema(where.kind as ManifestKind, path, parsed.doc!), path).toEqual([]);
    }
  });

  it('accepts the minimal manifests the test builders write', () => {
    expect(check('registry', policy())).toEqual([]);
    expect(check('model', model('m'))).toEqual([]);
    expect(check('version', version('m', '1.0.0'))).toEqual([]);
    expect(check('version', version('m', '2.0.0-rc.1'))).toEqual([]);
    expect(check('stage', stage('m', 'production', '1.0.0'))).toEqual([]);
    expect(check('stage', stage('m', 'production', '1.0.0', { previous: '0.9.0' }))).toEqual([]);
  });
});

describe('validateSchema: unknown fields', () => {
  it('points at the key of an unknown top-level field', () => {
    const text = model('m', { colour: 'red' });
    const f = check('model', text);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      code: 'schema',
      severity: 'error',
      file: 'f.yaml',
      line: lineOf(text, 'colour'),
      column: 1,
      field: '/colour',
      message: 'unknown field "colour"',
    });
    expect(f[0]!.hint).toContain('Remove it');
  });

  it('points at the key of an unknown nested field', () => {
    const text = version('m', '1.0.0', { artifacts: [{ path: 'a.bin', sha256: SHA_A, size: 1, bogus: 1 }] });
    const f = check('version', text);
    expect(brief(f)).toEqual([[lineOf(text, 'bogus'), 5, '/artifacts/0/bogus']]);
    expect(f[0]!.message).toBe('unknown field "bogus" in /artifacts/0');
    expect(f[0]!.hint).toContain('version.schema.json');
  });

  it('in each kind', () => {
    expect(brief(check('registry', policy({ extra: 1 })))).toEqual([[lineOf(policy({ extra: 1 }), 'extra'), 1, '/extra']]);
    expect(brief(check('stage', stage('m', 'production', '1.0.0', { note: 'x' })))).toEqual([[7, 1, '/note']]);
  });
});

describe('validateSchema: required fields and types', () => {
  it('reports a missing required field at the document', () => {
    const f = check('version', version('m', '1.0.0', { created_by: undefined }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ code: 'schema', line: 1, column: 1, field: '', message: 'missing required field "created_by"' });
  });

  it('reports a missing nested field at its parent', () => {
    const text = version('m', '1.0.0', { artifacts: [{ path: 'a.bin', size: 1 }] });
    const f = check('version', text);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ line: 4, column: 5, field: '/artifacts/0', message: 'missing required field "sha256" in /artifacts/0' });
  });

  it('reports a wrong type at the value', () => {
    const text = version('m', '1.0.0', { artifacts: [{ path: 'a.bin', sha256: SHA_A, size: 'big' }] });
    const f = check('version', text);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ line: 6, column: 11, field: '/artifacts/0/size', message: '/artifacts/0/size must be integer' });

    const owners = check('model', model('m', { owners: 'alice' }));
    expect(owners).toHaveLength(1);
    expect(owners[0]).toMatchObject({ line: 2, column: 9, field: '/owners', message: '/owners must be array' });

    const metric = check('version', version('m', '1.0.0', { metrics: { accuracy: 'high' } }));
    expect(metric).toHaveLength(1);
    expect(metric[0]).toMatchObject({ line: 10, field: '/metrics/accuracy', message: '/metrics/accuracy must be number' });
  });

  it('reports a document that is not a mapping', () => {
    const f = check('model', '- a\n- b\n');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ line: 1, column: 1, field: '', message: 'the document must be object' });
  });

  it('reports const and enum violations', () => {
    const p = check('registry', policy({ apiVersion: 'modelreg/v2' }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ line: 1, field: '/apiVersion', message: '/apiVersion must be "modelreg/v1"' });

    const text = policy({ stages: [{ name: 'prod', gates: { no_regression: { accuracy: { better: 'up' } } } }] });
    const e = check('registry', text);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ line: lineOf(text, 'better'), field: '/stages/0/gates/no_regression/accuracy/better' });
    expect(e[0]!.message).toBe('/stages/0/gates/no_regression/accuracy/better must be one of "higher", "lower"');
  });
});

describe('validateSchema: formats and patterns', () => {
  it('bad semver in a version file', () => {
    for (const bad of ['1.0', 'v1.0.0', '01.0.0', '1.0.0+build.1']) {
      const f = check('version', version('m', bad));
      expect(f, bad).toHaveLength(1);
      expect(f[0], bad).toMatchObject({ line: 2, column: 10, field: '/version', message: '/version has an invalid form' });
      expect(f[0]!.hint).toBe('Use semantic versioning without build metadata: 1.2.0 or 2.0.0-rc.1.');
    }
  });

  it('bad semver in stage.previous: one finding for the union, not one per branch', () => {
    const f = check('stage', stage('m', 'production', '1.0.0', { previous: '1.0' }));
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ line: 6, column: 11, field: '/previous', message: '/previous must match a schema in anyOf' });
  });

  it('bad sha256', () => {
    for (const bad of [SHA_A.toUpperCase(), 'a'.repeat(63), 'g'.repeat(64)]) {
      const f = check('version', version('m', '1.0.0', { artifacts: [{ path: 'a.bin', sha256: bad, size: 1 }] }));
      expect(f, bad).toHaveLength(1);
      expect(f[0], bad).toMatchObject({ line: 5, column: 13, field: '/artifacts/0/sha256', message: '/artifacts/0/sha256 has an invalid form' });
      expect(f[0]!.hint).toBe('Use the 64 lowercase hex digits of the sha256.');
    }
  });

  it('bad date-time', () => {
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-01-01']) {
      const f = check('version', version('m', '1.0.0', { created_at: bad }));
      expect(f, bad).toHaveLength(1);
      expect(f[0], bad).toMatchObject({ line: 8, column: 13, field: '/created_at', message: '/created_at must be a date-time' });
      expect(f[0]!.hint).toBe('Use RFC 3339, e.g. 2026-11-23T10:00:00Z.');
    }
    const s = check('stage', stage('m', 'production', '1.0.0', { moved_at: 'now' }));
    expect(brief(s)).toEqual([[5, 11, '/moved_at']]);
  });

  it('bad model name and bad tag key', () => {
    const n = check('model', model('Sentiment'));
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ line: 1, field: '/name', message: '/name has an invalid form' });
    expect(n[0]!.hint).toContain('Use lowercase letters');

    const text = model('m', { tags: { ok: 'x', '-bad': 'y' } });
    const t = check('model', text);
    // One finding, at the key: not also a "/tags has an invalid form" for the key's pattern at the first tag's line.
    expect(t).toHaveLength(1);
    expect(t[0]).toMatchObject({ line: lineOf(text, '-bad'), column: 3, field: '/tags/-bad', message: 'invalid key "-bad" in /tags' });
    expect(t[0]!.hint).toContain('Keys use letters');
  });
});

describe('validateSchema: all errors are reported', () => {
  it('reports every error of a file, each at its own line', () => {
    const text = toYaml({
      name: 'm',
      version: '1.0',
      artifacts: [{ path: 'a.bin', sha256: 'nope', size: -1 }],
      created_at: 'later',
      mystery: true,
    });
    const f = check('version', text);
    const got = f.map((x) => [x.field, x.line]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(got).toEqual([
      ['', 1], // missing created_by
      ['/artifacts/0/sha256', 5],
      ['/artifacts/0/size', 6],
      ['/created_at', 7],
      ['/mystery', 8],
      ['/version', 2],
    ]);
    expect(f.every((x) => x.code === 'schema' && x.severity === 'error' && x.file === 'f.yaml')).toBe(true);
  });
});

describe('the generated validators', () => {
  it('are what scripts/compile-schemas.mjs makes of schemas/ today (CI fails on a stale file)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'modelreg-validators-')), 'validators.generated.ts');
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../scripts/compile-schemas.mjs', import.meta.url)), '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['validators.generated.ts', 'schemas-digest.generated.ts']) {
      const committed = readFileSync(fileURLToPath(new URL(`../../src/schema/${name}`, import.meta.url)), 'utf8');
      expect(committed === readFileSync(join(dirname(out), name), 'utf8'), `src/schema/${name} is stale: run \`npm run schemas\``).toBe(true);
    }
  });
});
