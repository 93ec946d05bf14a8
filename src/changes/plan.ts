/**
 * Planning a write as data: given a snapshot and an intent, the files to write and the commit message.
 * Pure — no clock, no user lookup, no I/O (the caller passes `now` and `actor`) — so the same intent can
 * be re-planned on a newer snapshot when a push races someone else's, and tested with plain data.
 */
import semver from 'semver';
import { isDeepStrictEqual } from 'node:util';
import { ModelregError, modelNotFound } from '../registry/errors.js';
import { describeSplit, splitOf, weightIn } from '../registry/split.js';
import { paths, POLICY_FILE } from '../registry/layout.js';
import type { Loaded, Snapshot } from '../registry/snapshot.js';
import type { ArtifactEntry, Lineage, ModelManifest, Scalar, StageArm, StageManifest, VersionManifest } from '../registry/types.js';
import { compareVersions, isPrerelease, isValidVersion } from '../registry/versions.js';
import { manifestText } from './serialize.js';
import { armsOf, nextSplit, promotedSplit, type NextSplit } from './split-plan.js';

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
  /** The split seen when the user asked (null: none); a different one on re-plan is a conflict too. */
  expectedArms?: StageArm[] | null;
  /** Deprecate the version that moves out of the stage, in the same commit (MLflow's archive_existing_versions). */
  deprecatePrevious?: boolean;
  /** Split the stage: the version's share becomes this whole percentage (0 takes it out, 100 completes). */
  weight?: number;
  /** Split the stage: the version joins it as a shadow (a mirrored copy of the traffic, answering no one). */
  shadow?: boolean;
  message?: string;
}

export interface RollbackIntent {
  kind: 'rollback';
  model: string;
  stage: string;
  to?: string;
  reason?: string;
  expectedHolder?: string | null;
  expectedArms?: StageArm[] | null;
  message?: string;
}

export interface DeprecateIntent {
  kind: 'deprecate' | 'undeprecate';
  model: string;
  version: string;
  reason?: string;
  message?: string;
}

/** Deprecate, in one commit, every non-deprecated release older than the `keepLatest` greatest. */
export interface KeepLatestIntent {
  kind: 'keep-latest';
  model: string;
  keepLatest: number;
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

export type Intent = RegisterIntent | PromoteIntent | RollbackIntent | DeprecateIntent | KeepLatestIntent | UnassignIntent;

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
  /** Versions this change deprecates, and those it keeps that it otherwise would have, with why. */
  retired?: { deprecated: string[]; kept: { version: string; reason: string }[] };
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
    case 'keep-latest':
      return planKeepLatest(snap, intent, ctx);
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
    if (!isValidVersion(v))
      throw new ModelregError('usage', `"${intent.version}" is not a semantic version`, { hint: 'Use 1.2.0 or 2.0.0-rc.1 (no build metadata).' });
    if (existing.includes(v))
      throw new ModelregError('conflict', `${intent.model}@${v} already exists`, { hint: 'Versions are immutable; register a new one (e.g. --bump patch).' });
    if (greatest && compareVersions(v, greatest) < 0 && !intent.allowLower) {
      throw new ModelregError('precondition', `${v} is lower than ${intent.model}'s greatest version ${greatest}`, {
        hint: 'Pass --allow-lower for a hotfix line, or choose a greater version.',
      });
    }
    return v;
  }
  const bump = intent.bump ?? 'patch';
  if (!greatest) return bump === 'prerelease' ? `1.0.0-${intent.preid ?? 'rc'}.0` : '1.0.0';
  const next = bump === 'prerelease' ? semver.inc(greatest, 'prerelease', intent.preid ?? 'rc') : semver.inc(greatest, bump);
  if (!next) throw new ModelregError('rejected', `cannot bump ${greatest} by ${bump}`);
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
  return { intent, files, message: withTrailer(withBody(subject, intent.message, describeRegistration(v)), 'register', ref), ref };
}

