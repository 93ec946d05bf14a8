/**
 * A stage never points at missing bytes: before `promote` or `rollback` commits, the artifacts of the
 * version entering the stage are looked up in the store (present, with the size the manifest records, and
 * the sha256 where the store records one). The pull-request check does the same (review/report.ts
 * artifactsToCheck); this is the CLI's side, reading the registry's own store, wherever it is.
 */
import { openStore } from '../artifacts/open.js';
import type { Plan } from '../changes/plan.js';
import { findingAt } from '../checks/locate.js';
import type { Finding } from '../registry/findings.js';
import { buildSnapshot, type Snapshot } from '../registry/snapshot.js';
import type { StageMove } from '../checks/change.js';
import { storeLocation } from './store-location.js';

/** Findings (at the planned stage file's `version:` line) for bytes of entering versions that are not in the store. */
export async function enteringArtifactFindings(root: string, snap: Snapshot, plan: Plan, moves: StageMove[], storeOverride?: string): Promise<Finding[]> {
  if (moves.length === 0) return [];
  const policy = snap.policy?.data;
  const location = storeLocation(root, policy, storeOverride);
  const store = await openStore(location, policy?.artifacts.s3);
  const planned = buildSnapshot(plan.files.map((f) => ({ path: f.path, type: 'file' as const, text: f.text, size: Buffer.byteLength(f.text) })));
  const out: Finding[] = [];
  for (const move of moves) {
    const version = snap.models.get(move.model)?.versions.get(move.to);
    const stageFile = planned.models.get(move.model)?.stages.get(move.stage);
    if (!version || !stageFile) continue;
    for (const a of version.data.artifacts) {
      const info = await store.stat(a.sha256);
      const problem = !info
        ? `its artifact ${a.path} (sha256 ${a.sha256.slice(0, 12)}…, ${a.size} bytes) is not in ${location}`
        : info.size !== a.size
          ? `its artifact ${a.path} is ${info.size} bytes in ${location}; the manifest says ${a.size}`
          : info.recordedSha256 && info.recordedSha256 !== a.sha256
            ? `its artifact ${a.path} is recorded in ${location} with sha256 ${info.recordedSha256.slice(0, 12)}…; the manifest says ${a.sha256.slice(0, 12)}…`
            : undefined;
      if (problem)
        out.push(
          findingAt(info ? 'artifact-size' : 'artifact-missing', `${move.model}@${move.to} would enter ${move.stage}, but ${problem}`, stageFile, '/version'),
        );
    }
  }
  return out;
}
