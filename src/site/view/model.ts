/**
 * A model page as data: its versions table, a series per metric across versions with the stage
 * holders marked, and the stage timeline from the history — who moved which version into which stage,
 * when, why and through which pull request — with the holders on any day. Pure.
 */
import { isPrerelease } from '../../registry/versions.js';
import type { HistoryCommit as SiteCommit } from '../../registry/history.js';
import { attribute, type Attribution, type GitFact } from '../../registry/provenance.js';
import type { ModelLocal, SiteHistory } from '../types.js';

export interface VersionRow {
  version: string;
  /** Who registered it and when: the commit that added it, with the manifest's created_by/at beside where they differ. */
  registered: Attribution;
  framework: string | null;
  type: string | null;
  /** Stages it holds, in policy order. */
  stages: string[];
  deprecated: boolean;
  prerelease: boolean;
  metrics: Record<string, number>;
}

/** Stage names in the policy's order, then any others (a stage file the policy does not know) by name. */
export function orderedStages(policyStages: string[], present: Iterable<string>): string[] {
  const extra = [...new Set(present)].filter((s) => !policyStages.includes(s)).sort();
  return [...policyStages, ...extra];
}

const factOf = (c: SiteCommit): GitFact => ({ name: c.author, email: c.email, date: c.date });

/**
 * The commit of each version's registration, and of each deprecation: the Git facts that who-and-when is
 * shown from. The newest event wins (a version deleted and registered again is its last registration).
 */
export function gitFacts(history: SiteHistory): { registered: Map<string, GitFact>; deprecated: Map<string, GitFact> } {
  const registered = new Map<string, GitFact>();
  const deprecated = new Map<string, GitFact>();
  for (const e of history.events) {
    const into = e.kind === 'registered' ? registered : e.kind === 'deprecated' ? deprecated : undefined;
    if (into && e.version !== undefined && !into.has(e.version)) into.set(e.version, factOf(history.commits[e.c]!));
  }
  return { registered, deprecated };
}

/** The versions, newest first, with the stages each holds; `registered` from gitFacts of the model's history. */
export function versionRows(local: ModelLocal, policyStages: string[], registered: ReadonlyMap<string, GitFact>): VersionRow[] {
  const order = orderedStages(
    policyStages,
    local.stages.map((s) => s.stage),
  );
  const held = new Map<string, string[]>();
  for (const s of local.stages) held.set(s.version, [...(held.get(s.version) ?? []), s.stage]);
  return local.versions.map((v) => ({
    version: v.version,
    registered: attribute(registered.get(v.version), { by: v.created_by, at: v.created_at }),
    framework: v.framework ?? null,
    type: v.type ?? null,
    stages: (held.get(v.version) ?? []).sort((a, b) => order.indexOf(a) - order.indexOf(b)),
    deprecated: !!v.deprecated,
    prerelease: isPrerelease(v.version),
    metrics: v.metrics ?? {},
  }));
}

/** Every metric any version records, by name. */
export function metricNames(local: ModelLocal): string[] {
  const names = new Set<string>();
  for (const v of local.versions) for (const k of Object.keys(v.metrics ?? {})) names.add(k);
  return [...names].sort();
}

export interface MetricSeries {
  metric: string;
  /** Oldest first: the chart's x axis. */
  versions: string[];
  values: (number | null)[];
  /** Where each stage's holder sits on the x axis. */
  holders: { stage: string; version: string; index: number; value: number | null }[];
}

export function metricSeries(local: ModelLocal, policyStages: string[]): MetricSeries[] {
  const versions = [...local.versions].reverse();
  const index = new Map(versions.map((v, i) => [v.version, i]));
  const stages = orderedStages(
    policyStages,
    local.stages.map((s) => s.stage),
  );
  const byStage = new Map(local.stages.map((s) => [s.stage, s.version]));
  return metricNames(local).map((metric) => {
    const values = versions.map((v) => (v.metrics && Object.hasOwn(v.metrics, metric) ? v.metrics[metric]! : null));
    const holders = stages.flatMap((stage) => {
      const version = byStage.get(stage);
      const i = version === undefined ? undefined : index.get(version);
      return version !== undefined && i !== undefined ? [{ stage, version, index: i, value: values[i] ?? null }] : [];
    });
    return { metric, versions: versions.map((v) => v.version), values, holders };
  });
}

/** One stay of a version in a stage, from the commit that moved it there to the one that moved it on (or now). */
export interface StageInterval {
  stage: string;
  version: string;
  from: string;
  to: string | null;
  kind: 'promoted' | 'rolled-back';
  previous: string | null;
  /** Who and when the stage file says, only where it differs from the commit (registry/provenance.ts). */
  claimedBy?: string;
  claimedAt?: string;
  reason?: string;
  commit: SiteCommit;
}

