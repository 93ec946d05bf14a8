/**
 * A derived cache of parsed manifests on disk, so that no command parses what an earlier one parsed.
 *
 * - Keyed by content: an entry is `<kind>:<git blob id>` → the parsed value and its findings. A blob
 *   parses the same way in any tree, at any path, so entries are never tied to a tree and never need
 *   invalidating; a changed file simply has another id and misses.
 * - Where: <git common dir>/modelreg/parse-cache/<format>-<schemas digest>/, inside .git, so Git never
 *   commits it, every worktree shares it, and `rm -rf .git/modelreg/parse-cache` is always safe. A cache
 *   made by another parser format or other schemas sits in another directory and is never read.
 * - Sharded by model (one JSON file per model directory, named by a hash of the name): `resolve` reads
 *   one small file; `list` reads them all; a commit touching k models rewrites k shards.
 * - Safe under concurrency: a shard is written to a temporary file and renamed over the old one, so
 *   readers see the old or the new shard, never half of one; two writers both write complete shards of
 *   valid entries, and the last rename wins. An unreadable shard counts as empty.
 *
 * Only the value and findings are kept, not the line of every value (that would triple the size):
 * the loader re-parses a cached file on the rare occasion a finding needs a line (see load.ts).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Finding } from '../registry/findings.js';
import { SCHEMAS_DIGEST } from '../schema/schemas-digest.generated.js';
import { readCacheMap, writeCacheMap } from './cache-file.js';

/** Bump when parsing (src/schema/yaml.ts, parseManifest) changes what it returns for the same text. */
export const PARSE_CACHE_FORMAT = 3;

/** What is stored for one blob: its value when usable, and its findings. */
export interface CachedParse {
  value?: unknown;
  findings: Finding[];
}

interface Shard {
  entries: Map<string, CachedParse>;
  /** Keys looked up or added by this process: they survive pruning. */
  used: Set<string>;
  dirty: boolean;
}

/** Entries beyond this many times those in use (plus slack) are pruned when a shard is rewritten. */
const KEEP_FACTOR = 3;
const KEEP_SLACK = 32;

export class DiskParseCache {
  private readonly shards = new Map<string, Shard>();

  private constructor(readonly dir: string) {}

  /** The cache of the repository holding `gitCommonDir`; nothing is created until something is stored. */
  static at(gitCommonDir: string): DiskParseCache {
    return new DiskParseCache(join(gitCommonDir, 'modelreg', 'parse-cache', `v${PARSE_CACHE_FORMAT}-${SCHEMAS_DIGEST}`));
  }

  get(shard: string, key: string): CachedParse | undefined {
    const s = this.shard(shard);
    const hit = s.entries.get(key);
    if (hit) s.used.add(key);
    return hit;
  }

  set(shard: string, key: string, value: CachedParse): void {
    const s = this.shard(shard);
    s.entries.set(key, value);
    s.used.add(key);
    s.dirty = true;
  }

  /** Write every shard this process changed. A failure (read-only .git, full disk) only costs speed. */
  flush(): { written: number; failed: number } {
    let written = 0;
    let failed = 0;
    for (const [name, s] of this.shards) {
      if (!s.dirty) continue;
      try {
        this.write(name, s);
        s.dirty = false;
        written++;
      } catch {
        failed++;
      }
    }
    return { written, failed };
  }

  private shard(name: string): Shard {
    let s = this.shards.get(name);
    if (!s) {
      s = { entries: this.read(name), used: new Set(), dirty: false };
      this.shards.set(name, s);
    }
    return s;
  }

  private path(name: string): string {
    // Model names come from the tree, which may be hostile: the file name is a hash, never the name.
    const h = createHash('sha1').update(name).digest('hex');
    return join(this.dir, h.slice(0, 2), `${h.slice(2)}.json`);
  }

  private read(name: string): Map<string, CachedParse> {
    return readCacheMap<CachedParse>(this.path(name), PARSE_CACHE_FORMAT, 'entries');
  }

  private write(name: string, s: Shard): void {
    let entries = [...s.entries];
    if (entries.length > KEEP_FACTOR * s.used.size + KEEP_SLACK) entries = entries.filter(([k]) => s.used.has(k));
    writeCacheMap(this.path(name), PARSE_CACHE_FORMAT, 'entries', entries);
  }
}
