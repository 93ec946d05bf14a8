/**
 * The S3 store: objects at s3://<bucket>/<prefix>/sha256/<aa>/<hex>, for AWS S3 and S3-compatible services
 * (MinIO, Ceph RGW, Cloudflare R2, GCS interoperability). Credentials come only from the AWS default chain
 * (environment, shared profiles, SSO, web identity, instance metadata); never from registry.yaml.
 *
 * Put: hash locally first; a HEAD on the content address skips the upload when the object is there with
 * the same size. Otherwise, a file smaller than one part is read whole, checked against its hash and sent
 * in one PUT; a larger one goes as a multipart upload (one at a time per store) whose parts are hashed
 * again as they are read and completed only if they match (the file must not change underneath). Both
 * store the sha256 in the object's metadata and are create-only (If-None-Match) where the server honours
 * it. A failed multipart upload is aborted; one a killed process left, `gc` aborts.
 * Get, to a file: ranged GETs in parallel, each written at its offset as it arrives, the file hashed in
 * order behind them and renamed into place only when the sha256 matches; to a stream: the same GETs
 * delivered in order. Memory does not grow with the object, nor with the parts in flight of a download
 * to a file (docs/performance.md, "Moving bytes").
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, unlink, open as openFile, type FileHandle } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { ModelregError } from '../registry/errors.js';
import { HashingStream, VerifyingStream, hashFile } from './hashing.js';
import { mapLimited, Slots } from './parallel.js';
import { readFully, sourceError } from './unreadable.js';
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

export interface S3Settings {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  checksums?: 'when_supported' | 'when_required';
  /** Multipart part size in bytes (default 16 MiB; S3's minimum is 5 MiB). */
  partSize?: number;
  /** Parts in flight at once, up and down (default 4). */
  concurrency?: number;
  /** Keys per ListObjectsV2 page (default: the server's, 1000 on S3). */
  pageSize?: number;
}

const MiB = 1024 * 1024;
/** How much of a download may wait in the page cache before it is fsynced (the last step is fsynced before the rename). */
const SYNC_STEP = 256 * MiB;

/** The byte ranges [first, last] of an object of `size` bytes in parts of `partSize`. */
function partRanges(size: number, partSize: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < size; start += partSize) ranges.push([start, Math.min(size, start + partSize) - 1]);
  return ranges;
}

export class S3Store implements ArtifactStore {
  readonly uri: string;
  readonly addressFirst = true;
  readonly bucket: string;
  readonly prefix: string;
  readonly client: S3Client;
  private readonly partSize: number;
  private readonly concurrency: number;
  /** Requests in flight, across every transfer this store makes at once (a pull of many files shares them). */
  private readonly slots: Slots;
  private readonly largeUploads = new Slots(1);
  /**
   * The buffers of the parts in flight, reused from part to part and from one upload to the next (one
   * multipart upload runs at a time, with at most `concurrency` parts held): a part's buffer is taken back
   * only once its upload, and any retry from it, is done. Fresh buffers per part would leave dead ones
   * waiting for a garbage collection that a quiet JavaScript heap rarely runs (peak RSS of a 1 GiB
   * register 251 MiB with them, 159 MiB without).
   */
  private readonly partBuffers: Buffer[] = [];

  constructor(
    location: string,
    readonly settings: S3Settings = {},
  ) {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(location);
    if (!m) throw new ModelregError('precondition', `"${location}" is not an s3://<bucket>/<prefix> location`);
    this.bucket = m[1]!;
    this.prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
    this.uri = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
    this.partSize = Math.max(5 * MiB, settings.partSize ?? 16 * MiB);
    this.concurrency = Math.max(1, settings.concurrency ?? 4);
    // Twice the parts of one transfer: a model of many small files is bound by round trips, not bytes,
    // and each request in flight holds at most a part (small files) or a 1 MiB batch (downloads).
    this.slots = new Slots(2 * this.concurrency);
    const checksums = settings.checksums === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
    const config: S3ClientConfig = {
      region: settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      forcePathStyle: settings.forcePathStyle ?? !!settings.endpoint,
      requestChecksumCalculation: checksums,
      responseChecksumValidation: checksums,
      maxAttempts: 5, // the SDK retries throttling and 5xx with backoff
    };
    if (settings.endpoint) config.endpoint = settings.endpoint;
    this.client = new S3Client(config);
  }

