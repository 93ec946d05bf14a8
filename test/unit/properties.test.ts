/**
 * Property-based tests of the YAML loading and validation core (fast-check): generated inputs, hostile
 * and plain, against what must hold for every input. Bounded for CI: FUZZ_RUNS runs per property (300
 * by default) and at most FUZZ_SECONDS each (10); a soak is `MODELREG_FUZZ_RUNS=50000 npx vitest run
 * test/unit/properties.test.ts`. A failure prints the seed and the shrunk counterexample to replay.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateChange, validateTree } from '../../src/checks/validate.js';
import { FINDING_CODES, type Finding } from '../../src/registry/findings.js';
import { buildSnapshot } from '../../src/registry/snapshot.js';
import { parseManifestYaml } from '../../src/schema/yaml.js';
import { portableYaml } from '../../src/changes/serialize.js';
import { unsafeCharacter } from '../../src/registry/text.js';
import { DEPRECATED, HOSTILE_YAML_FRAGMENTS, M, S, SHA_A, V, good, model, policy, stage, tree, version, type Files } from './helpers.js';

const RUNS = Number(process.env.MODELREG_FUZZ_RUNS) || 300;
const SECONDS = Number(process.env.MODELREG_FUZZ_SECONDS) || 10;
const settings = { numRuns: RUNS, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false };

const key = fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,8}$/);
// Integers beyond ±2^53 are refused on purpose (they would lose precision), so none are generated.
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x));
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.integer(), fc.maxSafeInteger(), finite);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
}));

const yamlish = fc.array(fc.constantFrom(...HOSTILE_YAML_FRAGMENTS), { maxLength: 60 }).map((xs) => xs.join(''));
const anyText = fc.oneof(yamlish, fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ maxLength: 200 }));

const KNOWN_CODES = new Set(Object.keys(FINDING_CODES));

function wellFormed(f: Finding, files: Set<string>): void {
  expect(KNOWN_CODES.has(f.code), f.code).toBe(true);
  expect(['error', 'warning', 'notice']).toContain(f.severity);
  expect(typeof f.message).toBe('string');
  if (f.file !== undefined) expect(files.has(f.file), `${f.file} is not a file of the tree`).toBe(true);
  if (f.line !== undefined) expect(f.line).toBeGreaterThanOrEqual(1);
}

function noReservedKeys(v: unknown): void {
  if (Array.isArray(v)) return v.forEach(noReservedKeys);
  if (v && typeof v === 'object') {
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    for (const k of Object.keys(v)) {
      expect(['__proto__', 'constructor', 'prototype']).not.toContain(k);
      noReservedKeys((v as Record<string, unknown>)[k]);
    }
  }
}

describe('the YAML loader, on any text', () => {
  it('never throws; refuses with an error finding or returns a plain value; pollutes nothing', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseManifestYaml('m.yaml', text);
        for (const f of r.findings) wellFormed(f, new Set(['m.yaml']));
        if (!r.doc) expect(r.findings.some((f) => f.severity === 'error')).toBe(true);
        else {
          expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
          noReservedKeys(r.doc.value);
          expect(JSON.parse(JSON.stringify(r.doc.value))).toEqual(r.doc.value);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      settings,
    );
  });

  it('reads any JSON document as the value it is (JSON is YAML 1.2)', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        const expected = JSON.parse(JSON.stringify(doc)) as unknown; // as the text says it: -0 is written 0
        const r = parseManifestYaml('m.yaml', JSON.stringify(doc, null, 1));
        // Only warnings that a YAML 1.1 reader would read a number (1e-7: no dot) otherwise.
        expect(r.findings.filter((f) => f.code !== 'yaml-1.1')).toEqual([]);
        expect(r.doc!.value).toEqual(expected);
      }),
      settings,
    );
  });
});

describe('the manifest writer, on any data', () => {
  it('writes text the loader reads back as the same data, with nothing a YAML 1.1 reader would read otherwise', () => {
    // Strings a 1.1 reader takes for something else, mixed into the generated ones.
    const tricky = fc.constantFrom(
      'yes',
      'No',
      'off',
      'y',
      'n',
      '~',
      '',
      '=',
      '<<',
      '010',
      '0o17',
      '1_000',
      '1:30',
      '12:30:05.5',
      '1e3',
      '2026-12-01',
      '2026-12-01T07:52:25Z',
      '2026-1-2 3:04:05',
      '.inf',
      '0b101',
      'null',
      'true',
    );
    const trickyKey = tricky.filter((k) => k !== '<<'); // a merge key, refused however it is written
    const text = fc.oneof(
      fc.string({ maxLength: 20 }).filter((s) => unsafeCharacter(s) === undefined),
      tricky,
    );
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', maxDepth: 4 },
        text,
        fc.boolean(),
        fc.constant(null),
        fc.integer(),
        finite,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.oneof(key, trickyKey), tie('value'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(key, trickyKey), value, { maxKeys: 6 }), (doc) => {
        const r = parseManifestYaml('m.yaml', portableYaml(doc));
        expect(r.findings).toEqual([]);
        expect(r.doc!.value).toEqual(JSON.parse(JSON.stringify(doc)));
      }),
      settings,
    );
  });
});

/** A valid registry of two models, to be mutated. */
function baseFiles(): Files {
  return {
    'registry.yaml': policy(),
    [M('a')]: model('a'),
    [V('a', '1.0.0')]: version('a', '1.0.0', good(0.9)),
    [V('a', '1.1.0')]: version('a', '1.1.0', good(0.91, { lineage: { datasets: [{ uri: 's3://d' }], parents: [{ model: 'b', version: '1.0.0' }] } })),
    [S('a', 'staging')]: stage('a', 'staging', '1.0.0'),
    [S('a', 'production')]: stage('a', 'production', '1.0.0'),
    [M('b')]: model('b'),
    [V('b', '1.0.0')]: version('b', '1.0.0', { deprecated: DEPRECATED }),
  };
}

