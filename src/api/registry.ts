/**
 * The library API: the same reads as the CLI, for a Node service that wants to resolve a model without
 * spawning a process. Every method reads only what it needs: resolve, show and compare read one or two
 * models' files; list, lineage and validate read the whole tree.
 *
 *   const reg = await Registry.open({ dir: '/srv/registry' });
 *   const { artifacts } = await reg.resolve('sentiment@production');
 */
import { ModelregError, modelNotFound } from '../registry/errors.js';
import { finding, sortFindings } from '../registry/findings.js';
import { assertModelName } from '../changes/names.js';
import type { LineageEdge, LineageTree } from '../registry/lineage.js';
import { parseRef, resolveRef, orderStages, formatRef, type Ref } from '../registry/refs.js';
import type { Snapshot, LoadOptions } from '../registry/snapshot.js';
import type { ArtifactEntry, ModelManifest, Scalar, VersionManifest } from '../registry/types.js';
import { compareVersions } from '../registry/versions.js';
import type { MetricRow } from '../registry/metrics.js';
import type { TreeReport, ChangeReport } from '../checks/validate.js';
import { findRegistryRoot, openSource } from '../git/open.js';
import type { RegistrySource, ReadScope } from '../git/sources.js';
import type { CompactHistory, HistoryEvent } from '../registry/history.js';
import type { DerivedModel } from './model-cache.js';
import { objectUri, storeLocation } from './store-location.js';
import type { ArtifactStore } from '../artifacts/store.js';
import type { DiskParseCache } from '../cache/parse-cache.js';
import { diskCacheFor, loadParser, loadSnapshot } from './load.js';
import type { ListFilters, ModelSummary } from '../registry/summary.js';

export type { ListFilters, ModelSummary, DerivedModel, HistoryEvent };

export interface OpenOptions {
  /** The registry directory; default: MODELREG_REGISTRY, else discovered upward from cwd. */
  dir?: string;
  /** A Git revision to read; default: the work tree with its uncommitted changes. */
  at?: string;
  /** Artifact store override (file://… or s3://…); default: MODELREG_STORE, else registry.yaml. */
  store?: string;
  /**
   * Read a remote registry by its Git URL (or a path to a repository) instead of a directory: only the
   * objects the reads need are fetched, into a partial clone kept for the next call (git/partial-clone.ts).
   * `at` then names a branch, tag or full commit id of the remote; default: its HEAD.
   */
  remote?: string;
  cwd?: string;
  load?: LoadOptions;
}

export interface ResolvedArtifact extends ArtifactEntry {
  uri: string;
}

export interface ResolvedVersion {
  ref: string;
  model: string;
  version: string;
  /** The stage the reference named, if it named one. */
  stage: string | null;
  /** Every stage this version holds. */
  stages: string[];
  deprecated: boolean;
  store: string;
  artifacts: ResolvedArtifact[];
  /** The commit read, or null for the work tree. */
  revision: string | null;
  file: string;
  /** A split stage's arms, in the assignment order (docs/assignment.md): each weighted version (or shadow) with its artifacts. */
  arms?: ResolvedArm[];
  /** With a key: which arm of the stage it got (the version above), its bucket and the arm's weight. */
  assignment?: { key: string; bucket: number; weight: number };
}

export interface ResolvedArm {
  version: string;
  /** The whole percentage of keys it receives; null for a shadow. */
  weight: number | null;
  shadow: boolean;
  deprecated: boolean;
  artifacts: ResolvedArtifact[];
}

export interface Comparison {
  a: { ref: string; version: string };
  b: { ref: string; version: string };
  metrics: MetricRow[];
  params: { name: string; a: Scalar | undefined; b: Scalar | undefined; changed: boolean }[];
}

export interface LineageReport {
  root: string;
  ancestors: LineageTree;
  descendants: LineageTree;
  nodes: string[];
  edges: LineageEdge[];
}

export class Registry {
  private full?: Promise<Snapshot>;
  private readonly scoped = new Map<string, Promise<Snapshot>>();
  private readonly disk: DiskParseCache | undefined;

