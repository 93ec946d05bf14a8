/**
 * Loading a snapshot from a source through the parse caches: what every read command does.
 *
 * 1. List the tree; the source gives Git blob ids where it can without reading (ls-tree; the index).
 * 2. Each manifest whose `<kind>:<blob id>` is in the memory or disk cache takes its parse from there.
 * 3. Only the rest are read and parsed, and their parses stored.
 *
 * The YAML parser and the schema validators are imported only when something must be parsed, so a
 * `resolve` answered from the cache never loads them. Cached parses carry no line numbers; the rare
 * finding that needs one re-parses its file on demand, which needs the parser: commands that run the
 * checks call loadParser() first (validate, the change checks), and a missing parser there is a bug,
 * reported loudly rather than as a finding without a line.
 */
import { DiskParseCache, type CachedParse } from '../cache/parse-cache.js';
import { findCommonGitDir } from '../git/gitdir.js';
import type { ReadScope, RegistrySource } from '../git/sources.js';
import { assembleSnapshot, relocate, type ManifestParser, type ParseResult, type Snapshot, type TreeFile } from '../registry/assemble.js';
import { classifyPath, modelDirOf } from '../registry/layout.js';
import type { ManifestKind } from '../registry/types.js';
import { DEFAULT_YAML_LIMITS, PositionsOnDemand, type ParsedYaml, type YamlLimits } from '../schema/parsed.js';
import type { LoadOptions } from '../registry/snapshot.js';

type ParserModule = typeof import('../registry/snapshot.js') & typeof import('../schema/yaml.js');
let parser: ParserModule | undefined;

/** Load the YAML parser and schema validators (once per process). */
export async function loadParser(): Promise<ParserModule> {
  if (!parser) {
    const [snapshot, yaml] = await Promise.all([import('../registry/snapshot.js'), import('../schema/yaml.js')]);
    parser = { ...snapshot, ...yaml };
  }
  return parser;
}

export interface LoadSettings extends LoadOptions {
  /** The on-disk cache; undefined for none. */
  disk?: DiskParseCache;
  /** Load the parser even when every file is cached: the caller will run checks that need lines. */
  positions?: boolean;
  /** One part of a larger read (model-cache.ts reads a fresh clone in batches): keep no parse-cache shards for fast reads. */
  bulk?: boolean;
}

/**
 * The disk cache for a registry; undefined outside a Git repository, when MODELREG_NO_CACHE is set, or
 * when the caller brings its own cache or limits (parses under other limits are not the ones on disk).
 */
export function diskCacheFor(root: string, load?: LoadOptions, gitDir = findCommonGitDir(root)): DiskParseCache | undefined {
  if (process.env.MODELREG_NO_CACHE || load?.cache || load?.limits) return undefined;
  return gitDir ? DiskParseCache.at(gitDir) : undefined;
}

export async function loadSnapshot(source: RegistrySource, scope: ReadScope | undefined, settings: LoadSettings = {}): Promise<Snapshot> {
  return assembleFrom(source, await source.list(scope), settings);
}

/** A snapshot of these listed files: parses from the caches where they hold them, the rest read and parsed. */
export async function assembleFrom(source: RegistrySource, files: TreeFile[], settings: LoadSettings): Promise<Snapshot> {
  const limits = settings.limits ?? DEFAULT_YAML_LIMITS;
  // Parses under other limits are not the ones the disk cache holds.
  const disk = settings.limits ? undefined : settings.disk;
  const memory = settings.cache;
  const misses: TreeFile[] = [];
  for (const f of files) {
    const kind = manifestKind(f, limits);
    if (!kind) continue;
    const key = f.oid ? `${kind}:${f.oid}` : undefined;
    const inMemory = key ? memory?.get(key) : undefined;
    const onDisk = key && !inMemory ? disk?.get(shardOf(f.path), key) : undefined;
    if (inMemory) f.parsed = relocate(inMemory, f.path);
    else if (onDisk) f.parsed = hydrate(onDisk, f, source);
    else misses.push(f);
  }
  await source.read(misses);
  const slow = misses.length > 0 ? await readPlainFiles(misses, source, limits, memory, settings.bulk ? undefined : disk) : [];
  if (JUDGING) await judgePlainReads(misses, limits);
  const p = slow.length > 0 || settings.positions ? await loadParser() : undefined;
  const parse: ManifestParser = (kind, f, lim) => {
    if (!p) throw new Error(`internal: ${f.path} was not parsed, and the parser is not loaded`);
    const result = p.parseManifest(kind, f.path, f.text ?? '', lim);
    if (f.oid) {
      const key = `${kind}:${f.oid}`;
      memory?.set(key, result);
      disk?.set(shardOf(f.path), key, dehydrate(result));
    }
    return result;
  };
  const snap = assembleSnapshot(files, parse, limits);
  disk?.flush();
  return snap;
}

