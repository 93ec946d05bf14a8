/**
 * Markdown from a manifest into the page: rendered safely (view/markdown.ts escapes raw HTML, keeps only
 * http(s) links, drops images), then sanitised by DOMPurify to a short list of elements and attributes,
 * as a Trusted Type — the only way HTML enters the document (the CSP's Trusted Types refuse any other).
 */
import DOMPurify from 'dompurify';
import { renderMarkdown } from '../view/markdown.js';
import { h } from './dom.js';

const ALLOWED_TAGS = [
  'p',
  'br',
  'em',
  'strong',
  'code',
  'pre',
  'ul',
  'ol',
  'li',
  'blockquote',
  'a',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'hr',
  's',
];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName !== 'A') return;
  const href = node.getAttribute('href') ?? '';
  if (!/^https?:\/\//i.test(href)) node.removeAttribute('href');
  else node.setAttribute('rel', 'nofollow noopener noreferrer');
});

export function markdown(text: string, className = 'prose'): HTMLElement {
  const el = h('div', { class: className });
  const html = DOMPurify.sanitize(renderMarkdown(text), {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'rel', 'title'],
    ALLOWED_URI_REGEXP: /^https?:\/\//i,
    RETURN_TRUSTED_TYPE: true,
  });
  // A TrustedHTML from DOMPurify's policy; TypeScript's DOM types take only strings here.
  el.innerHTML = html as unknown as string;
  return el;
}
