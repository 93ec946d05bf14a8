/**
 * The fast reader (src/schema/canonical-yaml.ts) against the full parser on every manifest modelreg's
 * commands wrote during the suite (collect.ts keeps them): each is read by the fast reader as the full
 * parser reads it, and what modelreg writes is in the plain form, so the fast reader is the one that reads
 * it. Runs after the rest of the suite, like the Python readers' check beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readPlainYaml } from '../../src/schema/canonical-yaml.js';
import { DEFAULT_YAML_LIMITS } from '../../src/schema/parsed.js';
import { parseManifestYamlFully } from '../../src/schema/yaml.js';
import { cli, tempDir, write } from '../integration/helpers.js';
import { keepWrittenManifests, writtenDir } from './collect.js';

it('the fast reader reads every manifest modelreg wrote, as the full parser does', { timeout: 300_000 }, () => {
  const dir = writtenDir() ?? tempDir('modelreg-written-');
  // A registry written here too, so that the check is never empty when this file runs alone.
  const work = tempDir();
  expect(cli(work, ['init', 'reg']).code).toBe(0);
  const reg = join(work, 'reg');
  write(reg, 'w/model.bin', 'weights');
  expect(
    cli(reg, ['register', 'm', 'w', '--version', '1.0.0', '--metric', 'loss=1e-7', '--tag', 'on=off', '--description', 'it\'s "new": yes', '--no-code']).code,
  ).toBe(0);
  expect(cli(reg, ['promote', 'm@1.0.0', 'development', '--reason', '2026-12-01T07:52:25Z']).code).toBe(0);
  keepWrittenManifests(reg, dir);

  const files = readdirSync(dir).filter((n) => n.endsWith('.yaml'));
  const slow: string[] = [];
  for (const name of files) {
    const text = readFileSync(join(dir, name), 'utf8');
    const full = parseManifestYamlFully(name, text);
    const fast = readPlainYaml(text, DEFAULT_YAML_LIMITS);
    if (!fast) {
      slow.push(`${name}: ${text.slice(0, 400)}`);
      continue;
    }
    expect(full.findings, `${name}:\n${text}`).toEqual([]);
    expect(fast.value, `${name}:\n${text}`).toStrictEqual(full.doc?.value);
    expect(JSON.stringify(fast.value)).toBe(JSON.stringify(full.doc?.value));
  }
  expect(files.length).toBeGreaterThan(3);
  // Some manifests are in YAML the plain form leaves out (a description over several lines is a block
  // scalar); every one of them was read by the full parser instead. The rest must be nearly all.
  expect(slow.length / files.length, slow.slice(0, 5).join('\n---\n')).toBeLessThan(0.05);
});
