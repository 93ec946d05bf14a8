/**
 * Whole-registry answers from per-model derived data: `list` and `validate` on a warm cache read one
 * small entry per model directory (src/cache/digest-cache.ts) instead of every parsed manifest.
 *
 * An entry is keyed by a digest of its directory's files' paths, types and blob ids, so it is reused
 * exactly while none of its files changed. The `validate` entry holds what the model's own files say
 * (checkModel) against the policy's stage names; the checks that span models (tree names, lineage
 * parents and cycles) and the policy's own checks run every time, over all entries. Directories that
 * changed are parsed (through the parse cache) and their entries rewritten. The result is the one
 * `validateTree` gives on a full snapshot; tests compare the two.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DigestCache } from '../cache/digest-cache.js';
import { textHash, type TextStore } from '../cache/text-store.js';
import { checkLineage, checkModel, checkPolicy, checkTreeNames, type ModelCheck } from '../checks/consistency.js';
import type { TreeReport } from '../checks/validate.js';
import type { RegistrySource } from '../git/sources.js';
import type { Snapshot, TreeFile } from '../registry/assemble.js';
import { hasErrors, sortFindings, type Finding } from '../registry/findings.js';
import { classifyPath, modelDirOf } from '../registry/layout.js';
import { modelFacts, type ModelFacts } from '../registry/summary.js';
import { positionOf } from '../schema/parsed.js';
import { assembleFrom, lazyPositions, type LoadSettings } from './load.js';

/** A model directory for `list`: its facts (null when it holds no usable model) and its unusable files. */
interface ListEntry {
  facts: ModelFacts | null;
  broken: number;
}

/** A model directory for `validate`: see ModelCheck, and the findings from reading its files. */
interface CheckEntry {
  /** The policy's stage names the checks were made against (null: no usable policy): they decide stage-unknown. */
  stages: string[] | null;
  /** Findings from reading its files (parse, schema, tree). */
  read: Finding[];
  findings: Finding[];
  present: boolean;
  versions: string[];
  broken: string[];
  /** Versions naming parents: [version, file, [model, version][]]. Lines are found again when a finding needs them. */
  lineage: [string, string, [string, string][]][];
}

const LIST_FORMAT = 1;
/**
 * Model directories read and derived at once when the cache lacks them (a fresh clone's first whole-tree
 * command). MODELREG_MODELS_PER_BATCH lets the tests cross batch boundaries with a registry of three models.
 */
const MODELS_PER_BATCH = Number(process.env.MODELREG_MODELS_PER_BATCH) || 1000;
const CHECK_FORMAT = 4; // 3: split stages (arms) checked; 4: and whether their stage may be split

export interface Listing {
  facts: ModelFacts[];
  policy: Snapshot['policy'];
  /** Files that could not be used (parse or schema errors, symlinks, submodules). */
  broken: number;
}

/** What `list` needs: each model's facts, and how many files could not be used. */
export async function loadListing(source: RegistrySource, settings: LoadSettings = {}): Promise<Listing> {
  const { top, entries } = await perModel<ListEntry>(source, settings, { name: 'list', format: LIST_FORMAT }, (snap, name, inDir) => {
    const m = snap.models.get(name);
    return { facts: m ? modelFacts(m) : null, broken: [...snap.brokenFiles].filter(inDir).length };
  });
  return {
    facts: entries.flatMap((e) => (e.value.facts ? [e.value.facts] : [])),
    policy: top.policy,
    broken: top.brokenFiles.size + entries.reduce((n, e) => n + e.value.broken, 0),
  };
}

