/**
 * A model page as data: its versions table, a series per metric across versions with the stage
 * holders marked, and the stage timeline from the history — who moved which version into which stage,
 * when, why and through which pull request — with the holders on any day. Pure.
 */
import { isPrerelease } from '../../registry/versions.js';
import type { HistoryCommit as SiteCommit } from '../../registry/history.js';
import type { ModelLocal, SiteHistory } from '../types.js';

export interface VersionRow {
  version: string;
  created_at: string;
  created_by: string;
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

/** The versions, newest first, with the stages each holds. */
export function versionRows(local: ModelLocal, policyStages: string[]): VersionRow[] {
  const order = orderedStages(policyStages, local.stages.map((s) => s.stage));
  const held = new Map<string, string[]>();
  for (const s of local.stages) held.set(s.version, [...(held.get(s.version) ?? []), s.stage]);
  return local.versions.map((v) => ({
    version: v.version,
    created_at: v.created_at,
    created_by: v.created_by,
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
  const stages = orderedStages(policyStages, local.stages.map((s) => s.stage));
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
  movedBy?: string;
  reason?: string;
  commit: SiteCommit;
}

export interface StageMove {
  stage: string;
  kind: 'promoted' | 'rolled-back' | 'stage-removed';
  version: string | null;
  previous: string | null;
  movedBy?: string;
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

export function stageTimeline(history: SiteHistory, policyStages: string[]): StageTimeline {
  const moves: StageMove[] = [];
  for (const e of history.events) {
    if ((e.kind !== 'promoted' && e.kind !== 'rolled-back' && e.kind !== 'stage-removed') || !e.stage) continue;
    moves.push({
      stage: e.stage,
      kind: e.kind,
      version: e.kind === 'stage-removed' ? null : (e.version ?? null),
      previous: e.previous ?? null,
      ...(e.movedBy !== undefined ? { movedBy: e.movedBy } : {}),
      ...(e.reason !== undefined ? { reason: e.reason } : {}),
      commit: history.commits[e.c]!,
    });
  }
  const stages = orderedStages(policyStages, moves.map((m) => m.stage));
  const intervals: StageInterval[] = [];
  for (const stage of stages) {
    let open: StageInterval | undefined;
    for (const m of [...moves].reverse()) {
      if (m.stage !== stage) continue;
      if (open) open.to = m.commit.date;
      open = undefined;
      if (m.kind !== 'stage-removed' && m.version) {
        open = { stage, version: m.version, from: m.commit.date, to: null, kind: m.kind, previous: m.previous, ...(m.movedBy !== undefined ? { movedBy: m.movedBy } : {}), ...(m.reason !== undefined ? { reason: m.reason } : {}), commit: m.commit };
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
