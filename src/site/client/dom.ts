/**
 * Building the page: every element through h() or svg(), every piece of text as a text node — never
 * innerHTML (the one exception is sanitised Markdown, markdown.ts, and Trusted Types enforce it). An
 * attribute is set only when it is on the list below; a link's target is kept only when it is a page of
 * this site (#/…) or an http(s) URL; there is no way to set an event handler attribute or a style.
 */
import { httpUrl, visible } from '../view/format.js';

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  id?: string;
  href?: string;
  title?: string;
  role?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  tabindex?: number;
  scope?: string;
  colspan?: number;
  min?: string;
  max?: string;
  list?: string;
  autocomplete?: string;
  checked?: boolean;
  disabled?: boolean;
  selected?: boolean;
  hidden?: boolean;
  open?: boolean;
  aria?: Record<string, string>;
  data?: Record<string, string>;
  on?: { [K in keyof HTMLElementEventMap]?: (e: HTMLElementEventMap[K]) => void };
}

const PLAIN = ['class', 'id', 'title', 'role', 'type', 'name', 'placeholder', 'for', 'scope', 'min', 'max', 'list', 'autocomplete'] as const;

/** A link target this site may carry: its own pages, or an http(s) URL; null for anything else. */
export function safeHref(href: string): string | null {
  return href.startsWith('#') ? href : httpUrl(href);
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) applyProps(el, props);
  append(el, children);
  return el;
}

function applyProps(el: HTMLElement, p: Props): void {
  for (const k of PLAIN) {
    const v = p[k];
    if (v !== undefined) el.setAttribute(k, v);
  }
  if (p.href !== undefined) {
    const href = safeHref(p.href);
    if (href) {
      el.setAttribute('href', href);
      if (!href.startsWith('#')) el.setAttribute('rel', 'nofollow noopener noreferrer');
    }
  }
  if (p.tabindex !== undefined) el.setAttribute('tabindex', String(p.tabindex));
  if (p.colspan !== undefined) el.setAttribute('colspan', String(p.colspan));
  if (p.value !== undefined) (el as HTMLInputElement).value = p.value;
  if (p.checked) (el as HTMLInputElement).checked = true;
  if (p.disabled) (el as HTMLInputElement).disabled = true;
  if (p.selected) (el as HTMLOptionElement).selected = true;
  if (p.hidden) el.hidden = true;
  if (p.open) (el as HTMLDetailsElement).open = true;
  for (const [k, v] of Object.entries(p.aria ?? {})) el.setAttribute(`aria-${k}`, v);
  for (const [k, v] of Object.entries(p.data ?? {})) el.dataset[k] = v;
  for (const [k, f] of Object.entries(p.on ?? {})) el.addEventListener(k, f as EventListener);
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (typeof c === 'string' || typeof c === 'number') el.appendChild(document.createTextNode(visible(String(c))));
    else el.appendChild(c);
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const SVG_ATTRS = new Set([
  'class',
  'id',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'width',
  'height',
  'rx',
  'ry',
  'd',
  'viewBox',
  'role',
  'tabindex',
  'text-anchor',
  'dominant-baseline',
  'marker-end',
  'markerWidth',
  'markerHeight',
  'refX',
  'refY',
  'orient',
  'points',
  'aria-label',
  'focusable',
  'preserveAspectRatio',
]);

/** An SVG element; only geometry and class attributes, and `href` only to a page of this site. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'href') {
      if (String(v).startsWith('#')) el.setAttribute('href', String(v));
    } else if (SVG_ATTRS.has(k)) el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** A table with a header row; `sortable` header cells are given by the caller. */
export function table(caption: string | null, head: Child[], rows: Child[][], props: Props = {}): HTMLTableElement {
  return h(
    'table',
    props,
    caption ? h('caption', null, caption) : null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        head.map((c) => (c instanceof HTMLTableCellElement ? c : h('th', { scope: 'col' }, c))),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((r) =>
        h(
          'tr',
          null,
          r.map((c) => (c instanceof HTMLTableCellElement ? c : h('td', null, c))),
        ),
      ),
    ),
  );
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return h('section', { aria: { labelledby: `${id}-h` }, id }, h('h2', { id: `${id}-h` }, title), ...children);
}

export function badge(text: string, kind: string): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}
