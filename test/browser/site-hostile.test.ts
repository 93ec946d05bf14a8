/**
 * Hostile text through the registry browser, proved in Chromium: nothing executes (no dialog), nothing
 * errs (no console error), nothing is injected (no element or attribute the site does not make: no
 * event handler, no inline style or script, no link that is not this site's page or an http(s) URL),
 * and no request leaves the page.
 *
 * 1. The whole hostile-input catalogue (test/hostile/catalogue.ts): each case committed on a real
 *    repository, built with `modelreg site`, its pages opened — the overview, the problems page, and the
 *    model and version the case attacks. The secret outside the repository never reaches the site.
 * 2. Valid manifests and Git text carrying markup and script in every free-text field (they pass
 *    validation, so they reach every page): shown as the text they are.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY, CATALOGUE, type HostileCase } from '../hostile/catalogue.js';
import { applyCase, outsideCanaryFile, pairwise } from '../hostile/apply.js';
import type { ProblemsData } from '../../src/site/types.js';
import { cli, cliAsync, commitAll, fixtureRepo, gitIn, readData, sh } from '../integration/helpers.js';
import { browser, openSite, screenshot, skipBrowser, watchedPage } from './harness.js';

/** What the page holds that the site never makes; empty when it is clean. */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}="${a.value}"`);
        // uPlot positions its parts through the CSSOM (which the CSP allows, and which shows as a style attribute).
        if (a.name === 'style' && !el.closest('.uplot')) bad.push(`${el.tagName} style="${a.value}"`);
        if (a.name === 'href' && !/^(#|https?:\/\/|assets\/)/.test(a.value)) bad.push(`${el.tagName} href="${a.value}"`);
        if ((a.name === 'src' || a.name === 'srcdoc' || a.name === 'xlink:href' || a.name === 'action' || a.name === 'formaction') && el.tagName !== 'SCRIPT')
          bad.push(`${el.tagName} ${a.name}="${a.value}"`);
      }
    }
    for (const sel of [
      'img',
      'iframe',
      'object',
      'embed',
      'frame',
      'video',
      'audio',
      'source',
      'base',
      'meta[http-equiv="refresh"]',
      'style',
      'link:not([rel="icon"]):not([rel="stylesheet"])',
    ]) {
      for (const el of document.querySelectorAll(sel)) bad.push(`<${el.tagName.toLowerCase()}> ${el.outerHTML.slice(0, 80)}`);
    }
    const scripts = [...document.scripts].map((s) => s.getAttribute('src') ?? `inline: ${s.textContent?.slice(0, 40)}`);
    if (scripts.length !== 2 || !scripts.every((s) => /^(data\/meta\.js|assets\/app\.js)\?v=/.test(s))) bad.push(`scripts: ${scripts.join(', ')}`);
    return bad;
  });
}

/** Every file of a directory tree, as text. */
function allText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? allText(p) : readFileSync(p, 'latin1');
  }
  return out;
}

describe.skipIf(skipBrowser())('hostile text through the registry browser', () => {
  let b: Browser;
  const keep = mkdtempSync(join(tmpdir(), 'modelreg-site-hostile-'));
  const canaryFile = outsideCanaryFile();
  beforeAll(async () => {
    b = await browser();
  });
  afterAll(async () => {
    await b?.close();
    rmSync(keep, { recursive: true, force: true });
  });

  /** Open each page; everything that must not happen, checked. */
  async function visit(site: string, pages: [string, string][], where: string, shots = false): Promise<void> {
    const origin = pathToFileURL(site).href;
    const index = pathToFileURL(join(site, 'index.html')).href;
    for (const [hash, ready] of pages) {
      const w = await watchedPage(b, origin);
      await openSite(w.page, `${index}${hash}`, ready);
      const label = `${where} ${hash}`;
      expect(w.watch.dialogs, `${label}: dialogs`).toEqual([]);
      expect(w.watch.errors, `${label}: console`).toEqual([]);
      expect(w.watch.outside, `${label}: requests`).toEqual([]);
      expect(await injected(w.page), `${label}: injected`).toEqual([]);
      expect(await w.page.evaluate(() => document.body.innerText), label).not.toContain(CANARY);
      if (shots) await screenshot(w.page, `hostile-${hash.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'overview'}`);
      await w.close();
    }
  }

  async function throughTheSite(c: HostileCase): Promise<void> {
    const { repo } = fixtureRepo();
    applyCase(repo, c, canaryFile);
    commitAll(repo, `hostile: ${c.id}`);
    const site = join(keep, c.id);
    const r = await cliAsync(repo, ['site', '-r', '.', '-o', site, '--json']);
    const where = `${c.id} (${c.what})`;
    expect(r.stderr, where).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError|Maximum call stack/);
    expect(r.code, `${where}: ${r.stderr}`).toBe(0);
    // What reading finds (YAML, schema, the tree) the problems page lists, file by file; what only the
    // cross-file checks of `modelreg validate` find (a dangling stage, a traversing artifact path) is shown as text.
    const listed = readData<ProblemsData>(site, 'data/problems.js');
    for (const want of c.expect.filter((e) => /^(yaml-|schema$|tree-)/.test(e.code))) {
      // (The page lists the first PROBLEMS_SHOWN and counts the rest.)
      const shown = listed.findings.some((f) => f.code === want.code && f.file === want.file);
      expect(shown || listed.total > listed.findings.length, `${where}: ${want.code} in ${want.file} on the problems page`).toBe(true);
    }
    expect(allText(site), `${where}: the secret outside the repository`).not.toContain(CANARY);
    await visit(
      site,
      [
        ['#/', 'overview'],
        ['#/problems', 'problems'],
        ['#/m/bert-base', 'model'],
        ['#/m/bert-base/v/1.0.0', 'version'],
        ['#/history', 'history'],
      ],
      where,
    );
    rmSync(site, { recursive: true, force: true });
  }

  it('covers the whole catalogue', () => {
    expect(CATALOGUE.length).toBeGreaterThanOrEqual(80);
  });

  for (const group of ['yaml', 'names', 'values', 'tree', 'output'] as const) {
    it(
      `every ${group} case of the catalogue: the site builds, lists what reading found, and nothing on its pages executes, errs, is injected or leaves`,
      { timeout: 600_000 },
      async () => {
        await pairwise(
          CATALOGUE.filter((x) => x.group === group),
          throughTheSite,
        );
      },
    );
  }

  it('markup and script in every free-text field of valid manifests, and in Git, are shown as the text they are', { timeout: 300_000 }, async () => {
    const { repo } = fixtureRepo();
    const x = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const md = [
      '# Heading <svg onload=alert(3)>',
      `Text ${x} <iframe src="javascript:alert(4)"></iframe>`,
      '[click](javascript:alert(5)) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==) [ok](https://example.com/docs)',
      '![pixel](https://tracker.example/p.gif) <https://example.org> <javascript:alert(7)>',
      '<div style="background:url(https://tracker.example/bg)">styled</div>',
      '| a | b |\n|:--|--:|\n| <b onmouseover=alert(8)>x</b> | y |',
    ].join('\n\n');
    const q = (s: string) => JSON.stringify(s);
    writeFileSync(
      join(repo, 'models/sentiment/model.yaml'),
      [
        'name: sentiment',
        `description: ${q(md)}`,
        `owners: [${q(`alice${x}`)}, "@acme/ml-leads"]`,
        `task: ${q(`classify${x}`)}`,
        `tags: { team: ${q(x)}, domain: reviews }`,
        `intended_use: ${q(md)}`,
        `limitations: ${q(`Not for ${x}`)}`,
        `license: ${q(`MIT${x}`)}`,
        '',
      ].join('\n'),
    );
    const v = 'models/sentiment/versions/1.2.0.yaml';
    let text = readFileSync(join(repo, v), 'utf8');
    text = text
      .replace(/^framework: .*$/m, `framework: ${q('pt<b>')}`)
      .replace(/^description: .*$/m, `description: ${q(md)}`)
      .replace(/params: \{[^}]*\}/, `params: { optimizer: ${q(x)}, lr: 0.1 }`)
      .replace(/tags: \{[^}]*\}/, `tags: { team: ${q(x)} }`)
      .replace(/created_by: .*$/m, `created_by: ${q(`mallory${x}`)}`);
    // (< and > cannot be in an artifact path, which every checkout must hold: an attribute that tries to close instead.)
    text = text.replace(/- \{ path: model\.safetensors,/, `- { path: ${q("model' onfocus='alert(9)' autofocus='&amp;.bin")},`);
    text = text.replace(/uri: "[^"]*"/, `uri: ${q('javascript:alert(10)')}, name: ${q(x)}`);
    text = text.replace(/repository: [^,}]*/, `repository: ${q('javascript:alert(11)')}`);
    writeFileSync(join(repo, v), text);
    const s = 'models/sentiment/stages/staging.yaml';
    writeFileSync(
      join(repo, s),
      readFileSync(join(repo, s), 'utf8')
        .replace(/^reason: .*$/m, `reason: ${q(`because ${x}`)}`)
        .replace(/^moved_by: .*$/m, `moved_by: ${q(`eve${x}`)}`),
    );
    gitIn(repo, 'add', '-A');
    // Git keeps no < or > in a name: an author that tries to close an attribute instead.
    const author = 'mallory" onfocus="alert(12)" autofocus="';
    sh(repo, 'git', [
      '-c',
      'user.name=Committer',
      '-c',
      'user.email=c@example.com',
      'commit',
      '-q',
      '--author',
      `${author} <m@example.com>`,
      '-m',
      `<script>alert(13)</script> Promote (#7)`,
    ]);
    gitIn(repo, 'remote', 'add', 'origin', 'https://github.com/acme/reg"><script>alert(14)</script>');
    // They are valid: the payloads reach every page.
    const valid = cli(repo, ['validate', '--json']);
    expect(
      valid.json().findings.filter((f: { severity: string }) => f.severity === 'error'),
      valid.stdout,
    ).toEqual([]);
    const site = join(keep, 'valid-hostile');
    const r = cli(repo, ['site', '-o', site, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().problems).toBe(0);
    await visit(
      site,
      [
        ['#/', 'overview'],
        ['#/?q=script', 'overview'],
        ['#/m/sentiment', 'model'],
        ['#/m/sentiment/v/1.2.0', 'version'],
        ['#/compare?v=sentiment%401.1.0&v=sentiment%401.2.0', 'compare'],
        ['#/history', 'history'],
        ['#/history?model=sentiment', 'history'],
      ],
      'valid manifests',
      true,
    );
    // And the text is there, as text.
    const w = await watchedPage(b, pathToFileURL(site).href);
    await openSite(w.page, `${pathToFileURL(join(site, 'index.html')).href}#/m/sentiment/v/1.2.0`, 'version');
    const body = await w.page.evaluate(() => document.body.innerText);
    expect(body).toContain('<img src=x onerror=alert(1)><script>alert(2)</script>');
    expect(body).toContain("model' onfocus='alert(9)' autofocus='&amp;.bin");
    expect(body).toContain('javascript:alert(10)');
    // Only the http(s) links of the description survive as links; the rest is text.
    const hrefs = await w.page.$$eval('.prose a', (as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.sort()).toEqual(['https://example.com/docs', 'https://example.org', 'https://tracker.example/p.gif']);
    expect(await w.page.$$eval('.prose a', (as) => as.every((a) => a.getAttribute('rel') === 'nofollow noopener noreferrer'))).toBe(true);
    await w.page.goto(`${pathToFileURL(join(site, 'index.html')).href}#/history`);
    await w.page.waitForFunction(() => document.documentElement.dataset.ready === 'history');
    const log = await w.page.evaluate(() => document.body.innerText);
    const stored = gitIn(repo, 'log', '-1', '--format=%an');
    expect(stored).toContain('onfocus="alert(12)"');
    expect(log).toContain(stored);
    expect(log).toContain('<script>alert(13)</script> Promote (#7)');
    // The remote is not a plain GitHub repository name: no links to it at all.
    expect(await w.page.$$eval('a.ext', (as) => as.length)).toBe(0);
    expect(w.watch.dialogs).toEqual([]);
    await w.close();
  });
});
