/**
 * The whole registry's history, kept by the commit it was read at. A commit's first-parent history never
 * changes, so the next read after new commits asks `git log` only for those (src/git/history.ts checks
 * that the kept commit lies on the new head's first-parent line, else everything is read again).
 *
 * What a stage file said at a commit is needed for each promotion: the parse cache holds most of those
 * documents already (by blob id), so a cold read parses only what no command has parsed before.
 *
 * Stored compactly (each commit once, events pointing at it) in the parse cache's directory, one file
 * per registry directory inside the repository; replaced whole, like the digest caches.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readCacheMap, writeCacheMap } from '../cache/cache-file.js';
import type { DiskParseCache } from '../cache/parse-cache.js';
import { registryHistory, type HistoryEvent, type KnownDocument } from '../git/history.js';
import { git } from '../git/run.js';
import { modelDirOf } from '../registry/layout.js';

const FORMAT = 1;

type CommitRow = [commit: string, date: string, author: string, email: string, subject: string, pr: number | null];
type EventRow = [commit: number, kind: HistoryEvent['kind'], model: string, version: string | null, stage: string | null, /** 0: none (JSON has no undefined). */ previous: string | null | 0, movedBy: string | null, reason: string | null];

interface Stored {
  head: string;
  commits: CommitRow[];
  events: EventRow[];
}

export async function cachedRegistryHistory(root: string, rev: string | undefined, disk: DiskParseCache | undefined): Promise<HistoryEvent[]> {
  const file = disk ? join(disk.dir, `history-${createHash('sha1').update(await prefixOf(root)).digest('hex').slice(0, 12)}.json`) : undefined;
  const kept = file ? [...readCacheMap<Stored>(file, FORMAT, 'history').values()][0] : undefined;
  const known: KnownDocument | undefined = disk
    ? (oid, path) => {
        const hit = disk.get(modelDirOf(path) ?? '', `stage:${oid}`);
        return hit && 'value' in hit && hit.value && typeof hit.value === 'object' ? (hit.value as Record<string, unknown>) : undefined;
      }
    : undefined;
  const read = await registryHistory(root, { ...(rev ? { rev } : {}), ...(kept ? { since: kept.head } : {}), ...(known ? { known } : {}) });
  if (!read.head) return [];
  const events = read.incremental && kept ? [...read.events, ...expand(kept)] : read.events;
  if (file && (!kept || kept.head !== read.head)) {
    try {
      writeCacheMap(file, FORMAT, 'history', [[read.head, compact(read.head, events)]]);
    } catch {
      // A read-only or full .git only costs speed.
    }
  }
  return events;
}

async function prefixOf(root: string): Promise<string> {
  return (await git(root, ['rev-parse', '--show-prefix'], { allowFail: true })).stdout.toString('utf8').trim();
}

function compact(head: string, events: HistoryEvent[]): Stored {
  const commits: CommitRow[] = [];
  const index = new Map<string, number>();
  const rows: EventRow[] = events.map((e) => {
    let i = index.get(e.commit);
    if (i === undefined) {
      i = commits.push([e.commit, e.date, e.author, e.email, e.subject, e.pr ?? null]) - 1;
      index.set(e.commit, i);
    }
    return [i, e.kind, e.model, e.version ?? null, e.stage ?? null, e.previous === undefined ? 0 : e.previous, e.movedBy ?? null, e.reason ?? null];
  });
  return { head, commits, events: rows };
}

function expand(s: Stored): HistoryEvent[] {
  const commits = s.commits.map(([commit, date, author, email, subject, pr]) => ({ commit, date, author, email, subject, ...(pr !== null ? { pr } : {}) }));
  return s.events.map(([c, kind, model, version, stage, previous, movedBy, reason]) => ({
    kind,
    model,
    ...(version !== null ? { version } : {}),
    ...(stage !== null ? { stage } : {}),
    ...(previous !== 0 ? { previous } : {}),
    ...(movedBy !== null ? { movedBy } : {}),
    ...(reason !== null ? { reason } : {}),
    ...commits[c]!,
  }));
}
