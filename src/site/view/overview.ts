/**
 * The overview's table as data: filtered the way `modelreg list` filters (a tag matches the model's tags
 * or its latest version's), searched with MiniSearch, sorted by any column, cut into pages. Pure.
 */
import MiniSearch from 'minisearch';
import { compareVersions, isValidVersion } from '../../registry/versions.js';
import type { OverviewRow } from '../types.js';
import type { OverviewQuery } from './routes.js';

export const PAGE_SIZE = 100;

export interface Facets {
  frameworks: string[];
  owners: string[];
  tags: string[];
  tasks: string[];
}

/** The choices the filter controls offer: every framework, owner and tag (k=v) present. */
export function facets(rows: OverviewRow[]): Facets {
  const frameworks = new Set<string>();
  const owners = new Set<string>();
  const tags = new Set<string>();
  const tasks = new Set<string>();
  for (const r of rows) {
    for (const f of r.frameworks) frameworks.add(f);
    for (const o of r.owners) owners.add(o);
    for (const [k, v] of Object.entries({ ...r.latestTags, ...r.tags })) tags.add(`${k}=${v}`);
    if (r.task) tasks.add(r.task);
  }
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { frameworks: sorted(frameworks), owners: sorted(owners), tags: sorted(tags), tasks: sorted(tasks) };
}

export interface Search {
  /** Names matching the query, best first. */
  search(q: string): string[];
}

const WORDS = /[\s\-_.,;:!?()[\]{}"'/@=|*#`~<>+]+/;
const words = (text: string) => text.split(WORDS).filter(Boolean);

/**
 * A full-text index of names (whole, and in their parts: `fraud-ranker-00012` is found by `fraud`,
 * `ranker` and `fraud-rank`), descriptions and tasks, by prefix and with typos forgiven in longer words.
 * Owners, tags and frameworks have exact filters of their own; leaving them out of the index halves the
 * time to build it at 10k models (measured: ~300 ms → ~100 ms).
 */
function miniSearch(): MiniSearch<{ id: string; name: string; description: string; task: string }> {
  return new MiniSearch({
    fields: ['name', 'description', 'task'],
    tokenize: (text, field) => (field === 'name' ? [text, ...words(text)] : words(text)),
    searchOptions: { tokenize: words, prefix: true, fuzzy: (term) => (term.length > 3 ? 0.2 : false), boost: { name: 3 }, combineWith: 'AND' },
  });
}

const searchDoc = (r: OverviewRow) => ({ id: r.name, name: r.name, description: r.description, task: r.task ?? '' });

function asSearch(ms: ReturnType<typeof miniSearch>): Search {
  return { search: (q) => (q.trim() ? ms.search(q.trim()).map((r) => r.id as string) : []) };
}

export function searchIndex(rows: OverviewRow[]): Search {
  const ms = miniSearch();
  ms.addAll(rows.map(searchDoc));
  return asSearch(ms);
}

/**
 * The same index, built a thousand rows at a time (~15 ms each at 10k models) so the page answers clicks
 * and keys meanwhile. Between steps it yields through a message, not MiniSearch's addAllAsync and its
 * chained setTimeout(0): browsers clamp a chain of timers to 4 ms each after the fifth, which at 500 rows
 * a step was ~80 ms of waiting before a search typed at once could be answered.
 */
export async function searchIndexInSteps(rows: OverviewRow[], step = 1000): Promise<Search> {
  const ms = miniSearch();
  for (let i = 0; i < rows.length; i += step) {
    if (i > 0) await nextTurn();
    ms.addAll(rows.slice(i, i + step).map(searchDoc));
  }
  return asSearch(ms);
}

/** A turn of the event loop, unclamped: what was queued meanwhile (a key, a click) runs first. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.addEventListener(
      'message',
      () => {
        port1.close();
        resolve();
      },
      { once: true },
    );
    port1.start();
    port2.postMessage(null);
  });
}

export interface OverviewTable {
  rows: OverviewRow[];
  /** How many rows passed the filters (before paging). */
  matched: number;
  page: number;
  pages: number;
  sort: string;
  dir: 'asc' | 'desc';
}

