/**
 * Building a snapshot from files with the YAML parser and the schemas (see assemble.ts for what a
 * snapshot is). Parsing is the expensive step (~0.4 ms a document), so a cache keyed by Git blob id
 * may stand in front of it: the same blob parses the same way wherever it sits.
 */
import type { ManifestKind } from './types.js';
import { assembleSnapshot, relocate, type ManifestParser, type ParseResult, type Snapshot, type TreeFile } from './assemble.js';
import { DEFAULT_YAML_LIMITS, type YamlLimits } from '../schema/parsed.js';
import { parseManifestYaml } from '../schema/yaml.js';
import { validateSchema } from '../schema/schemas.js';

export * from './assemble.js';

/** Parse results by `<kind>:<blob id>`. */
export interface ParseCache {
  get(key: string): ParseResult | undefined;
  set(key: string, value: ParseResult): void;
}

export interface LoadOptions {
  limits?: YamlLimits;
  cache?: ParseCache;
}

export function buildSnapshot(files: Iterable<TreeFile>, options: LoadOptions = {}): Snapshot {
  return assembleSnapshot(files, cachingParser(options.cache), options.limits ?? DEFAULT_YAML_LIMITS);
}

/** One file's YAML and schema findings; a document with errors is not returned (its data cannot be trusted). */
export function parseManifest(kind: ManifestKind, file: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ParseResult {
  const parsed = parseManifestYaml(file, text, limits);
  const result = parsed.doc ? { doc: parsed.doc, findings: [...parsed.findings, ...validateSchema(kind, file, parsed.doc)] } : parsed;
  return result.findings.some((x) => x.severity === 'error') ? { findings: result.findings } : result;
}

/** The parser, behind a cache keyed by blob id when the file has one. */
function cachingParser(cache: ParseCache | undefined): ManifestParser {
  return (kind, f, limits) => {
    const key = f.oid && cache ? `${kind}:${f.oid}` : undefined;
    const cached = key ? cache!.get(key) : undefined;
    if (cached) return relocate(cached, f.path);
    const out = parseManifest(kind, f.path, f.text ?? '', limits);
    if (key) cache!.set(key, out);
    return out;
  };
}
