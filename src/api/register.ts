/**
 * `register`: the write steps of api/write.ts with the artifacts' bytes between them — open, sync, read,
 * a preflight plan and check (refusing before a byte is hashed), hash and store the bytes, then plan, check
 * and commit the manifest that names them on the state of that moment (read again only if HEAD moved). A
 * crash before the commit leaves only unreferenced, content-addressed bytes (gc collects them).
 */
import { hashFile } from '../artifacts/hashing.js';
import { collectFiles, type SourceFile, type SymlinkSeen } from '../artifacts/collect.js';
import { openStore } from '../artifacts/open.js';
import { mapLimited } from '../artifacts/parallel.js';
import type { ArtifactStore, ObjectInfo } from '../artifacts/store.js';
import { globToRegExp, guessKind } from '../changes/artifact-kinds.js';
import type { RegisterIntent } from '../changes/plan.js';
import type { ArtifactEntry } from '../registry/types.js';
import { FileDigests, stampOf, type FileStamp } from '../cache/file-digests.js';
import { codeOfDirectory } from '../git/code-of.js';
import type { ProgressReporter } from '../cli/progress.js';
import { checkpoint } from './checkpoint.js';
import { protectStored } from './gc.js';
import { storeLocation } from './store-location.js';
import { FILES_AT_ONCE, progressOfMany } from './transfers.js';
import { CheckFailedError, commitIntent, openWrite, planAndCheck, readForWrite, syncWrite, type WriteOptions, type WriteResult } from './write.js';

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
  /** Follow symbolic links inside registered directories (default), or refuse them. */
  followSymlinks?: boolean;
  /**
   * When the input names no training code: record the Git repository and HEAD of the working directory
   * (`cwd`), if it is a repository other than the registry's — what the CLI does unless told --no-code.
   */
  codeOfCwd?: boolean;
}

export interface RegisterResult extends WriteResult {
  version: string;
  store: string;
  artifacts: (ArtifactEntry & { stored: boolean })[];
  /** The symbolic links followed inside registered directories, each once. */
  links: SymlinkSeen[];
}

export async function register(input: RegisterInput, options: RegisterOptions = {}): Promise<RegisterResult> {
  const { files: _f, roles, formats, everything: _e, ...rest } = input;
  const intent: RegisterIntent = { kind: 'register', ...rest, artifacts: [] };
  const session = await openWrite(intent, options); // the names are checked first, before anything is read
  const { root } = session;
  const files = collectFiles(input.files, options.cwd, {
    everything: !!input.everything,
    ...(options.followSymlinks === false ? { followSymlinks: false } : {}),
  });
  if (options.codeOfCwd && !intent.lineage?.code) {
    const code = await codeOfDirectory(options.cwd ?? process.cwd(), root);
    if (code) intent.lineage = { ...intent.lineage, code };
  }
  await syncWrite(session);
  const read = await readForWrite(session.writer, intent);
  const { snap } = read;
  const describe = (f: { path: string }) => {
    const guess = guessKind(f.path);
    return { format: override(formats, f.path) ?? guess.format, role: (override(roles, f.path) ?? guess.role) as ArtifactEntry['role'] & string };
  };
  // Refuse early, before hashing gigabytes or storing a byte: an existing or bad version, artifact names the
  // schema refuses, dangling lineage. The sha256 is a stand-in; everything else is what will be committed.
  const preflight = { ...intent, artifacts: files.map((f) => ({ path: f.path, sha256: '0'.repeat(64), size: f.size, ...describe(f) })) };
  const { check } = planAndCheck(read, preflight, { now: session.now(), actor: 'preflight', noVerify: !!options.noVerify });
  if (!check.ok) throw new CheckFailedError(check.blocking, `${input.model} (nothing was stored)`);
  const store = await openStore(storeLocation(root, snap.policy?.data, options.store), snap.policy?.data.artifacts.s3);

  // Several files at once, each bar counting all of them: a model of hundreds of small files is
  // otherwise a round trip (a HEAD, a PUT) after another. Hashing runs two at a time (it is CPU-bound,
  // and the reads overlap it); the store bounds its own requests in flight.
  const label = (verb: string) => (files.length === 1 ? `${verb} ${files[0]!.path}` : `${verb} ${files.length} files`);
  // A store that names objects as it writes them (S3) needs each address first, so that bytes already
  // stored are not sent; the local store hashes while it copies, in one pass.
  // A large file registered before, unchanged since, is not read again: its digest is remembered.
  const recalled = await recallDigests(files);
  let hashed: (SourceFile & { known?: ObjectInfo })[] = files.map((f, i) => ({ ...f, ...recalled.known(i) }));
  if (store.addressFirst) {
    const hashTick = progressOfMany(options.progress, label('hashing'), files);
    hashed = await mapLimited(hashed, 2, async (f, i) => (f.known ? f : { ...f, known: await hashFile(f.abs, hashTick?.(i)) }));
    options.progress?.done();
  }
  checkpoint('hash');
  const storeTick = progressOfMany(options.progress, label('storing'), files);
  const artifacts: (ArtifactEntry & { stored: boolean })[] = await mapLimited(hashed, FILES_AT_ONCE, async (f, i) => {
    let put = await store.putFile(f.abs, { ...(f.known ? { known: f.known } : {}), ...(storeTick ? { progress: storeTick(i) } : {}) });
    if (!put.stored) {
      // Already stored: refresh the bytes so a gc cannot take them before our commit names them; if a
      // gc took them a moment ago, store them again.
      checkpoint('dedup');
      if (!(await protectStored(store, put.sha256))) put = await store.putFile(f.abs, { known: { sha256: put.sha256, size: put.size } });
    }
    await recalled.remember(i, put);
    return { path: f.path, sha256: put.sha256, size: put.size, ...describe(f), stored: put.stored };
  });
  options.progress?.done();
  checkpoint('put');
  const result = await commitIntent(session, { ...intent, artifacts: artifacts.map(({ stored: _s, ...a }) => a) }, read);
  const links = [...new Map(files.filter((f) => f.via).map((f) => [f.via!.link, f.via!])).values()];
  return { ...result, version: result.ref.slice(result.ref.lastIndexOf('@') + 1), store: store.uri, artifacts, links };
}

/** Each file's digest if the cache holds it for the file as it is now, and a way to remember the ones hashed. */
async function recallDigests(files: SourceFile[]) {
  const cache = FileDigests.open();
  const startedMs = Date.now(); // before any file is stamped, so before any is hashed
  const recalled = await mapLimited(files, FILES_AT_ONCE, async (f): Promise<{ stamp?: FileStamp; known?: ObjectInfo }> => {
    if (!cache?.worthIt(f.size)) return {};
    const stamp = await stampOf(f.abs).catch(() => undefined);
    return stamp ? { stamp, known: cache.lookup(stamp) } : {};
  });
  return {
    known: (i: number) => (recalled[i]!.known ? { known: recalled[i]!.known } : {}),
    remember: async (i: number, info: ObjectInfo) => {
      const { stamp, known } = recalled[i]!;
      if (cache && stamp && !known) await cache.remember(files[i]!.abs, stamp, startedMs, info);
    },
  };
}

function override(map: Record<string, string> | undefined, path: string): string | undefined {
  for (const [glob, value] of Object.entries(map ?? {})) if (globToRegExp(glob).test(path)) return value;
  return undefined;
}

export type { ArtifactStore };