/**
 * The rows to show for a query. `hits` are the search's names, best first, when the query has text:
 * then only they pass, in that order unless a column sort is asked for.
 */
export function overviewTable(all: OverviewRow[], query: OverviewQuery, hits: string[] | undefined, stages: string[]): OverviewTable {
  let rows = all;
  if (query.q?.trim() && hits) {
    const byName = new Map(all.map((r) => [r.name, r]));
    rows = hits.map((n) => byName.get(n)).filter((r): r is OverviewRow => !!r);
  }
  rows = rows.filter((r) => passes(r, query));
  const sort = query.sort ?? (query.q?.trim() ? 'relevance' : 'name');
  const dir = query.dir ?? (sort === 'activity' || sort === 'versions' ? 'desc' : 'asc');
  // The rows come sorted by name.
  if (sort !== 'relevance' && !(sort === 'name' && dir === 'asc')) rows = sortRows(rows, sort, dir, stages);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page ?? 1), pages);
  return { rows: rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), matched: rows.length, page, pages, sort, dir };
}

export function passes(r: OverviewRow, q: OverviewQuery): boolean {
  if (q.stage && !Object.hasOwn(r.stages, q.stage)) return false;
  if (q.owner && !r.owners.includes(q.owner)) return false;
  if (q.framework && !r.frameworks.includes(q.framework)) return false;
  if (q.tag) {
    const eq = q.tag.indexOf('=');
    const k = eq < 0 ? q.tag : q.tag.slice(0, eq);
    const tags = { ...r.latestTags, ...r.tags };
    if (!Object.hasOwn(tags, k) || (eq >= 0 && tags[k] !== q.tag.slice(eq + 1))) return false;
  }
  return true;
}

/** Sort keys: name, description, latest, versions, activity, task, owners, tags, frameworks, stage:<name>. Missing values sort last either way. */
export function sortRows(rows: OverviewRow[], sort: string, dir: 'asc' | 'desc', stages: string[]): OverviewRow[] {
  const sign = dir === 'desc' ? -1 : 1;
  const key = sortKey(sort, stages);
  return [...rows].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === null || y === null) return x === y ? byName(a, b) : x === null ? 1 : -1;
    const c = compareKeys(x, y);
    return c !== 0 ? sign * c : byName(a, b);
  });
}

/** A version sorts by semantic-version precedence. */
type SortValue = string | number | { version: string };
type Key = (r: OverviewRow) => SortValue | null;

function sortKey(sort: string, stages: string[]): Key {
  if (sort.startsWith('stage:') && stages.includes(sort.slice(6))) {
    const s = sort.slice(6);
    return (r) => (Object.hasOwn(r.stages, s) ? { version: r.stages[s]![0] } : null);
  }
  switch (sort) {
    case 'latest':
      return (r) => (r.latest ? { version: r.latest } : null);
    case 'versions':
      return (r) => r.versions;
    case 'activity':
      return (r) => (r.activity ? Date.parse(r.activity) : null);
    case 'task':
      return (r) => r.task;
    case 'owners':
      return (r) => r.owners[0] ?? null;
    case 'frameworks':
      return (r) => r.frameworks[0] ?? null;
    case 'tags':
      return (r) =>
        Object.entries(r.tags)
          .map(([k, v]) => `${k}=${v}`)
          .sort()[0] ?? null;
    case 'description':
      return (r) => r.description || null;
    default:
      return (r) => r.name;
  }
}

function compareKeys(x: SortValue, y: SortValue): number {
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'object' && typeof y === 'object') {
    if (isValidVersion(x.version) && isValidVersion(y.version)) return compareVersions(x.version, y.version);
    return compareText(x.version, y.version);
  }
  return compareText(String(x), String(y));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byName(a: OverviewRow, b: OverviewRow): number {
  return compareText(a.name, b.name);
}
