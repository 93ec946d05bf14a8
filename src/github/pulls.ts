/** Opening (or finding) the pull request for a branch modelreg pushed. */
import type { GitHubRepo } from './client.js';
import { apiError, githubClient } from './client.js';

export interface PullRequestRef {
  number: number;
  url: string;
  created: boolean;
}

export async function openPullRequest(
  token: string,
  repo: GitHubRepo,
  pr: { head: string; base: string; title: string; body: string },
): Promise<PullRequestRef> {
  const gh = await githubClient(token);
  try {
    const { data } = await gh.rest.pulls.create({ ...repo, head: pr.head, base: pr.base, title: pr.title, body: pr.body, maintainer_can_modify: true });
    return { number: data.number, url: data.html_url, created: true };
  } catch (e) {
    // 422: a pull request for this branch exists already (a rerun); hand back that one.
    if ((e as { status?: number }).status === 422) {
      try {
        const { data } = await gh.rest.pulls.list({ ...repo, head: `${repo.owner}:${pr.head}`, base: pr.base, state: 'open' });
        if (data[0]) return { number: data[0].number, url: data[0].html_url, created: false };
      } catch (e2) {
        throw apiError(e2, 'listing pull requests');
      }
    }
    throw apiError(e, 'opening the pull request');
  }
}
