import type { FileHandle } from 'node:fs/promises';
import { ModelregError } from '../registry/errors.js';

/** Why a file cannot be read, in words, from the error the file system gave: for messages that name the file. */
export function unreadableReason(e: unknown, missing = 'does not exist'): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return missing;
    case 'ELOOP':
      return 'is a symbolic link loop';
    case 'EACCES':
      return 'cannot be read (permission denied)';
    case 'EISDIR':
      return 'is a directory';
    default:
      return `cannot be read (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** A source file that could not be read, as the error that names it. */
export function sourceError(e: unknown, path: string): ModelregError {
  if (e instanceof ModelregError) return e;
  return new ModelregError('artifact-unreadable', `${path} ${unreadableReason(e)}`, { cause: e });
}

/** Fill `buf` from `position` on, however many reads it takes; fewer bytes than asked means the file ended. */
export async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let filled = 0;
  while (filled < buf.length) {
    const { bytesRead } = await fh.read(buf, filled, buf.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled;
}
