/**
 * What the site takes from one model directory's own files: the model's page data (its manifests, as
 * a JSON text ready to be written) and the small facts the rest of the site needs of it (its overview
 * row, its versions' parents for the lineage graph, its problems). Pure: a function of a snapshot that
 * holds the model, so the result can be kept beside the digest of the model's files and reused until
 * one of them changes (Registry.derivePerModel).
 */
import type { Snapshot } from '../registry/snapshot.js';
import { finding, type Finding } from '../registry/findings.js';
import { MODEL_NAME } from '../registry/names.js';
import { latestVersion } from '../registry/refs.js';
import { compareVersions, isValidVersion } from '../registry/versions.js';
import { modelDirOf, paths } from '../registry/layout.js';
import { DESCRIPTION_CHARS, type ModelLocal, type OverviewRow, type SiteFinding } from './types.js';

/** The facts of a model the other pages need; kept small (one per model in the digest cache). */
export interface ModelMeta {
  /** False for a directory the site cannot show as a model (an invalid name, or no usable files): only its problems are shown. */
  shown: boolean;
  /** Its overview row, but for `activity`, which comes from the history. */
  row: Omit<OverviewRow, 'activity'>;
  /**
   * Its versions, deprecations and lineage parents, packed in one string (packLineage): 100k small arrays
   * cost more to read back from the cache than one string a model, and most rebuilds never unpack them.
   */
  lineage: string;
  /** A hash of `lineage`: when no model's changes, no lineage union does. */
  lineageKey: string;
  /** Findings from reading the directory's files, and why anything was left out. */
  problems: SiteFinding[];
}

export function modelSiteData(snap: Snapshot, name: string): { value: ModelMeta; text: string } {
  const entry = snap.models.get(name);
  const inDir = (f: Finding) => f.file !== undefined && modelDirOf(f.file) === name;
  const problems: SiteFinding[] = snap.findings.filter(inDir).map(siteFinding);
  const shown = !!entry && MODEL_NAME.test(name) && (!!entry.manifest || entry.versions.size > 0);
  if (!shown) {
    if (!MODEL_NAME.test(name))
      problems.push(
        siteFinding(
          finding('name-invalid', `the model directory ${JSON.stringify(name)} is not a valid model name; the site leaves it out`, {
            file: paths.modelDir(name),
          }),
        ),
      );
    return { value: { shown: false, row: emptyRow(name, problems.length), lineage: '', lineageKey: '', problems }, text: 'null' };
  }
  const versions = [...entry.versions.values()].filter((v) => {
    const id = idOf(v.file);
    if (isValidVersion(id) && v.data.version === id) return true;
    problems.push(
      siteFinding(
        isValidVersion(id)
          ? finding('name-mismatch', `${v.file} says version ${JSON.stringify(v.data.version)}; the site leaves it out`, { file: v.file })
          : finding('version-invalid', `${v.file} is not named by a semantic version; the site leaves it out`, { file: v.file }),
      ),
    );
    return false;
  });
  versions.sort((a, b) => compareVersions(b.data.version, a.data.version));
  const stages = [...entry.stages.values()].map((s) => s.data).sort((a, b) => (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0));
  const manifest = entry.manifest?.data ?? null;
  const latest = latestVersion(entry, false) ?? latestVersion(entry, true);
  const row: ModelMeta['row'] = {
    name,
    description: plainSummary(manifest?.description ?? ''),
    owners: manifest?.owners ?? [],
    task: manifest?.task ?? null,
    tags: manifest?.tags ?? {},
    latestTags: latest?.data.tags ?? {},
    latest: latest?.data.version ?? null,
    versions: versions.length,
    frameworks: [...new Set(versions.map((v) => v.data.framework).filter((f): f is string => !!f))].sort(),
    stages: Object.fromEntries(stages.map((s) => [s.stage, [s.version, s.moved_at]])),
    deprecated: versions.filter((v) => v.data.deprecated).length,
    problems: problems.length,
  };
  const local: ModelLocal = { name, model: manifest, versions: versions.map((v) => v.data), stages, problems };
  const lineage = packLineage({
    versions: versions.map((v) => v.data.version),
    deprecated: versions.filter((v) => v.data.deprecated).map((v) => v.data.version),
    parents: versions.flatMap((v) =>
      (v.data.lineage?.parents ?? []).map((p): LineageFact['parents'][number] => [v.data.version, p.model, p.version, p.relation ?? null]),
    ),
  });
  return {
    value: { shown: true, row, lineage, lineageKey: stringHash(lineage), problems },
    text: JSON.stringify(local),
  };
}

/** What the lineage graph needs of a model: its versions (newest first), the deprecated ones, and each [version, parent model, parent version, relation]. */
export interface LineageFact {
  versions: string[];
  deprecated: string[];
  parents: [string, string, string, string | null][];
}

/**
 * One line of versions, one of deprecated versions, then a line per parent, tab-separated. Safe as text:
 * names, versions and relations are restricted by the schemas (no spaces, tabs or newlines).
 */
export function packLineage(l: LineageFact): string {
  return [l.versions.join(' '), l.deprecated.join(' '), ...l.parents.map((p) => p.map((x) => x ?? '').join('\t'))].join('\n');
}

export function unpackLineage(text: string): LineageFact {
  const [versions = '', deprecated = '', ...parents] = text.split('\n');
  const words = (line: string) => (line ? line.split(' ') : []);
  return {
    versions: words(versions),
    deprecated: words(deprecated),
    parents: parents.map((line) => {
      const [v, model, version, relation] = line.split('\t') as [string, string, string, string];
      return [v, model, version, relation || null];
    }),
  };
}

/** cyrb53: a fast 53-bit hash of a string (no crypto module, so this module stays pure and portable). */
export function stringHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

function idOf(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1).replace(/\.yaml$/, '');
}

function emptyRow(name: string, problems: number): ModelMeta['row'] {
  return {
    name,
    description: '',
    owners: [],
    task: null,
    tags: {},
    latestTags: {},
    latest: null,
    versions: 0,
    frameworks: [],
    stages: {},
    deprecated: 0,
    problems,
  };
}

export function siteFinding(f: Finding): SiteFinding {
  return {
    code: f.code,
    severity: f.severity,
    message: f.message,
    ...(f.file !== undefined ? { file: f.file } : {}),
    ...(f.line !== undefined ? { line: f.line } : {}),
    ...(f.hint ? { hint: f.hint } : {}),
  };
}

/** A description for a table cell and the search index: Markdown's marks dropped, whitespace folded, cut at a word. */
export function plainSummary(markdown: string, max = DESCRIPTION_CHARS): string {
  const text = markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_#>~|]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