  private constructor(
    readonly root: string,
    readonly source: RegistrySource,
    private readonly options: OpenOptions,
  ) {
    // A remote's partial clone is a bare repository: its parse cache lives inside it, like a clone's in .git.
    this.disk = diskCacheFor(root, options.load, options.remote ? root : undefined);
  }

  static async open(options: OpenOptions = {}): Promise<Registry> {
    if (options.remote !== undefined) {
      if (options.dir !== undefined)
        throw new ModelregError('usage', 'a registry is read from a directory or from a remote, not both', { hint: 'Drop --registry or --remote.' });
      const { RemoteRevisionSource } = await import('../git/remote-source.js');
      const source = await RemoteRevisionSource.connect(options.remote, options.at);
      return new Registry(source.root, source, options);
    }
    const root = findRegistryRoot(options.dir, options.cwd);
    return new Registry(root, await openSource(root, options.at), options);
  }

  /**
   * The store this registry names. A relative file:// store is relative to the registry's directory,
   * which a remote's is not here: that is an error, or — `asWritten`, for show — the location as written.
   */
  private storeUri(policy: Snapshot['policy'], asWritten = false): string {
    const root = this.options.remote === undefined ? this.root : asWritten ? null : undefined;
    return storeLocation(root, policy?.data, this.options.store);
  }

  /**
   * The whole registry, or only some models' files; each read once (a command such as show or verify
   * asks for the same model's files more than once). Like the registry it reads, it is the state of
   * the moment it was first read.
   */
  snapshot(scope?: ReadScope): Promise<Snapshot> {
    if (!scope?.models) return (this.full ??= this.load());
    if (this.full) return this.full;
    const key = [...new Set(scope.models)].sort().join('\n');
    let snap = this.scoped.get(key);
    if (!snap) this.scoped.set(key, (snap = this.load(scope)));
    return snap;
  }

  private load(scope?: ReadScope): Promise<Snapshot> {
    return loadSnapshot(this.source, scope, { ...this.options.load, disk: this.disk });
  }

  /**
   * The version a reference names, with its artifacts' store URIs. A split stage also lists its arms;
   * with `key`, the version is the arm the key gets (docs/assignment.md).
   */
  async resolve(reference: string | Ref, options: { prerelease?: boolean; key?: string } = {}): Promise<ResolvedVersion> {
    return this.locate(reference, options, false);
  }

  private async locate(reference: string | Ref, options: { prerelease?: boolean; key?: string }, storeAsWritten: boolean): Promise<ResolvedVersion> {
    const ref = typeof reference === 'string' ? parseRef(reference) : reference;
    const snap = await this.snapshot({ models: [ref.model] });
    this.assertUsable(snap, ref.model);
    // The rule (and its SHA-256) loads only when a key asks for it: resolve is every deploy's hot path.
    const assign = options.key === undefined ? undefined : (await import('../registry/assignment.js')).assigner;
    const r = resolveRef(snap, ref, { ...options, ...(assign ? { assign } : {}) });
    const store = this.storeUri(snap.policy, storeAsWritten);
    const located = (v: VersionManifest): ResolvedArtifact[] => v.artifacts.map((a) => ({ ...a, uri: objectUri(store, a.sha256) }));
    const arms = r.stage?.data.arms?.map((arm): ResolvedArm => {
      const v = r.model.versions.get(arm.version)?.data;
      return {
        version: arm.version,
        weight: arm.shadow ? null : (arm.weight ?? null),
        shadow: !!arm.shadow,
        deprecated: !!v?.deprecated,
        artifacts: v ? located(v) : [],
      };
    });
    return {
      ref: formatRef(ref),
      model: ref.model,
      version: r.version.data.version,
      stage: ref.selector.kind === 'stage' ? ref.selector.stage : null,
      stages: r.stages,
      deprecated: !!r.version.data.deprecated,
      store,
      artifacts: located(r.version.data),
      revision: this.source.commit ?? null,
      file: r.version.file,
      ...(arms ? { arms } : {}),
      ...(r.assignment ? { assignment: r.assignment } : {}),
    };
  }

