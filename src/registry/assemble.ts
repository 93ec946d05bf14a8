/**
 * A snapshot is the registry at one revision (or the work tree), as plain data. Assembling it is pure:
 * the edges in src/git read the files, a parser (given by the caller) turns each into a value and its
 * findings, and this module files the result under its model. Files that fail to parse or fail their
 * schema are kept out of the model (their data cannot be trusted) and remembered in `brokenFiles`, so
 * later checks do not pile "dangling reference" findings on top of the real error.
 *
 * This module does not import the YAML parser: a snapshot built from cached parses never loads it.
 * snapshot.ts adds the parser (buildSnapshot).
 */
import { finding, type Finding } from './findings.js';
import { classifyPath } from './layout.js';
import type { ManifestKind, ModelManifest, RegistryPolicy, StageManifest, VersionManifest } from './types.js';
import { DEFAULT_YAML_LIMITS, type ParsedYaml, type YamlLimits } from '../schema/parsed.js';

/** One entry of a tree as an edge reads it. Symlinks and submodules carry no text: they are never followed. */
export interface TreeFile {
  path: string;
  type: 'file' | 'symlink' | 'submodule';
  text?: string;
  /** Git blob id, when read from Git; lets callers cache by content. */
  oid?: string;
  /** Size in bytes, known before reading; oversize files are not read at all. */
  size?: number;
  /** Already parsed (from a cache), so `text` may be absent. */
  parsed?: ParseResult;
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

/** What parsing one file gives: the document when it is usable (no errors), and the findings. */
export interface ParseResult {
  doc?: ParsedYaml;
  findings: Finding[];
}

/** Parses one manifest file of a known kind (YAML, then its schema). */
export type ManifestParser = (kind: ManifestKind, file: TreeFile, limits: YamlLimits) => ParseResult;

export function emptySnapshot(): Snapshot {
  return { models: new Map(), findings: [], brokenFiles: new Set(), paths: [] };
}

export function assembleSnapshot(files: Iterable<TreeFile>, parse: ManifestParser, limits: YamlLimits = DEFAULT_YAML_LIMITS): Snapshot {
  const snap = emptySnapshot();
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
    const loaded = f.parsed ?? parse(where.kind, f, limits);
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

function treeTypeFinding(f: TreeFile): Finding {
  return f.type === 'symlink'
    ? finding('tree-symlink', `${f.path} is a symbolic link; it was not followed`, { file: f.path })
    : finding('tree-submodule', `${f.path} is a Git submodule; it was not read`, { file: f.path });
}

/** The same blob may sit at another path (a copied file); findings must name the path being read. */
export function relocate(value: ParseResult, file: string): ParseResult {
  return value.findings.every((x) => x.file === file) ? value : { ...value, findings: value.findings.map((x): Finding => ({ ...x, file })) };
}
