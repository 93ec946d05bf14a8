/**
 * Planning a write as data: given a snapshot and an intent, the files to write and the commit message.
 * Pure — no clock, no user lookup, no I/O (the caller passes `now` and `actor`) — so the same intent can
 * be re-planned on a newer snapshot when a push races someone else's, and tested with plain data.
 */
import semver from 'semver';
import { ModelregError } from '../registry/errors.js';
import { paths, POLICY_FILE } from '../registry/layout.js';
import type { Snapshot } from '../registry/snapshot.js';
import type { ArtifactEntry, Lineage, ModelManifest, Scalar, StageManifest, VersionManifest } from '../registry/types.js';
import { compareVersions, isPrerelease, isValidVersion } from '../registry/versions.js';
import { manifestText } from './serialize.js';

export type Bump = 'major' | 'minor' | 'patch' | 'prerelease';

export interface RegisterIntent {
  kind: 'register';
  model: string;
  version?: string;
  bump?: Bump;
  preid?: string;
  allowLower?: boolean;
  artifacts: ArtifactEntry[];
  framework?: string;
  type?: string;
  description?: string;
  metrics?: Record<string, number>;
  params?: Record<string, Scalar>;
  tags?: Record<string, string>;
  lineage?: Lineage;
  signature?: VersionManifest['signature'];
  /** Used only when the model is new: its model.yaml. */
  newModel?: Partial<ModelManifest>;
  message?: string;
}

export interface PromoteIntent {
  kind: 'promote';
  model: string;
  version: string;
  stage: string;
  reason?: string;
  /** The holder seen when the user asked; a different holder on re-plan is a conflict, not a retry. */
  expectedHolder?: string | null;
  message?: string;
}

export interface RollbackIntent {
  kind: 'rollback';
  model: string;
  stage: string;
  to?: string;
  reason?: string;
  expectedHolder?: string | null;
  message?: string;
}

export interface DeprecateIntent {
  kind: 'deprecate' | 'undeprecate';
  model: string;
  version: string;
  reason?: string;
  message?: string;
}

/** Take a stage from whichever version holds it, leaving it unheld (its stage file is deleted). */
export interface UnassignIntent {
  kind: 'unassign';
  model: string;
  stage: string;
  reason?: string;
  expectedHolder?: string | null;
  message?: string;
}

export type Intent = RegisterIntent | PromoteIntent | RollbackIntent | DeprecateIntent | UnassignIntent;

export interface PlannedFile {
  path: string;
  text: string;
  /** Whether the file exists in the snapshot planned from. */
  exists: boolean;
  /** The file is to be deleted (`text` is then empty). */
  delete?: boolean;
}

export interface Plan {
  intent: Intent;
  files: PlannedFile[];
  message: string;
  /** The model version the change is about. */
  ref: string;
  /** For stage moves: the holder before. */
  previous?: string | null;
}

export interface PlanContext {
  now: string;
  actor: string;
}

export function planChange(snap: Snapshot, intent: Intent, ctx: PlanContext): Plan {
  if (!snap.policy) throw new ModelregError('registry-invalid', `${POLICY_FILE} is missing or invalid`, { hint: 'Run `modelreg validate`.' });
  switch (intent.kind) {
    case 'register':
      return planRegister(snap, intent, ctx);
    case 'promote':
      return planPromote(snap, intent, ctx);
    case 'rollback':
      return planRollback(snap, intent, ctx);
    case 'unassign':
      return planUnassign(snap, intent);
    default:
      return planDeprecate(snap, intent, ctx);
  }
}

/** The version a registration gets: explicit, or bumped from the greatest existing one. */
export function chooseVersion(existing: string[], intent: Pick<RegisterIntent, 'version' | 'bump' | 'preid' | 'allowLower' | 'model'>): string {
  const sorted = existing.filter(isValidVersion).sort(compareVersions);
  const greatest = sorted[sorted.length - 1];
  if (intent.version !== undefined) {
    const v = intent.version.replace(/^v/, '');
    if (!isValidVersion(v)) throw new ModelregError('usage', `"${intent.version}" is not a semantic version`, { hint: 'Use 1.2.0 or 2.0.0-rc.1 (no build metadata).' });
    if (existing.includes(v)) throw new ModelregError('conflict', `${intent.model}@${v} already exists`, { hint: 'Versions are immutable; register a new one (e.g. --bump patch).' });
    if (greatest && compareVersions(v, greatest) < 0 && !intent.allowLower) {
      throw new ModelregError('usage', `${v} is lower than ${intent.model}'s greatest version ${greatest}`, { hint: 'Pass --allow-lower for a hotfix line, or choose a greater version.', exitCode: 1 });
    }
    return v;
  }
  const bump = intent.bump ?? 'patch';
  if (!greatest) return bump === 'prerelease' ? `1.0.0-${intent.preid ?? 'rc'}.0` : '1.0.0';
  const next = bump === 'prerelease' ? semver.inc(greatest, 'prerelease', intent.preid ?? 'rc') : semver.inc(greatest, bump);
  if (!next) throw new ModelregError('usage', `cannot bump ${greatest} by ${bump}`);
  return next;
}

