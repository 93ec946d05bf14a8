/**
 * Safe YAML for manifests that may come from a stranger's pull request.
 *
 * We parse with `yaml` and then build the JavaScript value ourselves from its syntax tree, instead of
 * calling toJS(). That one walk lets us refuse what a manifest never needs (anchors, aliases, merge keys,
 * tags, directives, non-string keys, several documents), refuse numbers that would silently change
 * (NaN, infinities, integers beyond 2^53), refuse control characters and bidirectional marks in text
 * (registry/text.ts), never create `__proto__`-style keys, cap depth and size, and
 * record where every value sits so that schema errors point at a line and column.
 */
import { isDeepStrictEqual } from 'node:util';
import { unsafeCharacter } from '../registry/text.js';
import { readPlainYaml } from './canonical-yaml.js';
import { beyondLimits } from './limits.js';
import { describe11, readsDifferentlyIn11 } from './yaml11.js';
import { LineCounter, parseAllDocuments, isAlias, isMap, isPair, isScalar, isSeq, type Node, type Document } from 'yaml';
import { finding, type Finding } from '../registry/findings.js';
import { DEFAULT_YAML_LIMITS, escapePointer, PositionsOnDemand, type ParsedYaml, type Position, type YamlLimits } from './parsed.js';

export { DEFAULT_YAML_LIMITS, escapePointer, positionOf, type ParsedYaml, type Position, type YamlLimits } from './parsed.js';

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const STR_TAG = 'tag:yaml.org,2002:str';

export interface YamlResult {
  doc?: ParsedYaml;
  findings: Finding[];
}

/**
 * A manifest's text to its value, in steps: refuse what is too large or too deep to parse safely; read
 * the plain form most manifests are written in with the fast reader (canonical-yaml.ts), whose value is
 * the full parser's, with positions parsed fully only when a caller asks for a line; else parse fully.
 */
