/** sha256 of files and streams in one pass, with flat memory: bytes flow through, never collect. */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import type { ObjectInfo, Progress } from './store.js';

/** A pass-through that hashes and counts what flows through it. */
export class HashingStream extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  private digest?: string;

  constructor(private readonly progress?: Progress) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    this.progress?.(this.size);
    done(null, chunk);
  }

  /** Valid once the stream has ended. */
  sha256(): string {
    return (this.digest ??= this.hash.digest('hex'));
  }
}

const CHUNK = 1 << 20;

/**
 * Every chunk of an open file, in order, to `each`, through two buffers: the next read runs on libuv's
 * pool while `each` hashes (or writes) the one before, and a buffer is read into again only once `each`
 * has finished with it. A stream pipeline does the same work a third slower (measured: 1 GiB from the
 * page cache, 1.05 s against 0.65 s), in its per-chunk machinery. The sha256 and size of what was read.
 */
export async function readInOrder(fh: FileHandle, each: (chunk: Buffer) => unknown, progress?: Progress): Promise<ObjectInfo> {
  const hash = createHash('sha256');
  // No bigger than the file (a model of hundreds of small files would otherwise leave 2 MiB of dead
  // buffers per file for the garbage collector); a file that grows meanwhile is still read to its end.
  const length = Math.max(1, Math.min(CHUNK, (await fh.stat()).size));
  const buffers = [Buffer.allocUnsafe(length), Buffer.allocUnsafe(length)];
  let size = 0;
  let k = 0;
  let reading = fh.read(buffers[0]!, 0, length, 0);
  for (;;) {
    const { bytesRead } = await reading;
    if (bytesRead === 0) break;
    const chunk = buffers[k]!.subarray(0, bytesRead);
    size += bytesRead;
    k ^= 1;
    reading = fh.read(buffers[k]!, 0, length, size);
    hash.update(chunk);
    try {
      await each(chunk);
    } catch (e) {
      await reading.catch(() => {}); // nothing still reading into a buffer when the caller closes the file
      throw e;
    }
    progress?.(size);
  }
  return { sha256: hash.digest('hex'), size };
}

export async function hashFile(path: string, progress?: Progress): Promise<ObjectInfo> {
  const fh = await open(path, 'r');
  try {
    return await readInOrder(fh, () => {}, progress);
  } finally {
    await fh.close();
  }
}

/**
 * A pass-through that checks bytes against their expected size and sha256 and holds the last chunk back
 * until the end: only when everything matched is it released. A consumer — a file being written, an HTTP
 * response with a Content-Length — therefore never receives all the bytes of a corrupt object: it sees
 * the stream fail short of the end. Too many bytes fail at once.
 */
export class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private held: Buffer | undefined;
  size = 0;

  constructor(
    private readonly expected: ObjectInfo,
    private readonly mismatch: () => Error,
    private readonly progress?: Progress,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.size > this.expected.size) return done(this.mismatch());
    this.progress?.(this.size);
    const previous = this.held;
    this.held = chunk;
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    if (this.size !== this.expected.size || this.hash.digest('hex') !== this.expected.sha256) return done(this.mismatch());
    done(null, this.held);
  }
}