/** Tests set MODELREG_YAML_JUDGE=1: the full parser judges every fast read (see schema/yaml.ts). */
const JUDGING = process.env.MODELREG_YAML_JUDGE === '1';

/** Judged apart from loadParser, so that a judging run still finds a check that needs lines but never loaded the parser. */
async function judgePlainReads(files: TreeFile[], limits: YamlLimits): Promise<void> {
  const { judgePlainRead } = await import('../schema/yaml.js');
  for (const f of files) if (f.parsed?.doc) judgePlainRead(f.path, f.text ?? '', limits, f.parsed.doc.value);
}

/**
 * Read what the fast reader can (plain-form manifests that are valid by their schema: nearly all), and
 * return the rest for the full parser. A small read writes what it read to the disk cache, so that the
 * next `resolve` of the model reads one small file and loads no reader at all; a bulk read (a fresh
 * clone's first whole-tree command) does not: writing ten thousand shards cost it more than reading
 * every manifest did, and the fast reader reads a file again about as fast as its shard would be read.
 */
const CACHE_PLAIN_READS_UP_TO = 2000;

async function readPlainFiles(
  files: TreeFile[],
  source: RegistrySource,
  limits: YamlLimits,
  memory: LoadSettings['cache'],
  disk: DiskParseCache | undefined,
): Promise<TreeFile[]> {
  const { readPlainManifest } = await import('../registry/plain-manifest.js');
  const keep = files.length <= CACHE_PLAIN_READS_UP_TO ? disk : undefined;
  const slow: TreeFile[] = [];
  for (const f of files) {
    const kind = manifestKind(f, limits)!;
    const plain = readPlainManifest(kind, f.path, f.text ?? '', limits);
    if (!plain) {
      slow.push(f);
      continue;
    }
    f.parsed = { doc: lazyPositions(plain.value, f, source), findings: [] };
    if (f.oid) {
      memory?.set(`${kind}:${f.oid}`, f.parsed);
      keep?.set(shardOf(f.path), `${kind}:${f.oid}`, { value: plain.value, findings: [] });
    }
  }
  return slow;
}

/** The manifest kind of a file that will be parsed, or undefined for what is never parsed. */
function manifestKind(f: TreeFile, limits: YamlLimits): ManifestKind | undefined {
  if (f.type !== 'file' || (f.size !== undefined && f.size > limits.maxBytes)) return undefined;
  const where = classifyPath(f.path);
  return where.kind === 'ignored' || where.kind === 'unexpected' ? undefined : where.kind;
}

/** The cache shard of a path: its model's directory, or '' for registry.yaml (the only file outside models/ that is parsed). */
function shardOf(path: string): string {
  return modelDirOf(path) ?? '';
}

function dehydrate(r: ParseResult): CachedParse {
  return r.doc ? { value: r.doc.value, findings: r.findings } : { findings: r.findings };
}

function hydrate(c: CachedParse, f: TreeFile, source: RegistrySource): ParseResult {
  return relocate('value' in c ? { doc: lazyPositions(c.value, f, source), findings: c.findings } : { findings: c.findings }, f.path);
}

/**
 * A document whose line map is rebuilt from the file's text the first time it is asked for: for a
 * parse from the cache, or a finding about a file known only from a cached per-model entry.
 */
export function lazyPositions(value: unknown, f: TreeFile, source: RegistrySource): ParsedYaml {
  return new SourcePositions(value, f, source);
}

/** The line map of a cached or fast read, from a full parse of the file's text read again from its source. */
class SourcePositions extends PositionsOnDemand {
  constructor(
    value: unknown,
    private readonly f: TreeFile,
    private readonly source: RegistrySource,
  ) {
    super(value);
  }

  protected parseForPositions(): ParsedYaml | undefined {
    if (!parser) throw new Error(`internal: a line in ${this.f.path} was needed, but the parser is not loaded (call loadParser first)`);
    return parser.parseManifestYamlFully(this.f.path, this.source.readTextSync(this.f)).doc;
  }
}
