/**
 * Per-model facts for `list` (src/registry/summary.ts), kept beside a digest of the model's files so a
 * warm `list` reads one small file instead of every parse. One JSON file beside the parse cache's
 * shards, replaced by write-to-temp-and-rename; two processes racing each write a whole file and the
 * last rename wins (the loser's new entries are simply computed again next time). An unreadable file
 * counts as empty.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFacts } from '../registry/summary.js';

/** Bump when ModelFacts or how it is computed changes. */
export const FACTS_FORMAT = 1;

/** One model directory: its facts (null when it holds no usable model) and how many of its files are unusable. */
export interface FactsEntry {
  digest: string;
  facts: ModelFacts | null;
  broken: number;
}

interface FactsFile {
  format: number;
  models: Record<string, FactsEntry>;
}

export class FactsCache {
  private models: Map<string, FactsEntry> | undefined;
  private dirty = false;

  /** `dir` is the parse cache's versioned directory, so the facts share its lifetime. */
  constructor(private readonly dir: string) {}

  /** What is stored for the model directory `model` if its files still have this digest. */
  get(model: string, digest: string): FactsEntry | undefined {
    const hit = this.load().get(model);
    return hit && hit.digest === digest ? hit : undefined;
  }

  set(model: string, entry: FactsEntry): void {
    this.load().set(model, entry);
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
    const target = join(this.dir, 'models.json');
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify({ format: FACTS_FORMAT, models: Object.fromEntries(models) } satisfies FactsFile));
      renameSync(tmp, target);
      this.dirty = false;
    } catch {
      // A read-only or full .git only costs speed.
      rmSync(tmp, { force: true });
    }
  }

  private load(): Map<string, FactsEntry> {
    if (!this.models) {
      try {
        const file = JSON.parse(readFileSync(join(this.dir, 'models.json'), 'utf8')) as FactsFile;
        this.models = file.format === FACTS_FORMAT && file.models && typeof file.models === 'object' ? new Map(Object.entries(file.models)) : new Map();
      } catch {
        this.models = new Map();
      }
    }
    return this.models;
  }
}
