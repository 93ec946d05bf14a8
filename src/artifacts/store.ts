/**
 * Where artifact bytes live: content-addressed by sha256 at <store>/sha256/<aa>/<hex>. Two
 * implementations share this interface — the local directory store (the embedded default) and S3.
 * Every method that hands bytes out verifies them; a corrupt object is reported, never returned.
 */
import type { Readable, Writable } from 'node:stream';

export interface ObjectInfo {
  sha256: string;
  size: number;
  /** Last modification (ms since the epoch), where the store knows it; gc spares recent objects. */
  modified?: number;
  /** The sha256 the store recorded beside the object (S3 metadata), where it keeps one. */
  recordedSha256?: string;
}

export interface Progress {
  /** Called with the bytes done so far; cheap enough to call per chunk. */
  (bytesDone: number): void;
}

export interface PutResult extends ObjectInfo {
  /** False when the object was already there (deduplicated). */
  stored: boolean;
}

/** One of the store's own small files (gc's marks and lock, keep entries), beside the content-addressed objects. */
export interface MetaInfo {
  name: string;
  /** When it was written, by the store's clock (what object times are compared with). */
  modified: number;
}

export type VerifyResult =
  { sha256: string; ok: true; size: number } | { sha256: string; ok: false; problem: 'missing' | 'size' | 'corrupt'; size?: number; expectedSize?: number };

export interface GetOptions {
  /** The size the manifest records: a stored object of another size is refused before a byte is read. */
  expectedSize?: number;
  /** The object's stat, taken just before by the caller (and checked by it): not asked for again. */
  known?: ObjectInfo;
  progress?: Progress;
}

export interface ArtifactStore {
  /** file:///… or s3://bucket/prefix */
  readonly uri: string;
  objectUri(sha256: string): string;
  has(sha256: string): Promise<boolean>;
  stat(sha256: string): Promise<ObjectInfo | null>;
  /**
   * Whether putFile needs a file's content address before its bytes go in (`known`), so that bytes already
   * stored are found without being sent (S3: an object is named when it is written). A store that can
   * rename (the local directory) copies and hashes in one pass, then names or discards the copy.
   */
  readonly addressFirst: boolean;
  /**
   * Store a file, refusing if it changed while it was read (it was being written). With `known` (its
   * hash, taken before), nothing is copied when the object is already there; otherwise the bytes are
   * hashed again on the way and must match. Without it, the store hashes as suits it (see addressFirst).
   */
  putFile(path: string, options?: { progress?: Progress; known?: ObjectInfo }): Promise<PutResult>;
  /** Store a stream (one pass: hash while writing to a temporary object). */
  putStream(stream: Readable, options?: { progress?: Progress }): Promise<PutResult>;
  /** Write an object to a file atomically (temporary file, fsync, rename), verifying size and sha256 on the way. */
  getFile(sha256: string, dest: string, options?: GetOptions): Promise<void>;
  /** Stream an object; the stream errors if the bytes do not match their hash. */
  getStream(sha256: string, out: Writable, options?: { expectedSize?: number; progress?: Progress }): Promise<void>;
  list(): AsyncIterable<ObjectInfo>;
  delete(sha256: string): Promise<void>;
  /** Read the whole object and check size and hash. */
  verify(sha256: string, expectedSize?: number): Promise<VerifyResult>;
  /** Remove what writers killed midway left (temporary files, unfinished multipart uploads) begun before `before` (ms, the store's clock); how many. */
  clearAbandoned(before: number): Promise<number>;
  /** A time-limited URL that fetches the object without credentials, where the store can make one. */
  presign?(sha256: string, expiresSeconds: number): Promise<string>;

  // The store's own files, under gc/ (META_NAME): small texts, written whole.
  readMeta(name: string): Promise<{ text: string; modified: number } | null>;
  /** Write `text` under `name`; with createOnly, 'exists' when the name is taken (an atomic create where the store can make one). */
  writeMeta(name: string, text: string, options?: { createOnly?: boolean }): Promise<{ modified: number } | 'exists'>;
  deleteMeta(name: string): Promise<void>;
  listMeta(prefix: string): AsyncIterable<MetaInfo>;
}

/** Names of the store's own files: under gc/, plain segments. */
export const META_NAME = /^gc\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

export function assertMetaName(name: string): string {
  if (!META_NAME.test(name)) throw new Error(`"${name}" is not a name of the store's own files`);
  return name;
}

export const SHA256 = /^[0-9a-f]{64}$/;

export function objectKey(sha256: string): string {
  return `sha256/${sha256.slice(0, 2)}/${sha256}`;
}
