/**
 * `modelreg site`: the static registry browser, written from the registry at a revision (or the work
 * tree). The only module of the site that writes (through output.ts); the data comes from the library
 * API and the pure functions beside this file.
 *
 *   index.html, 404.html           the page (hash-routed) and a not-found page for static hosts
 *   assets/app.js, pages.js, …     the bundled scripts (src/site/client/: the overview; every other page) and styles
 *   data/meta.js                   policy, revision, links, counts, history chunk list
 *   data/index.js                  one row per model (the overview)
 *   data/models/<name>.js          a model: its manifests, lineage neighbourhood and history
 *   data/history/<n>.js            the audit log, 2,000 events a chunk, oldest chunk first
 *   data/problems.js               files that could not be read
 *   .modelreg-site.json            the marker: what this directory holds (output.ts)
 *
 * A model's data file is made from its cached per-model text (Registry.derivePerModel: recomputed only
 * when the model's files change), its lineage and its history; its key is a hash of those three, so a
 * rebuild neither regenerates nor rewrites a model whose facts did not change.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Registry } from '../api/registry.js';
import { packageRoot } from '../api/package-root.js';
import { ModelregError } from '../registry/errors.js';
import { finding } from '../registry/findings.js';
import { modelSiteData, siteFinding, type ModelMeta } from './model-data.js';
import { OutputDir } from './output.js';
import { selectEvents } from '../registry/history.js';
import { eventsByModel, historyChunks, historyKey, lineageHashes, overviewData, siteStore, webLinks, type LineageMemo } from './site-data.js';
import { dataScript, dataScriptParts, indexHtml, notFoundHtml } from './html.js';
import { PROBLEMS_SHOWN, SITE_FORMAT, type ProblemsData, type SiteFinding, type SiteMeta } from './types.js';

export interface SiteProgress {
  /** A total of 0: not known. */
  start(label: string, total: number, unit: 'items'): (done: number) => void;
  done(): void;
}

export interface SiteOptions {
  out: string;
  /** Where the site will be served (a path like /registry/ or a URL); null or absent when unknown. */
  baseUrl?: string | null;
  /** GITHUB_SERVER_URL, for links on GitHub Enterprise. */
  serverUrl?: string;
  progress?: SiteProgress;
}

export interface SiteResult {
  out: string;
  /** index.html: where to open it (file://), and where it will be served when --base-url was given. */
  index: string;
  url: string | null;
  revision: string | null;
  models: number;
  versions: number;
  events: number;
  problems: number;
  files: number;
  bytes: number;
  written: string[];
  removed: string[];
  unchanged: number;
  fresh: boolean;
}

const ASSETS = ['app.js', 'pages.js', 'site.css', 'favicon.svg', 'licenses.txt'] as const;

