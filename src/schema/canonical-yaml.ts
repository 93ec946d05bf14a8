/**
 * A fast reader for the plain form manifests are written in, beside the full parser (yaml.ts).
 *
 * Why: a fresh clone parses every manifest once, and the full parser (the `yaml` library's tokens, nodes
 * and our walk over them) costs ~1.5 ms a file: ten thousand models were minutes. Nearly every manifest
 * is written by modelreg or by hand in a small, regular part of YAML — block mappings and sequences, one
 * line per scalar, one-line flow collections, quoted strings without line breaks. This reader takes
 * exactly that part, line by line, and gives up (undefined) on anything else: the full parser then reads
 * the file, so what the reader does not know can only cost time, never change a result.
 *
 * It accepts a file only when the full parser would read it without a single finding or warning, and then
 * returns the same value, key order included: it refuses what the full parser would refuse or warn about
 * (anchors, tags, duplicate keys, numbers that do not survive, text a YAML 1.1 reader reads otherwise,
 * control characters, reserved keys) by giving up, so that the full parser says it, with its lines.
 * Positions are not computed here; a caller that needs a line parses fully (see yaml.ts). A differential
 * test holds the two readers together on generated documents, and every test run judges every file it
 * parses (MODELREG_YAML_JUDGE).
 */
import { unsafeCharacter } from '../registry/text.js';
import { readsDifferentlyIn11 } from './yaml11.js';
import type { YamlLimits } from './parsed.js';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype', '<<']);

/** The reader gave up: the full parser reads the file. Thrown inside, never outside this module. */
class GiveUp {}
const GIVE_UP = new GiveUp();

/** One line that carries content: where its content starts, and the text from there (comments not cut). */
interface Line {
  indent: number;
  text: string;
}

