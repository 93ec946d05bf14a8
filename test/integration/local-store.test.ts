/** The local content-addressed store and the collection of files to register, on real directories. */
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectFiles } from '../../src/artifacts/collect.js';
import { LocalStore } from '../../src/artifacts/local-store.js';
import type { ObjectInfo } from '../../src/artifacts/store.js';
import { ModelregError } from '../../src/registry/errors.js';
import { thrown } from '../thrown.js';

const made: string[] = [];

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'modelreg-store-'));
  made.push(dir);
  return dir;
}

const sha = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** The sha256 of a file, read as a stream. */
async function sha256OfFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The ModelregError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<ModelregError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ModelregError);
    return e as ModelregError;
  }
  throw new Error('expected a ModelregError, the promise resolved');
}

async function listAll(store: LocalStore): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const o of store.list()) out.push(o);
  return out;
}

/** Entries of a directory, [] when it does not exist. */
const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

/** A work directory with a store inside and a file of `content` to put. */
function setup(content: string | Buffer = 'hello weights\n') {
  const dir = tempDir();
  const store = new LocalStore(join(dir, 'store'));
  const src = join(dir, 'model.bin');
  writeFileSync(src, content);
  return { dir, store, src, bytes: Buffer.from(content), sha256: sha(content) };
}

