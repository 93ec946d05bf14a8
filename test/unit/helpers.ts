/**
 * Plain-data builders for unit tests: registry trees as { path: text } records, manifests as YAML text
 * with one field per line (so a test can say on which line a finding must land), and snapshots built
 * from them with the real buildSnapshot.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Finding, FindingCode } from '../../src/registry/findings.js';
import { paths } from '../../src/registry/layout.js';
import { buildSnapshot, type LoadOptions, type Snapshot, type TreeFile } from '../../src/registry/snapshot.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE = join(ROOT, 'test/fixtures/registry');

export { paths };

export type Files = Record<string, string>;

/** TreeFile entries for a { path: text } record. */
export function tree(files: Files): TreeFile[] {
  return Object.entries(files).map(([path, text]) => ({ path, type: 'file' as const, text }));
}

export function snap(files: Files, options?: LoadOptions): Snapshot {
  return buildSnapshot(tree(files), options);
}

/** Every file of the fixture registry, keyed by its path relative to the registry root. */
/** The fixture registry's manifests (its .gitignore is not the registry's business). */
export function fixtureFiles(): Files {
  const out: Files = {};
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== '.gitignore') out[relative(FIXTURE, full).split('\\').join('/')] = readFileSync(full, 'utf8');
    }
  };
  walk(FIXTURE);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// A tiny deterministic YAML emitter: block style, one scalar per line, scalars as JSON (valid YAML 1.2).

type Value = unknown;

const isScalar = (v: Value): boolean => v === null || typeof v !== 'object';
const isEmpty = (v: Value): boolean => (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && Object.keys(v).length === 0);
const inline = (v: Value): string => JSON.stringify(v);
const key = (k: string): string => (/^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/.test(k) ? k : JSON.stringify(k));

function emit(value: Value, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const lines: string[] = [];
    for (const item of value) {
      if (isScalar(item) || isEmpty(item) || Array.isArray(item)) lines.push(`${pad}- ${inline(item)}`);
      else {
        const inner = emit(item, indent + 2);
        lines.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
      }
    }
    return lines;
  }
  const lines: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, Value>)) {
    if (v === undefined) continue;
    if (isScalar(v) || isEmpty(v)) lines.push(`${pad}${key(k)}: ${inline(v)}`);
    else lines.push(`${pad}${key(k)}:`, ...emit(v, indent + 2));
  }
  return lines;
}

/** YAML text for a mapping; fields whose value is undefined are left out. */
export function toYaml(value: Record<string, Value>): string {
  return emit(value, 0).join('\n') + '\n';
}

/** The 1-based number of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${JSON.stringify(needle)} not found in:\n${text}`);
  return i + 1;
}

// ---------------------------------------------------------------------------------------------------
// Manifest builders. Overrides replace top-level fields (undefined removes one); new fields go last.

export const SHA_A = 'a'.repeat(64);
export const SHA_B = 'b'.repeat(64);
export const WHEN = '2026-01-01T00:00:00Z';

export type Fields = Record<string, Value>;

/** The default policy: development → staging (accuracy ≥ 0.8) → production (from staging, strict gates). */
export function policyData(): Fields {
  return {
    apiVersion: 'modelreg/v1',
    artifacts: { store: 'file://.modelreg/store' },
    stages: [
      { name: 'development' },
      { name: 'staging', gates: { metrics: { accuracy: { min: 0.8 } } } },
      {
        name: 'production',
        from: ['staging'],
        gates: {
          metrics: { accuracy: { min: 0.85 } },
          no_regression: { accuracy: { better: 'higher', tolerance: 0.01 } },
          required_tags: ['reviewed', 'license=apache-2.0'],
          required_lineage: ['datasets'],
        },
      },
    ],
  };
}

export function policy(over: Fields = {}): string {
  return toYaml({ ...policyData(), ...over });
}

export function model(name: string, over: Fields = {}): string {
  return toYaml({ name, owners: ['alice'], ...over });
}

/**
 * Lines: 1 name, 2 version, 3 artifacts:, 4 - path, 5 sha256, 6 size, 7 created_by, 8 created_at, then
 * overrides that add fields.
 */
export function version(name: string, ver: string, over: Fields = {}): string {
  return toYaml({
    name,
    version: ver,
    artifacts: [{ path: 'model.bin', sha256: SHA_A, size: 1 }],
    created_by: 'alice',
    created_at: WHEN,
    ...over,
  });
}

/** Fields a version needs to pass every gate of the default policy's production stage. */
export function good(accuracy: number, over: Fields = {}): Fields {
  return {
    metrics: { accuracy },
    tags: { reviewed: 'yes', license: 'apache-2.0' },
    lineage: { datasets: [{ uri: 's3://data/train.parquet' }] },
    ...over,
  };
}

export const DEPRECATED = { at: '2026-02-01T00:00:00Z', by: 'alice' };

/** Lines: 1 model, 2 stage, 3 version, 4 moved_by, 5 moved_at, 6 previous, then added fields. */
export function stage(name: string, st: string, ver: string, over: Fields = {}): string {
  return toYaml({ model: name, stage: st, version: ver, moved_by: 'alice', moved_at: '2026-01-02T00:00:00Z', previous: null, ...over });
}

// Paths, short.
export const V = (name: string, ver: string) => paths.version(name, ver);
export const S = (name: string, st: string) => paths.stage(name, st);
export const M = (name: string) => paths.model(name);

// ---------------------------------------------------------------------------------------------------
// Assertions on findings.

export interface Expected {
  code: FindingCode;
  file?: string;
  line?: number | undefined;
  column?: number;
  field?: string;
  severity?: Finding['severity'];
}

/** The findings with a code, in order. */
export function withCode(findings: Finding[], code: FindingCode): Finding[] {
  return findings.filter((f) => f.code === code);
}

/** Exactly one finding has this code; it matches `expected` (line undefined means: no line). */
export function only(findings: Finding[], expected: Expected): Finding {
  const hits = withCode(findings, expected.code);
  expect(hits, `findings with code ${expected.code} among ${JSON.stringify(findings, null, 1)}`).toHaveLength(1);
  const f = hits[0]!;
  const picked: Record<string, unknown> = { code: f.code };
  for (const k of Object.keys(expected) as (keyof Expected)[]) picked[k] = f[k];
  expect(picked).toEqual(expected);
  return f;
}

export const codes = (findings: Finding[]): string[] => findings.map((f) => f.code);

/**
 * Fragments that stress a YAML loader — structure, every refused feature, odd bytes and numbers — joined at
 * random by the property tests of the loader (properties.test.ts) and of the fast reader against it
 * (plain-yaml.test.ts).
 */
export const HOSTILE_YAML_FRAGMENTS = [
  'a',
  'name',
  'version',
  ':',
  ': ',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '#',
  '|',
  '>',
  '?',
  '&x ',
  '*x',
  '<<: ',
  '!!str ',
  '!!binary ',
  '!custom ',
  '%YAML 1.1\n',
  '%TAG ! tag:x,2000:\n',
  '---\n',
  '...\n',
  '\uFEFF',
  '\u202E',
  '\u0000',
  '\u0085',
  'yes',
  'on',
  '0x1F',
  '0o17',
  '017',
  '1_000',
  '.nan',
  '.inf',
  '-.inf',
  '1e999',
  '9007199254740993',
  '-0',
  '~',
  'null',
  '__proto__',
  'constructor',
  'é',
  '😀',
  '\\u0041',
  '"\\ud800"',
  'k',
  ', ',
  ' #',
  '? ',
  '%YAML 1.2\n',
  '\\',
];