/** The value of a manifest in the plain form, or undefined when the full parser must read it. */
export function readPlainYaml(text: string, limits: YamlLimits): { value: unknown } | undefined {
  // Tabs, a byte-order mark, CR line ends and unsafe characters all go the long way, where they are reported.
  if (text.includes('\t') || text.charCodeAt(0) === 0xfeff || unsafeCharacter(text) !== undefined) return undefined;
  const lines = contentLines(text);
  if (!lines || lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  const reader = new PlainReader(lines, limits);
  try {
    const value = reader.blockMap(0, 0);
    return reader.done() ? { value } : undefined;
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

/** The lines with content (blank and comment-only lines dropped), or undefined for document markers and directives. */
function contentLines(text: string): Line[] | undefined {
  const out: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let i = start;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i < end && text.charCodeAt(i) !== 35 /* # */) {
      const line = text.slice(i, end);
      if (i === start && (line.startsWith('---') || line.startsWith('...') || line.startsWith('%'))) return undefined;
      out.push({ indent: i - start, text: line });
    }
    start = end + 1;
  }
  return out;
}

class PlainReader {
  private at = 0;
  private nodes = 0;

  constructor(
    private readonly lines: Line[],
    private readonly limits: YamlLimits,
  ) {}

  done(): boolean {
    return this.at === this.lines.length;
  }

  /** A block mapping whose keys sit at column `indent`; the current line is its first entry. */
  blockMap(indent: number, depth: number, first?: Line): Record<string, unknown> {
    this.count(depth);
    const out: Record<string, unknown> = {};
    let line: Line | undefined = first ?? this.lines[this.at];
    while (line && line.indent === indent) {
      const k = mappingKey(line.text, 0);
      if (!k || out[k.key] !== undefined) throw GIVE_UP; // a duplicate (or an inherited name): the full parser says so
      const key = k.key;
      this.at++;
      const rest = line.text.slice(skipSpaces(line.text, k.colon + 1));
      out[key] = rest === '' || rest.startsWith('#') ? this.nestedBlock(indent, depth + 1) : this.lineValue(rest, indent, depth + 1);
      line = this.lines[this.at];
    }
    if (line && line.indent > indent) throw GIVE_UP;
    return out;
  }

  /** What follows `key:` with nothing after it on its line: a deeper block, a sequence at the key's column, or null. */
  private nestedBlock(indent: number, depth: number): unknown {
    const next = this.lines[this.at];
    if (next && isSeqItem(next.text) && next.indent >= indent) return this.blockSeq(next.indent, depth);
    if (next && next.indent > indent) return this.blockMap(next.indent, depth);
    this.count(depth);
    return null;
  }

  /** A block sequence whose dashes sit at column `indent`. */
  private blockSeq(indent: number, depth: number): unknown[] {
    this.count(depth);
    const out: unknown[] = [];
    let line = this.lines[this.at];
    while (line && line.indent === indent && isSeqItem(line.text)) {
      let i = 1;
      while (line.text.charCodeAt(i) === 32) i++;
      const item = line.text.slice(i);
      if (item === '' || item.startsWith('#') || isSeqItem(item)) throw GIVE_UP;
      if (mappingKey(item, 0)) {
        // `- key: value` opens a mapping whose keys sit where this key does.
        out.push(this.blockMap(indent + i, depth + 1, { indent: indent + i, text: item }));
      } else {
        this.at++;
        out.push(this.lineValue(item, indent, depth + 1));
      }
      line = this.lines[this.at];
    }
    if (line && line.indent > indent) throw GIVE_UP;
    return out;
  }

  /** A value that is the rest of its line: a quoted or plain scalar, or a flow collection, then perhaps a comment. */
  private lineValue(text: string, ownerIndent: number, depth: number): unknown {
    // A deeper line after a value would continue a plain scalar (or be an error): the full parser decides.
    const next = this.lines[this.at];
    if (next && next.indent > ownerIndent) throw GIVE_UP;
    const c = text.charCodeAt(0);
    if (c === 34 /* " */ || c === 39 /* ' */ || c === 123 /* { */ || c === 91 /* [ */) {
      const flow = new FlowCursor(text, this, depth);
      const value = flow.value();
      flow.end();
      return value;
    }
    this.count(depth);
    const hash = text.indexOf(' #');
    return plainScalar(withoutTrailingSpaces(hash < 0 ? text : text.slice(0, hash)), false);
  }

  count(depth: number): void {
    if (++this.nodes > this.limits.maxNodes || depth >= this.limits.maxDepth) throw GIVE_UP;
  }
}

/** One-line flow collections and quoted scalars. */
class FlowCursor {
  private i = 0;

  constructor(
    private readonly text: string,
    private readonly reader: PlainReader,
    private readonly depth: number,
  ) {}

  value(depth = this.depth): unknown {
    this.reader.count(depth);
    const c = this.text.charCodeAt(this.i);
    if (c === 123 /* { */) return this.map(depth);
    if (c === 91 /* [ */) return this.seq(depth);
    if (c === 34 /* " */) return this.doubleQuoted();
    if (c === 39 /* ' */) return this.singleQuoted();
    return this.plain();
  }

  /** Only spaces, and perhaps a comment after at least one of them, may follow the value. */
  end(): void {
    const rest = this.text.slice(this.i);
    if (!/^ *$|^ +#/.test(rest)) throw GIVE_UP;
  }

  private map(depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    this.spaces();
    if (this.peek() === 125 /* } */) return this.close(out);
    for (;;) {
      const k = mappingKey(this.text, this.i);
      if (!k || this.text.charCodeAt(k.colon + 1) !== 32 || out[k.key] !== undefined) throw GIVE_UP;
      const key = k.key;
      this.i = k.colon + 2;
      this.spaces();
      out[key] = this.value(depth + 1);
      if (this.separator(125 /* } */)) return this.close(out);
    }
  }

  private seq(depth: number): unknown[] {
    const out: unknown[] = [];
    this.i++;
    this.spaces();
    if (this.peek() === 93 /* ] */) return this.close(out);
    for (;;) {
      out.push(this.value(depth + 1));
      if (this.separator(93 /* ] */)) return this.close(out);
    }
  }

  /** After an entry: true at the closing bracket, false after a comma followed by another entry. */
  private separator(closing: number): boolean {
    this.spaces();
    const c = this.peek();
    if (c === closing) return true;
    if (c !== 44 /* , */) throw GIVE_UP;
    this.i++;
    this.spaces();
    const next = this.peek();
    if (next === closing || next === 44 || Number.isNaN(next)) throw GIVE_UP; // a trailing or doubled comma
    return false;
  }

  private close<T>(value: T): T {
    this.i++;
    return value;
  }

  private plain(): unknown {
    const start = this.i;
    for (; this.i < this.text.length; this.i++) {
      const c = this.text.charCodeAt(this.i);
      if (c === 44 || c === 93 || c === 125) break;
      // `:` or `#` inside a flow scalar, and brackets, are where the two readers could part: give up.
      if (c === 58 || c === 35 || c === 91 || c === 123) throw GIVE_UP;
    }
    return plainScalar(withoutTrailingSpaces(this.text.slice(start, this.i)), true);
  }

  private doubleQuoted(): string {
    const q = doubleQuoted(this.text, this.i);
    if (!q) throw GIVE_UP;
    this.i = q.end;
    this.afterQuoted();
    return q.value;
  }

  private singleQuoted(): string {
    let j = this.i + 1;
    for (; j < this.text.length; j++) {
      if (this.text.charCodeAt(j) === 39) {
        if (this.text.charCodeAt(j + 1) === 39) j++;
        else break;
      }
    }
    if (j >= this.text.length) throw GIVE_UP;
    const body = this.text.slice(this.i + 1, j).replace(/''/g, "'");
    this.i = j + 1;
    this.afterQuoted();
    return body;
  }

  /** A quoted scalar must be followed by a space, a separator or the end: `"a"b` and `"a"#c` go the long way. */
  private afterQuoted(): void {
    const c = this.peek();
    if (!(Number.isNaN(c) || c === 32 || c === 44 || c === 93 || c === 125)) throw GIVE_UP;
  }

  private spaces(): void {
    while (this.text.charCodeAt(this.i) === 32) this.i++;
  }

  private peek(): number {
    return this.text.charCodeAt(this.i);
  }
}

/**
 * Only the space separates tokens here: JavaScript's trim() would also take U+00A0 and the other Unicode
 * spaces, which YAML keeps as part of a scalar.
 */
function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

function withoutTrailingSpaces(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}

/**
 * A mapping key at `start` and the `:` after it (followed by a space or the end of the line): a plain key
 * (see isPlainKey) or a double-quoted one, as the writer quotes keys a YAML 1.1 reader would misread.
 */
function mappingKey(text: string, start: number): { key: string; colon: number } | undefined {
  let key: string;
  let colon: number;
  if (text.charCodeAt(start) === 34) {
    const q = doubleQuoted(text, start);
    if (!q || RESERVED_KEYS.has(q.value)) return undefined;
    key = q.value;
    colon = q.end;
  } else {
    colon = start;
    while (colon < text.length && isKeyChar(text.charCodeAt(colon))) colon++;
    key = text.slice(start, colon);
    if (!isPlainKey(key)) return undefined;
  }
  if (text.charCodeAt(colon) !== 58) return undefined;
  const after = text.charCodeAt(colon + 1);
  return Number.isNaN(after) || after === 32 ? { key, colon } : undefined;
}

/** A double-quoted string on one line starting at `start`: its value and where it ends, or undefined. */
function doubleQuoted(text: string, start: number): { value: string; end: number } | undefined {
  let j = start + 1;
  let escaped = false;
  for (; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === 92 /* \ */) {
      escaped = true;
      j++;
    } else if (c === 34) break;
  }
  if (j >= text.length) return undefined; // the string goes on to the next line
  const body = text.slice(start + 1, j);
  if (!escaped) return { value: body, end: j + 1 };
  // JSON's escapes (but \u) are a subset of YAML's with the same meaning; the others go the long way.
  for (let k = body.indexOf('\\'); k >= 0; k = body.indexOf('\\', k + 2)) if (!'"\\/bfnrt'.includes(body[k + 1]!)) return undefined;
  const value = JSON.parse(`"${body}"`) as string;
  return unsafeCharacter(value) === undefined ? { value, end: j + 1 } : undefined;
}

/** Letters, digits and `_ - . / @ +`: what metric, param and tag names are made of. */
function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 47 || c === 64 || c === 43;
}

