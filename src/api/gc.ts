/**
 * `gc`: delete store objects that nothing can name any more, without ever deleting one that something
 * still does. The steps, each once:
 *
 *   view    every ref of every remote fetched freshly, plus local branches, stashes, reflogs, the index and
 *           the work trees' uncommitted manifests (git/gc-view.ts) — a whole view, or a refusal
 *   lock    an exclusive lock in the store (gc/lock.json, created only if absent), so two gc runs cannot
 *           both delete; it expires, and a run whose process is gone is taken over
 *   decide  changes/gc-plan.ts: delete only what an earlier run marked at least the grace ago and that is
 *           still unreferenced and not refreshed since; mark the rest
 *   delete  each object re-checked just before it goes (a registration may have refreshed it a moment ago)
 *   record  gc/marks.json: what this run marked, and the ref tips it saw
 *   unlock
 *
 * A run killed at any step deletes nothing referenced (every deletion was decided on a whole view and
 * re-checked), and the next run finishes the job: its lock is taken over once the process is gone.
 * `register` that finds its bytes already stored refreshes them (gc/keep/<sha256>) and waits out a run
 * holding the lock before it commits (protectStored, below), so dedup cannot race a deletion.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { planGc, type GcPlan, type Marks } from '../changes/gc-plan.js';
import { ModelregError } from '../registry/errors.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { registryView, type RefView } from '../git/gc-view.js';
import { checkpoint } from './checkpoint.js';

export const DEFAULT_GRACE_MS = 14 * 86_400_000;
/** How old an unfinished upload must be to count as abandoned: longer than any upload takes. */
export const ABANDONED_MS = 86_400_000;
const LOCK = 'gc/lock.json';
const MARKS = 'gc/marks.json';
const CLOCK = 'gc/clock.json';
const keepName = (sha256: string) => `gc/keep/${sha256}`;
/** A run that holds the lock longer than this (store clock) is presumed dead, whatever its host. */
const LOCK_TTL_MS = 6 * 3_600_000;

export interface GcOptions {
  dryRun?: boolean;
  graceMs?: number;
  /** Go on when a remote cannot be fetched, deciding only about objects older than the grace. */
  offline?: boolean;
}

export interface GcReport {
  dryRun: boolean;
  graceMs: number;
  /** The view was partial: a remote could not be fetched (only with offline). */
  partial: boolean;
  remotes: RefView['remotes'];
  manifests: RefView['manifests'];
  referenced: number;
  deleted: GcPlan['delete'];
  bytes: number;
  marked: GcPlan['marked'];
  rescued: string[];
  /** Objects decided for deletion but refreshed or referenced by the time they were to go. */
  spared: string[];
  /** Unfinished uploads and temporary files of killed writers, removed (none in a dry run). */
  abandoned: number;
  previousRun: { at: string } | null;
}

interface MarkRecord {
  format: 1;
  runs: { at: string; storeTime: number; offline: boolean; tips: Record<string, string> }[];
  marks: Marks;
}

interface LockRecord {
  id: string;
  host: string;
  pid: number;
  at: string;
}

export async function collectGarbage(root: string, store: ArtifactStore, options: GcOptions = {}): Promise<GcReport> {
  const graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
  const view = await registryView(root, { offline: !!options.offline });
  const partial = view.remotes.some((r) => !r.fetched);
  checkpoint('gc-view');
  const lock = options.dryRun ? undefined : await acquireLock(store);
  try {
    checkpoint('gc-lock');
    const now = lock?.modified ?? (await storeClock(store, { write: false }));
    const record = await readMarks(store);
    const keeps = new Map<string, number>();
    for await (const k of store.listMeta('gc/keep')) keeps.set(k.name.slice('gc/keep/'.length), k.modified);
    const objects = [];
    for await (const o of store.list()) objects.push({ ...o, ...effectiveTime(o.modified, keeps.get(o.sha256)) });
    const plan = planGc({ objects, referenced: view.referenced, marks: record?.marks ?? {}, now, graceMs, partial });
    checkpoint('gc-decide');
    const deleted: GcPlan['delete'] = [];
    const spared: string[] = [];
    let abandoned = 0;
    if (!options.dryRun) {
      for (const d of plan.delete) {
        // Looked at again just before it goes: a registration may have refreshed it since the listing.
        const [info, keep] = await Promise.all([store.stat(d.sha256), store.readMeta(keepName(d.sha256))]);
        const touched = Math.max(info?.modified ?? 0, keep?.modified ?? 0);
        if (!info) continue;
        if (touched >= d.markedAt) {
          spared.push(d.sha256);
          plan.marks[d.sha256] = { at: now, size: d.size };
          continue;
        }
        await store.delete(d.sha256);
        deleted.push(d);
        checkpoint('gc-delete');
      }
      const runs = [...(record?.runs ?? []), { at: new Date(now).toISOString(), storeTime: now, offline: partial, tips: view.tips }].slice(-10);
      await store.writeMeta(MARKS, JSON.stringify({ format: 1, runs, marks: plan.marks } satisfies MarkRecord));
      checkpoint('gc-marks');
      // A keep entry protects bytes between a registration's dedup and its commit: after the grace it is done.
      for (const [sha, at] of keeps) if (at <= now - graceMs) await store.deleteMeta(keepName(sha));
      // Half-written bytes of a writer killed midway: no upload of today's runs for a day (or the grace, if shorter).
      abandoned = await store.clearAbandoned(now - Math.min(graceMs, ABANDONED_MS));
      checkpoint('gc-abandoned');
    }
    const last = record?.runs.at(-1);
    return {
      dryRun: !!options.dryRun,
      graceMs,
      partial,
      remotes: view.remotes,
      manifests: view.manifests,
      referenced: plan.referenced,
      deleted: options.dryRun ? plan.delete : deleted,
      bytes: (options.dryRun ? plan.delete : deleted).reduce((n, d) => n + d.size, 0),
      marked: plan.marked,
      rescued: plan.rescued,
      spared,
      abandoned,
      previousRun: last ? { at: last.at } : null,
    };
  } finally {
    if (lock) await releaseLock(store, lock.id);
    checkpoint('gc-unlock');
  }
}

