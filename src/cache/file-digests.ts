/**
 * The sha256 of large files already hashed, remembered by what the file system says of them (device,
 * inode, size, modification and change times to the nanosecond), so that registering the same file again
 * does not read it again — as git's index and DVC's state database skip unchanged files.
 *
 * Why it can be trusted: every write to a file moves its change time (ctime), and no system call sets the
 * ctime back (`touch -d` and `utimes` set it to now). The one gap is a write in the same tick of the
 * kernel's coarse clock as the change time remembered; so a digest is remembered only for a file whose
 * ctime is at least RACY_MS older than the moment its hashing began, and the file must read the same
 * before and after the hash. A store that receives the bytes checks them against the digest again.
 *
 * Only files of at least MIN_SIZE are worth it: smaller ones hash faster than a lookup pays.
 * Where: MODELREG_DIGEST_CACHE, else $XDG_CACHE_HOME/modelreg/digests, else ~/.cache/modelreg/digests;
 * MODELREG_DIGEST_CACHE=off turns it off. One cache file (cache-file.ts) per file remembered, named by
 * the hash of device and inode; a cache that cannot be read or written is passed over, never an error.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SHA256, type ObjectInfo } from '../artifacts/store.js';
import { readCacheMap, writeCacheMap } from './cache-file.js';
import { userCacheDir } from './user-cache-dir.js';

const MiB = 1024 * 1024;
/** Below this a file is hashed every time (about 10 ms a MiB here): a lookup costs more than it saves. */
export const MIN_SIZE = 8 * MiB;
/** How much older than the hashing the file's last change must be (the kernel's clock ticks are ~4 ms; NFS servers' clocks drift). */
export const RACY_MS = 2000;
const FORMAT = 1;
const FIELD = 'digests';

/** What identifies one state of one file: equal stamps, equal bytes. */
export interface FileStamp {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export async function stampOf(path: string): Promise<FileStamp> {
  const s = await stat(path, { bigint: true });
  return { dev: s.dev, ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** The key of one state within the file's cache file (device and inode name the file itself). */
const stateKey = (stamp: FileStamp) => `${stamp.size}:${stamp.mtimeNs}:${stamp.ctimeNs}`;

export class FileDigests {
  private constructor(readonly dir: string) {}

  /** The cache MODELREG_DIGEST_CACHE names, or null when it is off. */
  static open(env: NodeJS.ProcessEnv = process.env): FileDigests | null {
    const set = env.MODELREG_DIGEST_CACHE;
    if (set === 'off') return null;
    return new FileDigests(set || userCacheDir('digests', env));
  }

  /** Whether a file of this size is worth a lookup (and so is ever remembered). */
  worthIt(size: number): boolean {
    return size >= MIN_SIZE;
  }

  private entryPath(stamp: FileStamp): string {
    const name = createHash('sha256').update(`${stamp.dev}:${stamp.ino}`).digest('hex');
    return join(this.dir, name.slice(0, 2), `${name}.json`);
  }

  /** The digest remembered for exactly this state of the file, or undefined. */
  lookup(stamp: FileStamp): ObjectInfo | undefined {
    const sha256 = readCacheMap<unknown>(this.entryPath(stamp), FORMAT, FIELD).get(stateKey(stamp));
    return typeof sha256 === 'string' && SHA256.test(sha256) ? { sha256, size: Number(stamp.size) } : undefined;
  }

  /**
   * Remember `info` for the file whose stamp was `before` when its hashing began at `startedMs` (wall
   * clock), if it still has that stamp and its last change was RACY_MS before that. Returns whether it did.
   */
  async remember(path: string, before: FileStamp, startedMs: number, info: ObjectInfo): Promise<boolean> {
    if (BigInt(info.size) !== before.size) return false;
    if (Number(before.ctimeNs / 1_000_000n) > startedMs - RACY_MS) return false; // changed too lately to rule out a write in the same tick
    try {
      if (!sameStamp(before, await stampOf(path))) return false;
      writeCacheMap(this.entryPath(before), FORMAT, FIELD, [[stateKey(before), info.sha256]]);
      return true;
    } catch {
      return false; // a cache that cannot be written only means hashing next time
    }
  }
}
