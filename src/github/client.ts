/**
 * The GitHub REST API through @octokit/rest, loaded only when a command needs it (it costs start-up time).
 * Token from GITHUB_TOKEN or GH_TOKEN; API base from GITHUB_API_URL (GitHub Enterprise Server, or a
 * loopback stand-in in tests).
 */
import type { Octokit } from '@octokit/rest';
import { ModelregError } from '../registry/errors.js';

export interface GitHubRepo {
  owner: string;
  repo: string;
}

export function githubToken(): string {
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  if (!token)
    throw new ModelregError('precondition', 'opening a pull request needs a GitHub token', {
      hint: 'Set GITHUB_TOKEN (or GH_TOKEN) to a token that may push branches and open pull requests.',
    });
  return token;
}

export async function githubClient(token: string): Promise<Octokit> {
  const { Octokit } = await import('@octokit/rest');
  return new Octokit({
    auth: token,
    baseUrl: (process.env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    userAgent: 'modelreg',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/**
 * owner/repo from a remote URL (https://host/owner/repo.git, git@host:owner/repo.git, ssh://git@host/owner/repo),
 * else from GITHUB_REPOSITORY (set by GitHub Actions; also the override for unusual remotes).
 */
export function githubRepoOf(remoteUrl: string): GitHubRepo {
  const fromEnv = process.env.GITHUB_REPOSITORY;
  const m = /^(?:https?:\/\/(?:[^@/]+@)?[^/]+\/|ssh:\/\/[^/]+\/|[^@/]+@[^:]+:)([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(remoteUrl);
  if (m) return { owner: m[1]!, repo: m[2]! };
  if (fromEnv && /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(fromEnv)) {
    const [owner, repo] = fromEnv.split('/') as [string, string];
    return { owner, repo };
  }
  throw new ModelregError('precondition', `cannot tell the GitHub repository from the remote URL ${remoteUrl}`, { hint: 'Set GITHUB_REPOSITORY=owner/repo.' });
}

/** Turn API failures into errors a user can act on. */
export function apiError(e: unknown, what: string): ModelregError {
  const status = (e as { status?: number }).status;
  const message = ((e as { response?: { data?: { message?: string } } }).response?.data?.message ?? (e as Error).message ?? String(e)).split('\n')[0];
  const hint =
    status === 401
      ? 'The token was refused; check GITHUB_TOKEN.'
      : status === 403
        ? 'The token lacks permission (pull requests: write) or hit a rate limit.'
        : status === 404
          ? "No such repository for this token; check GITHUB_REPOSITORY and the token's access."
          : status === undefined
            ? 'GitHub could not be reached; check the network and GITHUB_API_URL.'
            : undefined;
  return new ModelregError('git-failed', `${what} failed${status ? ` (HTTP ${status})` : ''}: ${message}`, { ...(hint ? { hint } : {}), cause: e });
}