/** Keys already judged: manifests repeat the same few hundred names. Bounded, so a hostile tree cannot grow it. */
const plainKeys = new Map<string, boolean>();

/** A key both readers take for the same string: starts with a letter, digit or `_`, and resolves to a string. */
function isPlainKey(key: string): boolean {
  const known = plainKeys.get(key);
  if (known !== undefined) return known;
  const c = key.charCodeAt(0);
  const plain =
    key !== '' &&
    !RESERVED_KEYS.has(key) &&
    ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) &&
    typeof resolveCore(key) === 'string' &&
    !differsIn11(key, key);
  if (plainKeys.size < 4096) plainKeys.set(key, plain);
  return plain;
}

/** The words YAML 1.1 reads as booleans or null; any other text starting with a letter is a string there. */
const WORDS_OF_11 = new Set(
  ['yes', 'no', 'true', 'false', 'on', 'off', 'null'].flatMap((w) => [w, w[0]!.toUpperCase() + w.slice(1), w.toUpperCase()]).concat(['y', 'Y', 'n', 'N']),
);

/** readsDifferentlyIn11, answered at once for the common case: text starting with a letter that YAML 1.2 read as a string. */
function differsIn11(source: string, value: unknown): boolean {
  if (typeof value === 'string' && isLetter(source.charCodeAt(0)) && !WORDS_OF_11.has(source)) return false;
  return readsDifferentlyIn11(source, value);
}

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);

