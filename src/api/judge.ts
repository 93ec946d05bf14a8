/**
 * Judging a change between two sources (Git revisions, or a revision and the work tree) — what
 * `validate --base` and the pull-request action both do. Kept apart from registry.ts so the action's
 * bundle does not carry the isomorphic-git fallback that opening a registry may need.
 */
import { validateChange, type ChangeReport } from '../checks/validate.js';
import type { RegistrySource } from '../git/sources.js';
import { buildSnapshot, type LoadOptions, type ParseCache, type Snapshot } from '../registry/snapshot.js';

/** Read two sources and judge the change between them; the snapshots come back for reports that show more. */
export async function judgeSources(base: RegistrySource, head: RegistrySource, load?: LoadOptions): Promise<{ baseSnapshot: Snapshot; headSnapshot: Snapshot; report: ChangeReport }> {
  const [bf, hf] = await Promise.all([base.files(), head.files()]);
  // Base and head share almost every blob: parse each blob once (keyed by its id) for both.
  const options = { ...load, cache: load?.cache ?? memoryCache() };
  const baseSnapshot = buildSnapshot(bf, options);
  const headSnapshot = buildSnapshot(hf, options);
  return { baseSnapshot, headSnapshot, report: validateChange(baseSnapshot, headSnapshot) };
}

function memoryCache(): ParseCache {
  const m = new Map<string, ReturnType<ParseCache['get']> & object>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}