/** One edit to a tree: replace a file with junk, with another file's text, drop it, or add a file. */
const edit = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), text: anyText }),
  fc.record({ kind: fc.constant('swap' as const), pick: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('add' as const),
    path: fc.constantFrom(
      'models/a/versions/2.0.0.yaml',
      'models/c/model.yaml',
      'models/b/stages/production.yaml',
      'models/a/stages/canary.yaml',
      'models/a/notes.txt',
      'models/A/model.yaml',
      'models/a/versions/1.0.yml',
    ),
    text: fc.oneof(
      anyText,
      fc.constant(version('a', '2.0.0', { lineage: { parents: [{ model: 'a', version: '2.0.0' }] }, artifacts: [{ path: '../x', sha256: SHA_A, size: 1 }] })),
    ),
  }),
);

type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function applyEdits(files: Files, edits: Edit[]): Files {
  const out = { ...files };
  for (const e of edits) {
    const paths = Object.keys(out);
    if (paths.length === 0) break;
    const p = paths['pick' in e ? e.pick % paths.length : 0]!;
    if (e.kind === 'replace') out[p] = e.text;
    else if (e.kind === 'swap') out[p] = out[paths[e.other % paths.length]!]!;
    else if (e.kind === 'drop') delete out[p];
    else out[e.path] = e.text;
  }
  return out;
}

describe('validation, on any edit of a registry', () => {
  it('never throws, and every finding names a file of the tree with a line where it has one', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        const files = applyEdits(baseFiles(), edits);
        const report = validateTree(buildSnapshot(tree(files)));
        const names = new Set(Object.keys(files).concat('registry.yaml', Object.keys(baseFiles())));
        for (const f of report.findings) wellFormed(f, names);
        expect(report.ok).toBe(!report.findings.some((f) => f.severity === 'error'));
      }),
      settings,
    );
  });

  it('judges any change between two edited registries without throwing, and never lets an error in the head pass unless the base had it', () => {
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 2 }), fc.array(edit, { minLength: 1, maxLength: 3 }), (baseEdits, headEdits) => {
        const base = applyEdits(baseFiles(), baseEdits);
        const head = applyEdits(base, headEdits);
        const baseSnap = buildSnapshot(tree(base));
        const headSnap = buildSnapshot(tree(head));
        const report = validateChange(baseSnap, headSnap);
        const headAlone = validateTree(headSnap);
        const baseErrors = new Set(
          validateTree(baseSnap)
            .findings.filter((f) => f.severity === 'error')
            .map((f) => `${f.code}|${f.file}|${f.message}`),
        );
        // Every error of the head alone is in the report: as an error, or demoted because the base had the same one.
        for (const f of headAlone.findings.filter((x) => x.severity === 'error')) {
          const inReport = report.findings.find((x) => x.code === f.code && x.file === f.file && x.message.startsWith(f.message));
          expect(inReport, `${f.code} ${f.file}: ${f.message}`).toBeDefined();
          if (inReport!.severity !== 'error') expect(baseErrors.has(`${f.code}|${f.file}|${f.message}`)).toBe(true);
        }
        expect(report.ok).toBe(!report.findings.some((f) => f.severity === 'error'));
      }),
      settings,
    );
  });
});
