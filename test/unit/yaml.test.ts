import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_YAML_LIMITS, escapePointer, parseManifestYaml, positionOf, type YamlResult } from '../../src/schema/yaml.js';
import type { Finding } from '../../src/registry/findings.js';

const parse = (text: string, limits = DEFAULT_YAML_LIMITS): YamlResult => parseManifestYaml('m.yaml', text, limits);

/** [code, line, column, field] of each finding, for compact exact assertions. */
const brief = (findings: Finding[]) => findings.map((f) => [f.code, f.line, f.column, f.field]);

/** The result must be a rejection: no document, and exactly these findings. */
function rejected(text: string, expected: unknown[][], limits = DEFAULT_YAML_LIMITS): Finding[] {
  const r = parse(text, limits);
  expect(r.doc).toBeUndefined();
  expect(brief(r.findings)).toEqual(expected);
  for (const f of r.findings) {
    expect(f.file).toBe('m.yaml');
    expect(f.severity).toBe('error');
  }
  return r.findings;
}

describe('parseManifestYaml: valid documents', () => {
  it('builds plain values', () => {
    const r = parse('name: x\ncount: 3\nratio: 0.5\nok: true\nnone: null\nlist: [1, two, {k: v}]\nmap:\n  a: b\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ name: 'x', count: 3, ratio: 0.5, ok: true, none: null, list: [1, 'two', { k: 'v' }], map: { a: 'b' } });
  });

  it('reads YAML 1.2 core: yes/no and timestamps stay strings, hex and octal are numbers', () => {
    const r = parse('a: yes\nb: no\nc: 2026-01-01T00:00:00Z\nd: 0x1F\ne: 0o17\nf: 1_000\ng: ~\n');
    // …and warns, on its line, where a YAML 1.1 reader (PyYAML) would read another value: not 0x1F or ~.
    expect(r.findings.map((f) => [f.code, f.severity, f.field, f.line])).toEqual([
      ['yaml-1.1', 'warning', '/a', 1],
      ['yaml-1.1', 'warning', '/b', 2],
      ['yaml-1.1', 'warning', '/c', 3],
      ['yaml-1.1', 'warning', '/e', 5],
      ['yaml-1.1', 'warning', '/f', 6],
    ]);
    expect(r.findings[0]!.message).toBe('the plain value "yes" is the boolean true to YAML 1.1 readers such as PyYAML, but a string here');
    expect(r.doc!.value).toEqual({ a: 'yes', b: 'no', c: '2026-01-01T00:00:00Z', d: 31, e: 15, f: '1_000', g: null });
  });

  it('records where each value and key starts (1-based line and column)', () => {
    const r = parse('a:\n  b: [1, {c: d}]\n  "e/f~g": 2\n');
    expect(r.findings).toEqual([]);
    const { valueAt, keyAt } = r.doc!;
    expect(Object.fromEntries(valueAt)).toEqual({
      '': { line: 1, column: 1 },
      '/a': { line: 2, column: 3 },
      '/a/b': { line: 2, column: 6 },
      '/a/b/0': { line: 2, column: 7 },
      '/a/b/1': { line: 2, column: 10 },
      '/a/b/1/c': { line: 2, column: 14 },
      '/a/e~1f~0g': { line: 3, column: 12 },
    });
    expect(Object.fromEntries(keyAt)).toEqual({
      '/a': { line: 1, column: 1 },
      '/a/b': { line: 2, column: 3 },
      '/a/b/1/c': { line: 2, column: 11 },
      '/a/e~1f~0g': { line: 3, column: 3 },
    });
  });

  it('accepts an explicit %YAML 1.2 directive', () => {
    const r = parse('%YAML 1.2\n---\na: 1\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ a: 1 });
  });

  it('accepts !!str, which only says what a plain scalar already is', () => {
    const r = parse('a: !!str 123\n!!str b: 2\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ a: '123', b: 2 });
  });

  it('accepts keys written without a value, as null (and does not crash on them)', () => {
    const r = parse('x: 1\n? a\nflow: {b, c: 2}\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ x: 1, a: null, flow: { b: null, c: 2 } });
    expect(r.doc!.keyAt.get('/a')).toEqual({ line: 2, column: 3 });
    expect(positionOf(r.doc!, '/a')).toEqual({ line: 2, column: 3 });
  });

  it('accepts the verbatim form of the str tag', () => {
    const r = parse('a: !<tag:yaml.org,2002:str> x\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ a: 'x' });
  });

  it('accepts quoted keys that look like numbers', () => {
    const r = parse('"1": x\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ '1': 'x' });
  });

  it('accepts a BOM and CRLF line ends, and counts lines across them', () => {
    const r = parse('\uFEFFname: x\r\nlist:\r\n  - 1\r\n  - two\r\n');
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ name: 'x', list: [1, 'two'] });
    expect(r.doc!.keyAt.get('/list')).toEqual({ line: 2, column: 1 });
    expect(r.doc!.valueAt.get('/list/0')).toEqual({ line: 3, column: 5 });
    expect(r.doc!.valueAt.get('/list/1')).toEqual({ line: 4, column: 5 });
  });

  it('keeps integers up to 2^53 - 1, and floats in exponent form', () => {
    const r = parse('a: 9007199254740991\nb: -9007199254740991\nflops: 1.2e18\nc: 1e300\n');
    // PyYAML reads an exponent without a dot and a sign (1.2e18) as a string: a warning, not an error.
    expect(r.findings.map((f) => [f.code, f.field])).toEqual([
      ['yaml-1.1', '/flops'],
      ['yaml-1.1', '/c'],
    ]);
    expect(r.doc!.value).toEqual({ a: 9007199254740991, b: -9007199254740991, flops: 1.2e18, c: 1e300 });
  });

  it('accepts a document exactly at the nesting limit', () => {
    const text = '['.repeat(32) + '1' + ']'.repeat(32);
    const r = parse(text);
    expect(r.findings).toEqual([]);
    let v: unknown = r.doc!.value;
    for (let i = 0; i < 32; i++) v = (v as unknown[])[0];
    expect(v).toBe(1);
  });

  it('accepts text exactly at the byte limit', () => {
    // 'a: é\n' is 6 bytes: é takes two.
    const r = parse('a: é\n', { ...DEFAULT_YAML_LIMITS, maxBytes: 6 });
    expect(r.findings).toEqual([]);
    expect(r.doc!.value).toEqual({ a: 'é' });
  });
});

describe('parseManifestYaml: rejections', () => {
  it('duplicate keys, at the second key', () => {
    rejected('a: 1\nb: 2\na: 3\n', [['yaml-duplicate-key', 3, 1, undefined]]);
    rejected('a:\n  b: 1\n  b: 2\n', [['yaml-duplicate-key', 3, 3, undefined]]);
    rejected('{a: 1, a: 2}\n', [['yaml-duplicate-key', 1, 8, undefined]]);
    // The same key spelt differently is the same key.
    rejected('a: 1\n"a": 2\n', [['yaml-duplicate-key', 2, 1, undefined]]);
    rejected('a: 1\n"\\x61": 2\n', [['yaml-duplicate-key', 2, 1, undefined]]);
  });

  it('anchors and aliases, each where it stands', () => {
    const f = rejected('a: &x 1\nb: *x\n', [
      ['yaml-alias', 1, 7, '/a'],
      ['yaml-alias', 2, 4, '/b'],
    ]);
    expect(f[0]!.message).toBe('anchors and aliases are not allowed');
    rejected('a: &x {b: 1}\n', [['yaml-alias', 1, 7, '/a']]);
  });

  it('merge keys', () => {
    const f = rejected('base: {a: 1}\nc:\n  <<: {a: 2}\n  d: 1\n', [['yaml-alias', 3, 3, '/c/<<']]);
    expect(f[0]!.message).toContain('merge keys');
  });

  it('several documents, at the start of the second', () => {
    const f = rejected('a: 1\n---\nb: 2\n', [['yaml-multiple-documents', 2, 1, undefined]]);
    expect(f[0]!.message).toBe('m.yaml holds 2 YAML documents');
    rejected('---\na: 1\n...\n---\nb: 2\n', [['yaml-multiple-documents', 4, 1, undefined]]);
  });

  it('a %YAML 1.1 directive', () => {
    const f = rejected('%YAML 1.1\n---\na: 1\n', [['yaml-directive', 1, 1, undefined]]);
    expect(f[0]!.message).toBe('%YAML 1.1 is not accepted');
  });

  it('a %TAG directive', () => {
    // README and the finding's summary: directives other than %YAML 1.2 are refused.
    rejected('%TAG !e! tag:example.com,2000:\n---\na: 1\n', [['yaml-directive', 1, 1, undefined]]);
  });

  it('explicit and unknown tags', () => {
    const bin = rejected('a: 1\nb: !!binary aGVsbG8=\n', [['yaml-tag', 2, 13, '/b']]);
    expect(bin[0]!.message).toBe('the tag "tag:yaml.org,2002:binary" is not allowed');
    const foo = rejected('a: !foo bar\n', [['yaml-tag', 1, 9, '/a']]);
    expect(foo[0]!.message).toBe('the tag "!foo" is not allowed');
    rejected('a: !!int 5\n', [['yaml-tag', 1, 10, '/a']]);
    rejected('a: !!map {b: 1}\n', [['yaml-tag', 1, 10, '/a']]);
    rejected('a:\n  - !!seq [1]\n', [['yaml-tag', 2, 11, '/a/0']]);
    rejected('a: ! 12\n', [['yaml-tag', 1, 6, '/a']]);
    // !!str is allowed on scalars only: on a collection it would not mean what it says.
    rejected('a: !!str {b: 1}\n', [['yaml-tag', 1, 10, '/a']]);
    rejected('a: !!str [1]\n', [['yaml-tag', 1, 10, '/a']]);
  });

  it('non-string and complex keys', () => {
    rejected('a: 1\n1: x\n', [['yaml-key', 2, 1, '']]);
    rejected('true: x\n', [['yaml-key', 1, 1, '']]);
    rejected('~: x\n', [['yaml-key', 1, 1, '']]);
    rejected('? [a, b]\n: x\n', [['yaml-key', 1, 3, '']]);
    rejected('{[a]: 1}\n', [['yaml-key', 1, 2, '']]);
    rejected('outer:\n  2: x\n', [['yaml-key', 2, 3, '/outer']]);
    // A tagged key is not a plain string either.
    rejected('!foo a: 1\n', [['yaml-key', 1, 6, '']]);
  });

  it('.nan and infinities', () => {
    const f = rejected('a: .nan\n', [['yaml-number', 1, 4, '/a']]);
    expect(f[0]!.message).toBe('.nan is not a finite number');
    rejected('a: .NaN\n', [['yaml-number', 1, 4, '/a']]);
    rejected('a: .inf\n', [['yaml-number', 1, 4, '/a']]);
    rejected('x:\n  a: -.inf\n', [['yaml-number', 2, 6, '/x/a']]);
  });

  it('control characters and bidirectional marks in text', () => {
    const f = rejected('a: "x\\e[2J"\n', [['yaml-control', 1, 4, '/a']]);
    expect(f[0]!.message).toBe('a control character or bidirectional mark (U+001B) in a string');
    rejected('a: "x\\ry"\n', [['yaml-control', 1, 4, '/a']]);
    rejected('a: [ok, "\\u202Egnp.exe"]\n', [['yaml-control', 1, 9, '/a/1']]);
    rejected('a: "\\x85"\n', [['yaml-control', 1, 4, '/a']]);
    rejected('"k\\e": 1\n', [['yaml-control', 1, 1, '/k\u001b']]);
    // Tabs and line breaks are text; CRLF line ends are line breaks, not carriage returns in a value.
    expect(parseManifestYaml('f.yaml', 'a: "x\\ty"\nb: |\n  two\n  lines\n').findings).toEqual([]);
    expect(parseManifestYaml('f.yaml', 'a: |\r\n  two\r\n  lines\r\nb: "q\r\n  r"\r\n').findings).toEqual([]);
  });

  it('integers beyond 2^53', () => {
    const f = rejected('a: 9007199254740993\n', [['yaml-number', 1, 4, '/a']]);
    expect(f[0]!.message).toBe('9007199254740993 is beyond ±2^53 and would lose precision');
    rejected('a: -9007199254740993\n', [['yaml-number', 1, 4, '/a']]);
    rejected('a: 9007199254740992\n', [['yaml-number', 1, 4, '/a']]);
    rejected('a: 0x20000000000001\n', [['yaml-number', 1, 4, '/a']]);
    rejected('a: [1, 123456789012345678901234567890]\n', [['yaml-number', 1, 8, '/a/1']]);
  });

  it('nesting deeper than the limit, at the node that is too deep', () => {
    const deep = '['.repeat(33) + '1' + ']'.repeat(33);
    const f = rejected(deep, [['yaml-limits', 1, 34, '/0'.repeat(33)]]);
    expect(f[0]!.message).toBe('m.yaml: nesting deeper than 32 levels');
    rejected('a:\n  b:\n    c: 1\n', [['yaml-limits', 3, 8, '/a/b/c']], { ...DEFAULT_YAML_LIMITS, maxDepth: 2 });
  });

  it('more nodes than the limit', () => {
    const f = rejected('[1, 2, 3, 4]\n', [['yaml-limits', 1, 11, '/3']], { ...DEFAULT_YAML_LIMITS, maxNodes: 4 });
    expect(f[0]!.message).toBe('m.yaml: more than 4 YAML nodes');
  });

  it('oversize text, counted in UTF-8 bytes', () => {
    const f = rejected('a: é\n', [['tree-oversize', 1, undefined, undefined]], { ...DEFAULT_YAML_LIMITS, maxBytes: 5 });
    expect(f[0]!.message).toBe('m.yaml is 6 bytes; the limit is 5');
    const big = `a: "${'x'.repeat(2 * 1024 * 1024)}"\n`;
    rejected(big, [['tree-oversize', 1, undefined, undefined]]);
  });

  it('empty files', () => {
    for (const text of ['', '\n', '   \n', '# only a comment\n', '\uFEFF']) {
      rejected(text, [['yaml-empty', 1, undefined, undefined]]);
    }
    // A lone document marker holds no value either.
    rejected('---\n', [['yaml-empty', 1, undefined, undefined]]);
    rejected('--- # nothing\n...\n', [['yaml-empty', 1, undefined, undefined]]);
  });

  it('syntax errors, with their line', () => {
    rejected('a: b\nc: [1, 2\n', [['yaml-syntax', 3, 1, undefined]]);
    rejected('a: 1\nb: "unterminated\nc: 2\n', [['yaml-syntax', 4, 1, undefined]]);
    rejected('a:\n\tb: 1\n', [['yaml-syntax', 2, 1, undefined]]);
    const f = parse('a: b\n  c: d\n').findings;
    expect(f.length).toBeGreaterThan(0);
    expect(f.every((x) => x.code === 'yaml-syntax' && x.line === 1)).toBe(true);
  });

  it('reports every offending node of a document, not just the first', () => {
    // A tagged or anchored node starts at its content, after the tag or anchor.
    rejected('a: .nan\nb: !foo x\nc: &k 1\n', [
      ['yaml-number', 1, 4, '/a'],
      ['yaml-tag', 2, 9, '/b'],
      ['yaml-alias', 3, 7, '/c'],
    ]);
  });
});

describe('parseManifestYaml: reserved keys and prototype pollution', () => {
  afterEach(() => {
    // Nothing may ever land on Object.prototype.
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['a: 1\n__proto__: {polluted: true}\n', 2, 1, '/__proto__'],
    ['{"__proto__": {"polluted": true}}\n', 1, 2, '/__proto__'],
    ['constructor: {prototype: {polluted: true}}\n', 1, 1, '/constructor'],
    ['nested:\n  prototype: {polluted: true}\n', 2, 3, '/nested/prototype'],
    ['list:\n  - __proto__:\n      polluted: true\n', 2, 5, '/list/0/__proto__'],
  ])('rejects %j', (text, line, column, field) => {
    const f = rejected(text, [['yaml-key', line, column, field]]);
    expect(f[0]!.message).toMatch(/^the key "(__proto__|constructor|prototype)" is reserved$/);
  });

  it('builds ordinary objects whose keys are own properties, even keys named like Object methods', () => {
    const r = parse('hasOwnProperty: x\ntoString: y\nvalueOf: {a: 1}\n');
    expect(r.findings).toEqual([]);
    const v = r.doc!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['hasOwnProperty', 'toString', 'valueOf']);
    expect(Object.hasOwn(v, 'hasOwnProperty')).toBe(true);
    expect(v.toString).toBe('y');
    expect(Object.hasOwn(v, '__proto__')).toBe(false);
    expect(Object.hasOwn(v, 'constructor')).toBe(false);
  });

  it('gives no document at all when a reserved key is present', () => {
    const r = parse('ok: 1\n__proto__:\n  polluted: true\n');
    expect(r.doc).toBeUndefined();
    expect(r.findings.map((f) => f.code)).toEqual(['yaml-key']);
  });
});

describe('positionOf and escapePointer', () => {
  const doc = parse('a:\n  b: [1, 2]\n  c: x\n').doc!;

  it('finds the value, or the key when asked', () => {
    expect(positionOf(doc, '/a/c')).toEqual({ line: 3, column: 6 });
    expect(positionOf(doc, '/a/c', true)).toEqual({ line: 3, column: 3 });
    expect(positionOf(doc, '/a/b/1')).toEqual({ line: 2, column: 10 });
  });

  it('falls back to the nearest recorded ancestor', () => {
    expect(positionOf(doc, '/a/missing')).toEqual({ line: 2, column: 3 });
    expect(positionOf(doc, '/nothing/here')).toEqual({ line: 1, column: 1 });
  });

  it('escapes ~ before /', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
    expect(escapePointer('~1')).toBe('~01');
  });
});

describe('pathological nesting', () => {
  it('refuses thousands of nested brackets quickly, with a line, before the parser recurses', async () => {
    const { parseManifestYaml } = await import('../../src/schema/yaml.js');
    const text = 'name: x\ndeep: ' + '['.repeat(200_000) + ']'.repeat(200_000) + '\n';
    const r = parseManifestYaml('bomb.yaml', text);
    expect(r.doc).toBeUndefined();
    expect(r.findings.map((f) => [f.code, f.line])).toEqual([['yaml-limits', 2]]);
  });

  it('does not count brackets inside quotes and comments', async () => {
    const { parseManifestYaml } = await import('../../src/schema/yaml.js');
    const r = parseManifestYaml('ok.yaml', `a: "${'['.repeat(500)}"\nb: '${'{'.repeat(500)}'\n# ${'['.repeat(500)}\n`);
    expect(r.findings).toEqual([]);
    expect(r.doc?.value).toEqual({ a: '['.repeat(500), b: '{'.repeat(500) });
  });
});

describe('parseManifestYaml: negative zero', () => {
  it('reads -0 as 0, as JSON and the parse cache will', () => {
    const r = parse('a: -0\nb: -0.0\nc: [-0]\n');
    expect(r.findings).toEqual([]);
    expect(Object.is((r.doc!.value as { a: number }).a, 0)).toBe(true);
    expect(Object.is((r.doc!.value as { b: number }).b, 0)).toBe(true);
    expect(Object.is((r.doc!.value as { c: number[] }).c[0], 0)).toBe(true);
  });
});
