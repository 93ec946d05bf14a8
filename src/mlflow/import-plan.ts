/**
 * Planning `modelreg import mlflow` as data (docs/mlflow.md, "Importing"): given what an MLflow server
 * holds and what the Git registry already holds, the steps to take, oldest first — one commit each. Pure.
 *
 * The story MLflow can tell: each version's registration (time and user), its current legacy stage (at its
 * last update), and each alias (MLflow keeps no time for an alias: it is placed at the model's last update,
 * after everything else of the model). A model new to the registry gets that whole story; for a model
 * imported before, only what differs from the registry now is planned, so a re-run imports only what is
 * new. A version already in the registry but not imported from this MLflow version is a conflict.
 */
import { ModelregError } from '../registry/errors.js';
import { KEY_NAME, MODEL_NAME, STAGE_NAME } from '../registry/names.js';
import { unsafeCharacter } from '../registry/text.js';
import { isValidVersion } from '../registry/versions.js';
import { MLFLOW_VERSION_TAG, RUN_ID_TAG, SOURCE_TAG } from './view.js';

export interface MlflowVersionData {
  /** MLflow's integer version, as a string. */
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: string;
  description: string;
  tags: Record<string, string>;
  run_id: string;
  source: string;
  status: string;
}

export interface MlflowModelData {
  name: string;
  description: string;
  tags: Record<string, string>;
  /** Alias → MLflow version. */
  aliases: Record<string, string>;
  last_updated_timestamp: number;
  versions: MlflowVersionData[];
}

/** What the registry holds of a model now. */
export interface ExistingModel {
  /** semver → the MLflow version it was imported from (its `mlflow.version` tag), and its lifecycle mark. */
  versions: Map<string, { mlflowVersion?: string; deprecated: boolean }>;
  /** stage → semver holding it. */
  stages: Map<string, string>;
  /** The MLflow name recorded when the name had to be mapped (model.yaml tag `mlflow.name`). */
  mlflowName?: string;
}

export interface ImportSettings {
  /** How MLflow version N becomes a semver: `{N}` is replaced (default `{N}.0.0`). */
  versionTemplate: string;
  /** Explicit MLflow name → modelreg name. */
  names: Record<string, string>;
  /** Map a name modelreg cannot hold (capitals, spaces, slashes) to one it can; false: refuse it. */
  mapNames: boolean;
  /** The registry's stages. */
  stages: readonly string[];
}

export const DEFAULT_VERSION_TEMPLATE = '{N}.0.0';
export const MLFLOW_NAME_TAG = 'mlflow.name';

interface StepBase {
  model: string;
  mlflowName: string;
  /** Milliseconds since the epoch: the commit's author date. */
  at: number;
  /** The MLflow user the step is by, when MLflow records one. */
  user: string | null;
}

export type ImportStep =
  | (StepBase & {
      kind: 'register';
      version: string;
      mlflowVersion: string;
      description: string;
      tags: Record<string, string>;
      newModel?: { description: string; tags: Record<string, string>; owners: string[] };
    })
  | (StepBase & { kind: 'promote'; version: string; mlflowVersion: string; stage: string; because: string })
  | (StepBase & { kind: 'unassign'; stage: string; because: string })
  | (StepBase & { kind: 'deprecate' | 'undeprecate'; version: string; mlflowVersion: string; because: string });

export interface ImportPlan {
  steps: ImportStep[];
  /** Every MLflow name and the modelreg name it is imported as. */
  names: { mlflow: string; modelreg: string; mapped: boolean }[];
  /** Facts not imported, and why: said, never dropped silently. */
  notes: string[];
}

