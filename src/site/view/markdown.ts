/**
 * Markdown of manifests (descriptions, intended use, limitations, the model card) to HTML, safe by
 * construction before any sanitiser sees it: raw HTML in the text is escaped, never passed through
 * (`html: false`); links are kept only when they are http(s) — any other scheme leaves the text as
 * written; an image becomes a link to it (a page fetches nothing); headings start at h3, under the page's
 * own. In the browser the result then goes through DOMPurify (client/markdown.ts). Pure.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.validateLink = (url: string) => /^https?:\/\/[^\s]+$/i.test(url.trim());
md.renderer.rules.heading_open = (tokens, idx) => `<h${Math.min(6, Number(tokens[idx]!.tag.slice(1)) + 2)}>`;
md.renderer.rules.heading_close = (tokens, idx) => `</h${Math.min(6, Number(tokens[idx]!.tag.slice(1)) + 2)}>\n`;
// An image is shown as a link to it, never fetched: a page of the site loads nothing from elsewhere.
md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx]!;
  const alt = md.utils.escapeHtml(self.renderInlineAsText(token.children ?? [], options, env) || 'image');
  return `<a href="${md.utils.escapeHtml(String(token.attrGet('src') ?? ''))}" rel="nofollow noopener noreferrer">${alt}</a>`;
};
// Table alignment would be an inline style, which the CSP refuses (even parsing it in the sanitiser's
// document reports a violation): cells are left as they are.
for (const cell of ['th_open', 'td_open'] as const) {
  md.renderer.rules[cell] = (tokens, idx, options, _env, self) => {
    const token = tokens[idx]!;
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'style');
    return self.renderToken(tokens, idx, options);
  };
}
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener noreferrer');
  return self.renderToken(tokens, idx, options);
};

export function renderMarkdown(text: string): string {
  return md.render(text);
}
