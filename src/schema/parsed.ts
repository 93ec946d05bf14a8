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