/** `validate` of the whole tree, with counts of models and versions. */
export async function validateTreeCached(source: RegistrySource, settings: LoadSettings = {}): Promise<TreeReport & { models: number; versions: number }> {
  const { files, top, entries } = await perModel<CheckEntry>(
    source,
    { ...settings, positions: true },
    { name: 'validate', format: CHECK_FORMAT, usable: (entry, policy) => sameStages(entry.stages, stageNames(policy)) },
    (snap, name, inDir) => {
      const m = snap.models.get(name);
      const c = m ? checkModel(snap, m) : undefined;
      return {
        stages: stageNames(snap),
        read: snap.findings.filter((f) => inDir(f.file)),
        findings: c?.findings ?? [],
        present: !!c,
        versions: c?.versions ?? [],
        broken: [...snap.brokenFiles].filter(inDir),
        lineage: (c?.lineage ?? []).map((v) => [v.version, v.file, v.parents.map((p) => [p.model, p.version])]),
      };
    },
  );
  const byPath = new Map(files.map((f) => [f.path, f]));
  // A finding about a cached version's lineage needs its line: that one file is parsed again, once.
  const lineAt = (file: string) => {
    const f = byPath.get(file);
    const doc = f ? lazyPositions(undefined, f, source) : undefined;
    return (field: string) => (doc ? positionOf(doc, field) : undefined);
  };
  const models: ModelCheck[] = entries.flatMap(({ name, value }) =>
    value.present
      ? [
          {
            model: name,
            findings: value.findings,
            versions: value.versions,
            lineage: value.lineage.map(([version, file, parents]) => ({
              version,
              file,
              parents: parents.map(([model, v]) => ({ model, version: v })),
              at: lineAt(file),
            })),
          },
        ]
      : [],
  );
  const broken = new Set([...top.brokenFiles, ...entries.flatMap((e) => e.value.broken)]);
  const findings = sortFindings([
    ...top.findings,
    ...entries.flatMap((e) => e.value.read),
    ...checkTreeNames(files.filter((f) => classifyPath(f.path).kind !== 'ignored').map((f) => f.path)),
    ...checkPolicy(top),
    ...models.flatMap((m) => m.findings),
    ...checkLineage(models, (path) => broken.has(path)),
  ]);
  return { ok: !hasErrors(findings), findings, models: models.length, versions: models.reduce((n, m) => n + m.versions.length, 0) };
}

/** What a caller derived from one model directory: a small value, and a larger text kept beside it by hash. */
export interface DerivedModel<T> {
  name: string;
  value: T;
  /** sha1 of the text: equal hashes, equal texts. */
  hash: string;
  /** The text, as UTF-8 bytes (read from the store only when asked for). */
  bytes(): Buffer;
}

/**
 * A value and a text derived from each model directory's own files (and registry.yaml), computed only for
 * directories whose files changed since the last call of the same kind. `compute` must depend on nothing
 * else. Values sit in the kind's digest cache; texts, which may be large, in a text store beside it, read
 * only when the caller asks for them.
 */
export async function derivePerModel<T>(
  source: RegistrySource,
  settings: LoadSettings,
  kind: { name: string; format: number },
  compute: (snap: Snapshot, model: string) => { value: T; text: string },
): Promise<{ top: Snapshot; files: TreeFile[]; models: DerivedModel<T>[] }> {
  const store = await textStore(settings, kind);
  const stored = store?.list();
  const fresh = new Map<string, Buffer>();
  const { files, top, entries } = await perModel<{ value: T; hash: string }>(
    source,
    settings,
    { ...kind, usable: (e) => !stored || stored.has(e.hash) },
    (snap, name) => {
      const { value, text } = compute(snap, name);
      const hash = textHash(text);
      const bytes = Buffer.from(text);
      fresh.set(hash, bytes);
      store?.write(bytes, hash);
      return { value, hash };
    },
  );
  store?.prune(new Set(entries.map((e) => e.value.hash)), stored);
  const read = (hash: string) => {
    const bytes = fresh.get(hash) ?? store?.read(hash);
    if (bytes === undefined) throw new Error(`internal: the derived text ${hash} is gone from the cache (deleted during the run?); run again`);
    return bytes;
  };
  return { top, files, models: entries.map(({ name, value }) => ({ name, value: value.value, hash: value.hash, bytes: () => read(value.hash) })) };
}

/**
 * The listing, the snapshot of what lies outside models/ (registry.yaml), and a value for every model
 * directory in listing order: from the cache where the directory's digest matches (and `usable` agrees),
 * else computed from one snapshot of the directories that changed.
 */
