/**
 * The registry browser's script: reads the route from the URL's hash, loads the data files the page
 * needs, and builds the page. `data-ready` on <html> names the page once it is drawn (tests and the
 * benchmark wait for it).
 */
import { parseRoute, type Route } from '../view/routes.js';
import { addScript, installDataQueue, meta } from './data.js';
import { h } from './dom.js';
import { overviewPage } from './pages/overview.js';
import { notFound, type View } from './parts.js';
import type { Pages } from './pages.js';
import type { SiteMeta } from '../types.js';

installDataQueue();

/** This script's ?v= (the build's assets), which the pages' bundle shares. */
const assets = new URL((document.currentScript as HTMLScriptElement | null)?.src ?? location.href).searchParams.get('v') ?? '';
let pagesLoaded: Promise<Pages> | undefined;

/**
 * Every page but the overview comes in assets/pages.js, added the first time one is opened; it takes the
 * modules it shares with this script from this script (scripts/bundle-site.mjs), so it holds no copy of them.
 * When it cannot be loaded, the page says so, and the next page opened tries again.
 */
function pages(): Promise<Pages> {
  pagesLoaded ??= addScript('assets/pages.js', assets).then(
    () => {
      if (!window.modelregPages) throw new PagesMissing('ran but set up no pages: it is not from the same build as assets/app.js');
      return window.modelregPages;
    },
    () => {
      throw new PagesMissing("could not be loaded: the site's assets/ directory is incomplete");
    },
  );
  pagesLoaded.catch(() => (pagesLoaded = undefined));
  return pagesLoaded;
}

class PagesMissing extends Error {
  constructor(why: string) {
    super(
      `assets/pages.js, the script of every page but the overview, ${why}. Build the site again with \`modelreg site\` and publish the whole directory it writes.`,
    );
  }
}

const NAV: Partial<Record<Route['page'], string>> = {
  overview: 'overview',
  model: 'overview',
  version: 'overview',
  history: 'history',
  compare: 'compare',
  problems: 'problems',
};
let rendering = 0;
let first = true;

async function view(route: Route, m: SiteMeta): Promise<View> {
  switch (route.page) {
    case 'overview':
      return overviewPage(route.query, m);
    case 'model':
      return (await pages()).modelPage(route.model, route.on, route.vpage, m);
    case 'version':
      return (await pages()).versionPage(route.model, route.version, m);
    case 'compare':
      return (await pages()).comparePage(route.refs, m);
    case 'history':
      return (await pages()).historyPage(route.filters, m);
    case 'problems':
      return (await pages()).problemsPage(m);
    case 'not-found':
      return notFound('This address is not a page of the registry browser.', 'Addresses look like #/m/<model> or #/m/<model>/v/<version>.');
  }
}

async function render(): Promise<void> {
  const token = ++rendering;
  const main = document.getElementById('main')!;
  delete document.documentElement.dataset.ready;
  const m = meta();
  if (!m) {
    main.replaceChildren(
      h('h1', null, 'The data is missing'),
      h('p', null, 'data/meta.js did not load. Open index.html from the directory `modelreg site` wrote.'),
    );
    return;
  }
  const route = parseRoute(location.hash || '#/');
  let v: View;
  try {
    v = await view(route, m);
  } catch (e) {
    v = { title: 'Error', body: h('div', null, h('h1', { tabindex: -1 }, 'This page could not be shown'), h('p', null, (e as Error).message)) };
  }
  if (token !== rendering) return;
  window.modelregPages?.destroyCharts();
  main.replaceChildren(v.body);
  document.title = `${v.title} — ${m.title}`;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a')) {
    if (a.dataset.nav === NAV[route.page]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  footer(m);
  await v.after?.();
  if (token !== rendering) return;
  // After a navigation, move the focus to the new page's heading (a screen reader announces it); not on first load.
  if (!first) main.querySelector<HTMLElement>('h1')?.focus();
  first = false;
  performance.mark(`ready:${route.page}`);
  document.documentElement.dataset.ready = route.page;
}

function footer(m: SiteMeta): void {
  const f = document.getElementById('footer');
  if (!f) return;
  const link = () => (m.baseUrl && /^https?:\/\//.test(m.baseUrl) ? `${m.baseUrl}index.html${location.hash}` : location.href);
  f.replaceChildren(
    h('p', null, `${m.counts.models} models, ${m.counts.versions} versions, ${m.counts.events} history events; built by modelreg from ${m.revision.label}.`),
    h(
      'p',
      null,
      h('label', { for: 'permalink' }, 'Link to this page '),
      h('input', {
        id: 'permalink',
        type: 'text',
        value: link(),
        class: 'permalink',
        on: {
          // The page may have changed its query since (filters, a day on the timeline).
          focus: (e) => {
            const input = e.target as HTMLInputElement;
            input.value = link();
            input.select();
          },
        },
      }),
    ),
  );
}

document.getElementById('skip')?.addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main')?.focus();
});
window.addEventListener('hashchange', () => void render());
// Charts take their colours from the stylesheet: draw them again when the system switches light and dark.
window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => void render());
void render();
