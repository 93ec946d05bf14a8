/**
 * One Git revision of the registry, read whole and turned into the MLflow view (src/mlflow/view.ts): what
 * every answer of `modelreg serve` is computed from. A revision is immutable once built; the server swaps
 * one for another by replacing a reference, so no request ever sees half of two revisions.
 */
import { Registry } from '../api/registry.js';
import type { ArtifactStore } from '../api/register.js';
import { buildIndex, type ArtifactFile, type MlflowIndex, type ModelInput } from '../mlflow/view.js';
import { ModelregError } from '../registry/errors.js';
import { compareLoosely } from '../registry/versions.js';

export interface ServedRevision {
  commit: string;
  index: MlflowIndex;
  /** The registry's stages, in policy order. */
  stages: string[];
  /** `<model>/<semver>` → its artifacts. */
  artifacts: Map<string, ArtifactFile[]>;
  store: ArtifactStore;
  /** How the registry read: counted so the log can say what was served. */
  models: number;
  versions: number;
  /** Files that failed to parse or validate at this revision (kept out of the answers). */
  broken: string[];
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

export async function loadRevision(options: RevisionOptions): Promise<ServedRevision> {
  const reg = await Registry.open({ ...(options.dir ? { dir: options.dir } : {}), at: options.rev, ...(options.store ? { store: options.store } : {}) });
  const commit = reg.source.commit;
  if (!commit) throw new ModelregError('revision-not-found', `${options.rev} is not a commit`);
  const [snap, order] = await Promise.all([reg.snapshot(), reg.registrations()]);
  if (!snap.policy) throw new ModelregError('registry-invalid', `registry.yaml at ${commit.slice(0, 12)} is missing or invalid`, { file: 'registry.yaml', hint: 'Run `modelreg validate --at <rev>`.' });
  const models: ModelInput[] = [];
  const artifacts = new Map<string, ArtifactFile[]>();
  let versions = 0;
  for (const entry of snap.models.values()) {
    // A model with a broken file is served without that file: its other versions stay readable, as
    // `resolve` would refuse only the broken one. The log names what was left out.
    const rank = new Map((order.get(entry.name) ?? []).map((v, i) => [v, i]));
    const list = [...entry.versions.values()].map((v) => v.data);
    list.sort((a, b) => (rank.get(a.version) ?? Infinity) - (rank.get(b.version) ?? Infinity) || compareLoosely(a.version, b.version));
    for (const v of list) artifacts.set(`${entry.name}/${v.version}`, v.artifacts.map((a) => ({ path: a.path, sha256: a.sha256, size: a.size })));
    versions += list.length;
    models.push({ name: entry.name, manifest: entry.manifest?.data ?? null, versions: list, stages: [...entry.stages.values()].map((s) => s.data) });
  }
  const base = options.publicUrl.replace(/\/+$/, '');
  const index = buildIndex(models, { artifactUri: (model, semver) => `${base}${ARTIFACTS_PATH}/${encodeURIComponent(model)}/${encodeURIComponent(semver)}` });
  return {
    commit,
    index,
    stages: snap.policy.data.stages.map((s) => s.name),
    artifacts,
    store: await reg.openStore(),
    models: models.length,
    versions,
    broken: [...snap.brokenFiles].sort(),
  };
}
