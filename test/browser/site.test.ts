/**
 * The registry browser in a real Chromium (Debian's, driven by playwright-core): every page opened from
 * file:// and from a loopback static server; search, filters and sort; a model's charts, its stage
 * timeline and the holders on a day; picking versions to compare; clicking through the lineage graph; the
 * facts shown checked against `modelreg … --json` of the same revision; keyboard alone; axe-core finding no
 * serious or critical violation, light and dark; printing. Screenshots of each page go to
 * test-output/site/ (test output to look at, never compared).
 */
import { AxeBuilder } from '@axe-core/playwright';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, FIXTURE, seedFixtureBytes, sh, stageYaml, write } from '../integration/helpers.js';
import { browser, openSite, screenshot, SCREENSHOTS, skipBrowser, staticServer, navigate, watchedPage, type Watch } from './harness.js';

const at = (date: string) => ({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });

/** The fixture registry with a history: a promotion merged from a pull request, a rollback, a new version promoted. */
function registryWithHistory(repo: string): string {
  cpSync(FIXTURE, repo, { recursive: true });
  const git = (date: string, ...args: string[]) => sh(repo, 'git', args, at(date));
  git('2026-01-05T09:00:00Z', 'init', '-q', '-b', 'main');
  git('2026-01-05T09:00:00Z', 'add', '-A');
  git('2026-01-05T09:00:00Z', 'commit', '-q', '-m', 'Initial registry');
  git('2026-03-01T10:00:00Z', 'checkout', '-q', '-b', 'promote');
  write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
  git('2026-03-01T10:00:00Z', 'commit', '-q', '-am', 'Promote sentiment 1.2.0 to production');
  git('2026-03-01T12:00:00Z', 'checkout', '-q', 'main');
  git('2026-03-01T12:00:00Z', 'merge', '-q', '--no-ff', 'promote', '-m', 'Merge pull request #42 from acme/promote');
  write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.1.0', '1.2.0'));
  git('2026-04-01T08:00:00Z', 'commit', '-q', '-am', 'Rollback sentiment production to 1.1.0 (#43)');
  const v13 = readFileSync(join(repo, 'models/sentiment/versions/1.2.0.yaml'), 'utf8')
    .replace('version: 1.2.0', 'version: 1.3.0')
    .replace(/accuracy: [\d.]+/, 'accuracy: 0.95');
  write(repo, 'models/sentiment/versions/1.3.0.yaml', v13);
  write(repo, 'models/sentiment/stages/development.yaml', stageYaml('sentiment', 'development', '1.3.0', '1.2.0'));
  git('2026-05-01T08:00:00Z', 'add', '-A');
  git('2026-05-01T08:00:00Z', 'commit', '-q', '-m', 'Register sentiment 1.3.0 and try it in development');
  git('2026-05-01T08:00:00Z', 'remote', 'add', 'origin', 'https://github.com/acme/registry.git');
  return repo;
}

const PAGES: [string, string, string][] = [
  ['overview', '#/', 'overview'],
  ['model', '#/m/sentiment', 'model'],
  ['version', '#/m/sentiment-int8/v/1.0.0', 'version'],
  ['compare', '#/compare?v=sentiment%401.1.0&v=sentiment%401.3.0&v=bert-base%401.0.0', 'compare'],
  ['history', '#/history', 'history'],
  ['problems', '#/problems', 'problems'],
];

function expectClean(watch: Watch, where: string): void {
  expect(watch.errors, `${where}: console errors`).toEqual([]);
  expect(watch.dialogs, `${where}: dialogs`).toEqual([]);
  expect(watch.outside, `${where}: requests that left the site`).toEqual([]);
}

const cells = (page: Page, selector: string) => page.$$eval(selector, (rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())));

