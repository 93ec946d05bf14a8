/**
 * A modelreg registry as MLflow's model registry sees it (docs/mlflow.md), computed once per Git
 * revision from plain data and answered from memory. Pure: no I/O, no clock.
 *
 * - A model is a registered model; a version is a model version whose MLflow number is its place in the
 *   model's registration order (1, 2, 3 …, kept when later versions are added; an imported version keeps
 *   the number MLflow gave it, recorded in its `mlflow.version` tag), with the semver in the tag
 *   `modelreg.version`.
 * - Every modelreg stage a version holds is an alias of the same name. MLflow's legacy stages are derived:
 *   `Production` or `Staging` when the version holds the modelreg stage of that name, `Archived` when it
 *   is deprecated, else `None`.
 * - Timestamps are milliseconds since the epoch from the manifests (`created_at`, `moved_at`,
 *   `deprecated.at`); `user_id` is `created_by`.
 */
import type { ModelManifest, StageManifest, VersionManifest } from '../registry/types.js';
import { invalid, notFound } from './errors.js';
import { matches, parseFilter, type FilterSubject } from './filter.js';

export interface Tag {
  key: string;
  value: string;
}

/** MLflow's ModelVersion message as its REST API writes it (mlflow/protos/model_registry.proto). */
export interface MlflowModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  current_stage: LegacyStage;
  description: string;
  source: string;
  run_id: string;
  status: 'READY';
  tags: Tag[];
  aliases: string[];
}

export interface MlflowRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id: string;
  description: string;
  latest_versions: MlflowModelVersion[];
  tags: Tag[];
  aliases: { alias: string; version: string }[];
}

export type LegacyStage = 'None' | 'Staging' | 'Production' | 'Archived';
export const LEGACY_STAGES: readonly LegacyStage[] = ['None', 'Staging', 'Production', 'Archived'];

/** Tags modelreg writes and reads for the mapping; `mlflow.run_id` becomes `run_id`, not a tag. */
export const SEMVER_TAG = 'modelreg.version';
export const MLFLOW_VERSION_TAG = 'mlflow.version';
export const RUN_ID_TAG = 'mlflow.run_id';
export const SOURCE_TAG = 'mlflow.source';
const HIDDEN_TAGS = new Set([RUN_ID_TAG, MLFLOW_VERSION_TAG, SOURCE_TAG]);

/** One model as the edges read it: its manifests, and its versions in the order they were registered. */
export interface ModelInput {
  name: string;
  manifest: ModelManifest | null;
  /** Oldest registration first (Git history order). */
  versions: VersionManifest[];
  stages: StageManifest[];
}

/**
 * Every object of the index is frozen: answers share them (and a server may cache each one's JSON by
 * identity), so none may change after the index is built.
 */
export interface IndexedModel {
  /** The registered model with its latest versions: what get and search answer. */
  registered: MlflowRegisteredModel;
  /** Tags as a record, for filters. */
  tags: Record<string, string>;
  /** By MLflow version number. */
  versions: Map<number, MlflowModelVersion>;
  /** Each version's tags as a record, for filters. */
  versionTags: Map<number, Record<string, string>>;
  bySemver: Map<string, number>;
  semverOf: Map<number, string>;
  /** Alias (a modelreg stage) → version number. */
  aliases: Map<string, number>;
  /** Latest version of each legacy stage (MLflow's `latest_versions`). */
  latest: MlflowModelVersion[];
}

export interface MlflowIndex {
  models: Map<string, IndexedModel>;
  /** Model names, sorted. */
  names: string[];
}

const ms = (iso: string | undefined): number => {
  const t = iso === undefined ? NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : 0;
};

