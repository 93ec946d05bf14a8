/**
 * The site's two HTML files and the data-script wrapper. Pure.
 *
 * The Content-Security-Policy (a meta element, so it holds from file:// and on any static host without
 * headers) allows scripts, styles and images from the site's own files only: no inline script or style,
 * no other origin, no fetch, no frames, forms or plugins; Trusted Types make any innerHTML that did not
 * come through the sanitiser's policy throw. Only the registry's description reaches these files from a
 * manifest, and it is escaped; everything else is put in the page by the scripts, as text.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "manifest-src 'none'",
  "require-trusted-types-for 'script'",
  'trusted-types dompurify modelreg',
].join('; ');

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface IndexHtmlInput {
  title: string;
  /** Content hashes of the assets and of the build, for the URLs' ?v= (a browser never mixes builds). */
  assets: string;
  build: string;
}

/** The start of every page: the CSP first, then what each page shares. `title` is HTML already. */
function head(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="modelreg">
<title>${title}</title>
`;
}

export function indexHtml({ title, assets, build }: IndexHtmlInput): string {
  const t = escapeHtml(title);
  return `${head(t)}<link rel="icon" href="assets/favicon.svg">
<link rel="stylesheet" href="assets/site.css?v=${assets}">
<script src="data/meta.js?v=${build}" defer></script>
<script src="assets/app.js?v=${assets}" defer></script>
</head>
<body>
<a class="skip" href="#main" id="skip">Skip to content</a>
<header class="top">
<a class="brand" href="#/">${t}</a>
<nav aria-label="Site">
<ul>
<li><a href="#/" data-nav="overview">Models</a></li>
<li><a href="#/history" data-nav="history">History</a></li>
<li><a href="#/compare" data-nav="compare">Compare</a></li>
<li><a href="#/problems" data-nav="problems">Problems</a></li>
</ul>
</nav>
</header>
<main id="main" tabindex="-1">
<noscript><p>This registry browser needs JavaScript. The data it shows is in <code>data/</code> beside this file.</p></noscript>
<p class="loading" id="loading">Loading…</p>
</main>
<footer class="bottom" id="footer"></footer>
</body>
</html>
`;
}

/** For GitHub Pages and hosts like it: any unknown path. Links back to the site when its base URL is known. */
export function notFoundHtml(baseUrl: string | null): string {
  const home = escapeHtml(baseUrl ? `${baseUrl.replace(/\/?$/, '/')}index.html` : '/');
  return `${head('Not found')}</head>
<body>
<main>
<h1>Not found</h1>
<p>No page here. Pages of the registry browser are addressed after a <code>#</code>, like <code>index.html#/m/&lt;model&gt;</code>.</p>
<p><a href="${home}">Go to the registry</a></p>
</main>
</body>
</html>
`;
}

/**
 * A data file: a script that hands its value to the page, or queues it when the page's script is not
 * running yet. JSON is a subset of JavaScript, so any text a manifest holds stays inside its string.
 * `json` is already-serialised JSON (a model's cached text is spliced in without parsing it again).
 */
export function dataScript(key: string, json: string): string {
  const [head, tail] = dataScriptParts(key);
  return `${head}${json}${tail}`;
}

/** What comes before and after the JSON of a data file: for writing one whose JSON is in pieces. */
export function dataScriptParts(key: string): [string, string] {
  return [`(self.modelregData=self.modelregData||[]).push([${JSON.stringify(key)},`, ']);\n'];
}
