/**
 * Judging a change between two sources (Git revisions, or a revision and the work tree) — what
 * `validate --base` and the pull-request action both do. Kept apart from registry.ts so the action's
 * bundle does not carry the isomorphic-git fallback that opening a registry may need.
 *
 * Between two Git revisions with the same policy, only the models the change touches are read (see
 * change-scope.ts), together with every model their lineage names, transitively: those are all the
 * checks can look at (a dangling parent, a lineage cycle). Models outside that set are identical on
 * both sides, so nothing about them can be the change's doing; their old problems are not repeated.
 */
import { validateChange, type ChangeReport } from '../checks/validate.js';
import { changeScope } from '../git/change-scope.js';
import { lastWritten, writtenBy } from '../git/written-by.js';
import { soakedStageFiles } from '../checks/change.js';
import { checkProvenance } from '../checks/provenance.js';
import { hasErrors, sortFindings } from '../registry/findings.js';
import type { ReadScope, RegistrySource } from '../git/sources.js';
import { MODEL_NAME } from '../registry/names.js';
import { parentModels } from '../registry/lineage.js';
import type { ParseCache, Snapshot } from '../registry/snapshot.js';
import { loadParser, loadSnapshot, type LoadSettings } from './load.js';

export interface Judgement {
  baseSnapshot: Snapshot;
  headSnapshot: Snapshot;
  report: ChangeReport;
  /** The models read on both sides, or 'all'. */
  checked: string[] | 'all';
}

/** Read two sources and judge the change between them; the snapshots come back for reports that show more. */
export async function judgeSources(base: RegistrySource, head: RegistrySource, load?: LoadSettings): Promise<Judgement> {
  // Base and head share almost every blob: parse each blob once (keyed by its id) for both.
  const settings: LoadSettings = { ...load, cache: load?.cache ?? memoryCache(), positions: true };
  const [scope] = await Promise.all([changeScope(base, head), loadParser()]);
  for (;;) {
    const [baseSnapshot, headSnapshot] = await Promise.all([loadSnapshot(base, scope, settings), loadSnapshot(head, scope, settings)]);
    const missing = scope && lineageOutside(scope, [baseSnapshot, headSnapshot]);
    if (scope && missing && missing.length > 0) {
      scope.models = [...scope.models!, ...missing].sort();
      continue;
    }
    // Soak times count from when the base's stage files were written, which only Git knows.
    const soaked = soakedStageFiles(baseSnapshot, headSnapshot);
    const written = soaked.length && base.commit ? await lastWritten(base.root, base.commit, soaked) : new Map<string, string>();
    const report = validateChange(baseSnapshot, headSnapshot, { now: new Date().toISOString(), written });
    // Who and when, as a stage file records them, must be the Git facts of the commit that wrote it.
    const facts = await writtenBy(
      base,
      head,
      report.change.stageMoves.map((m) => m.file),
    );
    const provenance = checkProvenance(report.change.stageMoves, headSnapshot, facts);
    const findings = provenance.length ? sortFindings([...report.findings, ...provenance]) : report.findings;
    return { baseSnapshot, headSnapshot, report: { ...report, findings, ok: !hasErrors(findings) }, checked: scope?.models ?? 'all' };
  }
}

/** Models named as lineage parents by a version in the snapshots but not yet read (valid names only: the schema reports the rest). */
function lineageOutside(scope: ReadScope, snaps: Snapshot[]): string[] {
  const inside = new Set(scope.models);
  return [...new Set(snaps.flatMap((snap) => [...parentModels(snap)]))].filter((m) => !inside.has(m) && MODEL_NAME.test(m));
}

function memoryCache(): ParseCache {
  const m = new Map<string, ReturnType<ParseCache['get']> & object>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}
