/**
 * What `list` needs of each model, as small plain data. A model's facts depend only on its own files,
 * so they can be kept beside a digest of those files (see src/cache/facts-cache.ts) and reused until a
 * file of the model changes; the policy's stage order is applied when answering, not stored.
 */
import { latestVersion, orderStages } from './refs.js';
import type { ModelEntry, Snapshot } from './assemble.js';

export interface ModelFacts {
  name: string;
  description: string | null;
  owners: string[];
  task: string | null;
  tags: Record<string, string>;
  versions: number;
  latest: string | null;
  /** The latest version's tags (a --tag filter matches them too). */
  latestTags: Record<string, string>;
  frameworks: string[];
  /** Stage → version holding it, unordered. */
  stages: Record<string, string>;
}

export interface ModelSummary extends Omit<ModelFacts, 'latestTags'> {
  /** Stage → version holding it, in policy order. */
  stages: Record<string, string>;
}

export interface ListFilters {
  stage?: string;
  tags?: Record<string, string>;
  framework?: string;
  owner?: string;
}

export function modelFacts(m: ModelEntry): ModelFacts {
  const latest = latestVersion(m, false) ?? latestVersion(m, true);
  const manifest = m.manifest?.data;
  return {
    name: m.name,
    description: manifest?.description ?? null,
    owners: manifest?.owners ?? [],
    task: manifest?.task ?? null,
    tags: manifest?.tags ?? {},
    versions: m.versions.size,
    latest: latest?.data.version ?? null,
    latestTags: latest?.data.tags ?? {},
    frameworks: [...new Set([...m.versions.values()].map((v) => v.data.framework).filter((f): f is string => !!f))].sort(),
    stages: Object.fromEntries([...m.stages].map(([stage, s]) => [stage, s.data.version])),
  };
}

/** The models that pass the filters, by name, with their stages in the policy's order. */
export function listModels(facts: Iterable<ModelFacts>, policy: Pick<Snapshot, 'policy'>, filters: ListFilters = {}): ModelSummary[] {
  const out: ModelSummary[] = [];
  for (const f of [...facts].sort((a, b) => a.name.localeCompare(b.name))) {
    if (filters.stage && !Object.hasOwn(f.stages, filters.stage)) continue;
    if (filters.owner && !f.owners.includes(filters.owner)) continue;
    if (filters.framework && !f.frameworks.includes(filters.framework)) continue;
    if (filters.tags) {
      const tags = { ...f.latestTags, ...f.tags };
      if (!Object.entries(filters.tags).every(([k, v]) => Object.hasOwn(tags, k) && tags[k] === v)) continue;
    }
    const { latestTags: _, ...rest } = f;
    out.push({ ...rest, stages: Object.fromEntries(orderStages(policy, Object.keys(f.stages)).map((s) => [s, f.stages[s]!])) });
  }
  return out;
}