function planPromote(snap: Snapshot, intent: PromoteIntent, ctx: PlanContext): Plan {
  const entry = requireModel(snap, intent.model);
  requireStage(snap, intent.stage);
  const v = entry.versions.get(intent.version);
  if (!v) throw new ModelregError('version-not-found', `${intent.model} has no version ${intent.version}`, { hint: `Run \`modelreg show ${intent.model}\`.` });
  if (v.data.deprecated)
    throw new ModelregError('rejected', `${intent.model}@${intent.version} is deprecated and cannot be promoted`, {
      hint: `Undeprecate it first: modelreg undeprecate ${intent.model}@${intent.version}`,
    });
  const current = entry.stages.get(intent.stage)?.data;
  const holder = current?.version ?? null;
  checkExpectedHolder(intent, current);
  const ref = `${intent.model}@${intent.version}`;
  if (intent.weight !== undefined || intent.shadow) {
    if (intent.weight !== undefined && intent.shadow) throw new ModelregError('usage', '--weight and --shadow are two different shares; give one');
    if (!current)
      throw new ModelregError('stage-not-held', `no version of ${intent.model} holds ${intent.stage}, so there is no split to join`, {
        hint: `Promote a first holder without --weight: modelreg promote ${ref} ${intent.stage}`,
      });
    const next = nextSplit(intent.model, intent.stage, current, intent.version, intent.shadow ? { shadow: true } : { weight: intent.weight! });
    const plan = stagePlan(intent, current, next, ctx, splitSubject(ref, intent.stage, current, next, intent.version));
    if (next.holder !== holder) return retirePrevious(snap, intent, plan, current, next, ctx);
    if (intent.deprecatePrevious)
      throw new ModelregError(
        'usage',
        `--deprecate-previous deprecates the holder a promotion replaces, and ${holder} stays the main holder of ${intent.stage}`,
        {
          hint: 'Give it with the step that completes the split (--weight 100).',
        },
      );
    return plan;
  }
  if (holder === intent.version)
    throw new ModelregError('conflict', `${ref} already holds ${intent.stage}${current?.arms ? ` (${describeSplit(current.arms)})` : ''}`, {
      ...(current?.arms ? { hint: `To end the split, roll back: modelreg rollback ${intent.model} ${intent.stage}` } : {}),
    });
  const next = promotedSplit(current, intent.version);
  const had = weightIn(splitOf(current), intent.version);
  const plan = stagePlan(intent, current, next, ctx, `Promote ${ref} to ${intent.stage}${had ? `, completing its split from ${had}%` : ''}`);
  return retirePrevious(snap, intent, plan, current, next, ctx);
}

/** The subject of a split move: what the version's share became. */
function splitSubject(ref: string, stage: string, current: StageManifest, next: NextSplit, version: string): string {
  const had = weightIn(splitOf(current), version);
  const has = weightIn(armsOf(next), version);
  if (next.arms?.some((a) => a.version === version && a.shadow)) return `Shadow ${ref} in ${stage}`;
  if (next.holder === version) return `Promote ${ref} to ${stage}, completing its split from ${had}%`;
  if (has === 0) return `Take ${ref} out of ${stage}'s split (from ${current.arms?.some((a) => a.version === version && a.shadow) ? 'a shadow' : `${had}%`})`;
  return `Promote ${ref} to ${stage} at ${has}%${had ? ` (from ${had}%)` : ''}`;
}

/** --deprecate-previous: the holder a promotion replaces is deprecated in the same commit, unless something still needs it. */
function retirePrevious(snap: Snapshot, intent: PromoteIntent, plan: Plan, current: StageManifest | undefined, next: NextSplit, ctx: PlanContext): Plan {
  const holder = current?.version ?? null;
  if (!intent.deprecatePrevious || holder === null) return plan;
  const entry = snap.models.get(intent.model)!;
  const needed = neededBy(snap, intent.model, { [intent.stage]: armsOf(next).map((a) => a.version) });
  const why = needed.get(holder);
  const old = entry.versions.get(holder);
  if (why || !old || old.data.deprecated)
    return {
      ...plan,
      retired: { deprecated: [], kept: [{ version: holder, reason: why ?? (old ? 'already deprecated' : 'its file is not in the registry') }] },
    };
  const file = deprecatedFile(old, ctx, whyOf(intent) ?? `replaced in ${intent.stage} by ${intent.version}`);
  return {
    ...plan,
    files: [...plan.files, file],
    message: plan.message.replace(/\n\nModelreg-Change: /, `\n\nDeprecates ${intent.model}@${holder}, which it replaces.\n\nModelreg-Change: `),
    retired: { deprecated: [holder], kept: [] },
  };
}

