/**
 * A snapshot is the registry at one revision (or the work tree), as plain data. Building it is pure:
 * the edges in src/git read the files; this module parses, checks each file against its schema and
 * files the result under its model. Files that fail to parse or fail their schema are kept out of the
 * model (their data cannot be trusted) and remembered in `brokenFiles`, so later checks do not pile
 * "dangling reference" findings on top of the real error.
 */
import { finding, type Finding } from './findings.js';
import { classifyPath } from './layout.js';
import type { ManifestKind, ModelManifest, RegistryPolicy, StageManifest, VersionManifest } from './types.js';
import { parseManifestYaml, type ParsedYaml, type YamlLimits, DEFAULT_YAML_LIMITS } from '../schema/yaml.js';
import { validateSchema } from '../schema/schemas.js';

/** One entry of a tree as an edge reads it. Symlinks and submodules carry no text: they are never followed. */
export interface TreeFile {
  path: string;
  type: 'file' | 'symlink' | 'submodule';
  text?: string;
  /** Git blob id, when read from Git; lets callers cache by content. */
  oid?: string;
  /** Size in bytes, known before reading; oversize files are not read at all. */
  size?: number;
}

export interface Loaded<T> {
  file: string;
  data: T;
  doc: ParsedYaml;
  oid?: string;
}

export interface ModelEntry {
  name: string;
  manifest?: Loaded<ModelManifest>;
  versions: Map<string, Loaded<VersionManifest>>;
  stages: Map<string, Loaded<StageManifest>>;
}

export interface Snapshot {
  policy?: Loaded<RegistryPolicy>;
  models: Map<string, ModelEntry>;
  /** Findings from reading, parsing and schema checks. */
  findings: Finding[];
  /** Files present but unusable (parse or schema errors). */
  brokenFiles: Set<string>;
  /** Every path in the tree that the registry layout concerns. */
  paths: string[];
}

/** Parsing is the expensive step (~0.4 ms a document); callers may cache it by blob id. */
export interface ParseCache {
  get(oid: string): { doc?: ParsedYaml; findings: Finding[] } | undefined;
  set(oid: string, value: { doc?: ParsedYaml; findings: Finding[] }): void;
}

export interface LoadOptions {
  limits?: YamlLimits;
  cache?: ParseCache;
}

export function emptySnapshot(): Snapshot {
  return { models: new Map(), findings: [], brokenFiles: new Set(), paths: [] };
}

export function buildSnapshot(files: Iterable<TreeFile>, options: LoadOptions = {}): Snapshot {
  const snap = emptySnapshot();
  const limits = options.limits ?? DEFAULT_YAML_LIMITS;
  for (const f of files) {
    const where = classifyPath(f.path);
    if (where.kind === 'ignored') {
      if (f.type !== 'file') snap.findings.push(treeTypeFinding(f));
      continue;
    }
    snap.paths.push(f.path);
    if (f.type !== 'file') {
      snap.findings.push(treeTypeFinding(f));
      snap.brokenFiles.add(f.path);
      continue;
    }
    if (where.kind === 'unexpected') {
      snap.findings.push(
        where.wrongExtension
          ? finding('tree-bad-extension', `${f.path} uses .yml; modelreg reads only .yaml`, { file: f.path })
          : finding('tree-unexpected-file', `${f.path} is not part of the registry layout`, { file: f.path }),
      );
      continue;
    }
    if (f.size !== undefined && f.size > limits.maxBytes) {
      snap.findings.push(finding('tree-oversize', `${f.path} is ${f.size} bytes; the limit is ${limits.maxBytes}`, { file: f.path, line: 1 }));
      snap.brokenFiles.add(f.path);
      continue;
    }
    const loaded = loadFile(where.kind, f, limits, options.cache);
    snap.findings.push(...loaded.findings);
    if (!loaded.doc) {
      snap.brokenFiles.add(f.path);
      continue;
    }
    const item: Loaded<unknown> = { file: f.path, data: loaded.doc.value, doc: loaded.doc, ...(f.oid ? { oid: f.oid } : {}) };
    if (where.kind === 'registry') {
      snap.policy = item as Loaded<RegistryPolicy>;
      continue;
    }
    const entry = modelEntry(snap, where.model!);
    if (where.kind === 'model') entry.manifest = item as Loaded<ModelManifest>;
    else if (where.kind === 'version') entry.versions.set(where.id!, item as Loaded<VersionManifest>);
    else entry.stages.set(where.id!, item as Loaded<StageManifest>);
  }
  return snap;
}

function modelEntry(snap: Snapshot, name: string): ModelEntry {
  let entry = snap.models.get(name);
  if (!entry) {
    entry = { name, versions: new Map(), stages: new Map() };
    snap.models.set(name, entry);
  }
  return entry;
}

function loadFile(kind: ManifestKind, f: TreeFile, limits: YamlLimits, cache: ParseCache | undefined): { doc?: ParsedYaml; findings: Finding[] } {
  const cached = f.oid && cache ? cache.get(`${kind}:${f.oid}`) : undefined;
  if (cached) return relocate(cached, f.path);
  const parsed = parseManifestYaml(f.path, f.text ?? '', limits);
  const result = parsed.doc ? { doc: parsed.doc, findings: validateSchema(kind, f.path, parsed.doc) } : parsed;
  const out = result.findings.some((x) => x.severity === 'error') ? { findings: result.findings } : result;
  if (f.oid && cache) cache.set(`${kind}:${f.oid}`, out);
  return out;
}

/** The same blob may sit at another path (a copied file); findings must name the path being read. */
function relocate(value: { doc?: ParsedYaml; findings: Finding[] }, file: string): { doc?: ParsedYaml; findings: Finding[] } {
  return { ...value, findings: value.findings.map((x) => ({ ...x, file })) };
}

function treeTypeFinding(f: TreeFile): Finding {
  return f.type === 'symlink'
    ? finding('tree-symlink', `${f.path} is a symbolic link; it was not followed`, { file: f.path })
    : finding('tree-submodule', `${f.path} is a Git submodule; it was not read`, { file: f.path });
}
