/** Pieces several pages show: links to models, versions and commits, stage badges, the pager, an error. */
import type { HistoryCommit as SiteCommit } from '../../registry/history.js';
import type { Attribution } from '../../registry/provenance.js';
import type { ModelData, SiteMeta } from '../types.js';
import { loadModel, NotFound } from './data.js';
import { shortSha, when } from '../view/format.js';
import { historyHref, modelHref, versionHref } from '../view/routes.js';
import { badge, h, type Child } from './dom.js';

export interface View {
  title: string;
  body: Node;
  /** Runs once the body is on the page; the page counts as ready when what it returns has settled. */
  after?: () => void | Promise<void>;
}

export function stageNames(meta: SiteMeta): string[] {
  return meta.policy?.stages.map((s) => s.name) ?? [];
}

export const modelLink = (name: string) => h('a', { href: modelHref(name) }, name);
export const versionLink = (model: string, version: string, text = version) => h('a', { href: versionHref(model, version) }, text);

export function stageBadges(stages: string[], order: string[]): HTMLElement[] {
  return stages.map((s) => badge(s, `stage stage-${Math.max(0, order.indexOf(s)) % 6}`));
}

/** A commit: its short id, linking to its events in this site's history, and to its page on GitHub when the remote is there. */
export function commitCell(c: SiteCommit, meta: SiteMeta): Child[] {
  return [
    h('a', { href: historyHref({ commit: c.id }), title: `Events of commit ${c.id}` }, h('code', null, shortSha(c.id))),
    meta.links ? [' ', h('a', { href: `${meta.links.commit}${c.id}`, class: 'ext', title: 'The commit on GitHub' }, 'GitHub')] : null,
  ];
}

export function prCell(c: SiteCommit, meta: SiteMeta): Child {
  if (c.pr === undefined) return '';
  return meta.links ? h('a', { href: `${meta.links.pr}${c.pr}`, class: 'ext', title: 'The pull request on GitHub' }, `#${c.pr}`) : `#${c.pr}`;
}

/** What a file claims about who or when, beside the commit's facts: shown only where they differ. */
export function claims(a: { claimedBy?: string; claimedAt?: string }): Child {
  const said = [a.claimedBy, a.claimedAt].filter((x): x is string => x !== undefined);
  return said.length
    ? h('small', { class: 'claim', title: 'What the manifest says, where it differs from the commit that wrote it' }, ` (the file says ${said.join(', ')})`)
    : null;
}

/** Who, from the commit (its e-mail on hover), with the file's claim beside it where it differs. */
export function whoOf(a: Attribution): Child[] {
  return [a.email ? h('span', { title: a.email }, a.by) : a.by, claims(a)];
}

export function author(c: SiteCommit): Child {
  return h('span', { title: c.email }, c.author);
}

export function date(iso: string | null | undefined): HTMLElement {
  return h('time', iso ? { title: iso } : null, when(iso));
}

/** Previous / page n of m / next, as links to the same route with another page. */
export function pager(page: number, pages: number, hrefOf: (page: number) => string, label: string): HTMLElement | null {
  if (pages <= 1) return null;
  return h(
    'nav',
    { class: 'pager', aria: { label } },
    page > 1 ? h('a', { href: hrefOf(page - 1), aria: { label: 'Previous page' } }, '← Previous') : h('span', { class: 'disabled' }, '← Previous'),
    h('span', null, ` Page ${page} of ${pages} `),
    page < pages ? h('a', { href: hrefOf(page + 1), aria: { label: 'Next page' } }, 'Next →') : h('span', { class: 'disabled' }, 'Next →'),
  );
}

export function breadcrumb(...items: Child[]): HTMLElement {
  return h(
    'nav',
    { class: 'crumbs', aria: { label: 'Breadcrumb' } },
    h(
      'ol',
      null,
      items.map((i) => h('li', null, i)),
    ),
  );
}

/** A model's data file, or the page saying there is no such model. */
export async function modelOrNotFound(name: string): Promise<ModelData | View> {
  try {
    return await loadModel(name);
  } catch (e) {
    if (e instanceof NotFound) return notFound(`There is no model named “${name}” in this registry.`, 'It may have been removed, or the name is misspelt.');
    throw e;
  }
}

export function notFound(what: string, hint: string): View {
  return {
    title: 'Not found',
    body: h('div', null, h('h1', { tabindex: -1 }, 'Not found'), h('p', null, what), h('p', null, hint, ' ', h('a', { href: '#/' }, 'All models'))),
  };
}

export function definitions(rows: [string, Child][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    rows.filter(([, v]) => v !== null && v !== undefined && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}
