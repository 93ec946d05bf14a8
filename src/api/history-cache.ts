/**
 * The whole registry's history, kept by the commit it was read at. A commit's first-parent history never
 * changes, so the next read after new commits asks `git log` only for those (src/git/history.ts checks
 * that the kept commit lies on the new head's first-parent line, else everything is read again).
 *
 * What a stage file said at a commit is needed for each promotion: the parse cache holds most of those
 * documents already (by blob id), so a cold read parses only what no command has parsed before.
 *
 * Kept compact (each commit once; events as arrays pointing at them) in the parse cache's directory,
 * per registry directory, in two files: a base (everything up to some commit, 10 MB at 10k models) and
 * what came after it. A new commit rewrites only the second, until it holds a tenth of the base's
 * events; then both are merged into a new base. Each file is replaced whole (cache-file.ts).
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { readCacheMap, writeCacheMap } from '../cache/cache-file.js';
import type { DiskParseCache } from '../cache/parse-cache.js';
import { registryHistory, type KnownDocument } from '../git/history.js';
import { compactHistory, eventFacts, prependHistory, type CompactHistory, type EventFacts, type HistoryKind } from '../registry/history.js';
import { modelDirOf } from '../registry/layout.js';

const FORMAT = 4; // 4: stage events carry a split's before and after

/** An event in the file: an array (a third of the bytes of an object, and faster to read back). */
type StoredEvent = [
  c: number,
  kind: HistoryKind,
  model: string,
  version: string | null,
  stage: string | null,
  previous: string | null | 0,
  claimedBy: string | null,
  claimedAt: string | null,
  reason: string | null,
  /** Present only for an event with a split (most have none, and pay nothing for it). */
  split?: EventFacts['split'],
];

interface Stored {
  /** The commit the history reaches, and (for the recent part) the base's commit it continues. */
  head: string;
  since: string | null;
  commits: CompactHistory['commits'];
  events: StoredEvent[];
}

export async function cachedRegistryHistory(root: string, rev: string | undefined, disk: DiskParseCache | undefined): Promise<CompactHistory> {
  if (!disk) return compactHistory((await registryHistory(root, rev ? { rev } : {})).events);
  const name = `history-${createHash('sha1').update(root).digest('hex').slice(0, 12)}`;
  const files = { base: join(disk.dir, `${name}.json`), recent: join(disk.dir, `${name}-recent.json`) };
  const stored = readStored(files.base);
  const base = stored ? { head: stored.head, history: restore(stored) } : undefined;
  const storedRecent = base ? readStored(files.recent) : undefined;
  const recent = storedRecent && storedRecent.since === base!.head ? { head: storedRecent.head, history: restore(storedRecent) } : undefined;
  const kept = recent ? { head: recent.head, history: prependHistory(recent.history, base!.history) } : base;
  const known: KnownDocument = (oid, path) => {
    const hit = disk.get(modelDirOf(path) ?? '', `stage:${oid}`);
    return hit && 'value' in hit && hit.value && typeof hit.value === 'object' ? (hit.value as Record<string, unknown>) : undefined;
  };
  const read = await registryHistory(root, { ...(rev ? { rev } : {}), ...(kept ? { since: kept.head } : {}), known });
  if (!read.head) return { commits: [], events: [] };
  if (kept && kept.head === read.head) return kept.history;
  const added = compactHistory(read.events);
  const all = read.incremental && kept ? prependHistory(added, kept.history) : added;
  try {
    // What came after the base stays a file of its own while it is small.
    const after = read.incremental && base ? (recent ? prependHistory(added, recent.history) : added) : undefined;
    if (after && after.events.length * 10 < base!.history.events.length) writeStored(files.recent, read.head, base!.head, after);
    else {
      writeStored(files.base, read.head, null, all);
      rmSync(files.recent, { force: true });
    }
  } catch {
    // A read-only or full .git only costs speed.
  }
  return all;
}

function readStored(file: string): Stored | undefined {
  return readCacheMap<Stored>(file, FORMAT, 'history').get('history');
}

function writeStored(file: string, head: string, since: string | null, h: CompactHistory): void {
  const stored: Stored = {
    head,
    since,
    commits: h.commits,
    events: h.events.map((e) => [
      e.c,
      e.kind,
      e.model,
      e.version ?? null,
      e.stage ?? null,
      e.previous === undefined ? 0 : e.previous,
      e.claimedBy ?? null,
      e.claimedAt ?? null,
      e.reason ?? null,
      ...(e.split ? [e.split] : []),
    ]) as StoredEvent[],
  };
  writeCacheMap(file, FORMAT, 'history', [['history', stored]]);
}

function restore(s: Stored): CompactHistory {
  const facts = ([, kind, model, version, stage, previous, claimedBy, claimedAt, reason, split]: StoredEvent): EventFacts => ({
    kind,
    model,
    ...(version !== null ? { version } : {}),
    ...(stage !== null ? { stage } : {}),
    ...(previous !== 0 ? { previous } : {}),
    ...(claimedBy !== null ? { claimedBy } : {}),
    ...(claimedAt !== null ? { claimedAt } : {}),
    ...(reason !== null ? { reason } : {}),
    ...(split ? { split } : {}),
  });
  return { commits: s.commits, events: s.events.map((e) => ({ c: e[0], ...eventFacts(facts(e)) })) };
}