const tagList = (tags: Record<string, string> | undefined, extra: Tag[] = []): Tag[] =>
  [
    ...Object.entries(tags ?? {})
      .filter(([k]) => !HIDDEN_TAGS.has(k))
      .map(([key, value]) => ({ key, value })),
    ...extra,
  ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/**
 * MLflow numbers for versions in registration order: a recorded `mlflow.version` (an import) is kept when
 * it is greater than every number before it; otherwise the next number.
 */
export function numberVersions(versions: readonly Pick<VersionManifest, 'version' | 'tags'>[]): Map<string, number> {
  const out = new Map<string, number>();
  let last = 0;
  for (const v of versions) {
    const recorded = Number(v.tags?.[MLFLOW_VERSION_TAG]);
    const n = Number.isSafeInteger(recorded) && recorded > last ? recorded : last + 1;
    out.set(v.version, n);
    last = n;
  }
  return out;
}

export function legacyStage(held: readonly string[], deprecated: boolean): LegacyStage {
  if (held.includes('production')) return 'Production';
  if (held.includes('staging')) return 'Staging';
  return deprecated ? 'Archived' : 'None';
}

export interface IndexOptions {
  /** The artifact URI of a version: where MLflow clients download it from (the edge knows its own address). */
  artifactUri: (model: string, semver: string) => string;
}

export function buildIndex(models: Iterable<ModelInput>, options: IndexOptions): MlflowIndex {
  const out = new Map<string, IndexedModel>();
  for (const m of models) out.set(m.name, indexModel(m, options));
  return { models: out, names: [...out.keys()].sort() };
}

function indexModel(m: ModelInput, options: IndexOptions): IndexedModel {
  const numbers = numberVersions(m.versions);
  const heldBy = new Map<string, StageManifest[]>();
  for (const s of m.stages) heldBy.set(s.version, [...(heldBy.get(s.version) ?? []), s]);
  const versions = new Map<number, MlflowModelVersion>();
  const bySemver = new Map<string, number>();
  const semverOf = new Map<number, string>();
  for (const v of m.versions) {
    const n = numbers.get(v.version)!;
    const held = heldBy.get(v.version) ?? [];
    const stageNames = held.map((s) => s.stage).sort();
    const created = ms(v.created_at);
    const updated = Math.max(created, ms(v.deprecated?.at), ...held.map((s) => ms(s.moved_at)));
    versions.set(
      n,
      Object.freeze({
        name: m.name,
        version: String(n),
        creation_timestamp: created,
        last_updated_timestamp: updated,
        user_id: v.created_by,
        current_stage: legacyStage(stageNames, !!v.deprecated),
        description: v.description ?? '',
        source: options.artifactUri(m.name, v.version),
        run_id: v.tags?.[RUN_ID_TAG] ?? '',
        status: 'READY',
        tags: tagList(v.tags, [{ key: SEMVER_TAG, value: v.version }]),
        aliases: stageNames,
      }),
    );
    bySemver.set(v.version, n);
    semverOf.set(n, v.version);
  }
  const aliases = new Map<string, number>();
  for (const s of m.stages) {
    const n = bySemver.get(s.version);
    if (n !== undefined) aliases.set(s.stage, n);
  }
  const all = [...versions.values()];
  const latest: MlflowModelVersion[] = [];
  for (const stage of LEGACY_STAGES) {
    const best = maxBy(all.filter((v) => v.current_stage === stage));
    if (best) latest.push(best);
  }
  const first = versions.get(Math.min(...versions.keys()));
  const created = all.length ? Math.min(...all.map((v) => v.creation_timestamp)) : 0;
  const updated = Math.max(created, ...all.map((v) => v.last_updated_timestamp));
  const tags = tagList(m.manifest?.tags);
  return {
    registered: Object.freeze({
      name: m.name,
      creation_timestamp: created,
      last_updated_timestamp: updated,
      user_id: first?.user_id ?? m.manifest?.owners[0] ?? '',
      description: m.manifest?.description ?? '',
      latest_versions: Object.freeze(latest) as MlflowModelVersion[],
      tags,
      aliases: [...aliases].sort(([a], [b]) => (a < b ? -1 : 1)).map(([alias, n]) => ({ alias, version: String(n) })),
    }),
    tags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
    versions,
    versionTags: new Map([...versions].map(([n, v]) => [n, Object.fromEntries(v.tags.map((t) => [t.key, t.value]))])),
    bySemver,
    semverOf,
    aliases,
    latest,
  };
}

/** `index` with these models indexed again and those removed: what a new revision changed, the rest shared. */
export function updateIndex(index: MlflowIndex, changed: Iterable<ModelInput>, removed: Iterable<string>, options: IndexOptions): MlflowIndex {
  const models = new Map(index.models);
  for (const name of removed) models.delete(name);
  for (const m of changed) models.set(m.name, indexModel(m, options));
  return { models, names: [...models.keys()].sort() };
}

const maxBy = (vs: MlflowModelVersion[]): MlflowModelVersion | undefined =>
  vs.reduce<MlflowModelVersion | undefined>((best, v) => (!best || Number(v.version) > Number(best.version) ? v : best), undefined);

// ---------------------------------------------------------------------------------------------------
// The read endpoints, as functions of the index and the request's parameters.

export function requireModel(index: MlflowIndex, name: string | undefined): IndexedModel {
  if (!name) throw invalid("Missing value for required parameter 'name'. See the API docs for more information about request parameters.");
  const m = index.models.get(name);
  if (!m) throw notFound(`Registered Model with name=${name} not found`);
  return m;
}

export function getRegisteredModel(index: MlflowIndex, name: string | undefined): { registered_model: MlflowRegisteredModel } {
  const m = requireModel(index, name);
  return { registered_model: m.registered };
}

/** `version` is MLflow's integer; a semver (`1.2.0`) is accepted too. */
export function getModelVersion(index: MlflowIndex, name: string | undefined, version: string | undefined): MlflowModelVersion {
  const m = requireModel(index, name);
  if (!version) throw invalid("Missing value for required parameter 'version'. See the API docs for more information about request parameters.");
  const n = /^\d+$/.test(version) ? Number(version) : m.bySemver.get(version.replace(/^v/, ''));
  const v = n === undefined ? undefined : m.versions.get(n);
  if (!v) {
    if (n === undefined && !/^v?\d+\.\d+\.\d+/.test(version)) throw invalid(`Parameter 'version' must be an integer, got '${version}'.`);
    throw notFound(`Model Version (name=${name}, version=${version}) not found`);
  }
  return v;
}

/**
 * `get-latest-versions`: for each stage asked (case-insensitive), the latest version in it. A name that
 * is one of this registry's stages answers that stage's holder; MLflow's legacy names answer the derived
 * `current_stage`. No stages: the latest of each legacy stage, as MLflow does.
 */
export function getLatestVersions(
  index: MlflowIndex,
  name: string | undefined,
  stages: readonly string[] | undefined,
  registryStages: readonly string[],
): MlflowModelVersion[] {
  const m = requireModel(index, name);
  if (!stages || stages.length === 0) return m.latest;
  const out = new Map<string, MlflowModelVersion>();
  for (const asked of stages) {
    const s = asked.toLowerCase();
    if (registryStages.includes(s)) {
      const n = m.aliases.get(s);
      if (n !== undefined) out.set(String(n), m.versions.get(n)!);
      continue;
    }
    const legacy = LEGACY_STAGES.find((x) => x.toLowerCase() === s);
    if (!legacy) throw invalid(`Invalid Model Version stage: ${asked}. Value must be one of ${[...LEGACY_STAGES, ...registryStages].join(', ')}.`);
    const best = m.latest.find((v) => v.current_stage === legacy);
    if (best) out.set(best.version, best);
  }
  return [...out.values()].sort((a, b) => Number(a.version) - Number(b.version));
}

export function getByAlias(index: MlflowIndex, name: string | undefined, alias: string | undefined): MlflowModelVersion {
  const m = requireModel(index, name);
  if (!alias) throw invalid('Registered model alias name cannot be empty.');
  if (alias.toLowerCase() === 'latest') {
    const best = maxBy(m.latest);
    if (!best) throw notFound(`Latest version not found for model ${name}.`);
    return best;
  }
  const n = m.aliases.get(alias) ?? m.aliases.get(alias.toLowerCase());
  if (n === undefined) throw notFound(`Registered model alias ${alias} not found.`);
  return m.versions.get(n)!;
}

export function downloadUri(index: MlflowIndex, name: string | undefined, version: string | undefined): { artifact_uri: string } {
  return { artifact_uri: getModelVersion(index, name, version).source };
}

// ---------------------------------------------------------------------------------------------------
// Search: filter, order, page.

export interface SearchRequest {
  filter?: string;
  maxResults?: string | number;
  orderBy?: string[];
  pageToken?: string;
}

const MAX_RESULTS = { 'registered-models': 1000, 'model-versions': 200_000 } as const;
const DEFAULT_RESULTS = { 'registered-models': 100, 'model-versions': 10_000 } as const;

function pageOf<T>(items: T[], req: SearchRequest, target: keyof typeof MAX_RESULTS): { items: T[]; next?: string } {
  const max = req.maxResults === undefined || req.maxResults === '' ? DEFAULT_RESULTS[target] : Number(req.maxResults);
  if (!Number.isSafeInteger(max) || max < 1 || max > MAX_RESULTS[target]) {
    throw invalid(`Invalid value for max_results. It must be a positive integer at most ${MAX_RESULTS[target]}, got ${String(req.maxResults)}.`);
  }
  const offset = req.pageToken ? decodeToken(req.pageToken) : 0;
  const slice = items.slice(offset, offset + max);
  return offset + max < items.length ? { items: slice, next: encodeToken(offset + max) } : { items: slice };
}

/** MLflow's page tokens are base64 JSON `{"offset": N}`; so are these. */
export function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

export function decodeToken(token: string): number {
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }).offset;
  } catch {
    offset = undefined;
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw invalid('Invalid page token, could not base64-decode');
  return offset;
}

