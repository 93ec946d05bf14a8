/**
 * A model: its card, the holder of each stage, every version (metrics as columns), a chart of each metric
 * across versions with the stage holders marked, and the stage timeline with the holders on any day.
 */
import { renderCard } from '../../../review/card.js';
import { attribute } from '../../../registry/provenance.js';
import { lineageGraph as graphOf, lineageTree, nodeId } from '../../../registry/lineage.js';
import type { SiteMeta } from '../../types.js';
import { day, num } from '../../view/format.js';
import { describeEvent } from '../../view/history.js';
import {
  gitFacts,
  holderAttribution,
  holdersOn,
  latestOf,
  metricNames,
  metricSeries,
  moveAttribution,
  orderedStages,
  stageTimeline,
  versionRows,
  type HoldersOnDay,
} from '../../view/model.js';
import { compareHref, formatRoute, historyHref } from '../../view/routes.js';
import { unionEdges } from '../../view/version.js';
import { afterPaint, metricChart, pointAt, timelineChart } from '../charts.js';
import { badge, h, section, table } from '../dom.js';
import { markdown } from '../markdown.js';
import {
  author,
  whoOf,
  breadcrumb,
  modelOrNotFound,
  commitCell,
  date,
  definitions,
  pager,
  prCell,
  stageBadges,
  stageNames,
  versionLink,
  type View,
} from '../parts.js';

const VERSIONS_PAGE = 100;