describe.skipIf(skipBrowser())('the registry browser in Chromium', () => {
  let repo: string;
  let site: string;
  let b: Browser;
  let server: Awaited<ReturnType<typeof staticServer>>;
  const origins: Record<'file' | 'http', string> = { file: '', http: '' };

  // Kept for the whole file (tempDir's are removed after each test).
  const keep = mkdtempSync(join(tmpdir(), 'modelreg-site-browser-'));
  beforeAll(async () => {
    repo = registryWithHistory(join(keep, 'repo'));
    site = join(keep, 'site');
    const r = cli(repo, ['site', '-o', site, '--json']);
    if (r.code !== 0) throw new Error(`modelreg site failed: ${r.stderr}`);
    server = await staticServer(site);
    origins.file = pathToFileURL(join(site, 'index.html')).href;
    origins.http = `${server.url}index.html`;
    b = await browser();
  }, 120_000);
  afterAll(async () => {
    await b?.close();
    await server?.close();
    rmSync(keep, { recursive: true, force: true });
  });

  const open = async (how: 'file' | 'http', hash: string, ready: string, options: Parameters<typeof watchedPage>[2] = {}) => {
    const origin = how === 'file' ? pathToFileURL(site).href : server.url;
    const w = await watchedPage(b, origin, options);
    await openSite(w.page, `${origins[how]}${hash}`, ready);
    return w;
  };

  for (const how of ['file', 'http'] as const) {
    it(`opens every page from ${how === 'file' ? 'file://' : 'a loopback static server'}, with no error, dialog or request leaving the site`, async () => {
      for (const [name, hash, ready] of PAGES) {
        const w = await open(how, hash, ready);
        expect(await w.page.locator('h1').first().textContent(), name).toBeTruthy();
        await screenshot(w.page, `${how}-${name}`);
        expectClean(w.watch, `${how} ${name}`);
        await w.close();
      }
    });
  }

  it('the overview runs on assets/app.js alone; the first other page adds assets/pages.js, once', async () => {
    const w = await watchedPage(b, pathToFileURL(site).href);
    const scripts: string[] = [];
    w.page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname.slice(pathToFileURL(site).pathname.length + 1));
    });
    await openSite(w.page, `${origins.file}#/`, 'overview');
    expect(scripts).toEqual(['data/meta.js', 'assets/app.js', 'data/index.js']);
    expect(await w.page.evaluate(() => 'modelregPages' in window)).toBe(false);
    const go = async (hash: string, ready: string) => {
      await navigate(w.page, ready, () => w.page.evaluate((h) => (location.hash = h), hash));
      expect(await w.page.locator('h1').first().textContent(), hash).not.toBe('This page could not be shown');
    };
    await navigate(w.page, 'model', () => w.page.click('#models tbody th a[href="#/m/sentiment"]'));
    for (const [, hash, ready] of PAGES.slice(2)) await go(hash, ready);
    await go('#/', 'overview');
    await go('#/m/bert-base', 'model');
    expect(scripts.filter((s) => s === 'assets/pages.js')).toHaveLength(1);
    expect(scripts.filter((s) => s.startsWith('assets/'))).toEqual(['assets/app.js', 'assets/pages.js']);
    expectClean(w.watch, 'navigation');
    await w.close();
  });

  it('without assets/pages.js the overview still works, any other page says what is missing, and the next page tries again', async () => {
    const broken = join(keep, 'broken-site');
    cpSync(site, broken, { recursive: true });
    rmSync(join(broken, 'assets/pages.js'));
    const w = await watchedPage(b, pathToFileURL(broken).href);
    await openSite(w.page, `${pathToFileURL(join(broken, 'index.html')).href}#/`, 'overview');
    expect(await w.page.locator('#models tbody tr').count()).toBe(3);
    await navigate(w.page, 'model', () => w.page.click('#models tbody th a[href="#/m/sentiment"]'));
    expect(await w.page.locator('h1').textContent()).toBe('This page could not be shown');
    expect(await w.page.locator('main p').textContent()).toBe(
      "assets/pages.js, the script of every page but the overview, could not be loaded: the site's assets/ directory is incomplete. Build the site again with `modelreg site` and publish the whole directory it writes.",
    );
    await screenshot(w.page, 'pages-script-missing');
    // The browser's own report of the missing file, and nothing else.
    expect(w.watch.errors).toEqual([expect.stringMatching(/^error: Failed to load resource: net::ERR_FILE_NOT_FOUND/)]);
    cpSync(join(site, 'assets/pages.js'), join(broken, 'assets/pages.js'));
    await navigate(w.page, 'history', () => w.page.evaluate(() => (location.hash = '#/history')));
    expect(await w.page.locator('#history-table tbody tr').count()).toBeGreaterThan(0);
    expect(w.watch.errors).toHaveLength(1);
    expect(w.watch.dialogs).toEqual([]);
    expect(w.watch.outside).toEqual([]);
    await w.close();
  });

  it('each page in the dark scheme, and printed', async () => {
    for (const [name, hash, ready] of PAGES) {
      const w = await open('file', hash, ready, { colorScheme: 'dark' });
      await screenshot(w.page, `dark-${name}`);
      expect(await w.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(15, 20, 25)');
      await w.page.emulateMedia({ media: 'print', colorScheme: 'light' });
      // Printing: no navigation, filters or buttons; white paper.
      expect(
        await w.page.evaluate(
          () => [...document.querySelectorAll('header nav, form.filters, button, .pager')].filter((e) => getComputedStyle(e).display !== 'none').length,
        ),
      ).toBe(0);
      expect(await w.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
      await screenshot(w.page, `print-${name}`);
      if (name === 'model') writeFileSync(join(SCREENSHOTS, 'print-model.pdf'), await w.page.pdf({ format: 'A4' }));
      expectClean(w.watch, `dark ${name}`);
      await w.close();
    }
    const light = await open('file', '#/', 'overview');
    expect(await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
    await light.close();
  });

  it('the overview shows what `modelreg list --json` says; search, filters and sort work, and their URL can be pasted', async () => {
    const { page, watch, close } = await open('http', '#/', 'overview');
    const list = cli(repo, ['list', '--json']).json().models as {
      name: string;
      latest: string;
      versions: number;
      stages: Record<string, string>;
      owners: string[];
    }[];
    const rows = await page.$$eval('#models tbody tr', (trs) =>
      trs.map((tr) => ({
        name: tr.querySelector('th a')!.textContent,
        latest: tr.children[8]!.textContent,
        versions: Number(tr.children[9]!.textContent),
        owners: tr.children[2]!.textContent,
        stages: [5, 6, 7].map((i) => tr.children[i]!.querySelector('a')?.textContent ?? null),
      })),
    );
    expect(rows).toEqual(
      list.map((m) => ({
        name: m.name,
        latest: m.latest,
        versions: m.versions,
        owners: m.owners.join(', '),
        stages: ['development', 'staging', 'production'].map((s) => m.stages[s] ?? null),
      })),
    );
    const names = () => page.$$eval('#models tbody th a', (as) => as.map((a) => a.textContent));

    await page.fill('#f-q', 'int8');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 1);
    expect(await names()).toEqual(['sentiment-int8']);
    expect(page.url()).toContain('#/?q=int8');
    const pasted = await watchedPage(b, server.url);
    await openSite(pasted.page, page.url(), 'overview');
    expect(await pasted.page.$$eval('#models tbody th a', (as) => as.map((a) => a.textContent))).toEqual(['sentiment-int8']);
    expect(await pasted.page.inputValue('#f-q')).toBe('int8');
    await pasted.close();

    await page.fill('#f-q', '');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 3);
    await page.selectOption('#f-framework', 'onnx');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 1);
    expect(await names()).toEqual(
      cli(repo, ['list', '--framework', 'onnx', '--json'])
        .json()
        .models.map((m: { name: string }) => m.name),
    );
    await page.selectOption('#f-framework', '');
    await page.selectOption('#f-owner', 'alice');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 2);
    expect(await names()).toEqual(
      cli(repo, ['list', '--owner', 'alice', '--json'])
        .json()
        .models.map((m: { name: string }) => m.name),
    );
    await page.selectOption('#f-owner', '');
    await page.selectOption('#f-stage', 'production');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 1);
    expect(await names()).toEqual(
      cli(repo, ['list', '--stage', 'production', '--json'])
        .json()
        .models.map((m: { name: string }) => m.name),
    );
    await page.selectOption('#f-stage', '');
    await page.fill('#f-tag', 'team=nlp');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 1);
    expect(await names()).toEqual(
      cli(repo, ['list', '--tag', 'team=nlp', '--json'])
        .json()
        .models.map((m: { name: string }) => m.name),
    );
    await page.fill('#f-tag', '');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 3);

    // Sort by a column, then the other way.
    await page.click('#sort-versions');
    await page.waitForFunction(() => document.querySelector('#sort-versions')?.closest('th')?.getAttribute('aria-sort') === 'descending');
    expect((await names())[0]).toBe('sentiment');
    await page.click('#sort-versions');
    await page.waitForFunction(() => document.querySelector('#sort-versions')?.closest('th')?.getAttribute('aria-sort') === 'ascending');
    expect((await names())[2]).toBe('sentiment');
    expect(page.url()).toContain('sort=versions');
    await screenshot(page, 'overview-sorted');
    expectClean(watch, 'overview');
    await close();
  });

  it('a model page shows what `modelreg show --json` says, draws its charts, and tells the holders on any day', async () => {
    const { page, watch, close } = await open('file', '#/m/sentiment', 'model');
    const show = cli(repo, ['show', 'sentiment', '--json']).json() as {
      versions: { version: string; stages: string[]; deprecated: boolean; metrics: Record<string, number> }[];
      stages: Record<string, string>;
    };
    const rows = await cells(page, '#versions-table tbody tr');
    expect(rows.map((r) => r[1])).toEqual(show.versions.map((v) => v.version));
    expect(rows.map((r) => r[2])).toEqual(show.versions.map((v) => v.stages.join('')));
    expect(rows.map((r) => r[8]!.includes('deprecated'))).toEqual(show.versions.map((v) => v.deprecated));
    expect(rows.map((r) => Number(r[6]))).toEqual(show.versions.map((v) => v.metrics.accuracy));
    // A chart per metric, and the timeline: canvases drawn by uPlot.
    expect(await page.locator('figure.metric canvas').count()).toBe(2);
    expect(await page.locator('#timeline-chart canvas').count()).toBe(1);
    const drawn = await page.evaluate(() => performance.getEntriesByName('charts').length);
    expect(drawn).toBe(1);

    const holders = async (day: string) => {
      await page.fill('#on-day', day);
      await page.dispatchEvent('#on-day', 'change');
      await page.waitForFunction((d) => document.querySelector('#holders caption')?.textContent?.includes(d), day);
      return Object.fromEntries((await cells(page, '#holders tbody tr')).map((r) => [r[0], r[1]]));
    };
    expect(await holders('2026-02-15')).toEqual({ development: '1.2.0', staging: '1.2.0', production: '1.1.0' });
    expect(await holders('2026-03-15')).toEqual({ development: '1.2.0', staging: '1.2.0', production: '1.2.0' });
    expect(await holders('2026-04-15')).toEqual({ development: '1.2.0', staging: '1.2.0', production: '1.1.0' });
    expect(await holders('2026-05-15')).toEqual({ development: '1.3.0', staging: '1.2.0', production: show.stages.production });
    expect(page.url()).toContain('#/m/sentiment?on=2026-05-15');
    await holders('2026-03-15');
    await screenshot(page, 'model-on-2026-03-15');
    // Every move with its pull request, linked to GitHub.
    const prs = await page.$$eval('table.moves a.ext', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(prs).toEqual(
      expect.arrayContaining([
        ['#42', 'https://github.com/acme/registry/pull/42'],
        ['#43', 'https://github.com/acme/registry/pull/43'],
      ]),
    );

    // Pick two versions and compare them.
    await page.check('input.pick[value="sentiment@1.3.0"]');
    await page.check('input.pick[value="sentiment@1.1.0"]');
    await navigate(page, 'compare', () => page.click('#compare-selected'));
    expect(decodeURIComponent(page.url())).toContain('#/compare?v=sentiment@1.3.0&v=sentiment@1.1.0');
    expect(await page.locator('#compare-metrics').count()).toBe(1);
    expectClean(watch, 'model');
    await close();
  });

  it('a version page shows the artifacts `modelreg resolve --json` gives, the gates, and a lineage graph to click through', async () => {
    const { page, watch, close } = await open('http', '#/m/sentiment-int8/v/1.0.0', 'version');
    const resolved = cli(repo, ['resolve', 'sentiment-int8@1.0.0', '--json']).json() as {
      artifacts: { path: string; sha256: string; size: number; uri: string }[];
    };
    const rows = await page.$$eval('table.artifacts tbody tr', (trs) =>
      trs.map((tr) => ({
        path: tr.children[0]!.textContent,
        sha256: tr.children[4]!.textContent,
        size: Number(tr.children[3]!.querySelector('span')!.getAttribute('title')!.split(' ')[0]),
        uri: tr.children[5]!.textContent!,
      })),
    );
    expect(rows.map(({ uri: _, ...r }) => r)).toEqual(resolved.artifacts.map((a) => ({ path: a.path, sha256: a.sha256, size: a.size })));
    // The site shows the store as registry.yaml names it (relative); resolve resolves it against the registry.
    for (const [i, a] of resolved.artifacts.entries()) expect(a.uri.endsWith(rows[i]!.uri.replace('file://', '/'))).toBe(true);
    // Gates: as a promotion would face them (staging needs datasets in the lineage; this build records none).
    expect(await page.$$eval('.gate', (gs) => gs.map((g) => [g.getAttribute('data-stage'), g.classList.contains('pass')]))).toEqual([
      ['development', true],
      ['staging', false],
      ['production', false],
    ]);
    // The graph: ancestors up to bert-base; its nodes are links.
    const nodes = await page.$$eval('svg.lineage a.node', (as) => as.map((a) => a.getAttribute('aria-label')));
    expect(nodes).toEqual(expect.arrayContaining(['sentiment-int8@1.0.0 (this version)', 'sentiment@1.1.0', 'bert-base@1.0.0']));
    const lineage = cli(repo, ['lineage', 'sentiment-int8@1.0.0', '--json']).json() as { nodes: string[] };
    expect(nodes.map((n) => n!.replace(/ \(.*\)$/, '')).sort()).toEqual(lineage.nodes);
    await screenshot(page, 'version-lineage');
    await navigate(page, 'version', () => page.click('svg.lineage a.node[aria-label="sentiment@1.1.0"]'));
    expect(page.url()).toContain('#/m/sentiment/v/1.1.0');
    expect(await page.locator('h1').textContent()).toContain('sentiment@1.1.0');
    await navigate(page, 'version', () => page.click('svg.lineage a.node[aria-label="bert-base@1.0.0"]'));
    expect(page.url()).toContain('#/m/bert-base/v/1.0.0');
    expectClean(watch, 'version');
    await close();
  });

  it('the gates a version page shows are what `modelreg promote` then says: the messages of a refusal, the gates of a promotion', async () => {
    const { page, watch, close } = await open('file', '#/m/sentiment/v/1.3.0', 'version');
    const shown: Record<string, { passed: boolean; results: [boolean, string][] }> = await page.$$eval('.gate', (gs) =>
      Object.fromEntries(
        gs.map((g) => [
          g.getAttribute('data-stage'),
          {
            passed: g.classList.contains('pass'),
            results: [...g.querySelectorAll('li')].map((li) => [li.classList.contains('pass'), li.textContent!.replace(/^[✓✗] /, '')]),
          },
        ]),
      ),
    );
    const clone = join(keep, `clone-${Date.now()}`);
    sh(keep, 'git', ['clone', '-q', repo, clone]);
    seedFixtureBytes(join(clone, '.modelreg/store')); // a promotion checks the entering version's bytes are there
    // production: refused (1.3.0 does not hold staging); each failing gate is a finding of the refusal.
    const refused = cli(clone, ['promote', 'sentiment@1.3.0', 'production', '--json']);
    expect(refused.code).toBe(1);
    const findings = (refused.json().error.findings as { message: string }[]).map((f) => f.message.replace(/^[^:]+: /, ''));
    expect(shown.production!.passed).toBe(false);
    expect(shown.production!.results.filter(([ok]) => !ok).map(([, text]) => text.replace(/^\w+: /, ''))).toEqual(findings);
    // staging: it passes, and the promotion reports the very gates the page listed.
    expect(shown.staging!.passed).toBe(true);
    const promoted = cli(clone, ['promote', 'sentiment@1.3.0', 'staging', '--json']);
    expect(promoted.code, promoted.stdout).toBe(0);
    expect(shown.staging!.results).toEqual(
      (promoted.json().gates as { gate: string; passed: boolean; message: string }[]).map((g) => [g.passed, `${g.gate}: ${g.message}`]),
    );
    expectClean(watch, 'gates');
    await close();
  });

  it('compare shows the metrics and deltas `modelreg compare --json` gives, and which is better by the policy', async () => {
    const { page, watch, close } = await open('file', '#/compare?v=sentiment%401.1.0&v=sentiment%401.3.0', 'compare');
    const c = cli(repo, ['compare', 'sentiment@1.1.0', 'sentiment@1.3.0', '--json']).json() as {
      metrics: { name: string; a: number; b: number; delta: number }[];
    };
    const shown = await page.$$eval('#compare-metrics tbody tr', (trs) =>
      trs.map((tr) => ({ name: tr.querySelector('th')!.firstChild!.textContent, a: tr.children[1]!.textContent, b: tr.children[2]!.textContent })),
    );
    expect(shown.map((s) => s.name)).toEqual(c.metrics.map((m) => m.name));
    for (const [i, m] of c.metrics.entries()) {
      expect(shown[i]!.a).toBe(String(m.a));
      expect(shown[i]!.b).toContain(`${m.b} (${m.delta > 0 ? '+' : ''}${m.delta})`);
    }
    expect(await page.locator('#compare-metrics td.better[data-metric="accuracy"]').count()).toBe(1);
    expect(await page.locator('#compare-chart canvas').count()).toBe(1);
    // Across models: a fine-tune against its base; then add a version by reference.
    await navigate(page, 'compare', () => page.goto(`${origins.file}#/compare?v=bert-base%401.0.0&v=sentiment%401.1.0`));
    expect(await page.$$eval('#compare-diff tbody th', (ths) => ths.map((t) => t.textContent))).toContain('type');
    await page.fill('#add-ref', 'sentiment@production');
    await page.press('#add-ref', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#compare-metrics thead th').length === 4);
    await screenshot(page, 'compare-across-models');
    expectClean(watch, 'compare');
    await close();
  });

  it('the history shows what `modelreg history --json` says, filters by model, stage, author and date, and links commits', async () => {
    const { page, watch, close } = await open('http', '#/history?model=sentiment', 'history');
    const events = cli(repo, ['history', 'sentiment', '--json']).json().events as {
      kind: string;
      version?: string;
      stage?: string;
      commit: string;
      pr?: number;
    }[];
    const rows = await page.$$eval('#history-table tbody tr', (trs) =>
      trs.map((tr) => ({
        what: tr.children[1]!.textContent,
        commit: tr.children[5]!.querySelector('a')!.getAttribute('href'),
        pr: tr.children[6]!.textContent,
      })),
    );
    expect(rows.map((r) => r.what)).toEqual(
      events.map((e) =>
        e.stage
          ? `${e.kind} ${e.stage}: ${(e as { previous?: string }).previous ?? '-'} → ${e.version ?? '-'}`
          : `${e.kind}${e.version ? ` ${e.version}` : ''}`,
      ),
    );
    expect(rows.map((r) => r.commit)).toEqual(events.map((e) => `#/history?commit=${e.commit}`));
    expect(rows.map((r) => r.pr)).toEqual(events.map((e) => (e.pr ? `#${e.pr}` : '')));
    expect(await page.$$eval('#history-table a.ext', (as) => as.map((a) => a.getAttribute('href')))).toContain(
      `https://github.com/acme/registry/commit/${events[0]!.commit}`,
    );

    const shownAfter = async (hash: string) => {
      await navigate(page, 'history', () => page.goto(`${origins.http}${hash}`));
      return cells(page, '#history-table tbody tr');
    };
    expect((await shownAfter('#/history?stage=production')).map((r) => r[1])).toEqual([
      'rolled-back production: 1.2.0 → 1.1.0',
      'promoted production: 1.1.0 → 1.2.0',
      'promoted production: 1.0.0 → 1.1.0',
    ]);
    expect((await shownAfter('#/history?from=2026-04-01&to=2026-04-30')).map((r) => r[1])).toEqual(['rolled-back production: 1.2.0 → 1.1.0']);
    expect((await shownAfter('#/history?author=nobody')).length).toBe(0);
    expect((await shownAfter(`#/history?commit=${events[0]!.commit}`)).length).toBe(events.filter((e) => e.commit === events[0]!.commit).length);
    // The filter form writes the URL.
    await navigate(page, 'history', () => page.goto(`${origins.http}#/history`));
    await page.fill('#h-model', 'bert-base');
    await page.click('form.filters button[type=submit]');
    await page.waitForFunction(() => location.hash === '#/history?model=bert-base' && document.documentElement.dataset.ready === 'history');
    expect((await cells(page, '#history-table tbody tr')).map((r) => r[1])).toEqual(['model-created', 'registered 1.0.0']);
    expectClean(watch, 'history');
    await close();
  });

  it('works with the keyboard alone: skip link, search, a model, the lineage graph', async () => {
    const { page, watch, close } = await open('file', '#/', 'overview');
    const focused = () =>
      page.evaluate(() => {
        const e = document.activeElement as HTMLElement | null;
        return e ? `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.getAttribute('href') ? `[${e.getAttribute('href')}]` : ''}` : '';
      });
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('a#skip[#main]');
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).left)).not.toBe('-999px');
    await page.keyboard.press('Enter');
    expect(await focused()).toBe('main#main');
    const tabUntil = async (pattern: RegExp, max = 40) => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        if (pattern.test(await focused())) return;
      }
      throw new Error(`Tab never reached ${pattern}; ended on ${await focused()}`);
    };
    await tabUntil(/^input#f-q$/);
    await page.keyboard.type('int8');
    await page.waitForFunction(() => document.querySelectorAll('#models tbody tr').length === 1);
    await tabUntil(/^a\[#\/m\/sentiment-int8\]$/);
    await navigate(page, 'model', () => page.keyboard.press('Enter'));
    expect(await focused()).toBe('h1');
    await tabUntil(/^a\[#\/m\/sentiment-int8\/v\/1\.0\.0\]$/);
    await navigate(page, 'version', () => page.keyboard.press('Enter'));
    // Into the graph: its nodes are links in the tab order.
    await tabUntil(/^a\[#\/m\/sentiment\/v\/1\.1\.0\]$/);
    expect(await page.evaluate(() => document.activeElement?.closest('svg') !== null)).toBe(true);
    await screenshot(page, 'keyboard-focus-on-graph');
    await navigate(page, 'version', () => page.keyboard.press('Enter'));
    expect(page.url()).toContain('#/m/sentiment/v/1.1.0');
    // Sorting from the keyboard: the header buttons.
    await navigate(page, 'overview', () => page.goto(`${origins.file}#/`));
    await page.focus('#sort-name');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#sort-name')?.closest('th')?.getAttribute('aria-sort') === 'descending');
    expect(await focused()).toBe('button#sort-name');
    expectClean(watch, 'keyboard');
    await close();
  });

  it('axe-core finds no serious or critical violation on any page, light or dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, hash, ready] of PAGES) {
        const w = await open('http', hash, ready, { colorScheme: scheme });
        const report = await new AxeBuilder({ page: w.page }).analyze();
        const bad = report.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map(
            (v) =>
              `${v.id} (${v.impact}): ${v.help} — ${v.nodes
                .slice(0, 3)
                .map((n) => n.target.join(' '))
                .join('; ')}`,
          );
        expect(bad, `${scheme} ${name}`).toEqual([]);
        expect(report.passes.length, `${scheme} ${name}: axe ran`).toBeGreaterThan(10);
        await w.close();
      }
    }
  });
});
