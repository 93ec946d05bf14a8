/**
 * What `gc` may delete, as a pure function of what it saw: the objects in the store (each with the time
 * the store last wrote or refreshed it), the sha256s some revision or work tree references, and the
 * marks an earlier run left. Two phases, as Git's prune and restic's are careful: a run only marks what
 * is unreferenced; a later run deletes an object only if an earlier run marked it at least the grace ago,
 * nothing references it now, and nothing refreshed it since it was marked (a `register` that found its
 * bytes already stored refreshes them before it commits). Anything referenced in between is rescued.
 * All times are the store's clock (object times, and the time of the mark record gc writes), so machines
 * with skewed clocks cannot shorten the grace.
 */

export interface StoredObject {
  sha256: string;
  size: number;
  /** When the store last wrote or refreshed it (ms since the epoch, store clock); undefined when unknown. */
  modified?: number;
}

/** sha256 → when a run first saw it unreferenced (store clock). */
export type Marks = Record<string, { at: number; size: number }>;

export interface GcInput {
  objects: StoredObject[];
  referenced: ReadonlySet<string>;
  marks: Marks;
  /** Now, by the store's clock. */
  now: number;
  graceMs: number;
  /** The view of refs is partial (--offline): only objects older than the grace are considered at all. */
  partial?: boolean;
}

export interface GcPlan {
  /** To delete now: marked at least the grace ago, still unreferenced, not refreshed since (strictly older than the mark). */
  delete: { sha256: string; size: number; markedAt: number }[];
  /** Marked (newly, or still) for a later run, with why each is not deleted yet. */
  marked: { sha256: string; size: number; markedAt: number; why: 'new' | 'grace' | 'refreshed' | 'recent' }[];
  /** Marked by an earlier run, referenced again now: the mark is dropped. */
  rescued: string[];
  /** The marks to keep for the next run. */
  marks: Marks;
  referenced: number;
}

export function planGc(input: GcInput): GcPlan {
  const { now, graceMs } = input;
  const out: GcPlan = { delete: [], marked: [], rescued: [], marks: {}, referenced: 0 };
  for (const o of input.objects) {
    const mark = Object.hasOwn(input.marks, o.sha256) ? input.marks[o.sha256] : undefined;
    if (input.referenced.has(o.sha256)) {
      out.referenced++;
      if (mark) out.rescued.push(o.sha256);
      continue;
    }
    const modified = o.modified ?? now; // no time known: treat as just written, the safe side
    const oldEnough = modified <= now - graceMs;
    if (input.partial && !oldEnough) continue; // a partial view decides nothing about young objects
    if (mark && modified >= mark.at) {
      // Refreshed after it was marked (a registration found these bytes): the clock starts again. Equal
      // times count as refreshed: S3 keeps times to the second, so "the same second" may be "after".
      out.marks[o.sha256] = { at: now, size: o.size };
      out.marked.push({ sha256: o.sha256, size: o.size, markedAt: now, why: 'refreshed' });
    } else if (mark && mark.at <= now - graceMs && oldEnough) {
      out.delete.push({ sha256: o.sha256, size: o.size, markedAt: mark.at });
    } else if (mark) {
      out.marks[o.sha256] = mark;
      out.marked.push({ sha256: o.sha256, size: o.size, markedAt: mark.at, why: oldEnough ? 'grace' : 'recent' });
    } else {
      out.marks[o.sha256] = { at: now, size: o.size };
      out.marked.push({ sha256: o.sha256, size: o.size, markedAt: now, why: 'new' });
    }
  }
  return out;
}

/** 14d, 36h, 90m, 30s or a number of minutes: the grace as milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(d|h|m|s|)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, '': 60_000 }[m[2] as 'd'];
  return Math.round(Number(m[1]) * unit);
}