export async function modelPage(name: string, on: string | undefined, vpage: number | undefined, meta: SiteMeta): Promise<View> {
  const data = await modelOrNotFound(name);
  if (!('local' in data)) return data;
  const { local, history: log } = data;
  const policyStages = stageNames(meta);
  const stages = orderedStages(
    policyStages,
    local.stages.map((s) => s.stage),
  );
  // Who registered and deprecated each version, from the commits: read once for the table and the card.
  const facts = gitFacts(log);
  const rows = versionRows(local, policyStages, facts.registered);
  const metrics = metricNames(local);
  const series = metricSeries(local, policyStages);
  const timeline = stageTimeline(log, policyStages);
  const latest = latestOf(local);
  const m = local.model;

  // The card of the latest version, as `modelreg card <name>` writes it.
  let card: HTMLElement | null = null;
  if (latest) {
    const g = graphOf(data.lineage.nodes, unionEdges(data.lineage));
    const ancestors = lineageTree(g, nodeId(name, latest.version), 'up');
    const held = local.stages.filter((s) => s.version === latest.version).map((s) => s.stage);
    const registered = attribute(facts.registered.get(latest.version), { by: latest.created_by, at: latest.created_at });
    const deprecated = latest.deprecated
      ? { deprecated: attribute(facts.deprecated.get(latest.version), { by: latest.deprecated.by, at: latest.deprecated.at }) }
      : {};
    card = h(
      'details',
      { class: 'card', open: true },
      h('summary', null, `Model card — ${name} ${latest.version}`),
      markdown(
        renderCard({
          model: m ?? undefined,
          version: latest,
          stages: held,
          ancestors,
          store: meta.store ?? 'file://.modelreg/store',
          registered,
          ...deprecated,
        }),
      ),
    );
  }

  const pages = Math.max(1, Math.ceil(rows.length / VERSIONS_PAGE));
  const page = Math.min(Math.max(1, vpage ?? 1), pages);
  const shown = rows.slice((page - 1) * VERSIONS_PAGE, page * VERSIONS_PAGE);
  const compareButton = h('button', { type: 'button', id: 'compare-selected', on: { click: () => compareSelected(name) } }, 'Compare selected');
  const versionsTable = table(
    null,
    [h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Select')), 'Version', 'Stages', 'Registered', 'By', 'Framework', ...metrics, 'Notes'],
    shown.map((r) => [
      h('td', null, h('input', { type: 'checkbox', class: 'pick', value: `${name}@${r.version}`, aria: { label: `Select ${r.version} to compare` } })),
      h('th', { scope: 'row' }, versionLink(name, r.version)),
      h('td', null, stageBadges(r.stages, stages)),
      h('td', null, date(r.registered.at)),
      h('td', null, whoOf(r.registered)),
      h('td', null, r.framework ?? ''),
      ...metrics.map((k) => h('td', { class: 'num' }, Object.hasOwn(r.metrics, k) ? num(r.metrics[k]) : '—')),
      h('td', null, r.deprecated ? badge('deprecated', 'deprecated') : null, r.prerelease ? badge('pre-release', 'pre') : null),
    ]),
    { class: 'versions', id: 'versions-table', aria: { label: `Versions of ${name}` } },
  );

  const charts = series.map((s) => {
    const target = h('div', { class: 'chart', data: { metric: s.metric } });
    const held = s.holders.map((x) => `${x.stage}: ${x.version} = ${num(x.value)}`).join('; ');
    const values = s.values.filter((v): v is number => v !== null);
    return {
      s,
      target,
      figure: h(
        'figure',
        { class: 'metric' },
        h(
          'figcaption',
          null,
          h('strong', null, s.metric),
          ` across ${s.versions.length} versions`,
          values.length ? ` (${num(Math.min(...values))} to ${num(Math.max(...values))})` : '',
          held ? `; ${held}` : '',
        ),
        target,
      ),
    };
  });

  const versionsAsc = [...local.versions].reverse().map((v) => v.version);
  const timelineTarget = h('div', { class: 'chart', id: 'timeline-chart' });
  const holdersBox = h('div', { id: 'holders', aria: { live: 'polite' } });
  const today = new Date().toISOString().slice(0, 10);
  const firstDay = timeline.moves.length ? day(timeline.moves[timeline.moves.length - 1]!.commit.date) : today;
  const onInput = h('input', { type: 'date', id: 'on-day', value: on ?? today, min: firstDay, max: today });
  let chart: ReturnType<typeof timelineChart> | undefined;
  const showDay = (d: string, push: boolean) => {
    holdersBox.replaceChildren(holdersTable(holdersOn(timeline, d), d, name, meta));
    if (chart) pointAt(chart, Date.parse(`${d}T23:59:59Z`) / 1000);
    if (push) window.history.replaceState(null, '', formatRoute({ page: 'model', model: name, on: d }));
  };
  onInput.addEventListener('change', () => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(onInput.value)) showDay(onInput.value, true);
  });

  const body = h(
    'div',
    null,
    breadcrumb(h('a', { href: '#/' }, 'Models'), h('span', { aria: { current: 'page' } }, name)),
    h('h1', { tabindex: -1 }, name),
    m?.description ? markdown(m.description, 'prose lead') : null,
    definitions([
      ['Owners', m?.owners.join(', ') ?? ''],
      ['Task', m?.task ?? ''],
      ['License', m?.license ?? ''],
      ['Tags', Object.entries(m?.tags ?? {}).map(([k, v]) => h('span', { class: 'chip static' }, `${k}=${v}`))],
      ['Versions', `${local.versions.length}`],
      ['Latest', latest ? versionLink(name, latest.version) : '—'],
      ['History', h('a', { href: historyHref({ model: name }) }, `${log.events.length} events`)],
    ]),
    section(
      'Stages',
      'stages',
      local.stages.length === 0
        ? h('p', null, 'No version holds a stage.')
        : table(
            null,
            ['Stage', 'Version', 'Since', 'Moved by', 'Reason', 'Previous'],
            stages
              .map((s) => local.stages.find((x) => x.stage === s))
              .filter((s) => !!s)
              .map((s) => {
                const moved = holderAttribution(timeline, s);
                return [
                  h('th', { scope: 'row' }, stageBadges([s.stage], stages)),
                  versionLink(name, s.version),
                  date(moved.at),
                  whoOf(moved),
                  s.reason ?? '',
                  s.previous ? versionLink(name, s.previous) : '—',
                ];
              }),
            { aria: { label: 'Stage holders' } },
          ),
    ),
    card,
    section(
      'Versions',
      'versions',
      h(
        'p',
        { class: 'actions' },
        'Tick two or more versions, then ',
        compareButton,
        ' — or compare ',
        latest && local.stages.length
          ? h(
              'a',
              { href: compareHref([...local.stages.map((s) => `${name}@${s.version}`), `${name}@${latest.version}`].filter((x, i, a) => a.indexOf(x) === i)) },
              'the stage holders with the latest',
            )
          : 'any versions',
        '.',
      ),
      versionsTable,
      pager(page, pages, (p) => formatRoute({ page: 'model', model: name, vpage: p }), 'Pages of versions'),
    ),
    section('Metrics', 'metrics', charts.length ? charts.map((c) => c.figure) : h('p', null, 'No metrics recorded.')),
    section(
      'Stage timeline',
      'timeline',
      timeline.intervals.length === 0
        ? h('p', null, 'No promotion in the history (the history is read from git log of the revision this site was built from).')
        : [
            h('figure', null, h('figcaption', null, 'Which version held each stage over time (from git log).'), timelineTarget),
            h('div', { class: 'field inline' }, h('label', { for: 'on-day' }, 'Holders on'), onInput),
            holdersBox,
            h('h3', null, 'Every move'),
            table(
              null,
              ['Date', 'Stage', 'Change', 'Moved by', 'Reason', 'Commit', 'PR'],
              timeline.moves.map((mv) => [
                date(mv.commit.date),
                stageBadges([mv.stage], stages),
                `${mv.kind} ${mv.previous ?? '-'} → ${mv.version ?? '-'}`,
                whoOf(moveAttribution(mv)),
                mv.reason ?? '',
                commitCell(mv.commit, meta),
                prCell(mv.commit, meta),
              ]),
              { class: 'moves', aria: { label: 'Stage moves' } },
            ),
          ],
    ),
    section(
      'Recent history',
      'recent',
      log.events.length === 0
        ? h('p', null, 'No history.')
        : [
            h(
              'ul',
              { class: 'events' },
              log.events.slice(0, 10).map((e) => h('li', null, date(log.commits[e.c]!.date), ' ', describeEvent(e), ' — ', author(log.commits[e.c]!))),
            ),
            h('p', null, h('a', { href: historyHref({ model: name }) }, 'The whole history of this model')),
          ],
    ),
    local.problems.length
      ? section(
          'Problems',
          'problems',
          h(
            'ul',
            null,
            local.problems.map((p) => h('li', null, `${p.file ?? ''}${p.line ? `:${p.line}` : ''}: ${p.severity}[${p.code}] ${p.message}`)),
          ),
        )
      : null,
  );

  return {
    title: name,
    body,
    after: async () => {
      // Draw after the first paint: the table and the cards show at once, and the charts' first read of
      // their width no longer pays for the layout of the whole page (measured: ~300 ms of the 1,000-version
      // model's chart time was that layout).
      await afterPaint();
      if (!body.isConnected) return; // left meanwhile
      performance.mark('charts-start');
      for (const c of charts) metricChart(c.target, c.s, stages);
      if (timeline.intervals.length) chart = timelineChart(timelineTarget, timeline, versionsAsc, Date.now() / 1000);
      performance.mark('charts-end');
      performance.measure('charts', 'charts-start', 'charts-end');
      if (timeline.intervals.length) showDay(on ?? today, false);
    },
  };
}

function compareSelected(name: string): void {
  const refs = [...document.querySelectorAll<HTMLInputElement>('input.pick:checked')].map((i) => i.value);
  if (refs.length < 2) {
    const msg = document.getElementById('compare-msg') ?? h('p', { id: 'compare-msg', class: 'note', role: 'status' });
    msg.textContent = `Tick at least two versions of ${name} to compare them.`;
    document.getElementById('compare-selected')?.after(msg);
    return;
  }
  location.hash = compareHref(refs);
}

function holdersTable(holders: HoldersOnDay[], d: string, name: string, meta: SiteMeta): HTMLElement {
  const order = holders.map((x) => x.stage);
  return table(
    `Holders at the end of ${d} (UTC)`,
    ['Stage', 'Version', 'Since', 'Moves that day'],
    holders.map((x) => [
      h('th', { scope: 'row' }, stageBadges([x.stage], order)),
      x.version ? versionLink(name, x.version) : '—',
      x.since ? date(x.since) : '—',
      x.changes.length ? x.changes.map((c) => h('span', { class: 'move' }, `→ ${c.version} `, commitCell(c.commit, meta))) : '',
    ]),
    { class: 'holders', aria: { label: `Stage holders on ${d}` } },
  );
}