/** Overwrite one byte of a stored (read-only) object in place. */
function corruptOneByte(path: string, at = 0): void {
  chmodSync(path, 0o644);
  const original = readFileSync(path)[at]!;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.from([original ^ 0xff]), 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

describe('LocalStore: putFile', () => {
  it('stores the bytes at sha256/<aa>/<hex>, read-only', async () => {
    const { dir, store, src, bytes, sha256 } = setup();
    const put = await store.putFile(src);
    expect(put).toEqual({ sha256, size: bytes.length, stored: true });
    const path = join(dir, 'store', 'sha256', sha256.slice(0, 2), sha256);
    expect(store.objectPath(sha256)).toBe(path);
    expect(store.objectUri(sha256)).toBe(`${pathToFileURL(join(dir, 'store')).href}/sha256/${sha256.slice(0, 2)}/${sha256}`);
    expect(readFileSync(path)).toEqual(bytes);
    expect(statSync(path).mode & 0o777).toBe(0o444);
    expect(await store.has(sha256)).toBe(true);
    expect(await store.stat(sha256)).toEqual({ sha256, size: bytes.length, modified: statSync(path).mtimeMs });
    // The temporary file was renamed into place: tmp/ is empty.
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
    // The source is untouched.
    expect(readFileSync(src)).toEqual(bytes);
  });

  it('the same bytes again are not copied: stored false, object not rewritten', async () => {
    const { dir, store, src, bytes, sha256 } = setup();
    await store.putFile(src);
    const path = store.objectPath(sha256);
    const before = statSync(path, { bigint: true });
    await new Promise((r) => setTimeout(r, 20));
    const copy = join(dir, 'copy.bin');
    writeFileSync(copy, bytes);
    expect(await store.putFile(src)).toEqual({ sha256, size: bytes.length, stored: false });
    expect(await store.putFile(copy)).toEqual({ sha256, size: bytes.length, stored: false });
    const after = statSync(path, { bigint: true });
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(after.ctimeNs).toBe(before.ctimeNs);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
    expect(await listAll(store)).toHaveLength(1);
  });

  it('an empty file is an object too', async () => {
    const { store, src, sha256 } = setup('');
    expect(sha256).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await store.putFile(src)).toEqual({ sha256, size: 0, stored: true });
    expect(readFileSync(store.objectPath(sha256)).length).toBe(0);
    expect(await store.verify(sha256, 0)).toEqual({ sha256, ok: true, size: 0 });
  });

  it('reports progress up to the size of the file', async () => {
    const { store, src, bytes } = setup(randomBytes(3 * 1024 * 1024 + 17));
    const seen: number[] = [];
    await store.putFile(src, { progress: (n) => seen.push(n) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[seen.length - 1]).toBe(bytes.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('`known` that does not match the file: artifact-changed, nothing stored, no temporary file left', async () => {
    const { dir, store, src, bytes, sha256 } = setup();
    const wrong = 'c'.repeat(64);
    const e = await rejection(store.putFile(src, { known: { sha256: wrong, size: bytes.length } }));
    expect(e.code).toBe('artifact-changed');
    expect(e.message).toBe(`${src} changed while it was being stored`);
    expect(await store.has(wrong)).toBe(false);
    expect(await store.has(sha256)).toBe(false);
    expect(await listAll(store)).toEqual([]);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
    // A wrong size with the right hash is caught too.
    const e2 = await rejection(store.putFile(src, { known: { sha256, size: bytes.length + 1 } }));
    expect(e2.code).toBe('artifact-changed');
    expect(await listAll(store)).toEqual([]);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
  });

  it('`known` that matches is trusted, and the bytes are stored', async () => {
    const { store, src, bytes, sha256 } = setup();
    expect(await store.putFile(src, { known: { sha256, size: bytes.length } })).toEqual({ sha256, size: bytes.length, stored: true });
    expect(await store.verify(sha256, bytes.length)).toEqual({ sha256, ok: true, size: bytes.length });
  });

  it('a file written to while it is copied (one pass, no `known`): artifact-changed, nothing stored', async () => {
    const { dir, store, src } = setup(randomBytes(4 * 1024 * 1024));
    let touched = false;
    // The first chunk's progress arrives while the copy is under way: the file grows then.
    const e = await rejection(
      store.putFile(src, {
        progress: () => {
          if (!touched) appendFileSync(src, 'more');
          touched = true;
        },
      }),
    );
    expect(e.code).toBe('artifact-changed');
    expect(await listAll(store)).toEqual([]);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
  });

  it('a path that does not exist, or is a directory: artifact-unreadable', async () => {
    const { dir, store } = setup();
    const missing = join(dir, 'nope.bin');
    const e = await rejection(store.putFile(missing));
    expect(e.code).toBe('artifact-unreadable');
    expect(e.message).toBe(`${missing} does not exist`);
    const e2 = await rejection(store.putFile(dir));
    expect(e2.code).toBe('artifact-unreadable');
    expect(e2.message).toBe(`${dir} is not a regular file`);
    expect(entries(join(dir, 'store'))).toEqual([]);
  });

  it('an object damaged by truncation is replaced by putting the original again', async () => {
    const { store, src, bytes, sha256 } = setup();
    await store.putFile(src);
    truncateSync(store.objectPath(sha256), bytes.length - 1);
    expect(await store.putFile(src)).toEqual({ sha256, size: bytes.length, stored: true });
    expect(await store.verify(sha256, bytes.length)).toEqual({ sha256, ok: true, size: bytes.length });
  });
});

describe('LocalStore: putStream', () => {
  it('stores a stream in one pass, and dedupes the same bytes', async () => {
    const { dir, store } = setup();
    const chunks = [Buffer.from('part one, '), Buffer.from('part two, '), randomBytes(100_000)];
    const all = Buffer.concat(chunks);
    const seen: number[] = [];
    const put = await store.putStream(Readable.from(chunks), { progress: (n) => seen.push(n) });
    expect(put).toEqual({ sha256: sha(all), size: all.length, stored: true });
    expect(seen[seen.length - 1]).toBe(all.length);
    expect(readFileSync(store.objectPath(put.sha256))).toEqual(all);
    expect(statSync(store.objectPath(put.sha256)).mode & 0o777).toBe(0o444);
    const ino = statSync(store.objectPath(put.sha256)).ino;

    expect(await store.putStream(Readable.from([all]))).toEqual({ sha256: sha(all), size: all.length, stored: false });
    expect(statSync(store.objectPath(put.sha256)).ino).toBe(ino);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
  });

  it('a source stream that fails leaves nothing behind', async () => {
    const { dir, store } = setup();
    async function* failing() {
      yield Buffer.from('some bytes');
      throw new Error('source broke');
    }
    await expect(store.putStream(Readable.from(failing()))).rejects.toThrow(/source broke/);
    expect(await listAll(store)).toEqual([]);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
  });

  it('concurrent puts of the same bytes all succeed and leave one object', async () => {
    const { dir, store } = setup();
    const bytes = randomBytes(256 * 1024);
    const results = await Promise.all(Array.from({ length: 6 }, () => store.putStream(Readable.from([bytes]))));
    for (const r of results) expect(r).toMatchObject({ sha256: sha(bytes), size: bytes.length });
    expect(results.some((r) => r.stored)).toBe(true);
    expect(await listAll(store)).toEqual([{ sha256: sha(bytes), size: bytes.length, modified: expect.any(Number) }]);
    expect(readFileSync(store.objectPath(sha(bytes)))).toEqual(bytes);
    expect(entries(join(dir, 'store', 'tmp'))).toEqual([]);
  });
});

describe('LocalStore: getFile and verify', () => {
  it('writes the object to the destination, creating directories, leaving no temporary file', async () => {
    const { dir, store, src, bytes, sha256 } = setup();
    await store.putFile(src);
    const dest = join(dir, 'out', 'nested', 'model.bin');
    const seen: number[] = [];
    await store.getFile(sha256, dest, { expectedSize: bytes.length, progress: (n) => seen.push(n) });
    expect(readFileSync(dest)).toEqual(bytes);
    expect(statSync(dest).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(entries(join(dir, 'out', 'nested'))).toEqual(['model.bin']);
    expect(seen[seen.length - 1]).toBe(bytes.length);
    expect(await store.verify(sha256)).toEqual({ sha256, ok: true, size: bytes.length });
    expect(await store.verify(sha256, bytes.length)).toEqual({ sha256, ok: true, size: bytes.length });
  });

  it('replaces an existing destination file whole', async () => {
    const { dir, store, src, bytes, sha256 } = setup();
    await store.putFile(src);
    const dest = join(dir, 'model.out');
    writeFileSync(dest, 'previous content that is longer than the object itself, by a fair margin');
    await store.getFile(sha256, dest);
    expect(readFileSync(dest)).toEqual(bytes);
    expect(entries(dir).filter((n) => n.includes('.modelreg-'))).toEqual([]);
  });

  it('a corrupted object: getFile throws artifact-corrupt and leaves no destination file; verify says corrupt', async () => {
    const { dir, store, src, bytes, sha256 } = setup(randomBytes(64 * 1024));
    await store.putFile(src);
    corruptOneByte(store.objectPath(sha256), 40_000);
    const out = join(dir, 'out');
    const dest = join(out, 'model.bin');
    const e = await rejection(store.getFile(sha256, dest, { expectedSize: bytes.length }));
    expect(e.code).toBe('artifact-corrupt');
    expect(e.message).toBe(`object ${sha256} in the store does not match its hash`);
    expect(existsSync(dest)).toBe(false);
    expect(entries(out)).toEqual([]);
    expect(await store.verify(sha256, bytes.length)).toEqual({ sha256, ok: false, problem: 'corrupt', size: bytes.length });
    expect(await store.verify(sha256)).toEqual({ sha256, ok: false, problem: 'corrupt', size: bytes.length });
  });

  it('a corrupted object does not clobber an existing destination', async () => {
    const { dir, store, src, sha256 } = setup();
    await store.putFile(src);
    corruptOneByte(store.objectPath(sha256));
    const dest = join(dir, 'model.out');
    writeFileSync(dest, 'keep me');
    expect((await rejection(store.getFile(sha256, dest))).code).toBe('artifact-corrupt');
    expect(readFileSync(dest, 'utf8')).toBe('keep me');
    expect(entries(dir).filter((n) => n.includes('.modelreg-'))).toEqual([]);
  });

  it('a truncated object: verify says size; getFile with expectedSize throws artifact-corrupt', async () => {
    const { dir, store, src, bytes, sha256 } = setup();
    await store.putFile(src);
    chmodSync(store.objectPath(sha256), 0o644);
    truncateSync(store.objectPath(sha256), bytes.length - 3);
    expect(await store.verify(sha256, bytes.length)).toEqual({ sha256, ok: false, problem: 'size', size: bytes.length - 3, expectedSize: bytes.length });
    // Without an expected size, the hash still catches it.
    expect(await store.verify(sha256)).toEqual({ sha256, ok: false, problem: 'corrupt', size: bytes.length - 3 });
    const out = join(dir, 'out');
    const e = await rejection(store.getFile(sha256, join(out, 'model.bin'), { expectedSize: bytes.length }));
    expect(e.code).toBe('artifact-corrupt');
    expect(e.message).toBe(`object ${sha256} is ${bytes.length - 3} bytes; the manifest says ${bytes.length}`);
    expect(entries(out)).toEqual([]);
    // And without it, by the hash.
    expect((await rejection(store.getFile(sha256, join(out, 'model.bin')))).code).toBe('artifact-corrupt');
    expect(entries(out)).toEqual([]);
  });

  it('a missing object: getFile throws artifact-missing, verify says missing', async () => {
    const { dir, store } = setup();
    const absent = 'd'.repeat(64);
    const out = join(dir, 'out');
    const e = await rejection(store.getFile(absent, join(out, 'model.bin')));
    expect(e.code).toBe('artifact-missing');
    expect(e.message).toBe(`object ${absent} is not in the store ${store.uri}`);
    expect(entries(out)).toEqual([]);
    expect(await store.verify(absent)).toEqual({ sha256: absent, ok: false, problem: 'missing' });
    expect(await store.verify(absent, 10)).toEqual({ sha256: absent, ok: false, problem: 'missing' });
    expect(await store.has(absent)).toBe(false);
    expect(await store.stat(absent)).toBeNull();
  });

  it('a name that is not a sha256 is a usage error', async () => {
    const { store } = setup();
    expect(thrown(() => store.objectPath('../../etc/passwd')).code).toBe('usage');
    expect(thrown(() => store.objectPath('A'.repeat(64))).code).toBe('usage');
    expect((await rejection(store.has('abc'))).code).toBe('usage');
  });

  it('a 20 MiB file round-trips with the right sha256', async () => {
    const dir = tempDir();
    const store = new LocalStore(join(dir, 'store'));
    const src = join(dir, 'big.bin');
    const chunk = 1024 * 1024;
    const fd = openSync(src, 'w');
    try {
      for (let i = 0; i < 20; i++) writeSync(fd, randomBytes(chunk));
    } finally {
      closeSync(fd);
    }
    const expected = await sha256OfFile(src);
    const put = await store.putFile(src);
    expect(put).toEqual({ sha256: expected, size: 20 * chunk, stored: true });
    expect(await sha256OfFile(store.objectPath(expected))).toBe(expected);
    const dest = join(dir, 'out', 'big.bin');
    await store.getFile(expected, dest, { expectedSize: 20 * chunk });
    expect(statSync(dest).size).toBe(20 * chunk);
    expect(await sha256OfFile(dest)).toBe(expected);
    expect(await store.verify(expected, 20 * chunk)).toEqual({ sha256: expected, ok: true, size: 20 * chunk });
  });
});

describe('LocalStore: list and delete', () => {
  it('an empty store lists nothing', async () => {
    const { store } = setup();
    expect(await listAll(store)).toEqual([]);
  });

  it('lists stored objects with their sizes, in hash order, skipping stray files', async () => {
    const { dir, store } = setup();
    const contents = ['a', 'bb', 'ccc', 'dddd'];
    for (const [i, c] of contents.entries()) {
      const p = join(dir, `f${i}`);
      writeFileSync(p, c);
      await store.putFile(p);
    }
    // Not objects: a stray name, an object under the wrong prefix, a directory with a hash name.
    const first = sha('a');
    writeFileSync(join(dir, 'store', 'sha256', first.slice(0, 2), 'notes.txt'), 'x');
    mkdirSync(join(dir, 'store', 'sha256', '00'), { recursive: true });
    writeFileSync(join(dir, 'store', 'sha256', '00', first), 'a');
    const bb = sha('bb');
    rmSync(store.objectPath(bb));
    mkdirSync(store.objectPath(bb));
    const listed = await listAll(store);
    const expected = ['a', 'ccc', 'dddd'].map((c) => ({ sha256: sha(c), size: c.length })).sort((x, y) => (x.sha256 < y.sha256 ? -1 : 1));
    expect(listed.map(({ sha256, size }) => ({ sha256, size }))).toEqual(expected);
    for (const o of listed) expect(o.modified).toBe(statSync(store.objectPath(o.sha256)).mtimeMs);
  });

  it('delete removes an object; deleting it again is not an error', async () => {
    const { store, src, sha256 } = setup();
    await store.putFile(src);
    await store.delete(sha256);
    expect(await store.has(sha256)).toBe(false);
    expect(existsSync(store.objectPath(sha256))).toBe(false);
    expect(await listAll(store)).toEqual([]);
    await expect(store.delete(sha256)).resolves.toBeUndefined();
    // And it can be put again.
    expect((await store.putFile(src)).stored).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------
// A store on a file system that is full. We are root on the test machine: a 1 MiB tmpfs.

describe('LocalStore on a full file system', () => {
  let mnt: string;
  let outside: string;

  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), 'modelreg-full-'));
    outside = mkdtempSync(join(tmpdir(), 'modelreg-full-src-'));
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount -t tmpfs failed (${r.status}): ${r.stderr}`);
  });

  afterAll(() => {
    const r = spawnSync('umount', [mnt], { encoding: 'utf8' });
    rmSync(outside, { recursive: true, force: true });
    if (r.status === 0) rmSync(mnt, { recursive: true, force: true });
    else throw new Error(`umount ${mnt} failed: ${r.stderr}`);
  });

  afterEach(() => {
    for (const name of readdirSync(mnt)) rmSync(join(mnt, name), { recursive: true, force: true });
  });

  it('putFile of a file larger than the free space: store-full, no partial object, no temporary file', async () => {
    const store = new LocalStore(join(mnt, 'store'));
    const src = join(outside, 'big.bin');
    writeFileSync(src, randomBytes(2 * 1024 * 1024));
    const hash = await sha256OfFile(src);
    const e = await rejection(store.putFile(src));
    expect(e.code).toBe('store-full');
    expect(e.message).toBe(`the artifact store ${join(mnt, 'store')} is out of space`);
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(existsSync(store.objectPath(hash))).toBe(false);
    expect(await listAll(store)).toEqual([]);
    expect(entries(join(mnt, 'store', 'tmp'))).toEqual([]);
    // The space the temporary file took is free again: a small file still goes in.
    const small = join(outside, 'small.bin');
    writeFileSync(small, randomBytes(512 * 1024));
    expect(await store.putFile(small)).toMatchObject({ size: 512 * 1024, stored: true });
    expect(await listAll(store)).toHaveLength(1);
  });

  it('no room for a copy of bytes that are stored already: found by their hash, stored false', async () => {
    const store = new LocalStore(join(mnt, 'store'));
    const bytes = randomBytes(400 * 1024);
    const src = join(outside, 'weights.bin');
    writeFileSync(src, bytes);
    expect((await store.putFile(src)).stored).toBe(true);
    // Fill what is left, then put the same bytes from another file: the one-pass copy has no room.
    const filler = join(mnt, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    }
    const copy = join(outside, 'copy.bin');
    writeFileSync(copy, bytes);
    expect(await store.putFile(copy)).toEqual({ sha256: sha(bytes), size: bytes.length, stored: false });
    expect(entries(join(mnt, 'store', 'tmp'))).toEqual([]);
  });

  it('putStream larger than the free space: store-full, nothing left', async () => {
    const store = new LocalStore(join(mnt, 'store'));
    const chunks = Array.from({ length: 4 }, () => randomBytes(512 * 1024));
    const e = await rejection(store.putStream(Readable.from(chunks)));
    expect(e.code).toBe('store-full');
    expect(await listAll(store)).toEqual([]);
    expect(entries(join(mnt, 'store', 'tmp'))).toEqual([]);
  });

  it('getFile into a full destination leaves neither the file nor a temporary file', async () => {
    const store = new LocalStore(join(outside, 'store'));
    const src = join(outside, 'big2.bin');
    writeFileSync(src, randomBytes(2 * 1024 * 1024));
    const put = await store.putFile(src);
    const dest = join(mnt, 'out', 'big.bin');
    await expect(store.getFile(put.sha256, dest)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(entries(join(mnt, 'out'))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('collectFiles', () => {
  /** A directory `model/` with a few files, a .git directory and other things to skip. */
  function tree() {
    const root = tempDir();
    const model = join(root, 'model');
    mkdirSync(join(model, 'weights'), { recursive: true });
    mkdirSync(join(model, '.git', 'objects'), { recursive: true });
    mkdirSync(join(model, '__pycache__'), { recursive: true });
    writeFileSync(join(model, 'config.json'), '{}');
    writeFileSync(join(model, 'weights', 'a.safetensors'), 'AAAA');
    writeFileSync(join(model, 'weights', 'b.safetensors'), 'BBBBBB');
    writeFileSync(join(model, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(model, '.git', 'objects', 'x'), 'x');
    writeFileSync(join(model, '__pycache__', 'm.pyc'), 'x');
    writeFileSync(join(model, '.DS_Store'), 'x');
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'README.md'), '# card\n');
    return { root, model };
  }

  it('files by base name, directories by relative path, sorted, skipping .git and caches', () => {
    const { root, model } = tree();
    expect(collectFiles(['model', 'docs/README.md'], root)).toEqual([
      { path: 'README.md', abs: join(root, 'docs', 'README.md'), size: 7 },
      { path: 'config.json', abs: join(model, 'config.json'), size: 2 },
      { path: 'weights/a.safetensors', abs: join(model, 'weights', 'a.safetensors'), size: 4 },
      { path: 'weights/b.safetensors', abs: join(model, 'weights', 'b.safetensors'), size: 6 },
    ]);
    // Absolute inputs work the same, whatever the cwd.
    expect(collectFiles([join(model, 'weights')], '/').map((f) => f.path)).toEqual(['a.safetensors', 'b.safetensors']);
  });

  it('follows a symbolic link to a file (as a Hugging Face cache has them)', () => {
    const { root, model } = tree();
    mkdirSync(join(root, 'blobs'));
    writeFileSync(join(root, 'blobs', '0123abcd'), 'tokenizer bytes');
    symlinkSync('../blobs/0123abcd', join(model, 'tokenizer.json'));
    symlinkSync(join(root, 'blobs', '0123abcd'), join(root, 'direct-link.json'));
    const files = collectFiles(['model', 'direct-link.json'], root);
    // The link inside the directory is followed and reported: its target lies outside the directory named.
    expect(files.find((f) => f.path === 'tokenizer.json')).toEqual({
      path: 'tokenizer.json',
      abs: join(model, 'tokenizer.json'),
      size: 15,
      via: { link: 'tokenizer.json', target: '../blobs/0123abcd', outside: true },
    });
    // A link named on the command line is the user's own choice: followed, not reported.
    expect(files.find((f) => f.path === 'direct-link.json')).toEqual({ path: 'direct-link.json', abs: join(root, 'direct-link.json'), size: 15 });
  });

  it('follows a symbolic link to a directory that is not an ancestor', () => {
    const { root, model } = tree();
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared', 'vocab.txt'), 'a\nb\n');
    symlinkSync('../shared', join(model, 'extra'));
    expect(collectFiles(['model'], root).map((f) => f.path)).toEqual(['config.json', 'extra/vocab.txt', 'weights/a.safetensors', 'weights/b.safetensors']);
  });

  it('a directory linking to its parent is a loop: artifact-unreadable', () => {
    const { root, model } = tree();
    symlinkSync('..', join(model, 'weights', 'up'));
    const e = thrown(() => collectFiles(['model'], root));
    expect(e.code).toBe('artifact-unreadable');
    expect(e.message).toContain('loop');
    expect(e.message).toBe(`${join(model, 'weights', 'up')} is a symbolic link loop (it leads back to ${model})`);
  });

  it('a link to itself is a loop too', () => {
    const { root, model } = tree();
    symlinkSync('self', join(model, 'self'));
    const e = thrown(() => collectFiles(['model'], root));
    expect(e.code).toBe('artifact-unreadable');
    expect(e.message).toBe(`${join(model, 'self')} is a symbolic link loop`);
  });

  it('two files stored under the same name, letter case ignored: rejected', () => {
    const { root, model } = tree();
    mkdirSync(join(root, 'other'));
    writeFileSync(join(root, 'other', 'Config.JSON'), '{"a":1}');
    const e = thrown(() => collectFiles(['model', 'other'], root));
    expect(e.code).toBe('rejected');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe(`two files would be stored as "Config.JSON": ${join(model, 'config.json')} and ${join(root, 'other', 'Config.JSON')}`);
    // The same file named twice is a repeat as well.
    expect(thrown(() => collectFiles(['docs/README.md', 'docs/README.md'], root)).code).toBe('rejected');
    // Within one directory, on a case-sensitive file system.
    writeFileSync(join(model, 'weights', 'A.safetensors'), 'x');
    expect(thrown(() => collectFiles(['model'], root)).code).toBe('rejected');
  });

  it('a path that does not exist, or a dangling link inside a directory: artifact-unreadable', () => {
    const { root, model } = tree();
    const e = thrown(() => collectFiles(['nope'], root));
    expect(e.code).toBe('artifact-unreadable');
    expect(e.message).toBe(`${join(root, 'nope')} does not exist (or is a dangling link)`);
    symlinkSync('gone.bin', join(model, 'dangling.bin'));
    const e2 = thrown(() => collectFiles(['model'], root));
    expect(e2.code).toBe('artifact-unreadable');
    expect(e2.message).toBe(`${join(model, 'dangling.bin')} does not exist (or is a dangling link)`);
  });

  it('nothing to register: rejected', () => {
    const root = tempDir();
    mkdirSync(join(root, 'empty', '.git'), { recursive: true });
    writeFileSync(join(root, 'empty', '.git', 'HEAD'), 'x');
    const e = thrown(() => collectFiles(['empty'], root));
    expect(e.code).toBe('rejected');
    expect(e.message).toBe('no files to register');
    expect(thrown(() => collectFiles([], root)).code).toBe('rejected');
  });
});
