/**
 * Derived data per model directory, kept beside a digest of the directory's files (paths, types, blob
 * ids): reused exactly while none of them changed. `list` keeps each model's facts this way and
 * `validate` each model's own checks (see src/api/model-cache.ts), so a warm run reads one small file
 * instead of every parsed manifest.
 *
 * One JSON file per kind, in the parse cache's versioned directory (so under the same parser format
 * and schemas), replaced by write-to-temp-and-rename: two processes racing each write a whole file and
 * the last rename wins (the loser's new entries are computed again next time). An unreadable file
 * counts as empty.
 */
import { join } from 'node:path';
import { readCacheMap, writeCacheMap } from './cache-file.js';

export class DigestCache<T> {
  private models: Map<string, { digest: string; value: T }> | undefined;
  private dirty = false;

  /** `format`: bump when T, or how it is computed, changes. */
  constructor(
    private readonly file: string,
    private readonly format: number,
  ) {}

  static in<T>(dir: string, name: string, format: number): DigestCache<T> {
    return new DigestCache<T>(join(dir, `${name}.json`), format);
  }

  /** The value stored for the model directory `model` if its files still have this digest. */
  get(model: string, digest: string): T | undefined {
    const hit = this.load().get(model);
    return hit && hit.digest === digest ? hit.value : undefined;
  }

  set(model: string, digest: string, value: T): void {
    this.load().set(model, { digest, value });
    this.dirty = true;
  }

  /** Keep only these models (the others are gone from the tree) and write, if anything changed. */
  flush(present: Set<string>): void {
    const models = this.load();
    for (const name of models.keys()) {
      if (!present.has(name)) {
        models.delete(name);
        this.dirty = true;
      }
    }
    if (!this.dirty) return;
    try {
      writeCacheMap(this.file, this.format, 'models', models);
      this.dirty = false;
    } catch {
      // A read-only or full .git only costs speed.
    }
  }

  private load(): Map<string, { digest: string; value: T }> {
    return (this.models ??= readCacheMap<{ digest: string; value: T }>(this.file, this.format, 'models'));
  }
}
