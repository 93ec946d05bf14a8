/**
 * The embedded default store: a local directory, content-addressed (sha256/<aa>/<hex>).
 * Writes go to tmp/ inside the store (same file system), are fsynced, then renamed into place, and the
 * directory is fsynced: a crash leaves either the whole object or a stray temporary file, never a torn
 * object under its address. Objects are made read-only. Every read verifies size and hash.
 */
import { sourceError } from './unreadable.js';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { ModelregError } from '../registry/errors.js';
import { HashingStream, VerifyingStream, hashFile, readInOrder } from './hashing.js';
import {
  assertMetaName,
  objectKey,
  SHA256,
  type ArtifactStore,
  type GetOptions,
  type MetaInfo,
  type ObjectInfo,
  type Progress,
  type PutResult,
  type VerifyResult,
} from './store.js';

/** Registering the same bytes again is deduplicated by size, so it cannot heal a damaged object of the right size. */
const DAMAGED =
  'The stored object is damaged: replace it with the original bytes (delete it from the store, then register the original file again). `modelreg verify` lists every damaged object.';

export class LocalStore implements ArtifactStore {
  readonly uri: string;
  readonly addressFirst = false;

  constructor(readonly root: string) {
    this.uri = pathToFileURL(root).href.replace(/\/+$/, '');
  }

  objectUri(sha256: string): string {
    return `${this.uri}/${objectKey(sha256)}`;
  }