export function parseManifestYaml(file: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlResult {
  const beyond = beyondLimits(file, text, limits);
  if (beyond) return { findings: [beyond] };
  const plain = readPlainYaml(text, limits);
  if (!plain) return parseFully(file, text, limits);
  if (JUDGING) judgePlainRead(file, text, limits, plain.value);
  return { doc: new TextPositions(plain.value, file, text, limits), findings: [] };
}

/**
 * The full parser alone: exactly one YAML 1.2 document, then the value built from the syntax tree
 * (ManifestWalk). Errors are findings with line and column; warnings (YAML 1.1 readers would read it
 * differently) come with a value.
 */
export function parseManifestYamlFully(file: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): YamlResult {
  const beyond = beyondLimits(file, text, limits);
  if (beyond) return { findings: [beyond] };
  return parseFully(file, text, limits);
}

function parseFully(file: string, text: string, limits: YamlLimits): YamlResult {
  const parsed = parseOneDocument(file, text);
  if (!parsed.doc) return { findings: parsed.findings };
  const { doc, at } = parsed;
  const walk = new ManifestWalk(file, at, limits);
  let value: unknown;
  try {
    value = walk.build(doc.contents, '', 0);
  } catch (e) {
    if (!(e instanceof LimitError)) throw e;
    return { findings: [finding('yaml-limits', `${file}: ${e.message}`, { file, ...walk.valueAt.get(e.pointer), field: e.pointer })] };
  }
  const findings = walk.findings;
  for (const w of doc.warnings) {
    // Unresolved tags surface as warnings in `yaml`; the walk already reports the node itself.
    if (w.code !== 'TAG_RESOLVE_FAILED') findings.push(finding('yaml-syntax', firstLine(w.message), { file, ...at(w.pos[0]) }));
  }
  if (findings.length > 0) return { findings };
  return { doc: { value, valueAt: walk.valueAt, keyAt: walk.keyAt }, findings: walk.warnings };
}

/**
 * With MODELREG_YAML_JUDGE=1 (every test run sets it) the full parser judges each fast read: the same
 * value, key order included, and no finding or warning the fast reader would have hidden.
 */
const JUDGING = process.env.MODELREG_YAML_JUDGE === '1';

export function judgePlainRead(file: string, text: string, limits: YamlLimits, value: unknown): void {
  const full = parseFully(file, text, limits);
  const same = full.doc && full.findings.length === 0 && isDeepStrictEqual(full.doc.value, value) && JSON.stringify(full.doc.value) === JSON.stringify(value);
  if (!same) {
    throw new Error(
      `internal: the fast YAML reader and the full parser disagree on ${file}: ${JSON.stringify(value)} against ${JSON.stringify(full.doc?.value)} ${JSON.stringify(full.findings)}`,
    );
  }
}

/** The line map of a fast read, from a full parse of its text. */
class TextPositions extends PositionsOnDemand {
  constructor(
    value: unknown,
    private readonly file: string,
    private readonly text: string,
    private readonly limits: YamlLimits,
  ) {
    super(value);
  }

  protected parseForPositions(): ParsedYaml | undefined {
    return parseFully(this.file, this.text, this.limits).doc;
  }
}

type At = (offset: number) => Position;

/** One YAML 1.2 document with a value, strictly parsed: no other version, no %TAG, no second document. */
function parseOneDocument(file: string, text: string): { doc: Document.Parsed; at: At } | { doc?: undefined; findings: Finding[] } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, version: '1.2', schema: 'core', uniqueKeys: true, merge: false, strict: true, prettyErrors: false });
  const at: At = (offset) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const empty = (what: string) => ({
    findings: [finding('yaml-empty', `${file} ${what}`, { file, line: 1, hint: 'Write the manifest; see docs/format.md.' })],
  });
  if (!Array.isArray(docs) || docs.length === 0) return empty('is empty');
  if (docs.length > 1)
    return { findings: [finding('yaml-multiple-documents', `${file} holds ${docs.length} YAML documents`, { file, ...at(docs[1]!.range[0]) })] };
  const doc = docs[0]! as Document.Parsed;
  const findings: Finding[] = doc.errors.map((e) =>
    finding(e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax', firstLine(e.message), { file, ...at(e.pos[0]) }),
  );
  if (doc.directives?.yaml.explicit && doc.directives.yaml.version !== '1.2') {
    findings.push(finding('yaml-directive', `%YAML ${doc.directives.yaml.version} is not accepted`, { file, line: 1, column: 1 }));
  }
  const tagDirective = Object.entries(doc.directives?.tags ?? {}).some(([handle, prefix]) => handle !== '!!' || prefix !== 'tag:yaml.org,2002:');
  if (tagDirective) findings.push(finding('yaml-directive', `%TAG directives are not accepted`, { file, line: 1, column: 1 }));
  if (findings.length > 0) return { findings };
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '')) return empty('holds no YAML value');
  return { doc, at };
}

/**
 * The walk of the syntax tree that builds the value: where every value and key sits, what is refused
 * (findings) and what YAML 1.1 readers would read differently (warnings), within the node and depth limits.
 */
class ManifestWalk {
  readonly valueAt = new Map<string, Position>();
  readonly keyAt = new Map<string, Position>();
  readonly findings: Finding[] = [];
  readonly warnings: Finding[] = [];
  private nodes = 0;

  constructor(
    private readonly file: string,
    private readonly at: At,
    private readonly limits: YamlLimits,
  ) {}

  build(node: unknown, pointer: string, depth: number): unknown {
    if (node === null || node === undefined) return null; // the value of a key written without one (`? a`)
    const n = node as Node;
    const pos = n.range ? this.at(n.range[0]) : undefined;
    if (pos) this.valueAt.set(pointer, pos);
    if (++this.nodes > this.limits.maxNodes) throw new LimitError(`more than ${this.limits.maxNodes} YAML nodes`, pointer);
    if (depth > this.limits.maxDepth) throw new LimitError(`nesting deeper than ${this.limits.maxDepth} levels`, pointer);
    if (isAlias(n) || (n as { anchor?: string }).anchor) return this.refuse('yaml-alias', `anchors and aliases are not allowed`, pos, pointer);
    const tag = (n as { tag?: string }).tag;
    if (tag !== undefined && (tag !== STR_TAG || !isScalar(n))) return this.refuse('yaml-tag', `the tag ${JSON.stringify(tag)} is not allowed`, pos, pointer);
    if (isScalar(n)) {
      const value = this.scalarValue(n.value, n.source, pointer, pos);
      if (n.type === 'PLAIN' && n.tag === undefined && typeof n.source === 'string') this.warnIf11Differs(n.source, value, pointer, pos, 'value');
      return value;
    }
    if (isSeq(n)) return n.items.map((item, i) => this.build(item, `${pointer}/${i}`, depth + 1));
    if (isMap(n)) return this.mapping(n.items, pointer, pos, depth);
    return this.refuse('yaml-syntax', `unsupported YAML node`, pos, pointer);
  }