function planRegister(snap: Snapshot, intent: RegisterIntent, ctx: PlanContext): Plan {
  const entry = snap.models.get(intent.model);
  const version = chooseVersion([...(entry?.versions.keys() ?? [])], intent);
  const files: PlannedFile[] = [];
  if (!entry?.manifest) {
    const m: ModelManifest = { name: intent.model, owners: [ctx.actor], ...intent.newModel } as ModelManifest;
    m.name = intent.model;
    files.push({ path: paths.model(intent.model), text: manifestText('model', m), exists: false });
  }
  const v: VersionManifest = {
    name: intent.model,
    version,
    ...(intent.framework ? { framework: intent.framework } : {}),
    ...(intent.type ? { type: intent.type } : {}),
    ...(intent.description ? { description: intent.description } : {}),
    artifacts: intent.artifacts,
    ...(intent.metrics && Object.keys(intent.metrics).length ? { metrics: intent.metrics } : {}),
    ...(intent.params && Object.keys(intent.params).length ? { params: intent.params } : {}),
    ...(intent.tags && Object.keys(intent.tags).length ? { tags: intent.tags } : {}),
    ...(intent.signature ? { signature: intent.signature } : {}),
    ...(intent.lineage && Object.keys(intent.lineage).length ? { lineage: intent.lineage } : {}),
    created_by: ctx.actor,
    created_at: ctx.now,
  };
  files.push({ path: paths.version(intent.model, version), text: manifestText('version', v), exists: false });
  const ref = `${intent.model}@${version}`;
  const subject = `Register ${ref}`;
  // An explicit version stays fixed when a push race makes us re-plan (a clash is a conflict); a --bump is
  // re-applied on the newer snapshot, since "the next version" is what was asked for.
  return { intent, files, message: withTrailer(withBody(intent.message ?? subject, describeRegistration(v)), 'register', ref), ref };
}

function planPromote(snap: Snapshot, intent: PromoteIntent, ctx: PlanContext): Plan {
  const entry = requireModel(snap, intent.model);
  requireStage(snap, intent.stage);
  const v = entry.versions.get(intent.version);
  if (!v) throw new ModelregError('version-not-found', `${intent.model} has no version ${intent.version}`, { hint: `Run \`modelreg show ${intent.model}\`.` });
  if (v.data.deprecated) throw new ModelregError('rejected', `${intent.model}@${intent.version} is deprecated and cannot be promoted`, { hint: `Undeprecate it first: modelreg undeprecate ${intent.model}@${intent.version}` });
  const holder = entry.stages.get(intent.stage)?.data.version ?? null;
  checkExpectedHolder(intent, holder);
  if (holder === intent.version) throw new ModelregError('conflict', `${intent.model}@${intent.version} already holds ${intent.stage}`);
  const ref = `${intent.model}@${intent.version}`;
  return stagePlan(intent, holder, intent.version, ctx, intent.message ?? `Promote ${ref} to ${intent.stage}`);
}

function planRollback(snap: Snapshot, intent: RollbackIntent, ctx: PlanContext): Plan {
  const entry = requireModel(snap, intent.model);
  requireStage(snap, intent.stage);
  const current = entry.stages.get(intent.stage);
  if (!current) throw new ModelregError('stage-not-held', `no version of ${intent.model} holds ${intent.stage}; there is nothing to roll back`);
  const holder = current.data.version;
  checkExpectedHolder(intent, holder);
  const target = intent.to?.replace(/^v/, '') ?? current.data.previous ?? undefined;
  if (!target) throw new ModelregError('usage', `${intent.model}@${intent.stage} records no previous holder`, { hint: 'Name the version: --to <version>.', exitCode: 1 });
  const v = entry.versions.get(target);
  if (!v) throw new ModelregError('version-not-found', `${intent.model} has no version ${target}`);
  if (v.data.deprecated) throw new ModelregError('rejected', `${intent.model}@${target} is deprecated; a stage cannot go back to it`, { hint: `Choose another version with --to, or undeprecate ${intent.model}@${target}.` });
  if (target === holder) throw new ModelregError('conflict', `${intent.model}@${target} already holds ${intent.stage}`);
  return stagePlan(intent, holder, target, ctx, intent.message ?? `Rollback ${intent.model} ${intent.stage} to ${target} (from ${holder})`);
}

