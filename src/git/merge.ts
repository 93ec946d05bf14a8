/**
 * The tree a pull request would produce if merged, computed from Git objects alone (`git merge-tree
 * --write-tree`, no checkout, no work tree): judging base → head directly would count every commit the
 * base gained since the branch point as something the pull request undid.
 */
import { ModelregError } from '../registry/errors.js';
import { git } from './run.js';

export type MergeResult = { clean: true; commit: string } | { clean: false; conflicts: string[] };

/** The commit id of `rev`, or a clear error naming what is missing from the clone. */
export async function commitOf(root: string, rev: string, role: string): Promise<string> {
  const r = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { allowFail: true });
  const id = r.stdout.toString('utf8').trim();
  if (r.code !== 0 || !id) {
    throw new ModelregError('revision-not-found', `the ${role} commit ${rev} is not in this clone`, {
      hint: 'Check out with full history: actions/checkout with fetch-depth: 0.',
    });
  }
  return id;
}

/** Merge `head` into `base` in memory; a clean merge becomes a commit object (nothing else is touched). */
export async function mergeForReview(root: string, base: string, head: string): Promise<MergeResult> {
  const ancestor = await git(root, ['merge-base', '--is-ancestor', base, head], { allowFail: true });
  if (ancestor.code === 0) return { clean: true, commit: head }; // head already contains base
  const r = await git(root, ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', base, head], { allowFail: true });
  const parts = r.stdout.toString('utf8').split('\0').filter(Boolean);
  if (r.code === 1) return { clean: false, conflicts: parts.slice(1) };
  if (r.code !== 0 || !parts[0])
    throw new ModelregError('git-failed', `git merge-tree failed: ${r.stderr.trim() || `exit ${r.code}`}`, {
      hint: 'modelreg needs git 2.38 or newer on the runner.',
    });
  const env = {
    GIT_AUTHOR_NAME: 'modelreg',
    GIT_AUTHOR_EMAIL: 'modelreg@localhost',
    GIT_COMMITTER_NAME: 'modelreg',
    GIT_COMMITTER_EMAIL: 'modelreg@localhost',
    GIT_AUTHOR_DATE: '@0 +0000',
    GIT_COMMITTER_DATE: '@0 +0000',
  };
  const c = await git(root, ['commit-tree', parts[0], '-p', base, '-p', head, '-m', 'modelreg: merge for review'], { env });
  return { clean: true, commit: c.stdout.toString('utf8').trim() };
}