  key(sha256: string): string {
    if (!SHA256.test(sha256)) throw new ModelregError('usage', `"${sha256}" is not a sha256`);
    return this.prefix ? `${this.prefix}/${objectKey(sha256)}` : objectKey(sha256);
  }

  objectUri(sha256: string): string {
    return `s3://${this.bucket}/${this.key(sha256)}`;
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  async stat(sha256: string): Promise<ObjectInfo | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
      const recorded = r.Metadata?.sha256;
      return {
        sha256,
        size: r.ContentLength ?? 0,
        ...(r.LastModified ? { modified: r.LastModified.getTime() } : {}),
        ...(recorded ? { recordedSha256: recorded } : {}),
      };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw s3Error(e, this);
    }
  }

  async putFile(path: string, options: { progress?: Progress; known?: ObjectInfo } = {}): Promise<PutResult> {
    const first = options.known ?? (await hashFile(path, options.progress));
    const present = await this.stat(first.sha256);
    if (present && present.size === first.size) return { ...first, stored: false };
    const changed = () =>
      new ModelregError('artifact-changed', `${path} changed while it was being uploaded`, {
        hint: 'Wait until whatever writes the file has finished, then run the command again.',
      });
    if (first.size < this.partSize) {
      // A file smaller than one part is read whole and checked before it is sent, so exactly the bytes
      // hashed go up, in one PUT; many of them go at once, within the store's requests in flight.
      await this.slots.run(async () => {
        const bytes = await readFile(path);
        if (bytes.length !== first.size || createHash('sha256').update(bytes).digest('hex') !== first.sha256) throw changed();
        await this.createOnly(() => this.client.send(new PutObjectCommand({ ...this.objectParams(first.sha256), Body: bytes, ContentLength: bytes.length })));
        if (options.known) options.progress?.(bytes.length);
      });
      return { ...first, stored: true };
    }
    // One multipart upload at a time: each holds `concurrency` parts in memory.
    await this.largeUploads.run(() => this.multipartUpload(path, first, changed, options.known ? options.progress : undefined));
    return { ...first, stored: true };
  }

  async putStream(stream: Readable, options: { progress?: Progress } = {}): Promise<PutResult> {
    // The address is the hash, known only at the end: spool to a temporary file, then put it.
    const tmp = `${process.env.TMPDIR ?? '/tmp'}/modelreg-spool-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      const h = new HashingStream(options.progress);
      await pipeline(stream, h, createWriteStream(tmp));
      return await this.putFile(tmp, { known: { sha256: h.sha256(), size: h.size } });
    } finally {
      await unlink(tmp).catch(() => {});
    }
  }

  /** What every object is written with: its address, its sha256 in the metadata, create-only. */
  private objectParams(sha256: string) {
    return {
      Bucket: this.bucket,
      Key: this.key(sha256),
      ContentType: 'application/octet-stream',
      Metadata: { sha256 },
      // Create-only where the server supports it (S3, RGW): two writers of one address cannot clobber.
      IfNoneMatch: '*',
    };
  }

  /** A create-only write; 412 means someone stored the same content address first, and the bytes are by definition the same. */
  private async createOnly(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (e) {
      if (status(e) === 412 || name(e) === 'PreconditionFailed') return;
      throw s3Error(e, this);
    }
  }

  /**
   * A multipart upload of our own rather than lib-storage's: the file is read in order, one part into
   * one buffer, and each buffer is hashed and then sent as it is — no chunker concatenating copies, no
   * stream to re-read on a retry (the SDK retries a part from its buffer). At most `concurrency` parts
   * are held. The upload completes, create-only, only if the bytes sent hash to the address; on any
   * failure it is aborted. A process killed midway leaves an unfinished upload, invisible under any
   * address, which `gc` aborts (`clearAbandoned`).
   */
  private async multipartUpload(path: string, first: ObjectInfo, changed: () => ModelregError, progress?: Progress): Promise<void> {
    const { Bucket, Key, ContentType, Metadata, IfNoneMatch } = this.objectParams(first.sha256);
    const fh = await openFile(path, 'r').catch((e: unknown) => Promise.reject(sourceError(e, path)));
    let UploadId: string | undefined;
    try {
      UploadId = (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType, Metadata }))).UploadId!;
      const hash = createHash('sha256');
      let reading: Promise<unknown> = Promise.resolve();
      let sent = 0;
      const parts = await mapLimited(partRanges(first.size, this.partSize), this.concurrency, async ([start, end], i) => {
        const buffer = this.partBuffers.pop() ?? Buffer.allocUnsafe(this.partSize);
        const part = buffer.subarray(0, end + 1 - start);
        try {
          // Reads run one after another, in order (each waits for the one before), so the hash sees the file in order.
          const read = reading.then(async () => {
            if ((await readFully(fh, part, start).catch((e: unknown) => Promise.reject(sourceError(e, path)))) !== part.length) throw changed();
            hash.update(part);
          });
          reading = read.catch(() => {});
          await read;
          const r = await this.slots.run(() =>
            this.client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: part, ContentLength: part.length })),
          );
          progress?.((sent += part.length));
          return { PartNumber: i + 1, ETag: r.ETag };
        } finally {
          this.partBuffers.push(buffer);
        }
      });
      // The bytes sent are not the ones hashed first: never complete them under that address.
      if (hash.digest('hex') !== first.sha256) throw changed();
      await this.createOnly(() =>
        this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts }, IfNoneMatch })),
      );
    } catch (e) {
      if (UploadId) await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId })).catch(() => {}); // gc aborts what this cannot
      throw e instanceof ModelregError ? e : s3Error(e, this);
    } finally {
      await fh.close();
    }
  }

  async getFile(sha256: string, dest: string, options: GetOptions = {}): Promise<void> {
    const info = options.known ?? (await this.present(sha256, options.expectedSize));
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.modelreg-${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    try {
      await this.downloadToFile(sha256, info.size, tmp, options.progress);
      await rename(tmp, dest);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      throw e;
    }
  }

  async getStream(sha256: string, out: Writable, options: { expectedSize?: number; progress?: Progress } = {}): Promise<void> {
    const info = await this.present(sha256, options.expectedSize);
    await this.download(sha256, info.size, out, options.progress);
  }

  private corrupt(key: string): ModelregError {
    return new ModelregError('artifact-corrupt', `s3://${this.bucket}/${key} does not match its sha256`, {
      hint: 'The stored object is damaged: delete it, then register the original file again. `modelreg verify` lists every damaged object.',
    });
  }

  /**
   * Ranged GETs, `concurrency` in flight, each streamed straight into its place in the file (positional
   * writes, so no part is ever held whole in memory, and the parts need not arrive in order), while the
   * bytes already written are read back in order — from the page cache, where they just went — and
   * hashed. The file is fsynced in steps as the hash advances, so the disk writes beside the download
   * rather than all at the end. The caller renames the file into place only when this returns.
   */
  private async downloadToFile(sha256: string, size: number, path: string, progress?: Progress): Promise<void> {
    const key = this.key(sha256);
    const ranges = partRanges(size, this.partSize);
    const fh = await openFile(path, 'w+', 0o666); // read back to be hashed; the umask decides the mode
    try {
      const written = ranges.map(() => false);
      let failure: { error: unknown } | undefined;
      let wake: (() => void) | undefined;
      const notify = () => {
        wake?.();
        wake = undefined;
      };
      const workers = mapLimited(ranges, this.concurrency, async (range, i) => {
        if (failure) throw failure.error; // the hash failed: start nothing more
        await this.slots.run(() => this.fetchRangeInto(key, range, fh, path));
        written[i] = true;
        notify();
      }).catch((error: unknown) => {
        failure ??= { error };
        notify();
      });
      const hash = createHash('sha256');
      const buf = Buffer.allocUnsafe(MiB);
      let hashed = 0;
      let synced = 0;
      let syncing: Promise<void> = Promise.resolve();
      try {
        for (let i = 0; i < ranges.length; i++) {
          while (!written[i] && !failure) await new Promise<void>((go) => (wake = go));
          if (failure) break;
          const [start, end] = ranges[i]!;
          for (let pos = start; pos <= end;) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(MiB, end + 1 - pos), pos).catch((e: unknown) => Promise.reject(destinationError(e, path)));
            if (bytesRead === 0) throw this.corrupt(key);
            hash.update(buf.subarray(0, bytesRead));
            pos += bytesRead;
            hashed += bytesRead;
            progress?.(hashed);
          }
          if (hashed - synced >= SYNC_STEP) {
            // One fsync at a time, not awaited: it runs on libuv's pool while the next parts arrive.
            synced = hashed;
            syncing = syncing.then(() => fh.datasync().catch((e: unknown) => Promise.reject(destinationError(e, path))));
            syncing.catch(() => {}); // handled: awaited below, after the loop
          }
        }
        await syncing;
      } catch (error) {
        failure ??= { error }; // and the workers start nothing more
      }
      await workers;
      await syncing.catch(() => {});
      if (failure) throw failure.error instanceof ModelregError ? failure.error : s3Error(failure.error, this);
      if (hashed !== size || hash.digest('hex') !== sha256) throw this.corrupt(key);
      await fh.sync().catch((e: unknown) => Promise.reject(destinationError(e, path)));
    } finally {
      await fh.close();
    }
  }

  /** One range's GET, its body written at its offset in 1 MiB batches; a connection lost midway is tried again. */
  private async fetchRangeInto(key: string, [start, end]: [number, number], fh: FileHandle, path: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let pos = start;
      try {
        const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${start}-${end}` }));
        let batch: Buffer[] = [];
        let batched = 0;
        const flush = async () => {
          if (pos + batched > end + 1) throw this.corrupt(key); // more bytes than the range holds
          await fh.writev(batch, pos).catch((e: unknown) => Promise.reject(destinationError(e, path)));
          pos += batched;
          batch = [];
          batched = 0;
        };
        for await (const chunk of r.Body as AsyncIterable<Uint8Array>) {
          batch.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          batched += chunk.byteLength;
          if (batched >= MiB) await flush();
        }
        if (batched > 0) await flush();
        if (pos !== end + 1) throw this.corrupt(key);
        return;
      } catch (e) {
        if (e instanceof ModelregError || attempt >= 3 || !isConnectionLost(e)) throw s3Error(e, this);
      }
    }
  }

  /**
   * Ranged GETs, `concurrency` in flight, delivered strictly in order through the hash (for a stream,
   * which cannot be written out of order): at most `concurrency` parts are held at once.
   */
  private async download(sha256: string, size: number, out: Writable, progress?: Progress): Promise<void> {
    const key = this.key(sha256);
    const ranges = partRanges(size, this.partSize);
    const fetchRange = ([a, b]: [number, number]): Promise<Buffer> =>
      this.slots.run(async () => {
        try {
          const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=${a}-${b}` }));
          const bytes = await r.Body!.transformToByteArray();
          return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a view, not a copy
        } catch (e) {
          throw s3Error(e, this);
        }
      });
    const concurrency = this.concurrency;
    async function* parts(): AsyncGenerator<Buffer> {
      const inflight: Promise<Buffer>[] = [];
      let next = 0;
      const start = () => {
        const p = fetchRange(ranges[next++]!);
        p.catch(() => {}); // a later part failing while an earlier one is awaited is seen when its turn comes
        inflight.push(p);
      };
      while (next < ranges.length && inflight.length < concurrency) start();
      while (inflight.length > 0) {
        const buf = await inflight.shift()!;
        if (next < ranges.length) start();
        yield buf;
      }
    }
    // The last chunk is held back until size and hash are checked, so `out` never receives a whole corrupt object.
    const check = new VerifyingStream({ sha256, size }, () => this.corrupt(key), progress);
    // highWaterMark 1: Readable.from would otherwise read ahead 16 parts (16 × the part size) into its buffer.
    await pipeline(Readable.from(parts(), { highWaterMark: 1 }), check, out);
  }

  private async present(sha256: string, expectedSize: number | undefined): Promise<ObjectInfo> {
    const info = await this.stat(sha256);
    if (!info)
      throw new ModelregError('artifact-missing', `${this.objectUri(sha256)} does not exist`, {
        hint: 'Run `modelreg verify` to list every missing artifact.',
      });
    if (expectedSize !== undefined && info.size !== expectedSize) {
      throw new ModelregError('artifact-corrupt', `${this.objectUri(sha256)} is ${info.size} bytes; the manifest says ${expectedSize}`, {
        hint: 'The stored object is damaged: delete it, then register the original file again.',
      });
    }
    return info;
  }

  /** Abort the unfinished multipart uploads to content addresses begun before `before` (ms): what killed processes left. */
  async clearAbandoned(before: number): Promise<number> {
    let cleared = 0;
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const page = await this.client
        .send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.objectsPrefix, ...markers }))
        .catch((e: unknown) => Promise.reject(s3Error(e, this)));
      for (const u of page.Uploads ?? []) {
        if (!u.Key || !u.UploadId || !u.Initiated || u.Initiated.getTime() >= before) continue;
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId })).catch((e: unknown) => {
          if (!isNotFound(e)) return Promise.reject(s3Error(e, this)); // NoSuchUpload (404): finished or aborted meanwhile
        });
        cleared++;
      }
      if (!page.IsTruncated) return cleared;
      markers = {
        ...(page.NextKeyMarker ? { KeyMarker: page.NextKeyMarker } : {}),
        ...(page.NextUploadIdMarker ? { UploadIdMarker: page.NextUploadIdMarker } : {}),
      };
    }
  }

  /** Where the content addresses are: every object key, and every upload to one, starts with it. */
  private get objectsPrefix(): string {
    return this.prefix ? `${this.prefix}/sha256/` : 'sha256/';
  }

  async *list(): AsyncIterable<ObjectInfo> {
    const prefix = this.objectsPrefix;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            ...(this.settings.pageSize ? { MaxKeys: this.settings.pageSize } : {}),
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
      } catch (e) {
        throw s3Error(e, this);
      }
      for (const o of page.Contents ?? []) {
        const name = o.Key?.slice(o.Key.lastIndexOf('/') + 1) ?? '';
        if (SHA256.test(name) && o.Key === this.key(name))
          yield { sha256: name, size: o.Size ?? 0, ...(o.LastModified ? { modified: o.LastModified.getTime() } : {}) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async delete(sha256: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
    } catch (e) {
      if (!isNotFound(e)) throw s3Error(e, this);
    }
  }

  async verify(sha256: string, expectedSize?: number): Promise<VerifyResult> {
    const info = await this.stat(sha256);
    if (!info) return { sha256, ok: false, problem: 'missing' };
    if (expectedSize !== undefined && info.size !== expectedSize) return { sha256, ok: false, problem: 'size', size: info.size, expectedSize };
    const discard = new Writable({ write: (_chunk, _enc, done) => done() });
    try {
      await this.download(sha256, info.size, discard);
    } catch (e) {
      if (e instanceof ModelregError && e.code === 'artifact-corrupt') return { sha256, ok: false, problem: 'corrupt', size: info.size };
      throw e;
    }
    return { sha256, ok: true, size: info.size };
  }

  private metaKey(name: string): string {
    return this.prefix ? `${this.prefix}/${assertMetaName(name)}` : assertMetaName(name);
  }

  async readMeta(name: string): Promise<{ text: string; modified: number } | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.metaKey(name) }));
      return { text: (await r.Body?.transformToString('utf8')) ?? '', modified: r.LastModified?.getTime() ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw s3Error(e, this);
    }
  }

  async writeMeta(file: string, text: string, options: { createOnly?: boolean } = {}): Promise<{ modified: number } | 'exists'> {
    const Key = this.metaKey(file);
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key, Body: text, ContentType: 'application/json', ...(options.createOnly ? { IfNoneMatch: '*' } : {}) }),
      );
    } catch (e) {
      if (options.createOnly && (status(e) === 412 || name(e) === 'PreconditionFailed')) return 'exists';
      throw s3Error(e, this);
    }
    try {
      // The time by the store's own clock: what object times are compared with.
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { modified: head.LastModified?.getTime() ?? Date.now() };
    } catch (e) {
      throw s3Error(e, this);
    }
  }

  async deleteMeta(name: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.metaKey(name) }));
    } catch (e) {
      if (!isNotFound(e)) throw s3Error(e, this);
    }
  }

  async *listMeta(prefix: string): AsyncIterable<MetaInfo> {
    const base = `${this.metaKey(prefix.replace(/\/$/, ''))}/`;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ...(token ? { ContinuationToken: token } : {}) }));
      } catch (e) {
        throw s3Error(e, this);
      }
      for (const o of page.Contents ?? [])
        if (o.Key && !o.Key.slice(base.length).includes('/'))
          yield { name: `${prefix.replace(/\/$/, '')}/${o.Key.slice(base.length)}`, modified: o.LastModified?.getTime() ?? 0 };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** A time-limited GET URL, so deploy systems can fetch without credentials. */
  async presign(sha256: string, expiresSeconds: number): Promise<string> {
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }), { expiresIn: expiresSeconds });
  }
}

