// Debian's Chromium, driven by playwright-core: shared by the browser tests (test/browser/) and the site
// benchmark (bench/site.mjs). The flags keep it from opening connections of its own (on a closed network
// they are refused by the hundred); playwright gives every launch a new, empty profile directory, and
// every browser.newContext() is a cold one (no cache, no storage).
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.MODELREG_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const INSTALL_HINT = 'bash scripts/browser/install.sh';

export function chromiumPresent() {
  return existsSync(CHROMIUM);
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
}