  /** A resolved version with its whole manifest. */
  async showVersion(reference: string, options: { prerelease?: boolean } = {}): Promise<ResolvedVersion & { manifest: VersionManifest }> {
    const resolved = await this.locate(reference, options, true);
    const snap = await this.snapshot({ models: [resolved.model] });
    return { ...resolved, manifest: snap.models.get(resolved.model)!.versions.get(resolved.version)!.data };
  }

  /** A model with all its versions, newest first. */
  async showModel(name: string): Promise<{
    model: ModelManifest | null;
    stages: Record<string, string>;
    versions: { version: string; created_at: string; created_by: string; stages: string[]; deprecated: boolean; metrics: Record<string, number> }[];
  }> {
    assertModelName(name);
    const snap = await this.snapshot({ models: [name] });
    this.assertUsable(snap, name);
    const entry = snap.models.get(name);
    if (!entry) throw modelNotFound(name);
    const stagesByVersion = new Map<string, string[]>();
    for (const s of entry.stages.values()) stagesByVersion.set(s.data.version, [...(stagesByVersion.get(s.data.version) ?? []), s.data.stage]);
    const versions = [...entry.versions.values()]
      .sort((a, b) => compareVersions(b.data.version, a.data.version))
      .map((v) => ({
        version: v.data.version,
        created_at: v.data.created_at,
        created_by: v.data.created_by,
        stages: orderStages(snap, stagesByVersion.get(v.data.version) ?? []),
        deprecated: !!v.data.deprecated,
        metrics: v.data.metrics ?? {},
      }));
    return { model: entry.manifest?.data ?? null, stages: stageMap(snap, name), versions };
  }

  async list(filters: ListFilters = {}): Promise<ModelSummary[]> {
    return (await this.listing(filters)).models;
  }

  /**
   * The models that pass the filters, the policy's stages in order, and how many files could not be
   * read. Answered from per-model facts cached by the digest of each model's files (see model-cache.ts), so
   * a warm `list` parses nothing.
   */
  async listing(filters: ListFilters = {}): Promise<{ models: ModelSummary[]; stages: string[]; broken: number }> {
    const { listModels, modelFacts } = await import('../registry/summary.js');
    const listing = this.full
      ? await this.full.then((snap) => ({ facts: [...snap.models.values()].map(modelFacts), policy: snap.policy, broken: snap.brokenFiles.size }))
      : await (await import('./model-cache.js')).loadListing(this.source, { ...this.options.load, disk: this.disk });
    return { models: listModels(listing.facts, listing, filters), stages: listing.policy?.data.stages.map((s) => s.name) ?? [], broken: listing.broken };
  }

  async compare(a: string, b: string): Promise<Comparison> {
    const [ra, rb] = [parseRef(a), parseRef(b)];
    const snap = await this.snapshot({ models: [...new Set([ra.model, rb.model])] });
    const { compareMetrics } = await import('../registry/metrics.js');
    const va = resolveRef(snap, ra).version.data;
    const vb = resolveRef(snap, rb).version.data;
    const paramNames = [...new Set([...Object.keys(va.params ?? {}), ...Object.keys(vb.params ?? {})])].sort();
    const get = <T>(obj: Record<string, T> | undefined, k: string): T | undefined => (obj && Object.hasOwn(obj, k) ? obj[k] : undefined);
    return {
      a: { ref: a, version: `${va.name}@${va.version}` },
      b: { ref: b, version: `${vb.name}@${vb.version}` },
      metrics: compareMetrics(va.metrics, vb.metrics),
      params: paramNames.map((name) => {
        const x = get(va.params, name);
        const y = get(vb.params, name);
        return { name, a: x, b: y, changed: x !== y };
      }),
    };
  }

  async lineage(reference: string): Promise<LineageReport> {
    const snap = await this.snapshot();
    const r = resolveRef(snap, parseRef(reference));
    const { buildLineage, lineageNeighbourhood, lineageTree, nodeId } = await import('../registry/lineage.js');
    const root = nodeId(r.version.data.name, r.version.data.version);
    const g = buildLineage(snap);
    return { root, ancestors: lineageTree(g, root, 'up'), descendants: lineageTree(g, root, 'down'), ...lineageNeighbourhood(g, root) };
  }

