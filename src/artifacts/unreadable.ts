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
