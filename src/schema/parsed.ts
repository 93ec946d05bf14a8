/**
 * What a parsed manifest is, apart from the parser: its value and where each value and key sits. Kept
 * free of the `yaml` package so that reading parses from the cache does not load the parser (~50 ms).
 */

export interface Position {
  line: number;
  column: number;
}

export interface ParsedYaml {
  value: unknown;
  /** JSON pointer ('' for the root) → where the value starts. */
  valueAt: Map<string, Position>;
  /** JSON pointer of a mapping entry → where its key starts. */
  keyAt: Map<string, Position>;
}

/**
 * A document whose line map is made the first time a line is asked for, by a full parse: for nearly
 * every manifest a command reads (fast reads, cache hits) no line is ever asked for. A class with the
 * parse as a method, not an object literal with getters and a closure: one is made per manifest read.
 */
export abstract class PositionsOnDemand implements ParsedYaml {
  private maps: Pick<ParsedYaml, 'valueAt' | 'keyAt'> | undefined;

  constructor(readonly value: unknown) {}

  get valueAt(): Map<string, Position> {
    return this.load().valueAt;
  }

  get keyAt(): Map<string, Position> {
    return this.load().keyAt;
  }

  /** The full parse of the same text, whose maps are kept. */
  protected abstract parseForPositions(): ParsedYaml | undefined;

  private load(): Pick<ParsedYaml, 'valueAt' | 'keyAt'> {
    if (!this.maps) {
      const doc = this.parseForPositions();
      this.maps = { valueAt: doc?.valueAt ?? new Map(), keyAt: doc?.keyAt ?? new Map() };
    }
    return this.maps;
  }
}

export interface YamlLimits {
  maxBytes: number;
  maxDepth: number;
  maxNodes: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 2 * 1024 * 1024, maxDepth: 32, maxNodes: 200_000 };

export function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The nearest recorded position at or above a JSON pointer. */
export function positionOf(doc: ParsedYaml, pointer: string, preferKey = false): Position | undefined {
  let p = pointer;
  for (;;) {
    const hit = (preferKey ? doc.keyAt.get(p) : undefined) ?? doc.valueAt.get(p) ?? doc.keyAt.get(p);
    if (hit) return hit;
    if (p === '') return undefined;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}
