/** The overview: every model, searchable, filterable and sortable by any column; the query lives in the URL. */
import type { OverviewData, OverviewRow, SiteMeta } from '../../types.js';
import { facets, overviewTable, searchIndexInSteps, type Search } from '../../view/overview.js';
import { formatRoute, type OverviewQuery } from '../../view/routes.js';
import { day } from '../../view/format.js';
import { loadIndex } from '../data.js';
import { h, table } from '../dom.js';
import { modelLink, pager, stageNames, versionLink, type View } from '../parts.js';

let indexed: { data: OverviewData; search: Promise<Search> } | undefined;

/** The search index, built once per page load, in steps, starting as soon as the table is drawn. */
function search(data: OverviewData): Promise<Search> {
  if (indexed?.data !== data) indexed = { data, search: searchIndexInSteps(data.rows) };
  return indexed.search;
}

export async function overviewPage(query: OverviewQuery, meta: SiteMeta): Promise<View> {
  const data = await loadIndex();
  const stages = stageNames(meta);
  const f = facets(data.rows);
  let q: OverviewQuery = { ...query };

  const status = h('p', { class: 'status', aria: { live: 'polite' }, id: 'overview-status' });
  const results = h('div', { id: 'overview-results' });
  let latest = 0;
  const update = async (push: boolean) => {
    const mine = ++latest;
    const hits = q.q?.trim() ? (await search(data)).search(q.q) : undefined;
    // A newer query was typed while the index was being built: it draws, not this one.
    if (mine !== latest) return;
    const t = overviewTable(data.rows, q, hits, stages);
    const first = (t.page - 1) * 100 + 1;
    status.textContent =
      t.matched === 0
        ? 'No model matches.'
        : `Showing ${first}–${first + t.rows.length - 1} of ${t.matched} model${t.matched === 1 ? '' : 's'}${t.matched < data.rows.length ? ` (of ${data.rows.length})` : ''}.`;
    results.replaceChildren(
      modelsTable(
        t.rows,
        stages,
        t.sort,
        t.dir,
        (sort) => {
          const dir = t.sort === sort && t.dir === 'asc' ? 'desc' : t.sort === sort ? 'asc' : sort === 'activity' || sort === 'versions' ? 'desc' : 'asc';
          q = { ...q, sort, dir, page: 1 };
          void update(true).then(() => document.getElementById(`sort-${sort}`)?.focus());
        },
        (tag) => {
          q = { ...q, tag, page: 1 };
          const input = document.getElementById('f-tag') as HTMLInputElement | null;
          if (input) input.value = tag;
          void update(true);
        },
      ),
      pager(t.page, t.pages, (page) => formatRoute({ page: 'overview', query: { ...q, page } }), 'Pages of models') ?? '',
    );
    const hash = formatRoute({ page: 'overview', query: { ...q, ...(q.page && q.page > 1 ? {} : { page: undefined }) } });
    if (push && location.hash !== hash) window.history.replaceState(null, '', hash);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const set =
    (key: keyof OverviewQuery, delay = 0) =>
    (e: Event) => {
      const v = (e.target as HTMLInputElement | HTMLSelectElement).value;
      clearTimeout(timer);
      timer = setTimeout(() => {
        q = { ...q, [key]: v || undefined, page: 1 };
        void update(true);
      }, delay);
    };
  const select = (id: string, label: string, key: keyof OverviewQuery, options: string[], any: string) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, label),
      h(
        'select',
        { id, on: { change: set(key) } },
        h('option', { value: '' }, any),
        options.map((o) => h('option', { value: o, selected: q[key] === o }, o)),
      ),
    );

  const form = h(
    'form',
    { role: 'search', class: 'filters', aria: { label: 'Search and filter models' }, on: { submit: (e) => e.preventDefault() } },
    h(
      'div',
      { class: 'field wide' },
      h('label', { for: 'f-q' }, 'Search'),
      h('input', {
        id: 'f-q',
        type: 'search',
        value: q.q ?? '',
        placeholder: 'name, description, owner, tag…',
        autocomplete: 'off',
        on: { input: set('q', 60) },
      }),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'f-tag' }, 'Tag (k=v)'),
      h('input', { id: 'f-tag', type: 'text', list: 'tags', value: q.tag ?? '', autocomplete: 'off', on: { input: set('tag', 150) } }),
      h(
        'datalist',
        { id: 'tags' },
        f.tags.slice(0, 500).map((t) => h('option', { value: t })),
      ),
    ),
    select('f-framework', 'Framework', 'framework', f.frameworks, 'Any'),
    select('f-owner', 'Owner', 'owner', f.owners, 'Any'),
    select('f-stage', 'Holds stage', 'stage', stages, 'Any'),
    h('div', { class: 'field' }, h('a', { href: '#/', class: 'button' }, 'Clear')),
  );

  await update(false);
  return {
    title: 'Models',
    body: h('div', null, h('h1', { tabindex: -1 }, `Models `, h('span', { class: 'count' }, `(${data.rows.length})`)), form, status, results),
    // Start indexing once the table is on screen.
    after: () => setTimeout(() => void search(data), 0),
  };
}

const SORTABLE: [string, string][] = [
  ['name', 'Model'],
  ['description', 'Description'],
  ['owners', 'Owners'],
  ['task', 'Task'],
];

function modelsTable(
  rows: OverviewRow[],
  stages: string[],
  sort: string,
  dir: 'asc' | 'desc',
  onSort: (key: string) => void,
  onTag: (tag: string) => void,
): HTMLElement {
  const th = (key: string, label: string) =>
    h(
      'th',
      { scope: 'col', aria: { sort: sort === key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none' } },
      h(
        'button',
        { type: 'button', class: 'sort', id: `sort-${key}`, on: { click: () => onSort(key) } },
        label,
        h('span', { class: 'arrow', aria: { hidden: 'true' } }, sort === key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''),
      ),
    );
  const head = [
    ...SORTABLE.map(([k, l]) => th(k, l)),
    th('tags', 'Tags'),
    ...stages.map((s) => th(`stage:${s}`, s)),
    th('latest', 'Latest'),
    th('versions', 'Versions'),
    th('activity', 'Last activity'),
  ];
  return table(
    null,
    head,
    rows.map((r) => [
      h('th', { scope: 'row' }, modelLink(r.name), r.problems ? h('span', { class: 'warn', title: `${r.problems} problem(s) reading its files` }, ' ⚠') : null),
      h('td', { class: 'desc' }, r.description),
      h('td', null, r.owners.join(', ')),
      h('td', null, r.task ?? ''),
      h(
        'td',
        { class: 'tags' },
        Object.entries(r.tags).map(([k, v]) =>
          h('button', { type: 'button', class: 'chip', title: `Only models tagged ${k}=${v}`, on: { click: () => onTag(`${k}=${v}`) } }, `${k}=${v}`),
        ),
      ),
      ...stages.map((s) => {
        const held = r.stages[s];
        return h('td', { class: 'stage' }, held ? [versionLink(r.name, held[0]), h('small', { title: held[1] }, ` since ${day(held[1])}`)] : '—');
      }),
      h('td', null, r.latest ? versionLink(r.name, r.latest) : '—'),
      h('td', { class: 'num' }, r.versions),
      h('td', null, r.activity ? h('time', { title: r.activity }, day(r.activity)) : '—'),
    ]),
    { class: 'models', id: 'models', aria: { label: 'Models' } },
  );
}