/**
 * Which versions of `model` something still needs, and why: those holding a stage (an arm of a split
 * holds it too), and the lineage ancestors (in any model) of every version holding a stage anywhere.
 * `moves` are the versions in a stage after the plan's change, seen as already made.
 */
function neededBy(snap: Snapshot, model: string, moves: Record<string, string[]> = {}): Map<string, string> {
  const why = new Map<string, string>();
  const holders: [string, string, string][] = []; // model, version, stage
  for (const m of snap.models.values()) {
    for (const st of m.stages.values()) {
      const inStage = m.name === model && moves[st.data.stage] ? moves[st.data.stage]! : splitOf(st.data).map((a) => a.version);
      for (const v of inStage) holders.push([m.name, v, st.data.stage]);
    }
  }
  for (const [stage, versions] of Object.entries(moves))
    if (!snap.models.get(model)?.stages.has(stage)) for (const v of versions) holders.push([model, v, stage]);
  for (const [m, v, stage] of holders) if (m === model && !why.has(v)) why.set(v, `holds ${stage}`);
  // Ancestors, transitively: production's base model must stay usable for as long as production is.
  for (const [m, v, stage] of holders) {
    const seen = new Set<string>();
    const walk = (name: string, version: string) => {
      for (const p of snap.models.get(name)?.versions.get(version)?.data.lineage?.parents ?? []) {
        const id = `${p.model}@${p.version}`;
        if (seen.has(id)) continue;
        seen.add(id);
        if (p.model === model && !why.has(p.version)) why.set(p.version, `is a lineage ancestor of ${m}@${v}, which holds ${stage}`);
        walk(p.model, p.version);
      }
    };
    walk(m, v);
  }
  return why;
}

function deprecatedFile(v: Loaded<VersionManifest>, ctx: PlanContext, reason: string | undefined): PlannedFile {
  const data: VersionManifest = { ...v.data, deprecated: { at: ctx.now, by: ctx.actor, ...(reason ? { reason } : {}) } };
  return { path: v.file, text: manifestText('version', data), exists: true };
}

function planKeepLatest(snap: Snapshot, intent: KeepLatestIntent, ctx: PlanContext): Plan {
  if (!Number.isInteger(intent.keepLatest) || intent.keepLatest < 1)
    throw new ModelregError('usage', `--keep-latest must be a whole number of 1 or more, not ${intent.keepLatest}`);
  const entry = requireModel(snap, intent.model);
  const releases = [...entry.versions.values()]
    .filter((v) => !v.data.deprecated && !isPrerelease(v.data.version))
    .sort((a, b) => compareVersions(b.data.version, a.data.version));
  const older = releases.slice(intent.keepLatest);
  const needed = neededBy(snap, intent.model);
  const kept = older.filter((v) => needed.has(v.data.version)).map((v) => ({ version: v.data.version, reason: needed.get(v.data.version)! }));
  const retire = older.filter((v) => !needed.has(v.data.version));
  const reason = whyOf(intent) ?? `keeping the latest ${intent.keepLatest} release(s)`;
  const files = retire.map((v) => deprecatedFile(v, ctx, reason));
  const subject = `Deprecate ${retire.length} version(s) of ${intent.model}, keeping the latest ${intent.keepLatest}`;
  const listed = [
    retire.length ? `deprecated: ${retire.map((v) => v.data.version).join(', ')}` : undefined,
    ...kept.map((k) => `kept ${k.version}: it ${k.reason}`),
  ]
    .filter(Boolean)
    .join('\n');
  return {
    intent,
    files,
    message: withTrailer(withBody(subject, intent.reason, intent.message, listed), 'keep-latest', intent.model),
    ref: intent.model,
    retired: { deprecated: retire.map((v) => v.data.version), kept },
  };
}

