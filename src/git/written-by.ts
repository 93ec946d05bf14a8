/**
 * Who wrote each of some files in a change, and when, from Git: the last commit between the base and the
 * head that touched the file (its author, and its committer time). For a head that is the work tree, the
 * identity Git would put on a commit now, and now. What checks/provenance.ts holds stage files to.
 */
import type { WrittenBy } from '../checks/provenance.js';
import { git } from './run.js';
import type { RegistrySource } from './sources.js';

export async function writtenBy(base: RegistrySource, head: RegistrySource, files: string[]): Promise<Map<string, WrittenBy>> {
  const out = new Map<string, WrittenBy>();
  if (files.length === 0) return out;
  if (!head.commit) {
    const r = await git(head.root, ['var', 'GIT_AUTHOR_IDENT'], { allowFail: true });
    const m = /^(.*?) <([^>]*)> \d+ [+-]\d{4}$/.exec(r.stdout.toString('utf8').trim());
    if (r.code !== 0 || !m) return out; // no identity: nothing to hold the files to here
    for (const f of files) out.set(f, { name: m[1]!, email: m[2]!, time: new Date().toISOString() });
    return out;
  }
  const prefix = (await git(head.root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim();
  const range = base.commit ? `${base.commit}..${head.commit}` : head.commit;
  for (const f of files) {
    const r = await git(head.root, ['log', '-1', '--format=%an%x1f%ae%x1f%cI', range, '--', `${prefix}${f}`], { allowFail: true });
    const [name, email, time] = r.stdout.toString('utf8').trim().split('\x1f');
    if (r.code === 0 && name !== undefined && email !== undefined && time) out.set(f, { name, email, time });
  }
  return out;
}

/**
 * When each of `files` last changed on `rev`'s first-parent line: the committer time of that commit (for a
 * merged pull request, the merge, which the hosting service dates). What a soak time is counted from.
 */
export async function lastWritten(root: string, rev: string, files: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (files.length === 0) return out;
  const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim();
  for (const f of files) {
    const r = await git(root, ['log', '-1', '--first-parent', '--format=%cI', rev, '--', `${prefix}${f}`], { allowFail: true });
    const time = r.stdout.toString('utf8').trim();
    if (r.code === 0 && time) out.set(f, time);
  }
  return out;
}
