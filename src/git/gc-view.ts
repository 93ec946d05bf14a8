/**
 * Every artifact some revision could still name, as `gc` must see it before it decides anything: a
 * whole view or none. A pull request waiting on the remote whose branch this clone never fetched, a
 * fork's pull request (GitHub's refs/pull/<n>/head, GitLab's refs/merge-requests/<n>/head), a stash, an
 * unpushed commit, a registration killed before its commit — each names bytes that must not be deleted.
 *
 * Every remote is fetched freshly, every ref it advertises, into a namespace of modelreg's own
 * (refs/modelreg/gc/<remote>/…), so the user's own refs are not touched; then one `git rev-list --objects`
 * over all refs, every reflog (stashes included), the index and every worktree's HEAD lists the version
 * manifests in history, and the work trees' uncommitted version files are read too.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { classifyPath } from '../registry/layout.js';
import { parseManifestYaml } from '../schema/yaml.js';
import { git, readBlobs } from './run.js';

export const GC_REF_NAMESPACE = 'refs/modelreg/gc';

export interface RefView {
  /** sha256 of every artifact any version manifest names anywhere in the view. */
  referenced: Set<string>;
  /** Each ref's tip as seen (for the record gc keeps of what it saw). */
  tips: Record<string, string>;
  /** Remotes fetched, and those that could not be reached (only with offline). */
  remotes: { name: string; fetched: boolean; error?: string }[];
  /** Version manifests read: committed (by blob) and uncommitted (in a work tree). */
  manifests: { committed: number; uncommitted: number };
}

export async function registryView(root: string, options: { offline?: boolean } = {}): Promise<RefView> {
  const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim();
  const remotes: RefView['remotes'] = [];
  for (const name of (await git(root, ['remote'])).stdout.toString('utf8').split('\n').filter(Boolean)) {
    const r = await git(root, ['fetch', '--quiet', '--no-tags', '--prune', '--force', name, `+refs/*:${GC_REF_NAMESPACE}/${name}/*`], { allowFail: true });
    if (r.code === 0) {
      remotes.push({ name, fetched: true });
      continue;
    }
    const error =
      r.stderr
        .trim()
        .split('\n')
        .find((l) => l.trim()) ?? `exit ${r.code}`;
    if (!options.offline) {
      throw new ModelregError('precondition', `gc needs every ref of every remote, and ${name} cannot be fetched: ${error}`, {
        hint: 'A pull request waiting there may name bytes this clone has never seen; deleting without seeing it could break it. Fix the remote (git remote -v), or run `gc --offline` to decide only about objects older than the grace, knowing the view is partial.',
      });
    }
    remotes.push({ name, fetched: false, error });
  }

  const tips: Record<string, string> = {};
  for (const line of (await git(root, ['for-each-ref', '--format=%(objectname) %(refname)'])).stdout.toString('utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) tips[line.slice(sp + 1)] = line.slice(0, sp);
  }

  // All refs (the fetched ones included), every reflog (a stash's older entries live only there), the
  // index (staged, uncommitted manifests) and every worktree's HEAD.
  const objects = await git(root, ['rev-list', '--objects', '--all', '--reflog', '--indexed-objects', '--', `${prefix}models`], { allowFail: true });
  if (objects.code !== 0 && !/does not have any commits|bad revision|unknown revision/.test(objects.stderr)) {
    throw new ModelregError('git-failed', `git rev-list failed: ${objects.stderr.trim()}`);
  }
  const blobs = new Set<string>();
  for (const line of objects.stdout.toString('utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const path = line.slice(sp + 1);
    if (path.startsWith(prefix) && classifyPath(path.slice(prefix.length)).kind === 'version') blobs.add(line.slice(0, sp));
  }
  const referenced = new Set<string>();
  for (const [oid, buf] of await readBlobs(root, [...blobs])) addArtifacts(referenced, buf.toString('utf8'), `blob ${oid}`);

  let uncommitted = 0;
  for (const tree of await workTrees(root)) {
    for (const file of await uncommittedVersionFiles(tree, prefix)) {
      // A temporary file a killed write left may be cut short: what it names is counted when it reads,
      // and the rerun of that write stores its bytes again anyway (it still has the files).
      if (file.endsWith('.tmp')) {
        if (parseManifestYaml(file, readFileSync(file, 'utf8')).doc) addArtifacts(referenced, readFileSync(file, 'utf8'), file);
      } else addArtifacts(referenced, readFileSync(file, 'utf8'), file);
      uncommitted++;
    }
  }
  return { referenced, tips, remotes, manifests: { committed: blobs.size, uncommitted } };
}

/** The sha256s a version manifest names; one that cannot be read stops gc rather than let it guess. */
function addArtifacts(into: Set<string>, text: string, where: string): void {
  const doc = parseManifestYaml(where, text).doc?.value as { artifacts?: { sha256?: unknown }[] } | undefined;
  if (!doc)
    throw new ModelregError('registry-invalid', `a version manifest (${where}) cannot be read; gc stops rather than guess what it names`, {
      hint: 'Run `modelreg validate` (and `--at <rev>` on your branches), fix or remove it, then run gc again.',
    });
  for (const a of doc.artifacts ?? []) if (typeof a.sha256 === 'string') into.add(a.sha256);
}

async function workTrees(root: string): Promise<string[]> {
  const r = await git(root, ['worktree', 'list', '--porcelain'], { allowFail: true });
  const trees = r.stdout
    .toString('utf8')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
  return trees.length ? trees : [(await git(root, ['rev-parse', '--show-toplevel'])).stdout.toString('utf8').trim()];
}

/**
 * Version files in a work tree that no commit holds as they are: new or changed (a registration killed
 * between writing its manifest and committing it), and the temporary files a killed write leaves.
 */
async function uncommittedVersionFiles(tree: string, prefix: string): Promise<string[]> {
  if (!existsSync(tree)) return [];
  const r = await git(tree, ['ls-files', '-z', '--others', '--modified', '--exclude-standard', '--', `${prefix}models`], { allowFail: true });
  const out = new Set<string>();
  for (const p of r.stdout.toString('utf8').split('\0').filter(Boolean)) {
    if (classifyPath(p.slice(prefix.length)).kind === 'version' && existsSync(join(tree, p))) out.add(join(tree, p));
  }
  // writeDurable's temporary files (<name>.yaml.modelreg-<pid>.tmp) beside a version file.
  const models = join(tree, prefix, 'models');
  for (const m of existsSync(models) ? readdirSync(models) : []) {
    const dir = join(models, m, 'versions');
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir)) if (/\.yaml\.modelreg-\d+\.tmp$/.test(n)) out.add(join(dir, n));
  }
  return [...out];
}
