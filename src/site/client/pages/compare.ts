/** Two to N versions side by side, of one model or several; the first is the baseline the deltas are against. */
import { parseRef } from '../../../registry/refs.js';
import type { SiteMeta } from '../../types.js';
import { num, scalar } from '../../view/format.js';
import { compareTable, relativeChanges, resolveIn, type CompareColumn } from '../../view/compare.js';
import { compareHref } from '../../view/routes.js';
import { changeChart } from '../charts.js';
import { loadModel, NotFound } from '../data.js';
import { h, section, table, type Child } from '../dom.js';
import { versionLink, type View } from '../parts.js';

async function resolveRef(ref: string): Promise<CompareColumn | string> {
  let parsed;
  try {
    parsed = parseRef(ref);
  } catch (e) {
    return (e as Error).message;
  }
  try {
    const data = await loadModel(parsed.model);
    const v = resolveIn(data.local, parsed.selector);
    return typeof v === 'string' ? v : { ref, version: v };
  } catch (e) {
    if (e instanceof NotFound) return `no model named "${parsed.model}"`;
    throw e;
  }
}

export async function comparePage(refs: string[], meta: SiteMeta): Promise<View> {
  const resolved = await Promise.all(refs.map(resolveRef));
  const problems = resolved.flatMap((r, i) => (typeof r === 'string' ? [`${refs[i]}: ${r}`] : []));
  const columns = resolved.filter((r): r is CompareColumn => typeof r !== 'string');

  const input = h('input', { id: 'add-ref', type: 'text', placeholder: 'model@1.2.0, model@production', autocomplete: 'off' });
  const form = h(
    'form',
    {
      class: 'filters',
      aria: { label: 'Choose versions to compare' },
      on: {
        submit: (e) => {
          e.preventDefault();
          const v = input.value.trim();
          if (v) location.hash = compareHref([...refs, v]);
        },
      },
    },
    h('div', { class: 'field wide' }, h('label', { for: 'add-ref' }, 'Add a version'), input),
    h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Add')),
  );
  const chosen = refs.length
    ? h(
        'ol',
        { class: 'chosen' },
        refs.map((r, i) =>
          h(
            'li',
            null,
            h('code', null, r),
            i === 0 ? ' (baseline) ' : ' ',
            i > 0 ? h('a', { href: compareHref([r, ...refs.filter((_, j) => j !== i)]), class: 'button small' }, 'Make baseline') : null,
            ' ',
            h('a', { href: compareHref(refs.filter((_, j) => j !== i)), class: 'button small', aria: { label: `Remove ${r}` } }, 'Remove'),
          ),
        ),
      )
    : h('p', null, 'Pick versions on a model’s page (tick them, then “Compare selected”), or add them here by reference.');

  const parts: Child[] = [
    h('h1', { tabindex: -1 }, 'Compare'),
    form,
    chosen,
    problems.length
      ? h(
          'ul',
          { class: 'errors', role: 'alert' },
          problems.map((p) => h('li', null, p)),
        )
      : null,
  ];
  let after: (() => void) | undefined;
  if (columns.length >= 2) {
    const t = compareTable(columns, meta.policy);
    const head = (first: string) => [
      first,
      ...columns.map((c, i) =>
        h(
          'th',
          { scope: 'col' },
          versionLink(c.version.name, c.version.version, `${c.version.name}@${c.version.version}`),
          i === 0 ? h('small', null, ' baseline') : null,
        ),
      ),
    ];
    const chart = relativeChanges(t);
    const target = h('div', { class: 'chart', id: 'compare-chart' });
    parts.push(
      section(
        'Metrics',
        'cmp-metrics',
        table(
          null,
          head('Metric'),
          t.metrics.map((m) => [
            h('th', { scope: 'row' }, m.name, m.better ? h('small', { title: 'from the policy’s no_regression gates' }, ` (${m.better} is better)`) : null),
            ...m.values.map((v, i) =>
              h(
                'td',
                { class: `num ${m.verdicts[i] ?? ''}`, data: { metric: m.name, col: String(i) } },
                num(v),
                i > 0 && m.deltas[i] !== null ? h('span', { class: 'delta' }, ` (${num(m.deltas[i], true)})`) : null,
                m.verdicts[i] === 'better'
                  ? h('span', { class: 'verdict', aria: { label: 'better' } }, ' ▲')
                  : m.verdicts[i] === 'worse'
                    ? h('span', { class: 'verdict', aria: { label: 'worse' } }, ' ▼')
                    : null,
              ),
            ),
          ]),
          { class: 'compare', id: 'compare-metrics', aria: { label: 'Metrics compared' } },
        ),
        chart.metrics.length ? h('figure', null, h('figcaption', null, `Change of each metric against ${t.columns[0]}, in percent.`), target) : null,
      ),
      t.params.length
        ? section(
            'Parameters',
            'cmp-params',
            table(
              null,
              head('Parameter'),
              t.params.map((p) => [
                h('th', { scope: 'row' }, p.name, p.changed ? h('small', null, ' changed') : null),
                ...p.values.map((v) => h('td', { class: p.changed ? 'changed' : '' }, scalar(v))),
              ]),
              { class: 'compare', id: 'compare-params', aria: { label: 'Parameters compared' } },
            ),
          )
        : null,
      section(
        'What else differs',
        'cmp-diff',
        t.fields.length || t.tags.length || t.artifacts.length
          ? table(
              null,
              head('What'),
              [
                ...t.fields.map((f) => [h('th', { scope: 'row' }, f.name), ...f.values.map((v) => scalar(v))]),
                ...t.tags.map((f) => [h('th', { scope: 'row' }, `tag ${f.name}`), ...f.values.map((v) => scalar(v))]),
                ...t.artifacts.map((a) => [
                  h('th', { scope: 'row' }, `artifact ${a.path}`),
                  ...a.values.map((v) => (v ? h('code', { class: 'sha', title: `${v.size} bytes` }, v.sha256.slice(0, 12)) : '—')),
                ]),
              ],
              { class: 'compare', id: 'compare-diff', aria: { label: 'Differences' } },
            )
          : h('p', null, 'Framework, type, tags and artifacts are the same.'),
        h('p', { class: 'note' }, `${t.sameTags} tag(s) and ${t.sameArtifacts} artifact(s) are the same in all.`),
      ),
    );
    if (chart.metrics.length) after = () => changeChart(target, chart.metrics, chart.series);
  } else if (refs.length === 1 && columns.length === 1) parts.push(h('p', null, 'Add at least one more version.'));
  return { title: 'Compare', body: h('div', null, ...parts), ...(after ? { after } : {}) };
}