  async history(model: string, options: { limit?: number } = {}): Promise<HistoryEvent[]> {
    assertModelName(model);
    const { modelHistory } = await import('../git/history.js');
    return modelHistory(this.root, model, { ...(this.source.commit ? { rev: this.source.commit } : {}), ...options });
  }

  /**
   * Every model's versions in registration order (oldest first), from the first-parent history of the
   * revision read (HEAD for the work tree). Versions committed by no first-parent commit are absent.
   */
  async registrations(models?: readonly string[]): Promise<Map<string, string[]>> {
    const { registrationOrder } = await import('../git/history.js');
    return registrationOrder(this.root, this.source.commit ?? 'HEAD', models);
  }

  /**
   * The models whose files differ between `since` and this revision (from Git's tree diff, milliseconds
   * whatever the registry's size); undefined when everything must be read again (registry.yaml changed,
   * or either side is not a revision of the same registry).
   */
  async changedModels(since: Registry): Promise<string[] | undefined> {
    const { changeScope } = await import('../git/change-scope.js');
    return (await changeScope(since.source, this.source))?.models;
  }

  /**
   * Every model's history, newest first, from one `git log` pass (kept by commit, so the next call after
   * new commits reads only those; see history-cache.ts), in the compact form: each commit once
   * (`expandHistory` gives HistoryEvent[] back). Empty outside a Git repository or before the
   * first commit. At a revision, the history of that commit; for the work tree, of HEAD.
   */
  async registryHistory(): Promise<CompactHistory> {
    const { cachedRegistryHistory } = await import('./history-cache.js');
    return cachedRegistryHistory(this.root, this.source.commit, this.disk);
  }

  /**
   * A value and a text derived from each model directory's own files (and registry.yaml), recomputed only
   * for directories whose files changed since the last call of the same kind (see model-cache.ts).
   * `compute` must depend on nothing but what the snapshot it is given holds of that model and the policy.
   */
  async derivePerModel<T>(
    kind: { name: string; format: number },
    compute: (snap: Snapshot, model: string) => { value: T; text: string },
  ): Promise<{ policy: Snapshot['policy']; findings: Snapshot['findings']; models: DerivedModel<T>[] }> {
    const { derivePerModel } = await import('./model-cache.js');
    const { top, models } = await derivePerModel(this.source, { ...this.options.load, disk: this.disk }, kind, compute);
    return { policy: top.policy, findings: top.findings, models };
  }

  /** The URL of the remote the current branch pushes to (else origin), or null when there is none. */
  async remoteUrl(): Promise<string | null> {
    if (this.source.remote !== undefined) return this.source.remote;
    const { remoteUrl } = await import('../git/remote.js');
    return remoteUrl(this.root);
  }

  /** The artifact store this registry names (after --store / MODELREG_STORE), with its S3 settings. */
  async openStore(): Promise<ArtifactStore> {
    const policy = (await this.snapshot({ models: [] })).policy;
    const { openStore } = await import('../artifacts/open.js');
    return openStore(this.storeUri(policy), policy?.data.artifacts.s3);
  }

  /** Every finding of the tree, and how many models and versions it holds. */
  async validate(): Promise<TreeReport & { models: number; versions: number }> {
    const { governanceFindings } = await import('../git/governance.js');
    const governance = governanceFindings(this.root, this.source.commit);
    let report: TreeReport & { models: number; versions: number };
    if (!this.full && this.disk) report = await (await import('./model-cache.js')).validateTreeCached(this.source, { ...this.options.load, disk: this.disk });
    else {
      const [{ validateTree }] = await Promise.all([import('../checks/validate.js'), loadParser()]);
      const snap = await this.snapshot();
      report = { ...validateTree(snap), models: snap.models.size, versions: [...snap.models.values()].reduce((n, m) => n + m.versions.size, 0) };
    }
    const extra = await governance;
    return extra.length ? { ...report, findings: sortFindings([...report.findings, ...extra]) } : report;
  }