type OrderKey = 'name' | 'creation_timestamp' | 'last_updated_timestamp' | 'version_number';

function parseOrderBy(orderBy: string[] | undefined, allowed: OrderKey[]): { key: OrderKey; desc: boolean }[] {
  return (orderBy ?? []).map((clause) => {
    const m = /^\s*(?:`([^`]+)`|([A-Za-z_.]+))\s*(ASC|DESC)?\s*$/i.exec(clause);
    let key = (m?.[1] ?? m?.[2] ?? '').toLowerCase();
    if (key === 'timestamp') key = 'creation_timestamp';
    if (!m || !allowed.includes(key as OrderKey))
      throw invalid(`Invalid order_by clause '${clause}'. Only ${allowed.join(', ')} are supported, optionally followed by ASC or DESC.`);
    return { key: key as OrderKey, desc: (m[3] ?? 'ASC').toUpperCase() === 'DESC' };
  });
}

function sorter<T>(order: { key: OrderKey; desc: boolean }[], get: (item: T, key: OrderKey) => string | number): (a: T, b: T) => number {
  return (a, b) => {
    for (const { key, desc } of order) {
      const x = get(a, key);
      const y = get(b, key);
      if (x !== y) return (x < y ? -1 : 1) * (desc ? -1 : 1);
    }
    return 0;
  };
}

export function searchRegisteredModels(index: MlflowIndex, req: SearchRequest): { registered_models: MlflowRegisteredModel[]; next_page_token?: string } {
  const filter = parseFilter(req.filter, 'registered-models');
  const order = [...parseOrderBy(req.orderBy, ['name', 'creation_timestamp', 'last_updated_timestamp']), { key: 'name' as const, desc: false }];
  const hits: MlflowRegisteredModel[] = [];
  for (const name of index.names) {
    const m = index.models.get(name)!;
    if (matches(filter, { name, tags: m.tags })) hits.push(m.registered);
  }
  if (order.length > 1) hits.sort(sorter(order, (r, k) => (k === 'name' ? r.name : r[k as 'creation_timestamp'])));
  const page = pageOf(hits, req, 'registered-models');
  return { registered_models: page.items, ...(page.next ? { next_page_token: page.next } : {}) };
}

export function searchModelVersions(index: MlflowIndex, req: SearchRequest): { model_versions: MlflowModelVersion[]; next_page_token?: string } {
  const filter = parseFilter(req.filter, 'model-versions');
  // One `name = '…'` narrows the walk to one model: the common case of clients listing a model's versions.
  const exact = filter.find((c) => c.field.kind === 'name' && c.op === '=');
  const names = exact ? (index.models.has(String(exact.values[0])) ? [String(exact.values[0])] : []) : index.names;
  const hits: MlflowModelVersion[] = [];
  for (const name of names) {
    const m = index.models.get(name)!;
    for (const [n, v] of m.versions) {
      const subject: FilterSubject = { name, tags: m.versionTags.get(n)!, versionNumber: n, ...(v.run_id ? { runId: v.run_id } : {}) };
      if (matches(filter, subject)) hits.push(v);
    }
  }
  // MLflow's default order: newest registration first, then name.
  const order = [
    ...parseOrderBy(req.orderBy, ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp']),
    { key: 'creation_timestamp' as const, desc: true },
    { key: 'name' as const, desc: false },
    { key: 'version_number' as const, desc: true },
  ];
  hits.sort(sorter(order, (v, k) => (k === 'name' ? v.name : k === 'version_number' ? Number(v.version) : v[k as 'creation_timestamp'])));
  const page = pageOf(hits, req, 'model-versions');
  return { model_versions: page.items, ...(page.next ? { next_page_token: page.next } : {}) };
}

// ---------------------------------------------------------------------------------------------------
// Artifacts of a version under `<model>/<semver>/…`: listing directories made of the manifest's paths.

export interface ArtifactFile {
  path: string;
  sha256: string;
  size: number;
}

/** Split an mlflow-artifacts path into model, semver and the path inside the version; undefined if it names none. */
export function splitArtifactPath(index: MlflowIndex, path: string): { model: string; semver: string; rest: string } | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) return undefined;
  const [model, semver, ...rest] = parts;
  if (!model || !semver || !index.models.get(model)?.bySemver.has(semver)) return undefined;
  return { model, semver, rest: rest.join('/') };
}

/**
 * MLflow's listing of `dir` inside a version: immediate children by base name, files with sizes,
 * directories without. A file or a path that is not there lists as nothing, as MLflow's own server does
 * (its client tells a file from a directory by an empty listing).
 */
export function listArtifacts(files: readonly ArtifactFile[], dir: string): { path: string; is_dir: boolean; file_size?: number }[] {
  const prefix = dir === '' ? '' : `${dir}/`;
  const children = new Map<string, { path: string; is_dir: boolean; file_size?: number }>();
  for (const f of files) {
    if (!f.path.startsWith(prefix)) continue;
    const rest = f.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) children.set(rest, { path: rest, is_dir: false, file_size: f.size });
    else children.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
  }
  return [...children.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}