/** The modelreg name of an MLflow model: itself when modelreg can hold it; else mapped (or refused). */
export function modelregName(name: string, settings: Pick<ImportSettings, 'names' | 'mapNames'>): { name: string; mapped: boolean } {
  const explicit = Object.hasOwn(settings.names, name) ? settings.names[name]! : undefined;
  if (explicit !== undefined) {
    if (!MODEL_NAME.test(explicit))
      throw new ModelregError('usage', `--name-map ${JSON.stringify(name)}=${JSON.stringify(explicit)}: "${explicit}" is not a model name modelreg can hold`, {
        hint: 'Lowercase letters, digits, ".", "_" and "-", starting with a letter or digit (docs/format.md, Names).',
      });
    return { name: explicit, mapped: explicit !== name };
  }
  if (MODEL_NAME.test(name)) return { name, mapped: false };
  const mapped = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[.-]+$/, '')
    .slice(0, 128);
  if (!settings.mapNames || !MODEL_NAME.test(mapped)) {
    throw new ModelregError(
      'rejected',
      `the MLflow model ${JSON.stringify(name)} has a name modelreg cannot hold${settings.mapNames ? ', and no name can be made of it' : ''}`,
      {
        hint: `Name it yourself: --name-map ${JSON.stringify(`${name}=${mapped || 'new-name'}`)}${settings.mapNames ? '' : ', or drop --no-map-names to map it'}. Model names are lowercase letters, digits, ".", "_" and "-".`,
      },
    );
  }
  return { name: mapped, mapped: true };
}

export function semverFor(mlflowVersion: string, template: string): string {
  const v = template.replaceAll('{N}', mlflowVersion);
  if (!template.includes('{N}') || !isValidVersion(v))
    throw new ModelregError(
      'usage',
      `--version-template ${JSON.stringify(template)} makes "${v}" of MLflow version ${mlflowVersion}, which is not a semantic version`,
      { hint: 'Use {N} once in a semver, e.g. {N}.0.0 (the default) or 1.{N}.0.' },
    );
  return v;
}

/** The modelreg stage an MLflow alias or legacy stage becomes, or undefined for MLflow's `None`. */
function stageOf(what: 'alias' | 'stage', name: string, model: string, settings: ImportSettings): string | undefined {
  if (what === 'stage' && (name === 'None' || name === 'Archived')) return undefined;
  const stage = name.toLowerCase();
  if (!STAGE_NAME.test(stage)) {
    throw new ModelregError('rejected', `the MLflow ${what} ${JSON.stringify(name)} of ${JSON.stringify(model)} cannot be a modelreg stage name`, {
      hint: 'Stage names are lowercase letters, digits, "_" and "-", starting with a letter. Move the alias in MLflow, or leave the model out with --model.',
    });
  }
  if (!settings.stages.includes(stage)) {
    throw new ModelregError('rejected', `the MLflow ${what} ${JSON.stringify(name)} of ${JSON.stringify(model)} has no stage "${stage}" in registry.yaml`, {
      file: 'registry.yaml',
      hint: `Add it to registry.yaml's stages in a commit of its own (e.g. "- name: ${stage}" with "from: []"), then run the import again.`,
    });
  }
  return stage;
}

/** Tags modelreg cannot hold are refused before anything is written, naming the version and the key. */
function checkTags(tags: Record<string, string>, where: string): void {
  for (const [k, v] of Object.entries(tags)) {
    if (!KEY_NAME.test(k))
      throw new ModelregError('rejected', `the tag ${JSON.stringify(k)} of MLflow's ${where} is not a key modelreg can hold`, {
        hint: 'Tag keys are letters, digits, "_", ".", ":", "/" and "-" (at most 128), starting with a letter, digit or "_". Rename the tag in MLflow, or leave the model out with --model.',
      });
    const bad = unsafeCharacter(v) ?? (v.length > 256 ? `${v.length} characters (at most 256)` : undefined);
    if (bad)
      throw new ModelregError('rejected', `the tag ${JSON.stringify(k)} of MLflow's ${where} holds ${bad}, which a manifest may not`, {
        hint: 'Change the tag in MLflow, or leave the model out with --model.',
      });
  }
}

interface Fact {
  at: number;
  order: number;
  apply: () => void;
}