const isSeqItem = (text: string) => text.charCodeAt(0) === 45 /* - */ && (text.length === 1 || text.charCodeAt(1) === 32);

/** A plain scalar's value, or give up where the full parser could read it otherwise, refuse it or warn. */
function plainScalar(source: string, inFlow: boolean): unknown {
  if (source === '') {
    if (inFlow) throw GIVE_UP;
    return null;
  }
  const c = source.charCodeAt(0);
  // Indicators that start something other than a plain scalar (anchors, tags, block scalars, quotes, ...).
  if ('&*!|>%@`?,[]{}#"\':'.includes(source[0]!) || (c === 45 && (source.length === 1 || source.charCodeAt(1) === 32))) throw GIVE_UP;
  if (!inFlow && /: |:$|[[\]{}]/.test(source)) throw GIVE_UP; // flow scalars stopped at these already
  if (isPlainWord(source)) return source;
  if (SIMPLE_DECIMAL.test(source)) {
    // Both YAML versions read such a number as the number JavaScript reads (a metric, a size).
    const n = Number(source);
    if (Number.isInteger(n) && !Number.isSafeInteger(n)) throw GIVE_UP;
    return Object.is(n, -0) ? 0 : n;
  }
  const value = resolveCore(source);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) throw GIVE_UP;
  }
  if (differsIn11(source, value)) throw GIVE_UP;
  return Object.is(value, -0) ? 0 : value;
}

/** A decimal without a sign but `-`, leading zeros, exponent or underscores: the same number in YAML 1.1, 1.2 and JavaScript. */
const SIMPLE_DECIMAL = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;

/** Letters that no YAML 1.1 or 1.2 number, boolean, null or timestamp holds after a leading digit (all but e, t, z). */
const NOT_IN_NUMBERS = /[a-df-su-yA-DF-SU-Y]/;

/**
 * Text that is a string to YAML 1.2 and 1.1 alike, told at a glance: it starts with a letter that begins
 * no boolean or null word of either, or with a digit and holds a letter no number or timestamp holds
 * (a hash, say; `0x…`, `0o…` and `0b…` excepted). Everything else takes the full resolution.
 */
function isPlainWord(s: string): boolean {
  const c = s.charCodeAt(0);
  if (isLetter(c)) return !'nNtTfFyYoO'.includes(s[0]!);
  if (c >= 48 && c <= 57) return !(c === 48 && 'xXoObB'.includes(s[1] ?? '')) && NOT_IN_NUMBERS.test(s);
  return false;
}

/** What YAML 1.2's core schema makes of a plain scalar (the `yaml` library's tests, in its order). */
function resolveCore(s: string): unknown {
  const c = s.charCodeAt(0);
  // Only null, booleans and numbers resolve to other than a string, and none of them starts with another letter.
  if (isLetter(c) && !'nNtTfF'.includes(s[0]!)) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    return s.endsWith('nan') || s.endsWith('NaN') || s.endsWith('NAN') ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}