export interface StageMove {
  stage: string;
  kind: 'promoted' | 'rolled-back' | 'stage-removed';
  version: string | null;
  previous: string | null;
  /** Who and when the stage file says, only where it differs from the commit (registry/provenance.ts). */
  claimedBy?: string;
  claimedAt?: string;
  reason?: string;
  commit: SiteCommit;
}

export interface StageTimeline {
  stages: string[];
  /** Oldest first within each stage. */
  intervals: StageInterval[];
  /** Every move, newest first. */
  moves: StageMove[];
}

const claimsOf = (m: { claimedBy?: string; claimedAt?: string }) => ({
  ...(m.claimedBy !== undefined ? { claimedBy: m.claimedBy } : {}),
  ...(m.claimedAt !== undefined ? { claimedAt: m.claimedAt } : {}),
});

/** Who moved a stage and when, as the timeline's commit says, with the stage file's claim where it differs. */
export function moveAttribution(m: { claimedBy?: string; claimedAt?: string; commit: SiteCommit }): Attribution {
  return { by: m.commit.author, email: m.commit.email, at: m.commit.date, ...claimsOf(m), fromGit: true };
}

/**
 * The current holder of each stage with who moved it there and when: from the commit of its last move
 * when the history has it, else the stage file's own fields (an uncommitted move).
 */
export function holderAttribution(t: StageTimeline, holder: { stage: string; version: string; moved_by: string; moved_at: string }): Attribution {
  const open = t.intervals.find((i) => i.stage === holder.stage && i.to === null && i.version === holder.version);
  return open ? moveAttribution(open) : attribute(undefined, { by: holder.moved_by, at: holder.moved_at });
}

export function stageTimeline(history: SiteHistory, policyStages: string[]): StageTimeline {
  const moves: StageMove[] = [];
  for (const e of history.events) {
    if ((e.kind !== 'promoted' && e.kind !== 'rolled-back' && e.kind !== 'stage-removed') || !e.stage) continue;
    moves.push({
      stage: e.stage,
      kind: e.kind,
      version: e.kind === 'stage-removed' ? null : (e.version ?? null),
      previous: e.previous ?? null,
      ...(e.claimedBy !== undefined ? { claimedBy: e.claimedBy } : {}),
      ...(e.claimedAt !== undefined ? { claimedAt: e.claimedAt } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      commit: history.commits[e.c]!,
    });
  }
  const stages = orderedStages(
    policyStages,
    moves.map((m) => m.stage),
  );
  const intervals: StageInterval[] = [];
  for (const stage of stages) {
    let open: StageInterval | undefined;
    for (const m of [...moves].reverse()) {
      if (m.stage !== stage) continue;
      if (open) open.to = m.commit.date;
      open = undefined;
      if (m.kind !== 'stage-removed' && m.version) {
        open = {
          stage,
          version: m.version,
          from: m.commit.date,
          to: null,
          kind: m.kind,
          previous: m.previous,
          ...claimsOf(m),
          ...(m.reason !== undefined ? { reason: m.reason } : {}),
          commit: m.commit,
        };
        intervals.push(open);
      }
    }
  }
  return { stages, intervals, moves };
}

export interface HoldersOnDay {
  stage: string;
  /** The version holding the stage at the end of the day (UTC), or null. */
  version: string | null;
  since: string | null;
  /** Moves of this stage during the day, oldest first. */
  changes: StageInterval[];
}

/** What held each stage on a day (YYYY-MM-DD): the holder at the day's end, and the moves during it. */
export function holdersOn(t: StageTimeline, day: string): HoldersOnDay[] {
  const start = Date.parse(`${day}T00:00:00.000Z`);
  const end = Date.parse(`${day}T23:59:59.999Z`);
  return t.stages.map((stage) => {
    const mine = t.intervals.filter((i) => i.stage === stage);
    const at = mine.find((i) => Date.parse(i.from) <= end && (i.to === null || Date.parse(i.to) > end));
    const changes = mine.filter((i) => Date.parse(i.from) >= start && Date.parse(i.from) <= end);
    return { stage, version: at?.version ?? null, since: at?.from ?? null, changes };
  });
}

/** `name@latest`: the greatest release not deprecated, else the greatest pre-release not deprecated (as `list` reports it). */
export function latestOf(local: ModelLocal): ModelLocal['versions'][number] | undefined {
  const usable = local.versions.filter((v) => !v.deprecated);
  return usable.find((v) => !isPrerelease(v.version)) ?? usable[0];
}