const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const name = (e: unknown) => (e as { name?: string; Code?: string }).name ?? (e as { Code?: string }).Code;
/** The file being downloaded into could not be written (a full disk, a read-only directory). */
function destinationError(e: unknown, path: string): ModelregError {
  const code = (e as NodeJS.ErrnoException).code;
  return new ModelregError('output-refused', `cannot write ${path}: ${code === 'ENOSPC' ? 'the disk is full' : ((e as Error).message ?? String(e))}`, {
    hint: 'Free space, or pull into another directory with -o; nothing was moved into place.',
    cause: e,
  });
}

/** A connection that broke while a body was streaming: the SDK retries requests, not bodies read after it returned. */
function isConnectionLost(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code ?? (e as { cause?: NodeJS.ErrnoException }).cause?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error).name === 'AbortError';
}
const isNotFound = (e: unknown) => status(e) === 404 || name(e) === 'NotFound' || name(e) === 'NoSuchKey';

/** What went wrong, in the user's terms, with what to do. */
export function s3Error(e: unknown, store: { uri: string; bucket: string; settings: S3Settings }): ModelregError {
  if (e instanceof ModelregError) return e;
  const code = status(e);
  const n = name(e) ?? '';
  const msg = (e as Error).message ?? String(e);
  const where = `${store.uri}${store.settings.endpoint ? ` at ${store.settings.endpoint}` : ''}`;
  const err = (message: string, hint: string) => new ModelregError('store-unavailable', message, { hint, cause: e });
  if (n === 'CredentialsProviderError' || /Could not load credentials/i.test(msg))
    return err(
      `no AWS credentials for ${where}`,
      'Set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or use SSO / web identity; modelreg reads credentials only from the AWS default chain.',
    );
  if (n === 'NoSuchBucket') return err(`the bucket ${store.bucket} does not exist (${where})`, 'Create it, or correct artifacts.store in registry.yaml.');
  if (n === 'InvalidAccessKeyId' || n === 'SignatureDoesNotMatch')
    return err(`the credentials were refused by ${where} (${n})`, 'Check the access key and secret in your AWS profile or environment.');
  if (n === 'AccessDenied' || code === 403)
    return err(`access denied to ${where}`, 'The credentials lack permission: s3:GetObject, s3:PutObject, s3:ListBucket (and s3:DeleteObject for gc).');
  if (n === 'PermanentRedirect' || n === 'AuthorizationHeaderMalformed' || n === 'IllegalLocationConstraintException' || code === 301)
    return err(
      `${store.bucket} is in another region than the one configured`,
      "Set artifacts.s3.region in registry.yaml (or AWS_REGION) to the bucket's region.",
    );
  if (code === 411 || n === 'MissingContentLength' || /aws-chunked|x-amz-trailer|STREAMING-UNSIGNED-PAYLOAD-TRAILER/i.test(msg))
    return err(
      `${where} rejected the SDK's flexible checksums (${n || code})`,
      'Set artifacts.s3.checksums: when_required in registry.yaml (or MODELREG_S3_CHECKSUMS=when_required); many S3-compatible stores need it.',
    );
  if (n === 'SlowDown' || n === 'Throttling' || code === 503)
    return err(`${where} is throttling requests (retried, still refused)`, 'Lower --concurrency, or try again later.');
  const sys = (e as NodeJS.ErrnoException).code ?? (e as { cause?: NodeJS.ErrnoException }).cause?.code;
  if (sys === 'ECONNREFUSED' || sys === 'ENOTFOUND' || sys === 'ETIMEDOUT' || sys === 'ECONNRESET' || sys === 'EAI_AGAIN' || n === 'TimeoutError')
    return err(`cannot reach ${where} (${sys ?? n})`, 'Check artifacts.s3.endpoint and the network.');
  return err(`${where}: ${n || code || ''} ${msg}`.trim(), "Check the server's logs; the SDK error is attached as the cause.");
}
