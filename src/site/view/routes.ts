/**
 * The site's addresses: one index.html, each page named by the part after `#`, so every page has a URL
 * that can be pasted into a review or a chat and opens the same page from file://, a loopback server or
 * any static host. Pure: parse and format are each other's inverse (test/unit/site-view.test.ts).
 *
 *   #/                              the overview; ?q=&tag=k=v&framework=&owner=&stage=&sort=&dir=&page=
 *   #/m/<model>                     a model; ?on=<YYYY-MM-DD> picks a day on the stage timeline
 *   #/m/<model>/v/<version>         a version
 *   #/compare?v=<ref>&v=<ref>…      versions side by side (one model or several), the first is the baseline
 *   #/history?model=&stage=&author=&kind=&from=&to=&commit=
 *   #/problems                      files that could not be read
 */
export type Route =
  | { page: 'overview'; query: OverviewQuery }
  | { page: 'model'; model: string; on?: string; vpage?: number }
  | { page: 'version'; model: string; version: string }
  | { page: 'compare'; refs: string[] }
  | { page: 'history'; filters: HistoryFilters }
  | { page: 'problems' }
  | { page: 'not-found'; hash: string };

export interface OverviewQuery {
  q?: string;
  /** k=v */
  tag?: string;
  framework?: string;
  owner?: string;
  stage?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
  page?: number;
}

export interface HistoryFilters {
  model?: string;
  stage?: string;
  author?: string;
  kind?: string;
  /** YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  commit?: string;
}

const OVERVIEW_KEYS = ['q', 'tag', 'framework', 'owner', 'stage', 'sort', 'dir', 'page'] as const;
const HISTORY_KEYS = ['model', 'stage', 'author', 'kind', 'from', 'to', 'commit'] as const;

export function parseRoute(hash: string): Route {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter((p, i) => i > 0 || p !== '');
  let segs: string[];
  try {
    segs = parts.filter(Boolean).map((p) => decodeURIComponent(p));
  } catch {
    return { page: 'not-found', hash: raw };
  }
  if (path === '' || path === '/') {
    const query: OverviewQuery = {};
    for (const k of OVERVIEW_KEYS) {
      const v = params.get(k);
      if (v === null || v === '') continue;
      if (k === 'page') {
        const n = Number.parseInt(v, 10);
        if (n > 1) query.page = n;
      } else if (k === 'dir') query.dir = v === 'desc' ? 'desc' : 'asc';
      else query[k] = v;
    }
    return { page: 'overview', query };
  }
  if (segs[0] === 'm' && segs.length === 2) {
    const on = params.get('on');
    const vpage = Number.parseInt(params.get('page') ?? '', 10);
    return { page: 'model', model: segs[1]!, ...(on && /^\d{4}-\d{2}-\d{2}$/.test(on) ? { on } : {}), ...(vpage > 1 ? { vpage } : {}) };
  }
  if (segs[0] === 'm' && segs.length === 4 && segs[2] === 'v') return { page: 'version', model: segs[1]!, version: segs[3]! };
  if (segs[0] === 'compare' && segs.length === 1) return { page: 'compare', refs: params.getAll('v').filter(Boolean) };
  if (segs[0] === 'history' && segs.length === 1) {
    const filters: HistoryFilters = {};
    for (const k of HISTORY_KEYS) {
      const v = params.get(k);
      if (v) filters[k] = v;
    }
    return { page: 'history', filters };
  }
  if (segs[0] === 'problems' && segs.length === 1) return { page: 'problems' };
  return { page: 'not-found', hash: raw };
}

export function formatRoute(route: Route): string {
  const enc = encodeURIComponent;
  const withQuery = (path: string, entries: [string, string | number | undefined][]) => {
    const p = new URLSearchParams();
    for (const [k, v] of entries) if (v !== undefined && v !== '') p.append(k, String(v));
    const s = p.toString();
    return `#${path}${s ? `?${s}` : ''}`;
  };
  switch (route.page) {
    case 'overview':
      return withQuery(
        '/',
        OVERVIEW_KEYS.map((k) => [k, route.query[k]]),
      );
    case 'model':
      return withQuery(`/m/${enc(route.model)}`, [
        ['on', route.on],
        ['page', route.vpage],
      ]);
    case 'version':
      return `#/m/${enc(route.model)}/v/${enc(route.version)}`;
    case 'compare':
      return withQuery(
        '/compare',
        route.refs.map((r) => ['v', r]),
      );
    case 'history':
      return withQuery(
        '/history',
        HISTORY_KEYS.map((k) => [k, route.filters[k]]),
      );
    case 'problems':
      return '#/problems';
    case 'not-found':
      return `#${route.hash}`;
  }
}

export const modelHref = (model: string) => formatRoute({ page: 'model', model });
export const versionHref = (model: string, version: string) => formatRoute({ page: 'version', model, version });
export const historyHref = (filters: HistoryFilters) => formatRoute({ page: 'history', filters });
export const compareHref = (refs: string[]) => formatRoute({ page: 'compare', refs });
