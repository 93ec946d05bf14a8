/** Pushing without force, and telling a race (retry) from a refusal (branch protection, hooks). */
import { ModelregError } from '../registry/errors.js';
import { git } from './run.js';

export type PushOutcome = { ok: true } | { ok: false; reason: 'race' } ;

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

/** Push HEAD to the remote branch. A non-fast-forward is a race; anything else is a refusal. Never forced. */
export async function push(root: string, remote: string, ref: string): Promise<PushOutcome> {
  const r = await git(root, ['push', '--quiet', '--porcelain', remote, `HEAD:${ref}`], { allowFail: true });
  if (r.code === 0) return { ok: true };
  const out = `${r.stdout.toString('utf8')}\n${r.stderr}`;
  // A race shows as a non-fast-forward, or — when two pushes meet inside the server — as a ref that
  // changed under the update ("cannot lock ref", "incorrect old value").
  if (/\[rejected\].*(non-fast-forward|fetch first)|\(fetch first\)|\(non-fast-forward\)|stale info|cannot lock ref|failed to update ref|incorrect old value|but expected/i.test(out)) return { ok: false, reason: 'race' };
  if (/protected branch|GH006|pre-receive hook declined|hook declined|\[remote rejected\]/i.test(out)) {
    throw new ModelregError('push-rejected', `${remote} refused the push: ${summary(out)}`, { hint: 'The branch is protected or a server hook declined it; open a pull request instead with --pr.' });
  }
  if (/could not read|unable to access|could not resolve|connection|does not appear to be a git repository|repository not found/i.test(out)) throw unreachable(remote, out);
  throw new ModelregError('push-rejected', `git push to ${remote} failed: ${summary(out)}`);
}

function unreachable(remote: string, stderr: string): ModelregError {
  return new ModelregError('git-failed', `cannot reach the remote ${remote}: ${summary(stderr)}`, { hint: 'Check the network and the remote URL (git remote -v); nothing was pushed.' });
}

function summary(out: string): string {
  return out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('To ') && l !== 'Done').slice(0, 2).join(' ') || 'no details';
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

/** The URL of the current branch's remote (else origin), or null: for links to the repository's web pages. */
export async function remoteUrl(root: string): Promise<string | null> {
  // ls-remote --get-url names the default remote's URL without talking to it: one process, no network.
  const r = await git(root, ['ls-remote', '--get-url'], { allowFail: true });
  const url = r.code === 0 ? r.stdout.toString('utf8').trim() : '';
  return url || null;
}
