/**
 * Where the action's verdict goes on GitHub: a commit status with a fixed name (so branch protection can
 * require it) and one sticky pull-request comment, updated in place. The comment is found by its hidden
 * marker AND its author, so a marker planted in someone else's comment is never mistaken for ours.
 */
import type { Octokit } from '@octokit/rest';
import type { GitHubRepo } from './client.js';
import { apiError } from './client.js';

/** The status context branch protection requires. Never changes. */
export const STATUS_CONTEXT = 'modelreg';

export async function setStatus(
  gh: Octokit,
  repo: GitHubRepo,
  sha: string,
  state: 'success' | 'failure' | 'error' | 'pending',
  description: string,
  targetUrl?: string,
): Promise<void> {
  try {
    await gh.rest.repos.createCommitStatus({
      ...repo,
      sha,
      state,
      context: STATUS_CONTEXT,
      description: description.slice(0, 140),
      ...(targetUrl ? { target_url: targetUrl } : {}),
    });
  } catch (e) {
    throw apiError(e, 'setting the commit status');
  }
}

/** The login our comments are written under: the token's user, else GitHub Actions' bot. */
export async function commentAuthor(gh: Octokit, explicit?: string): Promise<string> {
  if (explicit) return explicit;
  try {
    const { data } = await gh.rest.users.getAuthenticated();
    return data.login;
  } catch {
    return 'github-actions[bot]'; // GITHUB_TOKEN may not call /user
  }
}

export async function upsertComment(
  gh: Octokit,
  repo: GitHubRepo,
  number: number,
  body: string,
  marker: string,
  author: string,
): Promise<{ id: number; created: boolean }> {
  try {
    const comments = await gh.paginate(gh.rest.issues.listComments, { ...repo, issue_number: number, per_page: 100 });
    const ours = comments.find((c) => c.user?.login === author && (c.body ?? '').startsWith(marker));
    if (ours) {
      await gh.rest.issues.updateComment({ ...repo, comment_id: ours.id, body });
      return { id: ours.id, created: false };
    }
    const { data } = await gh.rest.issues.createComment({ ...repo, issue_number: number, body });
    return { id: data.id, created: true };
  } catch (e) {
    throw apiError(e, 'writing the pull-request comment');
  }
}