export function planImport(models: readonly MlflowModelData[], existing: ReadonlyMap<string, ExistingModel>, settings: ImportSettings): ImportPlan {
  const names: ImportPlan['names'] = [];
  const notes: string[] = [];
  const taken = new Map<string, string>();
  for (const m of models) {
    const { name, mapped } = modelregName(m.name, settings);
    const prior = taken.get(name);
    if (prior !== undefined)
      throw new ModelregError('conflict', `the MLflow models ${JSON.stringify(prior)} and ${JSON.stringify(m.name)} would both be imported as "${name}"`, {
        hint: `Name one of them: --name-map ${JSON.stringify(`${m.name}=<another-name>`)}.`,
      });
    const held = existing.get(name);
    if (held && mapped && held.mlflowName !== undefined && held.mlflowName !== m.name) {
      throw new ModelregError(
        'conflict',
        `the MLflow model ${JSON.stringify(m.name)} maps to "${name}", which the registry holds as the import of ${JSON.stringify(held.mlflowName)}`,
        { hint: `Name it otherwise: --name-map ${JSON.stringify(`${m.name}=<another-name>`)}.` },
      );
    }
    taken.set(name, m.name);
    names.push({ mlflow: m.name, modelreg: name, mapped });
  }

  const facts: (Fact & { step?: ImportStep })[] = [];
  const steps: ImportStep[] = [];
  let order = 0;
  for (const [i, m] of models.entries()) {
    const model = names[i]!.modelreg;
    const held = existing.get(model);
    const full = !held;
    // The simulated registry: what it holds after each planned step.
    const versions = new Map(held?.versions ?? []);
    const stages = new Map(held?.stages ?? []);
    const semverOfMlflow = new Map<string, string>();
    const base = { model, mlflowName: m.name };
    const ready = [...m.versions].filter((v) => {
      if (v.status === 'READY') return true;
      notes.push(`${m.name} version ${v.version} is ${v.status} in MLflow: not imported`);
      return false;
    });
    ready.sort((a, b) => Number(a.version) - Number(b.version));
    let first = !held;
    if (first) checkTags(m.tags, JSON.stringify(m.name));
    for (const v of ready) {
      const semver = semverFor(v.version, settings.versionTemplate);
      semverOfMlflow.set(v.version, semver);
      const there = versions.get(semver);
      if (there) {
        if (there.mlflowVersion !== v.version) {
          throw new ModelregError(
            'conflict',
            `${model}@${semver} is already in the registry, and it is not MLflow's ${JSON.stringify(m.name)} version ${v.version}${there.mlflowVersion ? ` (it was imported from version ${there.mlflowVersion})` : ' (it was registered in modelreg)'}`,
            {
              hint: 'Choose another mapping with --version-template (e.g. 1.{N}.0), or leave the model out with --model.',
            },
          );
        }
        continue;
      }
      checkTags(v.tags, `${JSON.stringify(m.name)} version ${v.version}`);
      const tags: Record<string, string> = {
        ...v.tags,
        [MLFLOW_VERSION_TAG]: v.version,
        ...(v.run_id ? { [RUN_ID_TAG]: v.run_id } : {}),
        ...(v.source ? { [SOURCE_TAG]: v.source } : {}),
      };
      const step: ImportStep = {
        ...base,
        kind: 'register',
        at: v.creation_timestamp,
        user: v.user_id || null,
        version: semver,
        mlflowVersion: v.version,
        description: v.description,
        tags,
        ...(first
          ? {
              newModel: {
                description: m.description,
                tags: { ...m.tags, ...(names[i]!.mapped ? { [MLFLOW_NAME_TAG]: m.name } : {}) },
                owners: [v.user_id || 'mlflow-import'],
              },
            }
          : {}),
      };
      first = false;
      facts.push({ at: v.creation_timestamp, order: order++, step, apply: () => versions.set(semver, { mlflowVersion: v.version, deprecated: false }) });
    }

    // The desired end state, from MLflow's facts in time order; then the steps that reach it.
    const last = Math.max(m.last_updated_timestamp, ...ready.map((v) => Math.max(v.creation_timestamp, v.last_updated_timestamp)));
    const timeline: { at: number; what: 'stage' | 'alias'; name: string; v: MlflowVersionData }[] = [];
    for (const v of ready)
      if (v.current_stage && v.current_stage !== 'None') timeline.push({ at: v.last_updated_timestamp, what: 'stage', name: v.current_stage, v });
    for (const [alias, n] of Object.entries(m.aliases).sort(([a], [b]) => (a < b ? -1 : 1))) {
      const v = ready.find((x) => x.version === n);
      if (!v) notes.push(`${m.name}: alias ${alias} names version ${n}, which is not imported`);
      else timeline.push({ at: last, what: 'alias', name: alias, v });
    }
    timeline.sort((a, b) => a.at - b.at || (a.what === b.what ? 0 : a.what === 'stage' ? -1 : 1));
    const desired = { stages: new Map<string, string>(), deprecated: new Set<string>() };
    for (const t of timeline) {
      const semver = semverOfMlflow.get(t.v.version)!;
      if (t.what === 'stage' && t.name === 'Archived') {
        for (const [s, holder] of desired.stages) if (holder === semver) desired.stages.delete(s);
        desired.deprecated.add(semver);
        continue;
      }
      const stage = stageOf(t.what, t.name, m.name, settings)!;
      if (desired.deprecated.has(semver)) {
        notes.push(
          `${m.name}: ${t.what} ${t.name} names version ${t.v.version}, which is Archived; a deprecated version holds no stage, so it is not imported`,
        );
        continue;
      }
      desired.stages.set(stage, semver);
    }
    // A version the registry marks deprecated that MLflow no longer archives: undeprecated on a re-run.
    for (const v of ready) {
      const semver = semverOfMlflow.get(v.version)!;
      if (full || !held.versions.get(semver)?.deprecated || desired.deprecated.has(semver)) continue;
      facts.push({
        at: v.last_updated_timestamp,
        order: order++,
        apply: () => {
          steps.push({
            ...base,
            at: v.last_updated_timestamp,
            user: null,
            kind: 'undeprecate',
            version: semver,
            mlflowVersion: v.version,
            because: `MLflow stage ${v.current_stage}`,
          });
          versions.set(semver, { ...versions.get(semver)!, deprecated: false });
        },
      });
    }
    for (const t of timeline) {
      const semver = semverOfMlflow.get(t.v.version)!;
      const because = t.what === 'alias' ? `MLflow alias ${t.name}` : `MLflow stage ${t.v.current_stage}`;
      const at = { ...base, at: t.at, user: null };
      if (t.what === 'stage' && t.name === 'Archived') {
        facts.push({
          at: t.at,
          order: order++,
          apply: () => {
            if (!full && !desired.deprecated.has(semver)) return;
            for (const [s, holder] of [...stages]) {
              if (holder !== semver) continue;
              steps.push({ ...at, kind: 'unassign', stage: s, because: `${because} (version ${t.v.version} was archived)` });
              stages.delete(s);
            }
            if (versions.get(semver)?.deprecated) return;
            steps.push({ ...at, kind: 'deprecate', version: semver, mlflowVersion: t.v.version, because });
            versions.set(semver, { ...versions.get(semver)!, deprecated: true });
          },
        });
        continue;
      }
      const stage = t.name.toLowerCase();
      facts.push({
        at: t.at,
        order: order++,
        apply: () => {
          // A re-run moves a stage only to where MLflow has it now; a first import tells every move.
          if (!full && desired.stages.get(stage) !== semver) return;
          if (desired.deprecated.has(semver) || stages.get(stage) === semver) return;
          steps.push({ ...at, kind: 'promote', version: semver, mlflowVersion: t.v.version, stage, because });
          stages.set(stage, semver);
        },
      });
    }
  }
  // Registrations first within a time, then moves; across models by time: one history, as MLflow lived it.
  facts.sort((a, b) => a.at - b.at || a.order - b.order);
  for (const f of facts) {
    if (f.step) steps.push(f.step);
    f.apply();
  }
  return { steps, names, notes };
}
