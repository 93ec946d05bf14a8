/**
 * What the browser tests share: Debian's Chromium through playwright-core (scripts/browser/chromium.mjs),
 * a loopback static server (a site must work from any static host), a watch on everything a page does
 * that it must not — console errors, uncaught exceptions, dialogs, requests that leave the site — and
 * screenshots saved as test output (test-output/site/, looked at by people; never compared).
 *
 * Skipping follows the S3 tests' policy (test/s3-setup.ts): in CI the browser tests never skip, and a
 * missing Chromium fails them; on a machine without it they are skipped with the command that installs it.
 */
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../integration/helpers.js';
import { inCI } from '../s3-setup.js';
// @ts-expect-error: a plain .mjs module without types
import { chromiumPresent, INSTALL_HINT, launchChromium } from '../../scripts/browser/chromium.mjs';

export const SCREENSHOTS = join(ROOT, 'test-output', 'site');

/** True where the browser tests may skip: not in CI, and no Chromium. */
export function skipBrowser(): boolean {
  if (inCI()) return false;
  if (!chromiumPresent()) {
    console.warn(`browser tests skipped: no Chromium; install it with \`${INSTALL_HINT}\``);
    return true;
  }
  return false;
}

export async function browser(): Promise<Browser> {
  if (!chromiumPresent()) throw new Error(`Chromium is missing; install it with \`${INSTALL_HINT}\``);
  return (await launchChromium()) as Browser;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

/** A static file server for `dir` on 127.0.0.1, as any static host would serve the site (no headers of ours). */
export async function staticServer(dir: string): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!statSync(file).isFile()) throw new Error('not a file');
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    } catch {
      let page: Buffer | string = 'Not found';
      try {
        page = readFileSync(join(root, '404.html'));
      } catch {
        // a site without one
      }
      res.writeHead(404, { 'content-type': 'text/html' }).end(page);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, server, close: () => new Promise((r) => server.close(() => r())) };
}

export interface Watch {
  errors: string[];
  dialogs: string[];
  /** Requests to anything but the site's own origin (file:// or the loopback server). */
  outside: string[];
}

/** A new cold context and page, watched; `origin`: the site's, whose requests are its own. */
export async function watchedPage(
  b: Browser,
  origin: string,
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<{ page: Page; watch: Watch; close: () => Promise<void> }> {
  const context = await b.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const watch: Watch = { errors: [], dialogs: [], outside: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') watch.errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.errors.push(`uncaught: ${e.message}`));
  page.on('dialog', (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(origin)) watch.outside.push(r.url());
  });
  return { page, watch, close: () => context.close() };
}

/** Open a page of the site and wait until it says it is drawn (`data-ready` on <html>). */
export async function openSite(page: Page, url: string, ready: string): Promise<void> {
  await page.goto(url);
  await waitReady(page, ready);
}

export async function waitReady(page: Page, ready: string): Promise<void> {
  await page.waitForFunction((r) => document.documentElement.dataset.ready === r, ready, { timeout: 30_000 });
}

/**
 * Do what moves the page to another route (a click, a key, a new hash) and wait until that route is drawn.
 * The marker is cleared first: the route changes on the `hashchange` event, after the action returns, so
 * a page of the same kind (a version to a version) would otherwise still show the old page's marker.
 */
export async function navigate(page: Page, ready: string, act: () => Promise<unknown>): Promise<void> {
  await page.evaluate(() => delete document.documentElement.dataset.ready);
  await act();
  await waitReady(page, ready);
}

/** A full-page screenshot as test output: test-output/site/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // From the top: a table's sticky header stays where the scroll left it otherwise.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}
