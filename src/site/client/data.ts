/**
 * Loading the data files: each is a script (fetch() of a local file does not work from file://) that
 * pushes [key, value] onto self.modelregData. A page asks for a key; the file is added as a script of
 * this site (the CSP allows no other), and the promise settles when it has pushed its value or failed.
 * The pages' bundle (assets/pages.js) is added the same way; it uses this module of app.js, not a copy.
 */
import type { ModelData, OverviewData, ProblemsData, SiteHistory, SiteMeta } from '../types.js';

type Item = [string, unknown];
const values = new Map<string, unknown>();
const waiting = new Map<string, ((v: unknown) => void)[]>();
/** Model files kept in memory, most recent last: a model of 1,000 versions is a megabyte or more. */
const KEEP_MODELS = 24;

declare global {
  interface Window {
    modelregData?: Item[] | { push(item: Item): number };
  }
}

function receive([key, value]: Item): number {
  values.set(key, value);
  for (const f of waiting.get(key) ?? []) f(value);
  waiting.delete(key);
  if (key.startsWith('models/')) {
    const models = [...values.keys()].filter((k) => k.startsWith('models/'));
    for (const k of models.slice(0, Math.max(0, models.length - KEEP_MODELS))) values.delete(k);
  }
  return 0;
}

/** Take what the data scripts pushed before this script ran, and everything they push from now on. */
export function installDataQueue(): void {
  const queued = window.modelregData;
  window.modelregData = { push: receive };
  if (Array.isArray(queued)) for (const item of queued) receive(item);
}

export function meta(): SiteMeta | undefined {
  return values.get('meta') as SiteMeta | undefined;
}

/**
 * The Trusted Types policy for script URLs: only this site's data files and its pages' bundle, so nothing
 * else can ever be loaded as a script (the CSP requires a trusted URL for every script element).
 */
const SCRIPT_FILE = /^(data\/[a-z0-9][a-z0-9._/-]*\.js|assets\/pages\.js)\?v=[0-9a-f]*$/;
const scriptUrls = window.trustedTypes?.createPolicy('modelreg', {
  createScriptURL: (url: string) => {
    if (!SCRIPT_FILE.test(url) || url.includes('..')) throw new Error(`not a script of this site: ${url}`);
    return url;
  },
});

/** Add one of the site's scripts to the page: resolves once it has run, rejects (NotFound) when it could not be loaded. */
export function addScript(file: string, version: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    const url = `${file}?v=${encodeURIComponent(version)}`;
    // A TrustedScriptURL where the browser has Trusted Types; TypeScript's DOM types take only strings here.
    s.src = (scriptUrls ? scriptUrls.createScriptURL(url) : url) as unknown as string;
    s.onload = () => {
      s.remove();
      resolve();
    };
    s.onerror = () => {
      s.remove();
      reject(new NotFound(file));
    };
    document.head.appendChild(s);
  });
}

function load<T>(key: string, file: string): Promise<T> {
  if (values.has(key)) return Promise.resolve(values.get(key) as T);
  return new Promise<T>((resolve, reject) => {
    waiting.set(key, [...(waiting.get(key) ?? []), (v) => resolve(v as T)]);
    addScript(file, meta()?.build ?? '').then(
      () => {
        if (!values.has(key)) reject(new Error(`${file} did not hold ${key}`));
      },
      (e: unknown) => {
        waiting.delete(key);
        reject(e);
      },
    );
  });
}

export class NotFound extends Error {
  constructor(readonly file: string) {
    super(`${file} is not part of this site`);
  }
}

export const loadIndex = () => load<OverviewData>('index', 'data/index.js');
/** Names are checked against the model-name rule before they become a file name. */
export const loadModel = (name: string) =>
  /^[a-z0-9][a-z0-9._-]*$/.test(name) && !name.includes('..')
    ? load<ModelData>(`models/${name}`, `data/models/${name}.js`)
    : Promise.reject(new NotFound(name));
export const loadHistoryChunk = (i: number) => load<SiteHistory>(`history/${i}`, `data/history/${i}.js`);
export const loadProblems = () => load<ProblemsData>('problems', 'data/problems.js');
