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
 * Only files of at least MIN_SIZE are remembered: smaller ones hash faster than the lookup pays.
 * Where: MODELREG_DIGEST_CACHE, else $XDG_CACHE_HOME/modelreg/digests, else ~/.cache/modelreg/digests;
 * MODELREG_DIGEST_CACHE=off turns it off. An entry is a small JSON file named by the hash of device and
 * inode, written by rename; a cache that cannot be read or written is passed over, never an error.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SHA256, type ObjectInfo } from './store.js';

const MiB = 1024 * 1024;
/** Below this a file is hashed every time (about 10 ms a MiB here): a lookup costs more than it saves. */
export const MIN_SIZE = 8 * MiB;
/** How much older than the hashing the file's last change must be (the kernel's clock ticks are ~4 ms; NFS servers' clocks drift). */
export const RACY_MS = 2000;

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

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

export function digestCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.MODELREG_DIGEST_CACHE;
  if (set === 'off') return null;
  return set || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modelreg', 'digests');
}

export class DigestCache {
  constructor(readonly dir: string) {}

  static open(env: NodeJS.ProcessEnv = process.env): DigestCache | null {
    const dir = digestCacheDir(env);
    return dir ? new DigestCache(dir) : null;
  }

  private entryPath(stamp: FileStamp): string {
    const name = createHash('sha256').update(`${stamp.dev}:${stamp.ino}`).digest('hex');
    return join(this.dir, name.slice(0, 2), `${name}.json`);
  }

  /** Whether a file of this size is worth a lookup. */
  worthIt(size: number): boolean {
    return size >= MIN_SIZE;
  }

  /** The digest remembered for exactly this state of the file, or undefined. */
  async lookup(stamp: FileStamp): Promise<ObjectInfo | undefined> {
    if (stamp.size < MIN_SIZE) return undefined;
    let entry: unknown;
    try {
      entry = JSON.parse(await readFile(this.entryPath(stamp), 'utf8'));
    } catch {
      return undefined; // absent, or unreadable: hash the file
    }
    if (!entry || typeof entry !== 'object') return undefined;
    const e = entry as Record<string, unknown>;
    const matches =
      e.size === String(stamp.size) &&
      e.mtimeNs === String(stamp.mtimeNs) &&
      e.ctimeNs === String(stamp.ctimeNs) &&
      typeof e.sha256 === 'string' &&
      SHA256.test(e.sha256);
    return matches ? { sha256: e.sha256 as string, size: Number(stamp.size) } : undefined;
  }

  /**
   * Remember `info` for the file whose stamp was `before` when its hashing began at `startedMs` (wall
   * clock), if it still has that stamp and its last change was RACY_MS before that. Returns whether it did.
   */
  async remember(path: string, before: FileStamp, startedMs: number, info: ObjectInfo): Promise<boolean> {
    if (before.size < MIN_SIZE || BigInt(info.size) !== before.size) return false;
    if (Number(before.ctimeNs / 1_000_000n) > startedMs - RACY_MS) return false; // changed too lately to rule out a write in the same tick
    try {
      if (!sameStamp(before, await stampOf(path))) return false;
      const file = this.entryPath(before);
      await mkdir(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
      const entry = { size: String(before.size), mtimeNs: String(before.mtimeNs), ctimeNs: String(before.ctimeNs), sha256: info.sha256 };
      await writeFile(tmp, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      await rename(tmp, file).catch(async (e: unknown) => {
        await unlink(tmp).catch(() => {});
        throw e;
      });
      return true;
    } catch {
      return false; // a cache that cannot be written only means hashing next time
    }
  }
}