function stagePlan(intent: PromoteIntent | RollbackIntent, previous: string | null, version: string, ctx: PlanContext, subject: string): Plan {
  const s: StageManifest = {
    model: intent.model,
    stage: intent.stage,
    version,
    moved_by: ctx.actor,
    moved_at: ctx.now,
    ...(intent.reason ? { reason: intent.reason } : {}),
    previous,
  };
  const file = { path: paths.stage(intent.model, intent.stage), text: manifestText('stage', s), exists: previous !== null };
  const ref = `${intent.model}@${version}`;
  return { intent: { ...intent, expectedHolder: previous }, files: [file], message: withTrailer(withBody(subject, intent.reason), intent.kind, ref), ref, previous };
}

function planUnassign(snap: Snapshot, intent: UnassignIntent): Plan {
  const entry = requireModel(snap, intent.model);
  requireStage(snap, intent.stage);
  const current = entry.stages.get(intent.stage);
  if (!current) throw new ModelregError('stage-not-held', `no version of ${intent.model} holds ${intent.stage}; there is nothing to unassign`);
  const holder = current.data.version;
  checkExpectedHolder(intent, holder);
  const ref = `${intent.model}@${holder}`;
  const subject = intent.message ?? `Unassign ${intent.model} ${intent.stage} (held by ${holder})`;
  return { intent: { ...intent, expectedHolder: holder }, files: [{ path: current.file, text: '', exists: true, delete: true }], message: withTrailer(withBody(subject, intent.reason), 'unassign', ref), ref, previous: holder };
}

function planDeprecate(snap: Snapshot, intent: DeprecateIntent, ctx: PlanContext): Plan {
  const entry = requireModel(snap, intent.model);
  const v = entry.versions.get(intent.version);
  const ref = `${intent.model}@${intent.version}`;
  if (!v) throw new ModelregError('version-not-found', `${intent.model} has no version ${intent.version}`);
  const data: VersionManifest = { ...v.data };
  if (intent.kind === 'deprecate') {
    if (v.data.deprecated) throw new ModelregError('conflict', `${ref} is already deprecated`);
    const held = [...entry.stages.values()].filter((s) => s.data.version === intent.version).map((s) => s.data.stage);
    if (held.length) {
      throw new ModelregError('rejected', `${ref} holds ${held.join(', ')} and cannot be deprecated`, { hint: `Promote another version to ${held.join(', ')} (or roll back) first.` });
    }
    data.deprecated = { at: ctx.now, by: ctx.actor, ...(intent.reason ? { reason: intent.reason } : {}) };
  } else {
    if (!v.data.deprecated) throw new ModelregError('conflict', `${ref} is not deprecated`);
    delete data.deprecated;
  }
  const subject = intent.message ?? `${intent.kind === 'deprecate' ? 'Deprecate' : 'Undeprecate'} ${ref}`;
  return { intent, files: [{ path: v.file, text: manifestText('version', data), exists: true }], message: withTrailer(withBody(subject, intent.reason), intent.kind, ref), ref };
}

function requireModel(snap: Snapshot, model: string) {
  const entry = snap.models.get(model);
  if (!entry || entry.versions.size === 0) throw new ModelregError('model-not-found', `no model named "${model}"`, { hint: 'Run `modelreg list` to see the models.' });
  return entry;
}

function requireStage(snap: Snapshot, stage: string): void {
  const stages = snap.policy!.data.stages.map((s) => s.name);
  if (!stages.includes(stage)) throw new ModelregError('usage', `"${stage}" is not a stage of this registry`, { hint: `Stages: ${stages.join(', ')}.`, exitCode: 1 });
}

function checkExpectedHolder(intent: PromoteIntent | RollbackIntent | UnassignIntent, holder: string | null): void {
  if (intent.expectedHolder !== undefined && intent.expectedHolder !== holder) {
    throw new ModelregError('conflict', `${intent.model}@${intent.stage} moved meanwhile: it was ${intent.expectedHolder ?? 'unassigned'}, it is now ${holder ?? 'unassigned'}`, {
      hint: 'Someone else changed this stage; check `modelreg history` and decide again.',
    });
  }
}

function withBody(subject: string, body: string | undefined): string {
  return body ? `${subject}\n\n${body}` : subject;
}

/** The trailer that marks modelreg's own commits: `git log` and crash recovery recognise them by it. */
export const CHANGE_TRAILER = 'Modelreg-Change';

function withTrailer(message: string, kind: Intent['kind'], ref: string): string {
  return `${message}\n\n${CHANGE_TRAILER}: ${kind} ${ref}`;
}

function describeRegistration(v: VersionManifest): string {
  const lines = [`${v.artifacts.length} artifact(s), ${v.artifacts.reduce((n, a) => n + a.size, 0)} bytes`];
  const m = Object.entries(v.metrics ?? {});
  if (m.length) lines.push(`metrics: ${m.map(([k, x]) => `${k}=${x}`).join(', ')}`);
  if (isPrerelease(v.version)) lines.push('pre-release');
  return lines.join('\n');
}
