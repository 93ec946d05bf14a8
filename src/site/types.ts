/**
 * The data files of the site, as plain data: what `modelreg site` writes (src/site/build.ts) and what the
 * pages read (src/site/client/). Each file is a script that hands one of these to the page
 * (`modelreg.data(key, value)`): scripts load from file:// where fetch() of a JSON file does not.
 *
 * Everything here may hold a stranger's text (manifests, commit authors and messages): it is data, and
 * the pages only ever put it in the document as text (or, for Markdown fields, through the sanitiser).
 */
import type { ModelManifest, RegistryPolicy, StageManifest, VersionManifest } from '../registry/types.js';
import type { CompactHistory } from '../registry/history.js';

/** Bump when a data shape changes: cached per-model data of another format is recomputed. */
export const SITE_FORMAT = 3;

/** data/meta.js — what every page needs. */
export interface SiteMeta {
  format: number;
  /** registry.yaml's description, or a default. */
  title: string;
  /** The commit the site was built from; null for a work tree (then `label` says so). */
  revision: { commit: string | null; label: string };
  /** registry.yaml, for the stage order and the gates; null when it could not be read. */
  policy: RegistryPolicy | null;
  /** Where artifacts live, as the policy names it (s3://… or file://<dir relative to the registry>). */
  store: string | null;
  /** URL prefixes for commits and pull requests, when the repository's remote is on GitHub. */
  links: WebLinks | null;
  /** --base-url: where the site will be served; null when not given. */
  baseUrl: string | null;
  counts: { models: number; versions: number; events: number; problems: number };
  /** Changes whenever any data file changes: appended to data URLs so a browser never mixes builds. */
  build: string;
  /** The history chunks (data/history/<n>.js), oldest first. */
  history: HistoryChunkInfo[];
}

export interface WebLinks {
  /** `${commit}${sha}` is a commit's page. */
  commit: string;
  /** `${pr}${number}` is a pull request's page. */
  pr: string;
}

export interface HistoryChunkInfo {
  /** Dates of its oldest and newest event. */
  from: string;
  to: string;
  events: number;
}

/** data/index.js — one row per model, for the overview. */
export interface OverviewData {
  rows: OverviewRow[];
}

export interface OverviewRow {
  name: string;
  /** The first 280 characters of model.yaml's description, as plain text. */
  description: string;
  owners: string[];
  task: string | null;
  tags: Record<string, string>;
  /** The latest version's tags (the `--tag` filter of `list` matches them too). */
  latestTags: Record<string, string>;
  latest: string | null;
  versions: number;
  frameworks: string[];
  /** Stage → [the version holding it, when it moved (the stage file's moved_at)]. */
  stages: Record<string, [string, string]>;
  /** The date of the newest commit touching the model, or null without history. */
  activity: string | null;
  deprecated: number;
  /** Findings from reading its files. */
  problems: number;
}

/** data/models/<name>.js */
export interface ModelData {
  local: ModelLocal;
  lineage: LineageUnion;
  history: SiteHistory;
}

/** What a model's own files say. */
export interface ModelLocal {
  name: string;
  model: ModelManifest | null;
  /** Newest first (semantic-version order). */
  versions: VersionManifest[];
  stages: StageManifest[];
  problems: SiteFinding[];
}

/**
 * The lineage around a model: every version reachable from one of its versions through parents (up) or
 * children (down), with the edges walked. A version's own neighbourhood is found in it by the same walk
 * from that version alone (view/lineage.ts), so one model's file serves all its versions' graphs.
 */
export interface LineageUnion {
  /** name@version ids. */
  nodes: string[];
  /** Indices into `nodes` of the deprecated versions. */
  deprecated: number[];
  /** [parent, child, relation]: indices into `nodes`. */
  edges: [number, number, string | null][];
  /** True when the walk stopped at the node limit. */
  truncated: boolean;
}

/** A model's history, or a chunk of the registry's: each commit once, events pointing at it, newest first. */
export type SiteHistory = CompactHistory;

/** data/problems.js */
export interface ProblemsData {
  findings: SiteFinding[];
  /** How many there were; only the first PROBLEMS_SHOWN are listed. */
  total: number;
}

export interface SiteFinding {
  code: string;
  severity: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  hint?: string;
}

export const PROBLEMS_SHOWN = 2000;
export const HISTORY_CHUNK = 2000;
export const LINEAGE_NODE_LIMIT = 2000;
export const DESCRIPTION_CHARS = 280;
