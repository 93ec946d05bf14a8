/**
 * `register`: hash and store the artifacts first, then plan, check and commit the manifest that names
 * them. A crash before the commit leaves only unreferenced, content-addressed bytes (gc collects them).
 */
import { hashFile } from '../artifacts/hashing.js';
import { collectFiles } from '../artifacts/collect.js';
import { openStore } from '../artifacts/open.js';
import type { ArtifactStore } from '../artifacts/store.js';
import { globToRegExp, guessKind } from '../changes/artifact-kinds.js';
import { planChange, type RegisterIntent } from '../changes/plan.js';
import { checkPlan } from '../changes/check.js';
import type { ArtifactEntry } from '../registry/types.js';
import { findRegistryRoot } from '../git/open.js';
import { git } from '../git/run.js';
import { WorkTreeWriter } from '../git/writer.js';
import type { ProgressReporter } from '../cli/progress.js';
import { checkpoint } from './checkpoint.js';
import { storeLocation } from './store-location.js';
import { applyIntent, CheckFailedError, readForWrite, syncForPush, type WriteOptions, type WriteResult } from './write.js';

export interface RegisterInput extends Omit<RegisterIntent, 'kind' | 'artifacts'> {
  /** Files and directories to register. */
  files: string[];
  /** Keep every file, .DS_Store and __pycache__ included (an import copies a version exactly). */
  everything?: boolean;
  /** glob → role / format, overriding the guess from the file name. */
  roles?: Record<string, string>;
  formats?: Record<string, string>;
}

export interface RegisterOptions extends WriteOptions {
  store?: string;
  progress?: ProgressReporter;
}

export interface RegisterResult extends WriteResult {
  version: string;
  store: string;
  artifacts: (ArtifactEntry & { stored: boolean })[];
}

export async function register(input: RegisterInput, options: RegisterOptions = {}): Promise<RegisterResult> {
  const root = findRegistryRoot(options.dir, options.cwd);
  const writer = await WorkTreeWriter.open(root);
  await writer.recover();
  const files = collectFiles(input.files, options.cwd, { everything: !!input.everything });
  const { files: _f, roles, formats, everything: _e, ...rest } = input;
  const intent: RegisterIntent = { kind: 'register', ...rest, artifacts: [] };
  const synced = await syncForPush(writer, options);
  const { snap, checked } = await readForWrite(root, intent);
  const describe = (f: { path: string }) => {
    const guess = guessKind(f.path);
    return { format: override(formats, f.path) ?? guess.format, role: (override(roles, f.path) ?? guess.role) as ArtifactEntry['role'] & string };
  };
  // Refuse early, before hashing gigabytes or storing a byte: an existing or bad version, artifact names the
  // schema refuses, dangling lineage. The sha256 is a stand-in; everything else is what will be committed.
  const preflight = { ...intent, artifacts: files.map((f) => ({ path: f.path, sha256: '0'.repeat(64), size: f.size, ...describe(f) })) };
  const check = checkPlan(checked, planChange(snap, preflight, { now: new Date().toISOString(), actor: 'preflight' }), { noVerify: !!options.noVerify });
  if (!check.ok) throw new CheckFailedError(check.blocking, `${input.model} (nothing was stored)`);
  const store = await openStore(storeLocation(root, snap.policy?.data, options.store), snap.policy?.data.artifacts.s3);

  const progress = options.progress;
  const hashed = [];
  for (const f of files) {
    const tick = progress?.start(`hashing ${f.path}`, f.size);
    hashed.push({ ...f, ...(await hashFile(f.abs, tick)) });
    progress?.done();
  }
  checkpoint('hash');
  const artifacts: (ArtifactEntry & { stored: boolean })[] = [];
  for (const f of hashed) {
    const tick = progress?.start(`storing ${f.path}`, f.size);
    const put = await store.putFile(f.abs, { known: { sha256: f.sha256, size: f.size }, ...(tick ? { progress: tick } : {}) });
    progress?.done();
    artifacts.push({ path: f.path, sha256: put.sha256, size: put.size, ...describe(f), stored: put.stored });
  }
  checkpoint('put');
  const result = await applyIntent({ ...intent, artifacts: artifacts.map(({ stored: _s, ...a }) => a) }, { ...options, dir: root, synced });
  return { ...result, version: result.ref.slice(result.ref.lastIndexOf('@') + 1), store: store.uri, artifacts };
}

function override(map: Record<string, string> | undefined, path: string): string | undefined {
  for (const [glob, value] of Object.entries(map ?? {})) if (globToRegExp(glob).test(path)) return value;
  return undefined;
}

/** The training code by default: the Git repository and HEAD of `cwd`, when it is one other than the registry's. */
export async function codeOfDirectory(cwd: string, registryRoot: string): Promise<{ repository: string; commit: string } | undefined> {
  const top = await git(cwd, ['rev-parse', '--show-toplevel'], { allowFail: true });
  const regTop = await git(registryRoot, ['rev-parse', '--show-toplevel'], { allowFail: true });
  if (top.code !== 0 || top.stdout.toString().trim() === regTop.stdout.toString().trim()) return undefined;
  const commit = await git(cwd, ['rev-parse', 'HEAD'], { allowFail: true });
  if (commit.code !== 0) return undefined;
  const url = (await git(cwd, ['config', '--get', 'remote.origin.url'], { allowFail: true })).stdout.toString().trim();
  return { repository: stripCredentials(url) || top.stdout.toString().trim(), commit: commit.stdout.toString().trim() };
}

/** https://user:token@host/repo → https://host/repo: a token must never end up in a manifest. */
export function stripCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
}

export type { ArtifactStore };
