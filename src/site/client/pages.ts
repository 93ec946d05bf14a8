/**
 * The second bundle (assets/pages.js): every page but the overview, with what only they need — charts
 * (uPlot), the lineage graph (dagre), Markdown (markdown-it, DOMPurify). app.js adds it when one of these
 * pages is first opened, so a cold load of the front page parses a fifth of the code; the modules both
 * use are app.js's, not copies (scripts/bundle-site.mjs).
 */
import { destroyCharts } from './charts.js';
import { comparePage } from './pages/compare.js';
import { historyPage } from './pages/history.js';
import { modelPage } from './pages/model.js';
import { problemsPage } from './pages/problems.js';
import { versionPage } from './pages/version.js';

export interface Pages {
  modelPage: typeof modelPage;
  versionPage: typeof versionPage;
  comparePage: typeof comparePage;
  historyPage: typeof historyPage;
  problemsPage: typeof problemsPage;
  destroyCharts: typeof destroyCharts;
}

declare global {
  interface Window {
    modelregPages?: Pages;
  }
}

window.modelregPages = { modelPage, versionPage, comparePage, historyPage, problemsPage, destroyCharts };
