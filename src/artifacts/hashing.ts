/** sha256 of files and streams in one pass, with flat memory: bytes flow through, never collect. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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

export async function hashFile(path: string, progress?: Progress): Promise<ObjectInfo> {
  const h = new HashingStream(progress);
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), h, async (source: AsyncIterable<Buffer>) => {
    for await (const _ of source); // drain: the hash is taken on the way through
  });
  return { sha256: h.sha256(), size: h.size };
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
