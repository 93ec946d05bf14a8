/**
 * What happened to a model, as `git log` tells it (src/git/history.ts reads it): the event shapes shared
 * by `modelreg history`, the library API and the site.
 */
import { describeSplit } from './split.js';
import type { StageArm } from './types.js';

export type HistoryKind =
  'model-created' | 'model-updated' | 'registered' | 'modified' | 'deleted' | 'deprecated' | 'undeprecated' | 'promoted' | 'rolled-back' | 'stage-removed';

/** What happened, without the commit it happened in. */
export interface EventFacts {
  kind: HistoryKind;
  model: string;
  version?: string;
  stage?: string;
  /** For stage events: the version that held the stage before. */
  previous?: string | null;
  /**
   * Who and when the file says (the stage file's moved_by and moved_at, the deprecation's by and at),
   * present only where it differs from the commit's author and time, which are the facts (registry/provenance.ts).
   */
  claimedBy?: string;
  claimedAt?: string;
  /** Why, as the change recorded it: the stage file's `reason`, or the deprecation's. */
  reason?: string;
  /** For stage events where either side is split: the arms before and after (a stage without arms is its holder at 100). */
  split?: { before: StageArm[]; after: StageArm[] };
}

export interface HistoryEvent extends EventFacts {
  commit: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  pr?: number;
}

/** A commit as the history tells it. */
export interface HistoryCommit {
  id: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  pr?: number;
}

/** An event without its commit's fields: `c` is the index of its commit. */
export interface CompactEvent extends EventFacts {
  c: number;
}

/**
 * History in a compact form — each commit once, events pointing at it, newest first: what the library
 * keeps for a whole registry (135k events at 10k models) and the site ships.
 */
export interface CompactHistory {
  commits: HistoryCommit[];
  events: CompactEvent[];
}

export function compactHistory(events: readonly HistoryEvent[]): CompactHistory {
  const commits: HistoryCommit[] = [];
  const index = new Map<string, number>();
  const out: CompactEvent[] = [];
  for (const e of events) {
    let c = index.get(e.commit);
    if (c === undefined) {
      c = commits.push({ id: e.commit, date: e.date, author: e.author, email: e.email, subject: e.subject, ...(e.pr !== undefined ? { pr: e.pr } : {}) }) - 1;
      index.set(e.commit, c);
    }
    out.push({ c, ...eventFacts(e) });
  }
  return { commits, events: out };
}

/**
 * An event's facts in one order of keys, whichever way it was made (read from Git, restored from a
 * cache): the same events serialise to the same bytes, so files made from them compare equal.
 */
export function eventFacts(e: EventFacts): EventFacts {
  return {
    kind: e.kind,
    model: e.model,
    ...(e.version !== undefined ? { version: e.version } : {}),
    ...(e.stage !== undefined ? { stage: e.stage } : {}),
    ...(e.previous !== undefined ? { previous: e.previous } : {}),
    ...(e.claimedBy !== undefined ? { claimedBy: e.claimedBy } : {}),
    ...(e.claimedAt !== undefined ? { claimedAt: e.claimedAt } : {}),
    ...(e.reason !== undefined ? { reason: e.reason } : {}),
    ...(e.split !== undefined ? { split: e.split } : {}),
  };
}

/** What happened, in words: "promoted production: 1.1.0 → 1.2.0", "promoted production: 1.1.0 100% → 1.2.0 10% · 1.1.0 90%", "registered 1.2.0". */
export function describeEvent(e: EventFacts): string {
  if (e.stage && e.split) return `${e.kind} ${e.stage}: ${describeSplit(e.split.before)} → ${describeSplit(e.split.after)}`;
  if (e.stage) return `${e.kind} ${e.stage}: ${e.previous ?? '-'} → ${e.version ?? '-'}`;
  return `${e.kind}${e.version ? ` ${e.version}` : ''}`;
}

export function expandHistory(h: CompactHistory): HistoryEvent[] {
  return h.events.map(({ c, ...rest }) => {
    const { id, ...commit } = h.commits[c]!;
    return { ...rest, commit: id, ...commit };
  });
}

/** Some of the events (in the order given), with only their commits. */
export function selectEvents(h: CompactHistory, indices: Iterable<number>): CompactHistory {
  const commits: HistoryCommit[] = [];
  const remap = new Map<number, number>();
  const events: CompactEvent[] = [];
  for (const i of indices) {
    const e = h.events[i]!;
    let c = remap.get(e.c);
    if (c === undefined) {
      c = commits.push(h.commits[e.c]!) - 1;
      remap.set(e.c, c);
    }
    events.push({ ...e, c });
  }
  return { commits, events };
}

/** Newer events in front of older ones (the commits of `newer` are not in `older`). */
export function prependHistory(newer: CompactHistory, older: CompactHistory): CompactHistory {
  const shift = newer.commits.length;
  return { commits: [...newer.commits, ...older.commits], events: [...newer.events, ...older.events.map((e) => ({ ...e, c: e.c + shift }))] };
}
