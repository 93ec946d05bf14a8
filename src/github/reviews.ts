/**
 * What the GitHub API says about a pull request's approvals: its reviews, and whether each approver may
 * approve (write access, or membership of the teams a policy names). Answers the token is not allowed
 * to give come back as a sentence saying so, never as a silent "no".
 */
import type { Octokit } from '@octokit/rest';
import type { ApprovalFacts, Review } from '../review/approvals.js';
import type { GitHubRepo } from './client.js';
import { apiError } from './client.js';

export interface PullInfo {
  number: number;
  author: string;
  headSha: string;
  baseSha: string;
}

export async function getPull(gh: Octokit, repo: GitHubRepo, number: number): Promise<PullInfo> {
  try {
    const { data } = await gh.rest.pulls.get({ ...repo, pull_number: number });
    return { number, author: data.user.login, headSha: data.head.sha, baseSha: data.base.sha };
  } catch (e) {
    throw apiError(e, `reading pull request #${number}`);
  }
}

export async function listReviews(gh: Octokit, repo: GitHubRepo, number: number): Promise<Review[]> {
  try {
    const reviews = await gh.paginate(gh.rest.pulls.listReviews, { ...repo, pull_number: number, per_page: 100 });
    return reviews.flatMap((r) => (r.user ? [{ reviewer: r.user.login, state: r.state, commitId: r.commit_id ?? null }] : []));
  } catch (e) {
    throw apiError(e, `reading the reviews of pull request #${number}`);
  }
}

const status = (e: unknown): number | undefined => (e as { status?: number }).status;

export async function gatherFacts(
  gh: Octokit,
  repo: GitHubRepo,
  needed: { writeAccess: string[]; teams: { org: string; slug: string; logins: string[] }[] },
): Promise<ApprovalFacts> {
  const facts: ApprovalFacts = { writeAccess: {}, teamMembership: {} };
  for (const login of new Set(needed.writeAccess)) {
    try {
      const { data } = await gh.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
      facts.writeAccess[login] = ['admin', 'maintain', 'write'].includes(data.permission) || ['admin', 'maintain', 'write'].includes(data.role_name);
    } catch (e) {
      facts.writeAccess[login] =
        status(e) === 404
          ? false
          : `the token cannot read ${login}'s permission on ${repo.owner}/${repo.repo} (HTTP ${status(e) ?? 'error'}); give the action a token that may read collaborators`;
    }
  }
  for (const t of needed.teams) {
    const team = `${t.org}/${t.slug}`;
    const members: Record<string, boolean | string> = (facts.teamMembership[team] ??= {});
    for (const login of new Set(t.logins)) {
      if (login in members) continue; // asked already for another requirement naming this team
      try {
        const { data } = await gh.rest.teams.getMembershipForUserInOrg({ org: t.org, team_slug: t.slug, username: login });
        members[login] = data.state === 'active';
      } catch (e) {
        // 404 is GitHub's answer for "not a member"; 401/403 mean the token may not ask (GITHUB_TOKEN never may).
        members[login] =
          status(e) === 404
            ? false
            : `the token cannot read the members of @${team} (HTTP ${status(e) ?? 'error'}); pass a token with "members: read" on the organization as the action's token input`;
      }
    }
  }
  return facts;
}