function planRollback(snap: Snapshot, intent: RollbackIntent, ctx: PlanContext): Plan {
  const entry = requireModel(snap, intent.model);
  requireStage(snap, intent.stage);
  const current = entry.stages.get(intent.stage);
  if (!current) throw new ModelregError('stage-not-held', `no version of ${intent.model} holds ${intent.stage}; there is nothing to roll back`);
  const holder = current.data.version;
  checkExpectedHolder(intent, current.data);
  // A split stage rolls back to its main holder alone: the split ends, its other arms and shadows with it.
  const split = current.data.arms;
  const target = intent.to?.replace(/^v/, '') ?? (split ? holder : (current.data.previous ?? undefined));
  if (!target)
    throw new ModelregError('precondition', `${intent.model}@${intent.stage} records no previous holder`, { hint: 'Name the version: --to <version>.' });
  const v = entry.versions.get(target);
  if (!v) throw new ModelregError('version-not-found', `${intent.model} has no version ${target}`);
  if (v.data.deprecated)
    throw new ModelregError('rejected', `${intent.model}@${target} is deprecated; a stage cannot go back to it`, {
      hint: `Choose another version with --to, or undeprecate ${intent.model}@${target}.`,
    });
  if (target === holder && !split) throw new ModelregError('conflict', `${intent.model}@${target} already holds ${intent.stage}`);
  const from = split ? describeSplit(split) : holder;
  return stagePlan(
    intent,
    current.data,
    { holder: target },
    ctx,
    `Rollback ${intent.model} ${intent.stage} to ${target}${split ? ' alone' : ''} (from ${from})`,
  );
}

/**
 * The audit trail records who, when and why: the why is `reason`, else the message the user gave (people
 * write `-m "Passed all validation tests"`). The subject always says what changed, so `git log --oneline`
 * and `history` read as a list of transitions.
 */
function whyOf(intent: { reason?: string; message?: string }): string | undefined {
  return intent.reason ?? intent.message;
}

/**
 * The stage file after a move to `next`. `previous` names the holder before the last change of holder:
 * the old holder when this move changes it, else what the file said (a split's steps keep it), so a
 * rollback after a completed canary goes back to the version the canary replaced.
 */
function stagePlan(intent: PromoteIntent | RollbackIntent, current: StageManifest | undefined, next: NextSplit, ctx: PlanContext, subject: string): Plan {
  const reason = whyOf(intent);
  const holder = current?.version ?? null;
  const s: StageManifest = {
    model: intent.model,
    stage: intent.stage,
    version: next.holder,
    moved_by: ctx.actor,
    moved_at: ctx.now,
    ...(reason ? { reason } : {}),
    previous: next.holder !== holder ? holder : (current?.previous ?? null),
    ...(next.arms ? { arms: next.arms } : {}),
  };
  const file = { path: paths.stage(intent.model, intent.stage), text: manifestText('stage', s), exists: current !== undefined };
  const ref = `${intent.model}@${intent.kind === 'promote' ? intent.version : next.holder}`;
  const split = current?.arms || next.arms ? `split: ${describeSplit(splitOf(s))} (was ${describeSplit(splitOf(current))})` : undefined;
  return {
    intent: { ...intent, expectedHolder: holder, expectedArms: current?.arms ?? null },
    files: [file],
    message: withTrailer(withBody(subject, reason, intent.reason ? intent.message : undefined, split), intent.kind, ref),
    ref,
    previous: holder,
  };
}

