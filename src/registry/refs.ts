/**
 * References read the same everywhere: name@1.2.0, name@production, name@latest (and a bare name means
 * latest). `latest` is the greatest non-deprecated release; pre-releases count only when asked.
 */
import { ModelregError, modelNotFound } from './errors.js';
import type { Loaded, ModelEntry, Snapshot } from './assemble.js';
import type { StageManifest, VersionManifest } from './types.js';
import { compareVersions, isPrerelease, isValidVersion } from './versions.js';
import { MODEL_NAME as NAME, STAGE_NAME as STAGE } from './names.js';
import type { Assigner } from './assignment.js';

export type Selector = { kind: 'version'; version: string } | { kind: 'stage'; stage: string } | { kind: 'latest' };

export interface Ref {
  model: string;
  selector: Selector;
}

export function parseRef(text: string): Ref {
  const at = text.lastIndexOf('@');
  const model = at === -1 ? text : text.slice(0, at);
  const sel = at === -1 ? 'latest' : text.slice(at + 1);
  if (!NAME.test(model)) {
    throw new ModelregError('ref-invalid', `"${text}" is not a model reference`, { hint: 'Write name@1.2.0, name@production or name@latest.' });
  }
  if (sel === 'latest') return { model, selector: { kind: 'latest' } };
  if (/^v?\d/.test(sel)) {
    const version = sel.replace(/^v/, '');
    if (!isValidVersion(version)) {
      throw new ModelregError('ref-invalid', `"${sel}" in "${text}" is not a semantic version`, { hint: 'Write a version like 1.2.0 or 2.0.0-rc.1.' });
    }
    return { model, selector: { kind: 'version', version } };
  }
  if (!STAGE.test(sel))
    throw new ModelregError('ref-invalid', `"${sel}" in "${text}" is neither a version, a stage nor latest`, {
      hint: 'Write name@1.2.0, name@production or name@latest.',
    });
  return { model, selector: { kind: 'stage', stage: sel } };
}

export function formatRef(ref: Ref): string {
  const s = ref.selector;
  return `${ref.model}@${s.kind === 'version' ? s.version : s.kind === 'stage' ? s.stage : 'latest'}`;
}

export interface Resolved {
  model: ModelEntry;
  version: Loaded<VersionManifest>;
  /** The stage file, when the reference named a stage. */
  stage?: Loaded<StageManifest>;
  /** Every stage the resolved version holds. */
  stages: string[];
  /** With a key: the bucket it fell in, and the weight of the arm of the stage's split it got. */
  assignment?: { key: string; bucket: number; weight: number };
}

/**
 * The version a reference names. With `key`, the reference must name a stage, and the version is the arm
 * of its split that the key gets by the assignment rule (registry/assignment.ts); a stage without a split
 * gives every key its holder.
 */
export function resolveRef(snap: Snapshot, ref: Ref, options: { prerelease?: boolean; key?: string; assign?: Assigner } = {}): Resolved {
  const model = snap.models.get(ref.model);
  if (!model || (!model.manifest && model.versions.size === 0)) {
    throw modelNotFound(ref.model);
  }
  const s = ref.selector;
  if (options.key !== undefined && s.kind !== 'stage') {
    throw new ModelregError('usage', `a key picks an arm of a stage's split: name the stage (${ref.model}@<stage>), not ${formatRef(ref)}`);
  }
  let version: Loaded<VersionManifest> | undefined;
  let stage: Loaded<StageManifest> | undefined;
  let assignment: Resolved['assignment'];
  if (s.kind === 'version') {
    version = model.versions.get(s.version);
    if (!version)
      throw new ModelregError('version-not-found', `${ref.model} has no version ${s.version}`, {
        hint: `Run \`modelreg show ${ref.model}\` to see its versions.`,
      });
  } else if (s.kind === 'stage') {
    stage = model.stages.get(s.stage);
    if (!stage) {
      const known = snap.policy?.data.stages.some((x) => x.name === s.stage);
      throw new ModelregError('stage-not-held', known ? `no version of ${ref.model} holds ${s.stage}` : `"${s.stage}" is not a stage of this registry`, {
        hint: known
          ? `Promote one with \`modelreg promote ${ref.model}@<version> ${s.stage}\`.`
          : `Stages: ${(snap.policy?.data.stages ?? []).map((x) => x.name).join(', ')}.`,
      });
    }
    let named = stage.data.version;
    if (options.key !== undefined) {
      if (!options.assign) throw new Error('resolveRef: a key needs the assignment rule (options.assign, registry/assignment.ts assigner)');
      const arm = options.assign(ref.model, s.stage, options.key, stage.data);
      assignment = { key: options.key, bucket: arm.bucket, weight: arm.weight };
      named = arm.version;
    }
    version = model.versions.get(named);
    if (!version)
      throw new ModelregError('version-not-found', `${ref.model}@${s.stage} names version ${named}, which does not exist`, {
        file: stage.file,
        hint: 'Run `modelreg validate`.',
      });
  } else {
    version = latestVersion(model, options.prerelease ?? false);
    if (!version)
      throw new ModelregError('no-latest', `${ref.model} has no ${options.prerelease ? '' : 'released, '}non-deprecated version`, {
        hint: options.prerelease ? undefined : 'Pass --prerelease to include pre-releases.',
      });
  }
  const v = version.data.version;
  const stages = [...model.stages.values()].filter((x) => x.data.version === v).map((x) => x.data.stage);
  return { model, version, ...(stage ? { stage } : {}), stages: orderStages(snap, stages), ...(assignment ? { assignment } : {}) };
}

export function latestVersion(model: ModelEntry, prerelease: boolean): Loaded<VersionManifest> | undefined {
  let best: Loaded<VersionManifest> | undefined;
  for (const v of model.versions.values()) {
    const id = v.data.version;
    if (v.data.deprecated || !isValidVersion(id) || (!prerelease && isPrerelease(id))) continue;
    if (!best || compareVersions(id, best.data.version) > 0) best = v;
  }
  return best;
}

/** Stage names in the policy's order; unknown ones last, alphabetically. */
export function orderStages(snap: Pick<Snapshot, 'policy'>, stages: string[]): string[] {
  const order = new Map((snap.policy?.data.stages ?? []).map((s, i) => [s.name, i]));
  return [...stages].sort((a, b) => (order.get(a) ?? 1e9) - (order.get(b) ?? 1e9) || a.localeCompare(b));
}
