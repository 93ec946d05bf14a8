/**
 * The fast reader of plain-form manifests (src/schema/canonical-yaml.ts) against the full parser, its judge:
 * on every input, it either gives up or returns exactly the full parser's value (key order included) for a
 * text the full parser reads without a finding or warning. Generated inputs: what modelreg's writer makes
 * of generated values, manifest-shaped documents built line by line from plain and awkward pieces, and the
 * loader's hostile fragments. The whole suite also runs with MODELREG_YAML_JUDGE=1 (vitest.config.ts), so
 * every file any test parses is judged the same way, and test/readers/plain-reader.test.ts judges every
 * manifest the suite's commands wrote.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { portableYaml, manifestText } from '../../src/changes/serialize.js';
import { readPlainYaml } from '../../src/schema/canonical-yaml.js';
import { DEFAULT_YAML_LIMITS } from '../../src/schema/parsed.js';
import { parseManifestYaml, parseManifestYamlFully } from '../../src/schema/yaml.js';
import { HOSTILE_YAML_FRAGMENTS } from './helpers.js';

const RUNS = Number(process.env.MODELREG_FUZZ_RUNS) || 400;
const settings = { numRuns: RUNS, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: false };

/** The judgement: undefined, or the full parser's value with no finding at all. */
function agrees(text: string): 'fast' | 'full' {
  const fast = readPlainYaml(text, DEFAULT_YAML_LIMITS);
  if (!fast) return 'full';
  const full = parseManifestYamlFully('m.yaml', text);
  expect(full.findings, text).toEqual([]);
  expect(full.doc, text).toBeDefined();
  expect(fast.value, text).toStrictEqual(full.doc!.value);
  expect(JSON.stringify(fast.value), text).toBe(JSON.stringify(full.doc!.value));
  return 'fast';
}

const word = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
/** Words the writer leaves unquoted as keys (it quotes those a YAML 1.1 reader takes for booleans or null). */
const plainWord = word.filter((w) => !/^(?:y|n|yes|no|on|off|true|false|null)$/.test(w));
const text = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9 ,.;()'/@+-]{0,30}$/),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('yes', 'No', 'on', '~', 'null', '1:30', '010', '0x1F', '2026-12-01', '1e3', '=', '<<', '-', '- a', 'a: b', 'a #b', '#', "it's", '"q"'),
);
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x)),
);
const scalar = fc.oneof(text, number, fc.boolean(), fc.constant(null));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 4 }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(word, tie('value'), { maxKeys: 5 })),
}));

describe('the fast reader agrees with the full parser', () => {
  it("on what modelreg's writer makes of any value", () => {
    fc.assert(
      fc.property(fc.dictionary(word, value, { minKeys: 1, maxKeys: 8 }), (data) => {
        agrees(portableYaml(data));
      }),
      settings,
    );
  });

  it("and reads the writer's plain output itself, not only by giving up", () => {
    const simple = fc.dictionary(
      plainWord,
      fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9 .@/-]{0,20}[a-z0-9]$/),
        fc.integer(),
        fc.boolean(),
        fc.array(plainWord, { maxLength: 3 }),
        fc.dictionary(plainWord, fc.double({ min: 0, max: 1, noNaN: true })),
      ),
      { minKeys: 1, maxKeys: 8 },
    );
    fc.assert(
      fc.property(simple, (data) => {
        expect(agrees(manifestText('version', data))).toBe('fast');
      }),
      settings,
    );
  });

  it('on manifest-shaped documents built line by line from plain and awkward pieces', () => {
    const scalarText = fc.oneof(
      word,
      fc.constantFrom('1.0.0', '0.85', '-0', '+3', '0o17', '0x1f', '1e3', '1.5e-3', '.5', '1.', 'true', 'True', 'NULL', '~', 'yes', 'y', 'n', 'off'),
      fc.constantFrom('"a b"', '"a\\"b"', '"a\\\\b"', '"\\u00e9"', '"\\x41"', '"tab\\tx"', "'it''s'", "'a'", '""', "''", '"a"b', '"open'),
      fc.constantFrom('s3://b/k', 'a,b', 'a, b', 'x #c', 'x#c', "it's", 'a: b', '&a x', '*a', '!!str x', '|', '>-', '? x', '@x', '`x', '%x', '- x', '-x'),
      fc.constantFrom('2025-02-10T08:00:00Z', '"2025-02-10T08:00:00Z"', '1:30', '010', '9007199254740993', '.inf', '.nan', '1e400', 'é', '\u00a0x'),
    );
    const flow = fc.oneof(
      fc.array(scalarText, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
      fc.array(fc.tuple(word, scalarText), { maxLength: 4 }).map((xs) => `{ ${xs.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
      fc.constantFrom(
        '{}',
        '[]',
        '[a,]',
        '{ a: }',
        '{a: 1}',
        '{ a:1 }',
        '[[a, b], {c: d}]',
        '{ a: [1, 2], b: { c: x } }',
        '[a, b] # c',
        '[a, b]#c',
        '{ "k": v }',
      ),
    );
    const key = fc.oneof(
      word,
      fc.constantFrom(
        'yes',
        'on',
        '1',
        '1.0.0',
        'null',
        'true',
        '__proto__',
        'constructor',
        'toString',
        '<<',
        '"q"',
        '"on"',
        '""',
        '"a b"',
        '"a\\"b"',
        '"<<"',
        '"__proto__"',
        "'q'",
        'a b',
        'k',
      ),
    );
    const line = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 6 }), key, fc.oneof(scalarText, flow, fc.constant('')), fc.boolean())
      .map(([depth, form, k, v, comment]) => {
        const pad = ' '.repeat(depth * 2);
        const tail = comment ? ' # note' : '';
        switch (form) {
          case 0:
            return `${pad}- ${v}${tail}`;
          case 1:
            return `${pad}- ${k}: ${v}${tail}`;
          case 2:
            return `${pad}# a comment`;
          case 3:
            return '';
          default:
            return `${pad}${k}:${v === '' ? '' : ` ${v}`}${tail}`;
        }
      });
    const doc = fc.tuple(fc.tuple(word, scalarText), fc.array(line, { maxLength: 14 })).map(([[k, v], rest]) => [`${k}: ${v}`, ...rest].join('\n'));
    let fast = 0;
    fc.assert(
      fc.property(doc, (t) => {
        if (agrees(t) === 'fast') fast++;
      }),
      settings,
    );
    // The generator reaches the fast path often enough for the agreement to mean something.
    expect(fast).toBeGreaterThan(RUNS / 20);
  });

  it("on the loader's hostile fragments", () => {
    const yamlish = fc.array(fc.constantFrom(...HOSTILE_YAML_FRAGMENTS), { maxLength: 60 }).map((xs) => `k: v\n${xs.join('')}`);
    fc.assert(
      fc.property(yamlish, (t) => {
        agrees(t);
      }),
      settings,
    );
  });
});

