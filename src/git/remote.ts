/** Pushing without force, telling a race (retry) from a refusal (branch protection, hooks, credentials); syncing with the remote before a push. */
import { ModelregError } from '../registry/errors.js';
import { git } from './run.js';

export type PushOutcome = { ok: true } | { ok: false; reason: 'race' };

export async function upstream(root: string, branch: string): Promise<{ remote: string; ref: string }> {
  const remote = (await git(root, ['config', '--get', `branch.${branch}.remote`], { allowFail: true })).stdout.toString('utf8').trim() || 'origin';
  const merge = (await git(root, ['config', '--get', `branch.${branch}.merge`], { allowFail: true })).stdout.toString('utf8').trim() || `refs/heads/${branch}`;
  const known = (await git(root, ['remote'], { allowFail: true })).stdout.toString('utf8').split('\n').includes(remote);
  if (!known) throw new ModelregError('precondition', `the branch ${branch} has no remote to push to`, { hint: 'Add one: git remote add origin <url>' });
  return { remote, ref: merge };
}

export async function fetchRemote(root: string, remote: string, ref: string): Promise<string | null> {
  const r = await git(root, ['fetch', '--quiet', '--no-tags', remote, ref], { allowFail: true });
  if (r.code !== 0) {
    if (/couldn't find remote ref/i.test(r.stderr)) return null; // the branch does not exist there yet
    throw unreachable(remote, r.stderr);
  }
  return (await git(root, ['rev-parse', 'FETCH_HEAD'])).stdout.toString('utf8').trim();
}

/** What a failed `git push --porcelain` said, read from its output: whether to retry, and what to tell the user. */
export type PushFailure = 'race' | 'refused' | 'auth' | 'unreachable' | 'failed';

/**
 * A failed push's output, classified. Only git's own lines count for a race: a server hook's message
 * (`remote: …`) may say anything, "non-fast-forward" included, and a refusal must not be retried as a race.
 */
export function classifyPushFailure(output: string): PushFailure {
  const own = output
    .split('\n')
    .filter((l) => !/^remote:/i.test(l.trim()))
    .join('\n');
  // A race shows as a non-fast-forward, or — when two pushes meet inside the server — as a ref that
  // changed under the update ("cannot lock ref", "incorrect old value").
  if (
    /\[rejected\].*(non-fast-forward|fetch first)|\(fetch first\)|\(non-fast-forward\)|stale info|cannot lock ref|failed to update ref|incorrect old value|but expected/i.test(
      own,
    )
  )
    return 'race';
  if (/protected branch|GH006|pre-receive hook declined|hook declined|\[remote rejected\]/i.test(output)) return 'refused';
  if (/authentication failed|could not read (username|password)|permission to .* denied|returned error: 40[13]|permission denied \(publickey/i.test(output))
    return 'auth';
  if (
    /unable to access|could not resolve|couldn't connect|could not read from remote|connection (refused|timed out|reset|closed)|does not appear to be a git repository|repository '.*' not found|repository not found/i.test(
      output,
    )
  )
    return 'unreachable';
  return 'failed';
}

/** Push HEAD to the remote branch. A non-fast-forward is a race; anything else is a refusal. Never forced. */
export async function push(root: string, remote: string, ref: string): Promise<PushOutcome> {
  const r = await git(root, ['push', '--quiet', '--porcelain', remote, `HEAD:${ref}`], { allowFail: true });
  if (r.code === 0) return { ok: true };
  const out = `${r.stdout.toString('utf8')}\n${r.stderr}`;
  switch (classifyPushFailure(out)) {
    case 'race':
      return { ok: false, reason: 'race' };
    case 'refused':
      throw new ModelregError('push-rejected', `${remote} refused the push: ${summary(out)}`, {
        hint: 'The branch is protected or a server hook declined it; open a pull request instead with --pr.',
      });
    case 'auth':
      throw new ModelregError('push-rejected', `${remote} did not accept the credentials: ${summary(out)}`, {
        hint: 'Check the credentials git uses for this remote (a token with write access, the credential helper, the SSH key); nothing was pushed.',
      });
    case 'unreachable':
      throw unreachable(remote, out);
    case 'failed':
      throw new ModelregError('push-rejected', `git push to ${remote} failed: ${summary(out)}`);
  }
}

/**
 * Before pushing, the local branch must be the remote tip (fast-forwarded if behind). Commits of the
 * branch's that the remote lacks are published first only when every one carries `ownTrailer` (modelreg's
 * own, left by a run killed between its commit and its push: they were checked when they were made);
 * the user's unpushed commits are not ours to push.
 */
export async function syncWithRemote(root: string, remote: string, ref: string, ownTrailer: string): Promise<void> {
  const tip = await fetchRemote(root, remote, ref);
  if (!tip) return;
  const head = (await git(root, ['rev-parse', 'HEAD'])).stdout.toString('utf8').trim();
  if (head === tip) return;
  const isAncestor = async (a: string, b: string) => (await git(root, ['merge-base', '--is-ancestor', a, b], { allowFail: true })).code === 0;
  if (await isAncestor(head, tip)) {
    const r = await git(root, ['merge', '--quiet', '--ff-only', tip], { allowFail: true });
    if (r.code !== 0)
      throw new ModelregError('dirty-worktree', `cannot fast-forward to ${remote}: ${r.stderr.trim().split('\n')[0]}`, {
        hint: 'Commit or stash your local changes, then run the command again.',
      });
    return;
  }
  const ahead = await isAncestor(tip, head);
  // One line per commit: the value of its trailer, empty when it has none.
  const trailers = (await git(root, ['log', `--format=%(trailers:key=${ownTrailer},valueonly,separator=%x2C)`, `${tip}..${head}`])).stdout.toString('utf8');
  const ours = trailers
    .replace(/\n+$/, '')
    .split('\n')
    .every((line) => line.trim() !== '');
  if (ahead && ours && (await push(root, remote, ref)).ok) return;
  throw new ModelregError('precondition', `the branch has commits that are not on ${remote}${ahead ? '' : ', and the remote has commits this branch lacks'}`, {
    hint: "Push, rebase or drop them first (git status, git log @{u}..); --push publishes only modelreg's own commits.",
  });
}

function unreachable(remote: string, stderr: string): ModelregError {
  return new ModelregError('git-failed', `cannot reach the remote ${remote}: ${summary(stderr)}`, {
    hint: 'Check the network and the remote URL (git remote -v); nothing was pushed.',
  });
}

function summary(out: string): string {
  return (
    out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('To ') && l !== 'Done')
      .slice(0, 2)
      .join(' ') || 'no details'
  );
}

