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
import type { RegistryPolicy } from '../registry/types.js';
import type { ArtifactCheck, ArtifactToCheck } from '../review/report.js';
import { storeLocation } from './store-location.js';

export type { ArtifactToCheck };

/**
 * `policy` is the base branch's (a pull request cannot point the check at a store of its choosing).
 * `repoRoot` is the checkout: a file:// store inside it holds whatever the pull request committed there,
 * so it proves nothing and is not consulted. null when the checkout is the user's own (validate on their
 * machine), whose local store holds what they registered.
 */
export async function checkArtifactPresence(
  registryRoot: string,
  repoRoot: string | null,
  policy: RegistryPolicy | undefined,
  items: ArtifactToCheck[],
  options: { store?: string; concurrency?: number } = {},
): Promise<ArtifactCheck> {
  if (!items.length) return { store: null, checked: 0, findings: [] };
  const location = storeLocation(registryRoot, policy, options.store);
  const unchecked = (why: string): ArtifactCheck => ({
    store: location,
    checked: 0,
    findings: [
      finding(
        'artifact-unchecked',
        `${items.length} artifact(s) of ${new Set(items.map((i) => i.ref)).size} version(s) the change adds or moves into a stage were not checked: ${why}`,
      ),
    ],
  });
  if (location.startsWith('file://') && repoRoot !== null) {
    const dir = fileURLToPath(location);
    const rel = relative(repoRoot, dir);
    if (!rel.startsWith('..') && !isAbsolute(rel))
      return unchecked(`the store ${location} lies inside the repository, where the pull request itself can put files`);
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
    // A version entering a stage is found wrong at the stage file: that is the line the change adds.
    const at = (code: 'artifact-missing' | 'artifact-size', message: string, versionField: string) =>
      item.stage ? findingAt(code, message, item.stage, '/version') : findingAt(code, message, item.version, versionField);
    const who = item.stage ? `${item.ref} enters ${item.stage.data.stage}, but its` : `${item.ref}:`;
    if (!info)
      findings.push(
        at(
          'artifact-missing',
          `${who} artifact ${item.path} (sha256 ${item.sha256.slice(0, 12)}…, ${item.size} bytes) is not in ${location}`,
          `${field}/sha256`,
        ),
      );
    else if (info.size !== item.size)
      findings.push(at('artifact-size', `${who} artifact ${item.path} is ${info.size} bytes in the store; the manifest says ${item.size}`, `${field}/size`));
    else if (info.recordedSha256 && info.recordedSha256 !== item.sha256)
      findings.push(
        at(
          'artifact-size',
          `${who} artifact ${item.path} is recorded in the store with sha256 ${info.recordedSha256.slice(0, 12)}…; the manifest says ${item.sha256.slice(0, 12)}…`,
          `${field}/sha256`,
        ),
      );
  }
  return { store: location, checked: items.length, findings };
}
