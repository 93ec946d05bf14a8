/**
 * One Git revision of the registry, turned into the MLflow view (src/mlflow/view.ts): what every answer of
 * `modelreg serve` is computed from. A revision is immutable once built; the server swaps one for another
 * by replacing a reference, so no request ever sees half of two revisions.
 *
 * The first revision is read whole. A later one (--follow) is built from the one before: Git's tree diff
 * names the models that changed, only they are read and indexed again, and the rest of the view is
 * shared — unless registry.yaml changed, which is read whole again.
 */
import { Registry } from '../api/registry.js';
import type { ArtifactStore } from '../api/register.js';
import { buildIndex, updateIndex, type ArtifactFile, type IndexOptions, type MlflowIndex, type ModelInput } from '../mlflow/view.js';
import { ModelregError } from '../registry/errors.js';
import type { Snapshot } from '../registry/snapshot.js';
import { compareLoosely } from '../registry/versions.js';

export interface ServedRevision {
  commit: string;
  index: MlflowIndex;
  /** The registry's stages, in policy order. */
  stages: string[];
  /** `<model>/<semver>` → its artifacts. */
  artifacts: Map<string, ArtifactFile[]>;
  store: ArtifactStore;
  models: number;
  versions: number;
  /** Files that failed to parse or validate at this revision (kept out of the answers). */
  broken: string[];
  /** How it was read: whole, or the models that changed since the revision before. */
  read: 'whole' | { changed: string[] };
  /** The revision as the library reads it, for the next one to diff against. */
  registry: Registry;
}

export interface RevisionOptions {
  dir?: string;
  /** Any revision Git can name; it is resolved to a commit once. */
  rev: string;
  store?: string;
  /** Where clients fetch artifacts from: `<publicUrl>/api/2.0/mlflow-artifacts/artifacts/<model>/<semver>`. */
  publicUrl: string;
}

export const ARTIFACTS_PATH = '/api/2.0/mlflow-artifacts/artifacts';

export async function loadRevision(options: RevisionOptions, previous?: ServedRevision): Promise<ServedRevision> {
  const reg = await Registry.open({ ...(options.dir ? { dir: options.dir } : {}), at: options.rev, ...(options.store ? { store: options.store } : {}) });
  const commit = reg.source.commit;
  if (!commit) throw new ModelregError('revision-not-found', `${options.rev} is not a commit`);
  const base = options.publicUrl.replace(/\/+$/, '');
  const indexing: IndexOptions = { artifactUri: (model, semver) => `${base}${ARTIFACTS_PATH}/${encodeURIComponent(model)}/${encodeURIComponent(semver)}` };
  const changed = previous ? await reg.changedModels(previous.registry) : undefined;

  const [snap, order] = await Promise.all([reg.snapshot(changed ? { models: changed } : undefined), reg.registrations(changed)]);
  if (!snap.policy)
    throw new ModelregError('registry-invalid', `registry.yaml at ${commit.slice(0, 12)} is missing or invalid`, {
      file: 'registry.yaml',
      hint: 'Run `modelreg validate --at <rev>`.',
    });
  const models = modelInputs(snap, order);
  const artifacts = previous && changed ? new Map(previous.artifacts) : new Map<string, ArtifactFile[]>();
  if (previous && changed) {
    // Drop what the changed models had; what they have now is added below.
    const gone = new Set(changed);
    for (const key of artifacts.keys()) if (gone.has(key.slice(0, key.lastIndexOf('/')))) artifacts.delete(key);
  }
  for (const m of models)
    for (const v of m.versions)
      artifacts.set(
        `${m.name}/${v.version}`,
        v.artifacts.map((a) => ({ path: a.path, sha256: a.sha256, size: a.size })),
      );
  const index =
    previous && changed
      ? updateIndex(
          previous.index,
          models,
          changed.filter((n) => !snap.models.has(n)),
          indexing,
        )
      : buildIndex(models, indexing);
  const inChanged = (f: string) => changed?.some((m) => f.startsWith(`models/${m}/`)) ?? true;
  const broken = [...(previous && changed ? previous.broken.filter((f) => !inChanged(f)) : []), ...snap.brokenFiles].sort();
  return {
    commit,
    index,
    stages: snap.policy.data.stages.map((s) => s.name),
    artifacts,
    store: previous && changed ? previous.store : await reg.openStore(),
    models: index.models.size,
    versions: [...index.models.values()].reduce((n, m) => n + m.versions.size, 0),
    broken,
    read: changed ? { changed } : 'whole',
    registry: reg,
  };
}

/** The models of a snapshot, each version list in registration order (versions Git does not show last, by semver). */
function modelInputs(snap: Snapshot, order: Map<string, string[]>): ModelInput[] {
  const out: ModelInput[] = [];
  for (const entry of snap.models.values()) {
    const rank = new Map((order.get(entry.name) ?? []).map((v, i) => [v, i]));
    const versions = [...entry.versions.values()].map((v) => v.data);
    versions.sort((a, b) => (rank.get(a.version) ?? Infinity) - (rank.get(b.version) ?? Infinity) || compareLoosely(a.version, b.version));
    out.push({ name: entry.name, manifest: entry.manifest?.data ?? null, versions, stages: [...entry.stages.values()].map((s) => s.data) });
  }
  return out;
}