  private mapping(items: unknown[], pointer: string, pos: Position | undefined, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const keyPos = keyNode?.range ? this.at(keyNode.range[0]) : pos;
      if (!isScalar(keyNode) || typeof keyNode.value !== 'string' || (keyNode.tag !== undefined && keyNode.tag !== STR_TAG)) {
        this.findings.push(
          finding('yaml-key', `mapping keys must be plain strings`, { file: this.file, ...keyPos, field: pointer, hint: 'Quote the key, e.g. "1": value.' }),
        );
        continue;
      }
      const key = keyNode.value;
      const child = `${pointer}/${escapePointer(key)}`;
      if (keyPos) this.keyAt.set(child, keyPos);
      if (this.unsafeText(key, child, keyPos)) continue;
      if (keyNode.type === 'PLAIN' && keyNode.tag === undefined) this.warnIf11Differs(key, key, child, keyPos, 'key');
      if (key === '<<') {
        this.refuse('yaml-alias', `merge keys (<<) are not allowed`, keyPos, child);
        continue;
      }
      if (RESERVED_KEYS.has(key)) {
        this.findings.push(
          finding('yaml-key', `the key ${JSON.stringify(key)} is reserved`, { file: this.file, ...keyPos, field: child, hint: 'Rename the key.' }),
        );
        continue;
      }
      // defineProperty: a plain assignment to a computed key is how prototype pollution starts.
      Object.defineProperty(out, key, { value: this.build(pair.value, child, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  private scalarValue(value: unknown, source: string | undefined, pointer: string, pos: Position | undefined): unknown {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) return this.refuse('yaml-number', `${source ?? value} is not a finite number`, pos, pointer);
      if (Number.isInteger(value) && !Number.isSafeInteger(value) && (source === undefined || /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(source))) {
        return this.refuse('yaml-number', `${source ?? value} is beyond ±2^53 and would lose precision`, pos, pointer);
      }
      // -0 is 0 to every reader of a manifest, and JSON (the parse cache) cannot keep it apart.
      return Object.is(value, -0) ? 0 : value;
    }
    if (typeof value === 'string') return this.unsafeText(value, pointer, pos) ? null : value;
    if (value === null || typeof value === 'boolean') return value;
    return this.refuse('yaml-tag', `unsupported scalar`, pos, pointer);
  }

  /** A Python pipeline reading this file with PyYAML would see other data: say so, but it is still YAML 1.2. */
  private warnIf11Differs(source: string, value: unknown, pointer: string, pos: Position | undefined, what: 'key' | 'value'): void {
    if (!readsDifferentlyIn11(source, value)) return;
    this.warnings.push(
      finding(
        'yaml-1.1',
        `the plain ${what} ${JSON.stringify(source)} is ${describe11(source)} to YAML 1.1 readers such as PyYAML, but ${typeof value === 'string' ? 'a string' : JSON.stringify(value)} here`,
        { file: this.file, ...pos, field: pointer },
      ),
    );
  }

  private unsafeText(text: string, pointer: string, pos: Position | undefined): boolean {
    const c = unsafeCharacter(text);
    if (c)
      this.findings.push(finding('yaml-control', `a control character or bidirectional mark (${c}) in a string`, { file: this.file, ...pos, field: pointer }));
    return c !== undefined;
  }

  /** A node that is refused: its finding, and null in its place. */
  private refuse(code: 'yaml-alias' | 'yaml-tag' | 'yaml-syntax' | 'yaml-number', message: string, pos: Position | undefined, pointer: string): null {
    this.findings.push(finding(code, message, { file: this.file, ...pos, field: pointer }));
    return null;
  }
}

class LimitError extends Error {
  constructor(
    message: string,
    readonly pointer: string,
  ) {
    super(message);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
