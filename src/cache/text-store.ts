/**
 * Texts by content hash, one file each: for derived data too large to sit in a digest cache's one JSON
 * file (the site's per-model data is ~15 KB a model, 150 MB at 10k models). The digest cache keeps the
 * hash; this keeps the bytes, so a build that needs a model's text again reads one file instead of
 * re-parsing the model.
 *
 * Files are written to a temporary name and renamed, so a reader sees a whole text or none. Pruning
 * removes texts no entry names any more — only those older than a grace period, so a text another
 * process has just written for its own entry is never taken from under it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GRACE_MS = 10 * 60 * 1000;

export function textHash(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

export class TextStore {
  constructor(private readonly dir: string) {}

  private path(hash: string): string {
    return join(this.dir, `${hash}.txt`);
  }

  /** The hashes of every text stored: one directory read. */
  list(): Set<string> {
    try {
      return new Set(readdirSync(this.dir).flatMap((n) => (n.endsWith('.txt') ? [n.slice(0, -4)] : [])));
    } catch {
      return new Set();
    }
  }

  /** The text's bytes, or undefined when it is gone (pruned by another process, or the cache was deleted). */
  read(hash: string): Buffer | undefined {
    try {
      return readFileSync(this.path(hash));
    } catch {
      return undefined;
    }
  }

  /** Store a text under its hash; a full or read-only disk only costs speed. */
  write(text: string | Buffer, hash = textHash(text)): string {
    const file = this.path(hash);
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, text);
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
    }
    return hash;
  }

  /** Remove texts not in `keep` that are older than the grace period; `listed`: what list() returned, if at hand. */
  prune(keep: Set<string>, listed = this.list(), now = Date.now()): void {
    for (const hash of listed) {
      if (keep.has(hash)) continue;
      const file = this.path(hash);
      try {
        if (now - statSync(file).mtimeMs > GRACE_MS) rmSync(file, { force: true });
      } catch {
        // gone already
      }
    }
  }
}
