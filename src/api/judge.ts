/**
 * Judging a change between two sources (Git revisions, or a revision and the work tree) — what
 * `validate --base` and the pull-request action both do. Kept apart from registry.ts so the action's
 * bundle does not carry the isomorphic-git fallback that opening a registry may need.
 */
import { validateChange, type ChangeReport } from '../checks/validate.js';
import type { RegistrySource } from '../git/sources.js';
import type { ParseCache, Snapshot } from '../registry/snapshot.js';
import { loadParser, loadSnapshot, type LoadSettings } from './load.js';

/** Read two sources and judge the change between them; the snapshots come back for reports that show more. */
export async function judgeSources(base: RegistrySource, head: RegistrySource, load?: LoadSettings): Promise<{ baseSnapshot: Snapshot; headSnapshot: Snapshot; report: ChangeReport }> {
  // Base and head share almost every blob: parse each blob once (keyed by its id) for both.
  const settings: LoadSettings = { ...load, cache: load?.cache ?? memoryCache(), positions: true };
  await loadParser();
  const baseSnapshot = await loadSnapshot(base, undefined, settings);
  const headSnapshot = await loadSnapshot(head, undefined, settings);
  return { baseSnapshot, headSnapshot, report: validateChange(baseSnapshot, headSnapshot) };
}

function memoryCache(): ParseCache {
  const m = new Map<string, ReturnType<ParseCache['get']> & object>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}