/**
 * The repository's default branch, as its remote sees it (refs/remotes/<remote>/HEAD); without one, the
 * name Git gives new repositories here (init.defaultBranch), else main or master when `branch` is one.
 */
export async function isDefaultBranch(root: string, branch: string, remote = 'origin'): Promise<boolean> {
  const head = (await git(root, ['symbolic-ref', '--quiet', '--short', `refs/remotes/${remote}/HEAD`], { allowFail: true })).stdout.toString('utf8').trim();
  if (head) return head.slice(head.indexOf('/') + 1) === branch;
  const configured = (await git(root, ['config', '--get', 'init.defaultBranch'], { allowFail: true })).stdout.toString('utf8').trim();
  return branch === configured || branch === 'main' || branch === 'master';
}

/**
 * Fetch one branch into its remote-tracking ref (`refs/remotes/<remote>/<branch>`) and return the commit
 * it now names. The ref moves atomically or not at all; FETCH_HEAD, which any other fetch in the same
 * repository overwrites, is not relied on. Never touches the work tree, the index or a local branch.
 */
export async function fetchTracking(root: string, remote: string, branch: string): Promise<string> {
  const ref = `refs/remotes/${remote}/${branch}`;
  const r = await git(root, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', remote, `+refs/heads/${branch}:${ref}`], { allowFail: true });
  if (r.code !== 0) throw unreachable(remote, r.stderr);
  return (await git(root, ['rev-parse', '--verify', `${ref}^{commit}`])).stdout.toString('utf8').trim();
}

/** The URL of `remote` (default: the current branch's remote, else origin), or null: for links to the repository's web pages. */
export async function remoteUrl(root: string, remote?: string): Promise<string | null> {
  // ls-remote --get-url names the remote's URL without talking to it: one process, no network.
  const r = await git(root, ['ls-remote', '--get-url', ...(remote ? [remote] : [])], { allowFail: true });
  const url = r.code === 0 ? r.stdout.toString('utf8').trim() : '';
  return url || null;
}
