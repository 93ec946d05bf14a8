/**
 * Are the artifacts a change names in the store? The pull-request action asks this of every version a
 * pull request adds: present, with the size the manifest records (and the hash, where the store records
 * one). When it cannot ask — no credentials, no store on this machine — it says so plainly rather than
 * pass or fail silently.
 */
import { fileURLToPath } from 'node:url';
import { relative, isAbsolute } from 'node:path';
import { openStore } from '../artifacts/open.js';
import type { ObjectInfo } from '../artifacts/store.js';
import { findingAt } from '../checks/locate.js';
import { finding, type Finding } from '../registry/findings.js';
import type { Loaded } from '../registry/snapshot.js';
import type { RegistryPolicy, VersionManifest } from '../registry/types.js';
import type { ArtifactCheck } from '../review/report.js';
import { storeLocation } from './store-location.js';

export interface ArtifactToCheck {
  ref: string;
  /** The version manifest that names the artifact (its lines locate the findings). */
  version: Loaded<VersionManifest>;
  index: number;
  path: string;
  sha256: string;
  size: number;
}

/**
 * `policy` is the base branch's (a pull request cannot point the check at a store of its choosing).
 * `repoRoot` is the checkout: a file:// store inside it holds whatever the pull request committed there,
 * so it proves nothing and is not consulted.
 */
export async function checkArtifactPresence(
  registryRoot: string,
  repoRoot: string,
  policy: RegistryPolicy | undefined,
  items: ArtifactToCheck[],
  options: { store?: string; concurrency?: number } = {},
): Promise<ArtifactCheck> {
  if (!items.length) return { store: null, checked: 0, findings: [] };
  const location = storeLocation(registryRoot, policy, options.store);
  const unchecked = (why: string): ArtifactCheck => ({
    store: location,
    checked: 0,
    findings: [finding('artifact-unchecked', `${items.length} artifact(s) of ${new Set(items.map((i) => i.ref)).size} added version(s) were not checked: ${why}`)],
  });
  if (location.startsWith('file://')) {
    const dir = fileURLToPath(location);
    const rel = relative(repoRoot, dir);
    if (!rel.startsWith('..') && !isAbsolute(rel)) return unchecked(`the store ${location} lies inside the repository, where the pull request itself can put files`);
  }
  let store;
  try {
    store = await openStore(location, policy?.artifacts.s3);
  } catch (e) {
    return unchecked(`the store ${location} cannot be opened: ${(e as Error).message}`);
  }
  const findings: Finding[] = [];
  const unique = [...new Map(items.map((i) => [i.sha256, i])).values()];
  const infos = new Map<string, ObjectInfo | null>();
  let failure: Error | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < unique.length && !failure) {
      const item = unique[next++]!;
      try {
        infos.set(item.sha256, await store.stat(item.sha256));
      } catch (e) {
        failure = e as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, unique.length) }, worker));
  if (failure) {
    const hint = (failure as { hint?: string }).hint;
    return unchecked(`${location}: ${failure.message}${hint ? ` (${hint})` : ''}`);
  }
  for (const item of items) {
    const info = infos.get(item.sha256);
    const field = `/artifacts/${item.index}`;
    if (!info) findings.push(findingAt('artifact-missing', `${item.ref}: artifact ${item.path} (sha256 ${item.sha256.slice(0, 12)}…, ${item.size} bytes) is not in ${location}`, item.version, `${field}/sha256`));
    else if (info.size !== item.size) findings.push(findingAt('artifact-size', `${item.ref}: artifact ${item.path} is ${info.size} bytes in the store; the manifest says ${item.size}`, item.version, `${field}/size`));
    else if (info.recordedSha256 && info.recordedSha256 !== item.sha256) findings.push(findingAt('artifact-size', `${item.ref}: artifact ${item.path} is recorded in the store with sha256 ${info.recordedSha256.slice(0, 12)}…; the manifest says ${item.sha256.slice(0, 12)}…`, item.version, `${field}/sha256`));
  }
  return { store: location, checked: items.length, findings };
}
