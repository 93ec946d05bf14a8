/**
 * The registry-wide audit log: registrations, promotions, rollbacks, deprecations, filterable by model,
 * stage, author, kind, date and commit. The log is read in chunks, newest first, only as far as the
 * filters need to fill a page; a model's own history comes from its data file.
 */
import type { HistoryKind } from '../../../registry/history.js';
import type { SiteHistory, SiteMeta } from '../../types.js';
import { describeEvent, filterHistory, type ShownEvent } from '../../view/history.js';
import { formatRoute, type HistoryFilters } from '../../view/routes.js';
import { loadHistoryChunk, loadModel, NotFound } from '../data.js';
import { h } from '../dom.js';
import { author, claims, commitCell, date, modelLink, prCell, stageNames, versionLink, type View } from '../parts.js';

const PAGE = 100;
const KINDS: HistoryKind[] = [
  'registered',
  'promoted',
  'rolled-back',
  'deprecated',
  'undeprecated',
  'stage-removed',
  'model-created',
  'model-updated',
  'modified',
  'deleted',
];

export async function historyPage(filters: HistoryFilters, meta: SiteMeta): Promise<View> {
  const total = meta.counts.events;
  // A model's events are all in its own file: no need to read the whole log.
  let sources: (() => Promise<SiteHistory>)[];
  if (filters.model) {
    const name = filters.model;
    sources = [
      () =>
        loadModel(name).then(
          (d) => d.history,
          (e) => (e instanceof NotFound ? { commits: [], events: [] } : Promise.reject(e)),
        ),
    ];
  } else sources = meta.history.map((_, i) => () => loadHistoryChunk(i)).reverse();

  const found: ShownEvent[] = [];
  let read = 0;
  const tbody = h('tbody');
  const status = h('p', { class: 'status', aria: { live: 'polite' }, id: 'history-status' });
  const more = h('button', { type: 'button', id: 'history-more' }, 'Show more');
  let shown = 0;
  const fill = async () => {
    while (found.length < shown + PAGE && read < sources.length) found.push(...filterHistory(await sources[read++]!(), filters));
    const next = found.slice(shown, shown + PAGE);
    for (const { event: e, commit: c } of next) {
      tbody.appendChild(
        h(
          'tr',
          null,
          h('td', null, date(c.date)),
          h('td', null, describeEvent(e)),
          h('td', null, modelLink(e.model), e.version && !e.stage ? [' ', versionLink(e.model, e.version, `@${e.version}`)] : null),
          h('td', null, author(c), claims(e)),
          h('td', { class: 'reason' }, e.reason ?? c.subject),
          h('td', null, commitCell(c, meta)),
          h('td', null, prCell(c, meta)),
        ),
      );
    }
    shown += next.length;
    const all = read >= sources.length;
    status.textContent = `${shown} event${shown === 1 ? '' : 's'} shown${all ? ` of ${found.length} matching` : ''}${filters.model ? '' : ` (${total} in the whole history${all ? '' : `; read ${read} of ${sources.length} parts so far`})`}.`;
    more.hidden = all && shown >= found.length;
  };
  more.addEventListener('click', () => void fill());

  const input = (id: keyof HistoryFilters, label: string, type = 'text') =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `h-${id}` }, label),
      h('input', { id: `h-${id}`, name: id, type, value: filters[id] ?? '', autocomplete: 'off' }),
    );
  const choose = (id: keyof HistoryFilters, label: string, options: string[]) =>
    h(
      'div',
      { class: 'field' },
      h('label', { for: `h-${id}` }, label),
      h(
        'select',
        { id: `h-${id}`, name: id },
        h('option', { value: '' }, 'Any'),
        options.map((o) => h('option', { value: o, selected: filters[id] === o }, o)),
      ),
    );
  const form = h(
    'form',
    {
      class: 'filters',
      aria: { label: 'Filter the history' },
      on: {
        submit: (e) => {
          e.preventDefault();
          const data = new FormData(e.target as HTMLFormElement);
          const next: HistoryFilters = {};
          for (const [k, v] of data.entries()) if (typeof v === 'string' && v.trim()) next[k as keyof HistoryFilters] = v.trim();
          location.hash = formatRoute({ page: 'history', filters: next });
        },
      },
    },
    input('model', 'Model'),
    choose('stage', 'Stage', stageNames(meta)),
    input('author', 'Author'),
    choose('kind', 'Event', KINDS),
    input('from', 'From', 'date'),
    input('to', 'To', 'date'),
    input('commit', 'Commit'),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit' }, 'Filter'), h('a', { href: '#/history', class: 'button' }, 'Clear')),
  );
  await fill();
  return {
    title: 'History',
    body: h(
      'div',
      null,
      h('h1', { tabindex: -1 }, 'History'),
      h(
        'p',
        null,
        'Every registration, promotion, rollback and deprecation, from ',
        h('code', null, 'git log'),
        ' (first parent: a merged pull request is one entry, its merge commit).',
      ),
      form,
      status,
      h(
        'table',
        { class: 'history', id: 'history-table', aria: { label: 'History' } },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ['Date', 'Event', 'Model', 'Author', 'Why', 'Commit', 'PR'].map((c) => h('th', { scope: 'col' }, c)),
          ),
        ),
        tbody,
      ),
      more,
    ),
  };
}
