/**
 * One cache file: `{ "format": N, "<field>": { key: value, … } }`, read whole and replaced whole.
 * Replacing writes a temporary file and renames it over the old one, so a reader sees the old or the
 * new file, never half of one, and racing writers each leave a whole file (the last rename wins).
 * Unlike the journal's writeDurable there is no fsync: a cache lost in a crash only costs time.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The file's map, or an empty one when it is missing, unreadable or of another format. */
export function readCacheMap<V>(path: string, format: number, field: string): Map<string, V> {
  try {
    const file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
    const map = file?.[field];
    return file?.format === format && map && typeof map === 'object' ? new Map(Object.entries(map as Record<string, V>)) : new Map();
  } catch {
    return new Map();
  }
}

/** Replace the file with these entries. Throws (a read-only or full disk) after removing the temporary file. */
export function writeCacheMap<V>(path: string, format: number, field: string, entries: Iterable<[string, V]>): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    // An object literal, not an array of pairs: it is faster for JSON.parse to read back.
    writeFileSync(tmp, JSON.stringify({ format, [field]: Object.fromEntries(entries) }));
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