  async card(reference: string): Promise<string> {
    const snap = await this.snapshot();
    const r = resolveRef(snap, parseRef(reference));
    const { buildLineage, lineageTree, nodeId } = await import('../registry/lineage.js');
    const g = buildLineage(snap);
    const root = nodeId(r.version.data.name, r.version.data.version);
    // Who registered and deprecated it comes from the commits that did (the manifest's fields are claims).
    const v = r.version.data;
    const events = await this.history(v.name).catch(() => [] as HistoryEvent[]);
    const fact = (kind: HistoryEvent['kind']) => {
      const e = events.find((x) => x.kind === kind && x.version === v.version);
      return e ? { name: e.author, email: e.email, date: e.date } : undefined;
    };
    const { attribute } = await import('../registry/provenance.js');
    const { renderCard } = await import('../review/card.js');
    return renderCard({
      model: r.model.manifest?.data,
      version: v,
      stages: r.stages,
      ancestors: lineageTree(g, root, 'up'),
      store: this.storeUri(snap.policy),
      registered: attribute(fact('registered'), { by: v.created_by, at: v.created_at }),
      ...(v.deprecated ? { deprecated: attribute(fact('deprecated'), { by: v.deprecated.by, at: v.deprecated.at }) } : {}),
    });
  }

  /** Refuse to answer from a file that failed to parse: a deploy must never act on half-read data. */
  private assertUsable(snap: Snapshot, model: string): void {
    const broken = [...snap.brokenFiles].filter((f) => f === 'registry.yaml' || f.startsWith(`models/${model}/`));
    if (broken.length === 0) return;
    const first = snap.findings.find((f) => f.file === broken[0] && f.severity === 'error');
    throw new ModelregError('registry-invalid', `${broken[0]} is invalid${first ? `: ${first.message}` : ''}`, {
      file: broken[0]!,
      ...(first?.line !== undefined ? { line: first.line } : {}),
      hint: 'Run `modelreg validate` for every finding.',
    });
  }
}

/** Judge a change between two revisions exactly as the pull-request check does; `head` absent means the work tree. */
export async function validateRevisions(options: {
  dir?: string;
  cwd?: string;
  base: string;
  head?: string;
  load?: LoadOptions;
  store?: string;
}): Promise<ChangeReport & { base: string; head: string; checked: string[] | 'all' }> {
  const root = findRegistryRoot(options.dir, options.cwd);
  const [b, h] = await Promise.all([openSource(root, options.base), openSource(root, options.head)]);
  const { judgeSources } = await import('./judge.js');
  const { report, checked, baseSnapshot, headSnapshot } = await judgeSources(b, h, { ...options.load, disk: diskCacheFor(root, options.load) });
  // Approvals are given on a pull request, so only its check can judge them: say which the change will face.
  const { approvalRequirements, artifactsToCheck } = await import('../review/report.js');
  // The bytes of every version the change adds or moves into a stage, in the base policy's store, as the check looks them up.
  const { checkArtifactPresence } = await import('./artifact-presence.js');
  const artifacts = await checkArtifactPresence(
    root,
    null,
    baseSnapshot.policy?.data,
    artifactsToCheck(report.change, headSnapshot),
    options.store ? { store: options.store } : {},
  );
  const pending = approvalRequirements(baseSnapshot, report.change).map((n) =>
    finding(
      'gate-approvals-pending',
      `${n.what} needs ${n.requirement.count} approval(s)${n.requirement.from?.length ? ` from ${n.requirement.from.join(', ')}` : ''} of the pull request's head commit: the pull-request check judges that, validate cannot`,
      { file: n.file },
    ),
  );
  const extra = [...pending, ...artifacts.findings];
  const findings = extra.length ? sortFindings([...report.findings, ...extra]) : report.findings;
  const ok = report.ok && !artifacts.findings.some((f) => f.severity === 'error');
  return { ...report, ok, findings, base: b.commit ?? options.base, head: h.commit ?? 'work tree', checked };
}

function stageMap(snap: Snapshot, model: string): Record<string, string> {
  const entry = snap.models.get(model);
  const out: Record<string, string> = {};
  for (const s of orderStages(snap, [...(entry?.stages.keys() ?? [])])) out[s] = entry!.stages.get(s)!.data.version;
  return out;
}