describe('the fast reader gives up where the full parser has something to say', () => {
  const giveUp = [
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a tag', 'a: !!str 1\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a plain scalar over two lines', 'a: one\n  two\n'],
    ['a quoted scalar over two lines', 'a: "one\n  two"\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a duplicate key in a flow mapping', 'a: { b: 1, b: 2 }\n'],
    ['a YAML 1.1 boolean as a plain value', 'a: yes\n'],
    ['a YAML 1.1 timestamp as a plain value', 'a: 2026-12-01\n'],
    ['a YAML 1.1 boolean as a key', 'on: 1\n'],
    ['a number as a key', '1: a\n'],
    ['a reserved key', '__proto__: 1\n'],
    ['a merge key', '<<: { a: 1 }\n'],
    ['a tab', 'a:\tb\n'],
    ['CRLF line ends', 'a: b\r\nc: d\r\n'],
    ['a byte-order mark', '\uFEFFa: b\n'],
    ['a control character', 'a: "\u0007"\n'],
    ['a bidirectional mark', 'a: x\u202Ey\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a second document', 'a: 1\n---\nb: 2\n'],
    ['an integer beyond 2^53', 'a: 9007199254740993\n'],
    ['an infinity', 'a: .inf\n'],
    ['an escape JSON does not share', 'a: "\\x41"\n'],
    ['an explicit key', '? a\n: b\n'],
    ['a sequence in a sequence', 'a:\n  - - b\n'],
    ['a single-quoted key', "'a': b\n"],
    ['a root that is not a mapping', '- a\n- b\n'],
    ['an indented root', '  a: b\n'],
    ['an empty document', '# only a comment\n'],
    ['a trailing comma', 'a: [b, c,]\n'],
    ['a flow collection over two lines', 'a: [b,\n  c]\n'],
  ] as const;
  for (const [what, yaml] of giveUp) {
    it(what, () => {
      expect(readPlainYaml(yaml, DEFAULT_YAML_LIMITS)).toBeUndefined();
    });
  }

  it('deeper than the nesting limit, or more nodes than allowed', () => {
    expect(readPlainYaml('a:\n  b:\n    c: 1\n', { ...DEFAULT_YAML_LIMITS, maxDepth: 2 })).toBeUndefined();
    expect(readPlainYaml('a: [1, 2, 3, 4]\n', { ...DEFAULT_YAML_LIMITS, maxNodes: 3 })).toBeUndefined();
  });

  it("and a document it reads still gives the full parser's lines when a caller asks for one", () => {
    const r = parseManifestYaml('m.yaml', 'name: m\nmetrics:\n  accuracy: 0.9\n  f1: { value: 1 }\n');
    expect(readPlainYaml('name: m\n', DEFAULT_YAML_LIMITS)).toEqual({ value: { name: 'm' } });
    expect(r.doc!.valueAt.get('/metrics/accuracy')).toEqual({ line: 3, column: 13 });
    expect(r.doc!.keyAt.get('/metrics/f1')).toEqual({ line: 4, column: 3 });
  });
});

describe('the fast reader reads the plain form', () => {
  it('block mappings and sequences, compact mappings in sequences, one-line flow collections, quoted strings, comments', () => {
    const yaml = [
      '# yaml-language-server: $schema=x',
      'name: fraud  # the model',
      'version: 1.2.0',
      'description: "New tokenizer; larger head."',
      "quote: 'it''s'",
      'artifacts:',
      '  - { path: model.safetensors, size: 670969394, format: safetensors }',
      'stages:',
      '- name: staging',
      '  from: [development]',
      '  gates:',
      '    metrics:',
      '      accuracy: { min: 0.80 }',
      '',
      'empty:',
      'tags: {}',
      'list: []',
      'escaped: "a\\"b\\\\c\\n"',
      'neg: -0',
      'hex: 0x1f',
      'url: s3://bucket/key',
    ].join('\n');
    const r = readPlainYaml(yaml, DEFAULT_YAML_LIMITS);
    expect(r).toBeDefined();
    expect(r!.value).toStrictEqual(parseManifestYamlFully('m.yaml', yaml).doc!.value);
    expect(r!.value).toMatchObject({
      name: 'fraud',
      quote: "it's",
      empty: null,
      neg: 0,
      hex: 31,
      escaped: 'a"b\\c\n',
      stages: [{ name: 'staging', from: ['development'] }],
    });
  });
});