export async function buildSite(reg: Registry, options: SiteOptions): Promise<SiteResult> {
  const assets = readAssets();
  const out = OutputDir.open(options.out, reg.root);
  const noProgress = () => () => {};
  const progress = options.progress ?? { start: noProgress, done: () => {} };

  progress.start('reading the registry', 0, 'items')(0);
  // The history is read by git processes, so it goes on beside the reading of the models.
  const [derived, history, remote] = await Promise.all([
    reg.derivePerModel<ModelMeta>({ name: 'site', format: SITE_FORMAT }, modelSiteData),
    reg.registryHistory(),
    reg.remoteUrl(),
  ]);
  progress.done();

  const metas = derived.models.map((m) => ({ name: m.name, value: m.value }));
  const shown = derived.models.filter((m) => m.value.shown);
  const { events: positions, activity } = eventsByModel(history);

  const memo = out.recall<LineageMemo>('lineage');
  const lineage = lineageHashes(metas, memo?.keys && memo.hashes && memo.members && memo.parents && Array.isArray(memo.truncated) ? memo : undefined);
  out.remember('lineage', lineage.memo);

  const write = progress.start('writing model pages', shown.length, 'items');
  let done = 0;
  for (const m of shown) {
    const mine = positions.get(m.name);
    // The key needs no serialised history: a model's newest commit and its event count fix all of it.
    const key = sha1(`${SITE_FORMAT}\0${m.hash}\0${lineage.hash(m.name)}\0${historyKey(history, mine)}`);
    out.put(`data/models/${m.name}.js`, key, () => {
      const [head, tail] = dataScriptParts(`models/${m.name}`);
      const events = JSON.stringify(mine ? selectEvents(history, mine) : { commits: [], events: [] });
      return [Buffer.from(`${head}{"local":`), m.bytes(), Buffer.from(`,"lineage":${lineage.json(m.name)},"history":${events}}${tail}`)];
    });
    write(++done);
  }
  progress.done();

  // The rows come from the models' files (their hashes) and the history (the activity dates).
  const overviewKey = sha1(`${SITE_FORMAT}\0${shown.map((m) => `${m.name}\0${m.hash}\0${activity.get(m.name) ?? ''}`).join('\n')}`);
  out.put('data/index.js', overviewKey, () => dataScript('index', JSON.stringify(overviewData(metas, activity))));
  const chunks = historyChunks(history);
  chunks.forEach((c, i) => out.put(`data/history/${i}.js`, sha1(`${SITE_FORMAT}\0${c.key}`), () => dataScript(`history/${i}`, JSON.stringify(c.content()))));

  const findings: SiteFinding[] = [...derived.findings.map(siteFinding), ...metas.flatMap((m) => m.value.problems)];
  if (!derived.policy && !findings.some((f) => f.file === 'registry.yaml'))
    findings.unshift(siteFinding(finding('tree-missing-policy', 'registry.yaml is missing: the stage order and gates are unknown', { file: 'registry.yaml' })));
  const problems: ProblemsData = { findings: findings.slice(0, PROBLEMS_SHOWN), total: findings.length };
  putJson(out, 'data/problems.js', 'problems', problems);

  const assetKey = sha1(ASSETS.map((a) => sha1(assets[a])).join(''));
  for (const a of ASSETS) out.put(`assets/${a}`, sha1(assets[a]), () => assets[a]);

  const policy = derived.policy?.data ?? null;
  const versions = shown.reduce((n, m) => n + m.value.row.versions, 0);
  const baseUrl = options.baseUrl ? options.baseUrl.replace(/\/?$/, '/') : null;
  const meta: SiteMeta = {
    format: SITE_FORMAT,
    title: policy?.description?.trim() || 'Model registry',
    revision: { commit: reg.source.commit ?? null, label: reg.source.label },
    policy,
    store: siteStore(derived.policy?.data),
    links: webLinks(remote, options.serverUrl),
    baseUrl,
    counts: { models: shown.length, versions, events: history.events.length, problems: findings.length },
    // Every data file's key: a new build id exactly when some data changed.
    build: sha1(out.keys().join('\n')).slice(0, 16),
    history: chunks.map((c) => c.info),
  };
  putJson(out, 'data/meta.js', 'meta', meta);
  const page = indexHtml({ title: meta.title, assets: assetKey.slice(0, 16), build: meta.build });
  out.put('index.html', sha1(page), () => page);
  const notFound = notFoundHtml(baseUrl);
  out.put('404.html', sha1(notFound), () => notFound);
  out.put('.nojekyll', sha1(''), () => '');

  const { removed, bytes, files } = out.finish();
  const index = join(out.dir, 'index.html');
  return {
    out: out.dir,
    index: pathToFileURL(index).href,
    url: baseUrl && /^https?:\/\//.test(baseUrl) ? `${baseUrl}index.html` : null,
    revision: meta.revision.commit,
    models: shown.length,
    versions,
    events: history.events.length,
    problems: findings.length,
    files,
    bytes,
    written: out.written,
    removed,
    unchanged: out.unchanged,
    fresh: out.fresh,
  };
}

function putJson(out: OutputDir, path: string, key: string, value: unknown): void {
  const text = dataScript(key, JSON.stringify(value));
  out.put(path, sha1(text), () => text);
}

function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The bundled scripts and styles (scripts/bundle-site.mjs writes them into dist/site/ during `npm run build`). */
function readAssets(): Record<(typeof ASSETS)[number], Buffer> {
  const dir = join(packageRoot(), 'dist', 'site');
  const missing = ASSETS.filter((a) => !existsSync(join(dir, a)));
  if (missing.length)
    throw new ModelregError('output-refused', `the site's scripts are missing from ${dir} (${missing.join(', ')})`, {
      hint: 'Run `npm run build` in the modelreg checkout (it bundles them).',
    });
  return Object.fromEntries(ASSETS.map((a) => [a, readFileSync(join(dir, a))])) as Record<(typeof ASSETS)[number], Buffer>;
}
