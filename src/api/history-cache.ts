/**
 * The whole registry's history, kept by the commit it was read at. A commit's first-parent history never
 * changes, so the next read after new commits asks `git log` only for those (src/git/history.ts checks
 * that the kept commit lies on the new head's first-parent line, else everything is read again).
 *
 * What a stage file said at a commit is needed for each promotion: the parse cache holds most of those
 * documents already (by blob id), so a cold read parses only what no command has parsed before.
 *
 * Kept in its compact form (each commit once, events pointing at it) in the parse cache's directory, one
 * file per registry directory inside the repository; replaced whole, like the digest caches.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readCacheMap, writeCacheMap } from '../cache/cache-file.js';
import type { DiskParseCache } from '../cache/parse-cache.js';
import { registryHistory, type KnownDocument } from '../git/history.js';
import { git } from '../git/run.js';
import { compactHistory, prependHistory, type CompactHistory } from '../registry/history.js';
import { modelDirOf } from '../registry/layout.js';

const FORMAT = 1;

export async function cachedRegistryHistory(root: string, rev: string | undefined, disk: DiskParseCache | undefined): Promise<CompactHistory> {
  const file = disk ? join(disk.dir, `history-${createHash('sha1').update(await prefixOf(root)).digest('hex').slice(0, 12)}.json`) : undefined;
  const kept = file ? [...readCacheMap<CompactHistory>(file, FORMAT, 'heads')][0] : undefined;
  const known: KnownDocument | undefined = disk
    ? (oid, path) => {
        const hit = disk.get(modelDirOf(path) ?? '', `stage:${oid}`);
        return hit && 'value' in hit && hit.value && typeof hit.value === 'object' ? (hit.value as Record<string, unknown>) : undefined;
      }
    : undefined;
  const read = await registryHistory(root, { ...(rev ? { rev } : {}), ...(kept ? { since: kept[0] } : {}), ...(known ? { known } : {}) });
  if (!read.head) return { commits: [], events: [] };
  if (kept && kept[0] === read.head) return kept[1];
  const history = read.incremental && kept ? prependHistory(compactHistory(read.events), kept[1]) : compactHistory(read.events);
  if (file) {
    try {
      writeCacheMap(file, FORMAT, 'heads', [[read.head, history]]);
    } catch {
      // A read-only or full .git only costs speed.
    }
  }
  return history;
}

async function prefixOf(root: string): Promise<string> {
  return (await git(root, ['rev-parse', '--show-prefix'], { allowFail: true })).stdout.toString('utf8').trim();
}