/** An object's time for gc: written, or refreshed by a registration that found it stored. */
function effectiveTime(modified: number | undefined, kept: number | undefined): { modified?: number } {
  const t = Math.max(modified ?? 0, kept ?? 0);
  return t > 0 ? { modified: t } : {};
}

async function readMarks(store: ArtifactStore): Promise<MarkRecord | undefined> {
  const m = await store.readMeta(MARKS);
  if (!m) return undefined;
  try {
    const r = JSON.parse(m.text) as MarkRecord;
    if (r.format === 1 && r.marks && typeof r.marks === 'object' && Array.isArray(r.runs)) return r;
  } catch {
    // fall through: an unreadable record is no record — this run marks afresh and deletes nothing
  }
  return undefined;
}

/** Now, by the store's clock: the time the store gives a file written now. */
async function storeClock(store: ArtifactStore, options: { write: boolean } = { write: true }): Promise<number> {
  if (!options.write) return Date.now();
  const r = await store.writeMeta(CLOCK, JSON.stringify({ at: new Date().toISOString() }));
  return r === 'exists' ? Date.now() : r.modified;
}

async function acquireLock(store: ArtifactStore): Promise<{ id: string; modified: number }> {
  const mine: LockRecord = { id: randomBytes(8).toString('hex'), host: hostname(), pid: process.pid, at: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    const r = await store.writeMeta(LOCK, JSON.stringify(mine), { createOnly: true });
    if (r !== 'exists') {
      // Where a store ignores create-only writes, a racing run may have written over ours: look.
      const back = await store.readMeta(LOCK);
      if (back && parseLock(back.text)?.id === mine.id) return { id: mine.id, modified: r.modified };
    }
    const held = await store.readMeta(LOCK);
    if (!held) continue; // released meanwhile: try again
    const other = parseLock(held.text);
    const now = await storeClock(store);
    if (!other || isAbandoned(other, held.modified, now)) {
      await store.deleteMeta(LOCK); // the holder is gone: take over
      continue;
    }
    throw new ModelregError('conflict', `another gc holds the store: started ${other.at} on ${other.host} (pid ${other.pid})`, {
      hint: `Wait for it to finish; a lock whose process is gone is taken over, and any lock expires ${LOCK_TTL_MS / 3_600_000} hours after it was taken.`,
    });
  }
  throw new ModelregError('conflict', 'another gc took the store at the same moment', { hint: 'Run gc again when it is done.' });
}

function parseLock(text: string): LockRecord | undefined {
  try {
    const l = JSON.parse(text) as LockRecord;
    return typeof l.id === 'string' && typeof l.pid === 'number' && typeof l.host === 'string' ? l : undefined;
  } catch {
    return undefined;
  }
}

/** A lock past its time, or one taken on this host by a process that no longer exists. */
function isAbandoned(l: LockRecord, taken: number, now: number): boolean {
  if (now - taken > LOCK_TTL_MS) return true;
  if (l.host !== hostname()) return false;
  try {
    process.kill(l.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function releaseLock(store: ArtifactStore, id: string): Promise<void> {
  const held = await store.readMeta(LOCK).catch(() => null);
  if (held && parseLock(held.text)?.id === id) await store.deleteMeta(LOCK);
}

/**
 * For `register`, when its bytes are already in the store (nothing uploaded): refresh them so a gc
 * cannot take them before the commit that names them, wait out a gc that holds the store right now,
 * and say whether they are still there (if not, the caller stores them again).
 */
export async function protectStored(store: ArtifactStore, sha256: string): Promise<boolean> {
  await store.writeMeta(keepName(sha256), JSON.stringify({ at: new Date().toISOString(), pid: process.pid }));
  checkpoint('dedup-refreshed');
  for (;;) {
    const held = await store.readMeta(LOCK);
    const l = held ? parseLock(held.text) : undefined;
    if (!held || !l || isAbandoned(l, held.modified, Date.now())) break;
    await sleep(200);
  }
  return (await store.stat(sha256)) !== null;
}
