/**
 * Every manifest modelreg writes reads as the same data in Python's YAML 1.1 and 1.2 readers, and passes
 * the JSON Schemas under python-jsonschema (issue 14, item 4). Runs after the rest of the suite (its own
 * vitest project, a later group), over every manifest the suite's repositories got from modelreg
 * (collect.ts), and over a registry written here with the values YAML 1.1 reads differently, so the
 * check is never empty. The readers are Debian's: /usr/bin/python3 with python3-yaml, python3-ruamel.yaml
 * and python3-jsonschema (scripts/test-packages.sh installs them; .ci/run runs it).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cli, ROOT, tempDir, write } from '../integration/helpers.js';
import { keepWrittenManifests, writtenDir } from './collect.js';

const PYTHON = '/usr/bin/python3';

function readersInstalled(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import yaml, ruamel.yaml, jsonschema'], { encoding: 'utf8' });
  return r.status === 0
    ? undefined
    : `${PYTHON} cannot import PyYAML, ruamel.yaml and jsonschema (${r.stderr.trim().split('\n').pop()}); run: bash scripts/test-packages.sh`;
}

it('Python YAML 1.1 and 1.2 readers read every manifest modelreg wrote as modelreg does, and it passes the schemas', { timeout: 300_000 }, () => {
  const missing = readersInstalled();
  expect(missing, missing).toBeUndefined();
  const dir = writtenDir() ?? tempDir('modelreg-written-');

  // A registry written here, with values a YAML 1.1 reader would take for something else.
  const work = tempDir();
  expect(cli(work, ['init', 'reg']).code).toBe(0);
  const reg = join(work, 'reg');
  write(reg, 'w/model.bin', 'weights');
  write(
    reg,
    'params.json',
    JSON.stringify({ schedule: '1:30', octal: '010', hex: '0o17', when: '2026-12-01', flag: 'yes', nothing: '~', exp: '1e3', under: '1_000', eq: '=' }),
  );
  const reg1 = cli(reg, [
    'register',
    'm',
    'w',
    '--version',
    '1.0.0',
    '--metric',
    'loss=0.0000001',
    '--metric',
    'big=1e21',
    '--metric',
    'neg=-2.5e-10',
    '--params-file',
    'params.json',
    '--tag',
    'on=off',
    '--tag',
    'y=n',
    '--description',
    'no',
    '--owner',
    'NO',
    '--task',
    'null',
    '--no-code',
  ]);
  expect(reg1.code, reg1.stderr).toBe(0);
  expect(cli(reg, ['register', 'm', 'w', '--version', '1.1.0', '--metric', 'loss=1e-8', '--no-code']).code).toBe(0);
  expect(cli(reg, ['promote', 'm@1.0.0', 'development', '--reason', 'yes']).code).toBe(0);
  expect(cli(reg, ['promote', 'm@1.1.0', 'development', '--reason', '2026-12-01T07:52:25Z']).code).toBe(0);
  expect(cli(reg, ['rollback', 'm', 'development', '--reason', 'off']).code).toBe(0);
  expect(cli(reg, ['deprecate', 'm@1.1.0', '--reason', '12:30']).code).toBe(0);
  expect(keepWrittenManifests(reg, dir)).toBeGreaterThan(0);

  const r = spawnSync(PYTHON, [join(ROOT, 'test/readers/check_manifests.py'), dir, join(ROOT, 'schemas')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const report = JSON.parse(r.stdout || '{}') as { manifests: number; kinds: Record<string, number>; failures: string[]; failed: number };
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2));
  expect(r.stderr).toBe('');
  expect(report.failures).toEqual([]);
  expect(r.status).toBe(0);
  // Every kind was read, and at least everything written above.
  expect(Object.keys(report.kinds).sort()).toEqual(['model', 'registry', 'stage', 'version']);
  expect(report.manifests).toBeGreaterThanOrEqual(6);
  expect(readdirSync(dir).filter((f) => f.endsWith('.yaml')).length).toBe(report.manifests);
  console.log(
    `YAML readers: ${report.manifests} manifests modelreg wrote (${Object.entries(report.kinds)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}) read the same by PyYAML, ruamel.yaml 1.2 and 1.1; all pass python-jsonschema`,
  );
});
