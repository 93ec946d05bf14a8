/** Following a remote branch: what `modelreg serve --follow <remote>/<branch>` fetches, through src/git. */
import { ModelregError } from '../registry/errors.js';
import { findRegistryRoot } from '../git/open.js';
import { fetchTracking } from '../git/remote.js';

export interface Followed {
  remote: string;
  branch: string;
}

/** `origin/main` → { remote: origin, branch: main }; a branch may hold slashes, a remote name may not. */
export function parseFollow(spec: string): Followed {
  const slash = spec.indexOf('/');
  const remote = spec.slice(0, slash);
  const branch = spec.slice(slash + 1);
  if (slash <= 0 || !branch || !/^[A-Za-z0-9._-]+$/.test(remote) || !/^[A-Za-z0-9._/-]+$/.test(branch) || branch.includes('..') || branch.startsWith('-')) {
    throw new ModelregError('usage', `--follow expects <remote>/<branch>, got "${spec}"`, { hint: 'For example: --follow origin/main' });
  }
  return { remote, branch };
}

/** Fetch the followed branch into its remote-tracking ref and return the commit it names now. */
export function fetchFollowed(followed: Followed, options: { dir?: string; cwd?: string } = {}): Promise<string> {
  return fetchTracking(findRegistryRoot(options.dir, options.cwd), followed.remote, followed.branch);
}
