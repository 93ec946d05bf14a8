/** Where modelreg keeps a per-user cache of its own: $XDG_CACHE_HOME/modelreg/<name>, else ~/.cache/modelreg/<name>. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function userCacheDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'modelreg', name);
}
