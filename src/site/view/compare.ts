/**
 * Versions side by side — of one model, or of several (a fine-tune against its base): metrics with their
 * deltas against the first (the baseline; the same rounding as `modelreg compare`), which is better by the
 * policy's no_regression direction, and the params, tags and artifacts that differ. Pure.
 */
import { compareMetrics } from '../../registry/metrics.js';
import type { Selector } from '../../registry/refs.js';
import type { RegistryPolicy, Scalar, VersionManifest } from '../../registry/types.js';
import type { ModelLocal } from '../types.js';
import { isPrerelease } from '../../registry/versions.js';

export type Better = 'higher' | 'lower';
export type Verdict = 'better' | 'worse' | 'same' | null;

/** Each metric's direction from the policy's no_regression gates; a later stage (production) overrides an earlier one. */
export function metricDirections(policy: RegistryPolicy | null): Map<string, Better> {
  const out = new Map<string, Better>();
  for (const s of policy?.stages ?? []) for (const [m, g] of Object.entries(s.gates?.no_regression ?? {})) out.set(m, g.better);
  return out;
}

export interface CompareColumn {
  ref: string;
  version: VersionManifest;
}

export interface CompareTable {
  columns: string[];
  metrics: { name: string; values: (number | null)[]; deltas: (number | null)[]; better: Better | null; verdicts: Verdict[] }[];
  params: { name: string; values: (Scalar | undefined)[]; changed: boolean }[];
  /** Only the rows that differ (tags, artifacts by path, and framework/type), with how many were equal. */
  fields: { name: string; values: (string | undefined)[] }[];
  tags: { name: string; values: (string | undefined)[] }[];
  artifacts: { path: string; values: ({ sha256: string; size: number } | undefined)[] }[];
  sameTags: number;
  sameArtifacts: number;
}

export function compareTable(columns: CompareColumn[], policy: RegistryPolicy | null): CompareTable {
  const dirs = metricDirections(policy);
  const base = columns[0]?.version;
  const names = [...new Set(columns.flatMap((c) => Object.keys(c.version.metrics ?? {})))].sort();
  const pairs = columns.map((c) => new Map(compareMetrics(base?.metrics, c.version.metrics).map((r) => [r.name, r])));
  const metrics = names.map((name) => {
    const better = dirs.get(name) ?? null;
    const values = columns.map((c) => (c.version.metrics && Object.hasOwn(c.version.metrics, name) ? c.version.metrics[name]! : null));
    const deltas = pairs.map((p, i) => (i === 0 ? null : (p.get(name)?.delta ?? null)));
    const verdicts = deltas.map((d): Verdict =>
      d === null || better === null ? null : d === 0 ? 'same' : d > 0 === (better === 'higher') ? 'better' : 'worse',
    );
    return { name, values, deltas, better, verdicts };
  });
  const get = <T>(o: Record<string, T> | undefined, k: string): T | undefined => (o && Object.hasOwn(o, k) ? o[k] : undefined);
  const paramNames = [...new Set(columns.flatMap((c) => Object.keys(c.version.params ?? {})))].sort();
  const params = paramNames.map((name) => {
    const values = columns.map((c) => get(c.version.params, name));
    return { name, values, changed: values.some((v) => v !== values[0]) };
  });
  const differ = <T>(values: T[], eq: (a: T, b: T) => boolean) => values.some((v) => !eq(v, values[0]!));
  const fields = (['framework', 'type'] as const)
    .map((name) => ({ name, values: columns.map((c) => c.version[name]) }))
    .filter((f) => differ(f.values, (a, b) => a === b));
  const tagNames = [...new Set(columns.flatMap((c) => Object.keys(c.version.tags ?? {})))].sort();
  const allTags = tagNames.map((name) => ({ name, values: columns.map((c) => get(c.version.tags, name)) }));
  const tags = allTags.filter((t) => differ(t.values, (a, b) => a === b));
  const paths = [...new Set(columns.flatMap((c) => c.version.artifacts.map((a) => a.path)))].sort();
  const allArtifacts = paths.map((path) => ({
    path,
    values: columns.map((c) => {
      const a = c.version.artifacts.find((x) => x.path === path);
      return a ? { sha256: a.sha256, size: a.size } : undefined;
    }),
  }));
  const artifacts = allArtifacts.filter((a) => differ(a.values, (x, y) => x?.sha256 === y?.sha256 && x?.size === y?.size));
  return {
    columns: columns.map((c) => c.ref),
    metrics,
    params,
    fields,
    tags,
    artifacts,
    sameTags: allTags.length - tags.length,
    sameArtifacts: allArtifacts.length - artifacts.length,
  };
}

/** The percentage change of each metric against the baseline, per compared version: the compare chart's bars. */
export function relativeChanges(table: CompareTable): { metrics: string[]; series: { ref: string; values: (number | null)[] }[] } {
  const metrics = table.metrics.filter((m) => m.values[0] !== null && m.values[0] !== 0).map((m) => m.name);
  const rows = new Map(table.metrics.map((m) => [m.name, m]));
  return {
    metrics,
    series: table.columns.slice(1).map((ref, j) => ({
      ref,
      values: metrics.map((name) => {
        const m = rows.get(name)!;
        const d = m.deltas[j + 1];
        return d === null || d === undefined ? null : Number.parseFloat(((d / Math.abs(m.values[0]!)) * 100).toPrecision(6));
      }),
    })),
  };
}

/** A reference (name@1.2.0, name@production, name@latest) within a model's data; a reason when it names nothing there. */
export function resolveIn(local: ModelLocal, selector: Selector): VersionManifest | string {
  if (selector.kind === 'version') return local.versions.find((v) => v.version === selector.version) ?? `${local.name} has no version ${selector.version}`;
  if (selector.kind === 'stage') {
    const s = local.stages.find((x) => x.stage === selector.stage);
    if (!s) return `no version of ${local.name} holds ${selector.stage}`;
    return local.versions.find((v) => v.version === s.version) ?? `${local.name}@${selector.stage} names version ${s.version}, which does not exist`;
  }
  // As `name@latest` resolves everywhere: the greatest release that is not deprecated.
  return local.versions.find((v) => !v.deprecated && !isPrerelease(v.version)) ?? `${local.name} has no released, non-deprecated version`;
}