  objectPath(sha256: string): string {
    if (!SHA256.test(sha256)) throw new ModelregError('usage', `"${sha256}" is not a sha256`);
    return join(this.root, objectKey(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<ObjectInfo | null> {
    try {
      const s = await stat(this.objectPath(sha256));
      return s.isFile() ? { sha256, size: s.size, modified: s.mtimeMs } : null;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storeError(e, this.root);
    }
  }

  async putFile(path: string, options: { progress?: Progress; known?: ObjectInfo } = {}): Promise<PutResult> {
    const before = await statSource(path);
    const { known } = options;
    if (known) {
      const present = await this.stat(known.sha256);
      if (present && present.size === known.size) return { ...known, stored: false };
    }
    // One pass: the copy is hashed on its way into a temporary file, which is named by that hash only if
    // the file did not change meanwhile (and matches `known`), or discarded when the object is there.
    const tmp = await this.tempPath();
    try {
      const info = await copyHashing(path, tmp, this.root, options.progress);
      const after = await statSource(path);
      if ((known && (info.sha256 !== known.sha256 || info.size !== known.size)) || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        throw new ModelregError('artifact-changed', `${path} changed while it was being stored`, {
          hint: 'Wait until whatever writes the file has finished, then run the command again.',
        });
      }
      return await this.keepOrDiscard(tmp, info, { lookedUp: !!known });
    } catch (e) {
      await unlink(tmp).catch(() => {});
      const error = e instanceof ModelregError ? e : storeError(e, this.root);
      // No room for the copy: the bytes may be stored already, which a hash alone can tell.
      if (error.code === 'store-full' && !known) {
        const first = await hashFile(path).catch((h: unknown) => Promise.reject(sourceError(h, path)));
        const present = await this.stat(first.sha256);
        if (present && present.size === first.size) return { ...first, stored: false };
      }
      throw error;
    }
  }

  async putStream(stream: Readable, options: { progress?: Progress } = {}): Promise<PutResult> {
    const h = new HashingStream(options.progress);
    const tmp = await this.tempPath();
    try {
      await pipeline(stream, h, createWriteStream(tmp, { mode: 0o600 }));
      return await this.keepOrDiscard(tmp, { sha256: h.sha256(), size: h.size }, { lookedUp: false });
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e instanceof ModelregError ? e : storeError(e, this.root);
    }
  }

  async getFile(sha256: string, dest: string, options: GetOptions = {}): Promise<void> {
    const tmp = `${dest}.modelreg-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await mkdir(dirname(dest), { recursive: true });
    // Check before opening the destination, so a missing or wrong-size object opens nothing.
    await this.present(sha256, options.expectedSize);
    try {
      await this.getStream(sha256, createWriteStream(tmp, { mode: 0o644 }), options);
      await fsyncPath(tmp);
      await rename(tmp, dest);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  async getStream(sha256: string, out: Writable, options: { expectedSize?: number; progress?: Progress } = {}): Promise<void> {
    const path = this.objectPath(sha256);
    const info = await this.present(sha256, options.expectedSize);
    // The last chunk is held back until size and hash are checked: a consumer writing to a temporary file
    // (getFile) discards it; a raw stream (an HTTP response) is cut short of its end.
    const check = new VerifyingStream(
      info,
      () => new ModelregError('artifact-corrupt', `object ${sha256} in the store does not match its hash`, { hint: DAMAGED }),
      options.progress,
    );
    await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), check, out);
  }

  private async present(sha256: string, expectedSize: number | undefined): Promise<ObjectInfo> {
    const info = await this.stat(sha256);
    if (!info)
      throw new ModelregError('artifact-missing', `object ${sha256} is not in the store ${this.uri}`, {
        hint: 'Run `modelreg verify` to list every missing artifact.',
      });
    if (expectedSize !== undefined && info.size !== expectedSize) {
      throw new ModelregError('artifact-corrupt', `object ${sha256} is ${info.size} bytes; the manifest says ${expectedSize}`, { hint: DAMAGED });
    }
    return info;
  }

  async *list(): AsyncIterable<ObjectInfo> {
    const base = join(this.root, 'sha256');
    let prefixes: string[];
    try {
      prefixes = (await readdir(base)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storeError(e, this.root);
    }
    for (const p of prefixes) {
      for (const name of (await readdir(join(base, p))).sort()) {
        if (!SHA256.test(name) || !name.startsWith(p)) continue;
        const s = await stat(join(base, p, name));
        if (s.isFile()) yield { sha256: name, size: s.size, modified: s.mtimeMs };
      }
    }
  }

  async delete(sha256: string): Promise<void> {
    await unlink(this.objectPath(sha256)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw storeError(e, this.root);
    });
  }

  async verify(sha256: string, expectedSize?: number): Promise<VerifyResult> {
    const info = await this.stat(sha256);
    if (!info) return { sha256, ok: false, problem: 'missing' };
    if (expectedSize !== undefined && info.size !== expectedSize) return { sha256, ok: false, problem: 'size', size: info.size, expectedSize };
    const actual = await hashFile(this.objectPath(sha256));
    return actual.sha256 === sha256 ? { sha256, ok: true, size: info.size } : { sha256, ok: false, problem: 'corrupt', size: info.size };
  }

  async readMeta(name: string): Promise<{ text: string; modified: number } | null> {
    const path = join(this.root, assertMetaName(name));
    try {
      const [text, s] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
      return { text, modified: s.mtimeMs };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw storeError(e, this.root);
    }
  }

  async writeMeta(name: string, text: string, options: { createOnly?: boolean } = {}): Promise<{ modified: number } | 'exists'> {
    const path = join(this.root, assertMetaName(name));
    const tmp = await this.tempPath();
    try {
      await writeFile(tmp, text);
      await fsyncPath(tmp);
      await mkdir(dirname(path), { recursive: true });
      if (options.createOnly) {
        // link() fails when the name exists: an atomic create-only, which rename() is not.
        try {
          await link(tmp, path);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
          throw e;
        }
      } else await rename(tmp, path);
      await fsyncPath(dirname(path));
      return { modified: (await stat(path)).mtimeMs };
    } catch (e) {
      throw storeError(e, this.root);
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  async deleteMeta(name: string): Promise<void> {
    await unlink(join(this.root, assertMetaName(name))).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw storeError(e, this.root);
    });
  }

  async *listMeta(prefix: string): AsyncIterable<MetaInfo> {
    const dir = join(this.root, assertMetaName(prefix.replace(/\/$/, '')));
    let names: string[];
    try {
      names = (await readdir(dir)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw storeError(e, this.root);
    }
    for (const n of names) {
      const s = await stat(join(dir, n)).catch(() => null);
      if (s?.isFile()) yield { name: `${prefix.replace(/\/$/, '')}/${n}`, modified: s.mtimeMs };
    }
  }

  /** Remove the temporary files in tmp/ last written before `before` (ms): what killed processes left. */
  async clearAbandoned(before: number): Promise<number> {
    const dir = this.tmpDir;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw storeError(e, this.root);
    }
    let cleared = 0;
    for (const n of names) {
      const s = await stat(join(dir, n)).catch(() => null); // gone meanwhile: its writer finished
      if (!s?.isFile() || s.mtimeMs >= before) continue;
      await unlink(join(dir, n)).then(
        () => cleared++,
        () => {},
      );
    }
    return cleared;
  }

  /** Where writes are made before they are renamed to their address (the same file system). */
  private get tmpDir(): string {
    return join(this.root, 'tmp');
  }

  private async tempPath(): Promise<string> {
    const dir = this.tmpDir;
    await mkdir(dir, { recursive: true }).catch((e) => Promise.reject(storeError(e, this.root)));
    return join(dir, `${process.pid}-${randomBytes(8).toString('hex')}.part`);
  }

  /** The copy `tmp` of `info`'s bytes named by its hash, or discarded if the object is there already (`lookedUp`: known not to be, a moment ago). */
  private async keepOrDiscard(tmp: string, info: ObjectInfo, { lookedUp }: { lookedUp: boolean }): Promise<PutResult> {
    const present = lookedUp ? null : await this.stat(info.sha256);
    if (present && present.size === info.size) {
      await unlink(tmp);
      return { ...info, stored: false };
    }
    await this.commit(tmp, info.sha256);
    return { ...info, stored: true };
  }

  /** fsync the temporary file, rename it to its address, fsync the directory. */
  private async commit(tmp: string, sha256: string): Promise<void> {
    const final = this.objectPath(sha256);
    await fsyncPath(tmp);
    await chmod(tmp, 0o444);
    await mkdir(dirname(final), { recursive: true });
    await rename(tmp, final);
    await fsyncPath(dirname(final));
  }
}

/**
 * Copy `path` to `tmp` (created, mode 0600), hashing on the way: the sha256 and size of what was copied.
 * A failure reading the source is the source's (artifact-unreadable); one writing the copy is the store's.
 */
async function copyHashing(path: string, tmp: string, root: string, progress?: Progress): Promise<ObjectInfo> {
  const source = await open(path, 'r').catch((e: unknown) => Promise.reject(sourceError(e, path)));
  try {
    const copy = await open(tmp, 'wx', 0o600).catch((e: unknown) => Promise.reject(storeError(e, root)));
    try {
      const written = async (chunk: Buffer) => {
        for (let done = 0; done < chunk.length;) done += (await copy.write(chunk, done, chunk.length - done)).bytesWritten;
      };
      return await readInOrder(source, (chunk) => written(chunk).catch((e: unknown) => Promise.reject(storeError(e, root))), progress).catch((e: unknown) =>
        Promise.reject(e instanceof ModelregError ? e : sourceError(e, path)),
      );
    } finally {
      await copy.close();
    }
  } finally {
    await source.close();
  }
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function statSource(path: string) {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ModelregError('artifact-unreadable', `${path} is not a regular file`);
    return s;
  } catch (e) {
    throw sourceError(e, path);
  }
}

function storeError(e: unknown, root: string): ModelregError {
  if (e instanceof ModelregError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC')
    return new ModelregError('store-full', `the artifact store ${root} is out of space`, {
      hint: 'Free space (`modelreg gc` removes unreferenced objects), then run the command again; nothing was registered.',
      cause: e,
    });
  if (code === 'EACCES' || code === 'EROFS')
    return new ModelregError('store-unavailable', `the artifact store ${root} is not writable (${code})`, { cause: e });
  return new ModelregError('store-unavailable', `the artifact store ${root} failed: ${(e as Error).message}`, { cause: e });
}