async function perModel<T>(
  source: RegistrySource,
  settings: LoadSettings,
  kind: { name: string; format: number; usable?: (value: T, top: Snapshot) => boolean },
  compute: (snap: Snapshot, model: string, inDir: (path: string | undefined) => boolean) => T,
): Promise<{ files: TreeFile[]; top: Snapshot; entries: { name: string; value: T }[] }> {
  const files = await source.list();
  const outside: TreeFile[] = [];
  const groups = new Map<string, TreeFile[]>();
  for (const f of files) {
    const name = modelDirOf(f.path);
    if (name === undefined) outside.push(f);
    else if (groups.has(name)) groups.get(name)!.push(f);
    else groups.set(name, [f]);
  }
  const top = await assembleFrom(source, outside, settings);
  const cache = await digestCache<T>(settings, kind);
  const values = new Map<string, T>();
  const missing: { name: string; digest: string }[] = [];
  for (const [name, group] of groups) {
    const digest = digestOf(group);
    const hit = cache?.get(name, digest);
    if (hit !== undefined && (kind.usable?.(hit, top) ?? true)) values.set(name, hit);
    else missing.push({ name, digest });
  }
  // Batches of directories, each read, parsed, derived and then let go, so memory stays flat however
  // large the registry: one snapshot of a fresh clone's every manifest would not fit a default heap at
  // 100k models. compute depends on nothing but its model's files and the policy, so the batches change
  // nothing of what it returns.
  const bulk = missing.length > MODELS_PER_BATCH;
  for (let i = 0; i < missing.length; i += MODELS_PER_BATCH) {
    const batch = missing.slice(i, i + MODELS_PER_BATCH);
    const read = batch.flatMap((m) => groups.get(m.name)!);
    const snap = await assembleFrom(source, [...outside, ...read], { ...settings, bulk });
    for (const { name, digest } of batch) {
      const value = compute(snap, name, (p) => p !== undefined && modelDirOf(p) === name);
      values.set(name, value);
      cache?.set(name, digest, value);
    }
    // The listing outlives the batch; what it read and parsed does not need to (a line a finding asks for later is read again).
    for (const f of read) {
      delete f.text;
      delete f.parsed;
    }
  }
  cache?.flush(new Set(groups.keys()));
  return { files, top, entries: [...groups.keys()].map((name) => ({ name, value: values.get(name)! })) };
}

/** Beside the parse cache's shards, so under the same parser format and schemas; none without a disk cache. */
async function digestCache<T>(settings: LoadSettings, kind: { name: string; format: number }): Promise<DigestCache<T> | undefined> {
  if (settings.limits || !settings.disk) return undefined;
  const { DigestCache } = await import('../cache/digest-cache.js');
  return DigestCache.in<T>(settings.disk.dir, kind.name, kind.format);
}

async function textStore(settings: LoadSettings, kind: { name: string }): Promise<TextStore | undefined> {
  if (settings.limits || !settings.disk) return undefined;
  const { TextStore } = await import('../cache/text-store.js');
  return new TextStore(join(settings.disk.dir, `${kind.name}-texts`));
}

/** What a model's checks depend on in the policy: its stages, in order, and which of them may never be split. */
function stageNames(snap: Pick<Snapshot, 'policy'>): string[] | null {
  return snap.policy ? snap.policy.data.stages.map((s) => (s.split === false ? `${s.name} (never split)` : s.name)) : null;
}

function sameStages(a: string[] | null, b: string[] | null): boolean {
  return a === null || b === null ? a === b : a.length === b.length && a.every((x, i) => x === b[i]);
}

/** What identifies a model directory's content: its entries' paths, types and blob ids (or sizes, for files too big to read). */
function digestOf(files: TreeFile[]): string {
  const h = createHash('sha1');
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    h.update(`${f.type}\0${f.path}\0${f.oid ?? `size:${f.size ?? ''}`}\n`);
  return h.digest('hex');
}
