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

export function textHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export class TextStore {
  constructor(private readonly dir: string) {}

  private path(hash: string): string {
    return join(this.dir, `${hash}.txt`);
  }

  has(hash: string): boolean {
    try {
      return statSync(this.path(hash)).isFile();
    } catch {
      return false;
    }
  }

  /** The text, or undefined when it is gone (pruned by another process, or the cache was deleted). */
  read(hash: string): string | undefined {
    try {
      return readFileSync(this.path(hash), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** Store a text under its hash; a full or read-only disk only costs speed. */
  write(text: string, hash = textHash(text)): string {
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

  /** Remove texts not in `keep` that are older than the grace period. */
  prune(keep: Set<string>, now = Date.now()): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const hash = name.endsWith('.txt') ? name.slice(0, -4) : undefined;
      if (hash && keep.has(hash)) continue;
      const file = join(this.dir, name);
      try {
        if (now - statSync(file).mtimeMs > GRACE_MS) rmSync(file, { force: true });
      } catch {
        // gone already
      }
    }
  }
}
