/** Where a version's training code came from, read from the Git repository the training ran in. */
import { urlCredentials } from '../registry/urls.js';
import { git } from './run.js';

/** The training code by default: the Git repository and HEAD of `cwd`, when it is one other than the registry's. */
export async function codeOfDirectory(cwd: string, registryRoot: string): Promise<{ repository: string; commit: string } | undefined> {
  const top = await git(cwd, ['rev-parse', '--show-toplevel'], { allowFail: true });
  const regTop = await git(registryRoot, ['rev-parse', '--show-toplevel'], { allowFail: true });
  if (top.code !== 0 || top.stdout.toString().trim() === regTop.stdout.toString().trim()) return undefined;
  const commit = await git(cwd, ['rev-parse', 'HEAD'], { allowFail: true });
  if (commit.code !== 0) return undefined;
  const url = (await git(cwd, ['config', '--get', 'remote.origin.url'], { allowFail: true })).stdout.toString().trim();
  // A remote URL may carry a token (GitLab's CI_REPOSITORY_URL does): it must never end up in a manifest.
  return { repository: (url && (urlCredentials(url)?.url ?? url)) || top.stdout.toString().trim(), commit: commit.stdout.toString().trim() };
}