function planUnassign(snap: Snapshot, intent: UnassignIntent): Plan {
  const entry = requireModel(snap, intent.model);
  requireStage(snap, intent.stage);
  const current = entry.stages.get(intent.stage);
  if (!current) throw new ModelregError('stage-not-held', `no version of ${intent.model} holds ${intent.stage}; there is nothing to unassign`);
  const holder = current.data.version;
  checkExpectedHolder(intent, current.data);
  const ref = `${intent.model}@${holder}`;
  const subject = `Unassign ${intent.model} ${intent.stage} (held by ${holder})`;
  return {
    intent: { ...intent, expectedHolder: holder },
    files: [{ path: current.file, text: '', exists: true, delete: true }],
    message: withTrailer(withBody(subject, whyOf(intent), intent.reason ? intent.message : undefined), 'unassign', ref),
    ref,
    previous: holder,
  };
}

function planDeprecate(snap: Snapshot, intent: DeprecateIntent, ctx: PlanContext): Plan {
  const entry = requireModel(snap, intent.model);
  const v = entry.versions.get(intent.version);
  const ref = `${intent.model}@${intent.version}`;
  if (!v) throw new ModelregError('version-not-found', `${intent.model} has no version ${intent.version}`);
  const data: VersionManifest = { ...v.data };
  if (intent.kind === 'deprecate') {
    if (v.data.deprecated) throw new ModelregError('conflict', `${ref} is already deprecated`);
    const held = [...entry.stages.values()].filter((s) => splitOf(s.data).some((a) => a.version === intent.version)).map((s) => s.data.stage);
    if (held.length) {
      throw new ModelregError('rejected', `${ref} holds ${held.join(', ')} and cannot be deprecated`, {
        hint: `Promote another version to ${held.join(', ')} (or roll back) first.`,
      });
    }
    const reason = whyOf(intent);
    data.deprecated = { at: ctx.now, by: ctx.actor, ...(reason ? { reason } : {}) };
  } else {
    if (!v.data.deprecated) throw new ModelregError('conflict', `${ref} is not deprecated`);
    delete data.deprecated;
  }
  const subject = `${intent.kind === 'deprecate' ? 'Deprecate' : 'Undeprecate'} ${ref}`;
  const body = intent.kind === 'deprecate' ? [whyOf(intent), intent.reason ? intent.message : undefined] : [intent.reason, intent.message];
  return {
    intent,
    files: [{ path: v.file, text: manifestText('version', data), exists: true }],
    message: withTrailer(withBody(subject, ...body), intent.kind, ref),
    ref,
  };
}

function requireModel(snap: Snapshot, model: string) {
  const entry = snap.models.get(model);
  if (!entry || entry.versions.size === 0) throw modelNotFound(model);
  return entry;
}

function requireStage(snap: Snapshot, stage: string): void {
  const stages = snap.policy!.data.stages.map((s) => s.name);
  if (!stages.includes(stage))
    throw new ModelregError('stage-not-found', `"${stage}" is not a stage of this registry`, { hint: `Stages: ${stages.join(', ')}.` });
}

function checkExpectedHolder(intent: PromoteIntent | RollbackIntent | UnassignIntent, current: StageManifest | undefined): void {
  const holder = current?.version ?? null;
  if (intent.expectedHolder !== undefined && intent.expectedHolder !== holder) {
    throw new ModelregError(
      'conflict',
      `${intent.model}@${intent.stage} moved meanwhile: it was ${intent.expectedHolder ?? 'unassigned'}, it is now ${holder ?? 'unassigned'}`,
      {
        hint: 'Someone else changed this stage; check `modelreg history` and decide again.',
      },
    );
  }
  if ('expectedArms' in intent && intent.expectedArms !== undefined && !isDeepStrictEqual(intent.expectedArms, current?.arms ?? null)) {
    const was = intent.expectedArms ? describeSplit(intent.expectedArms) : `${intent.expectedHolder ?? holder} alone`;
    throw new ModelregError(
      'conflict',
      `${intent.model}@${intent.stage}'s split changed meanwhile: it was ${was}, it is now ${describeSplit(splitOf(current))}`,
      {
        hint: 'Someone else changed this stage; check `modelreg history` and decide again.',
      },
    );
  }
}

/** The subject, then each non-empty paragraph of the body. */
function withBody(subject: string, ...paragraphs: (string | undefined)[]): string {
  return [subject, ...paragraphs.filter((p): p is string => !!p)].join('\n\n');
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
