/**
 * Where a snapshot's files come from: a Git revision (read from objects, never a checkout) or the work
 * tree with its uncommitted changes. Both report symlinks and submodules as such and never follow them.
 */
import { lstatSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { MODELS_DIR, POLICY_FILE } from '../registry/layout.js';
import type { TreeFile } from '../registry/snapshot.js';
import { DEFAULT_YAML_LIMITS } from '../schema/yaml.js';
import { git, readBlobs } from './run.js';

export interface ReadScope {
  /** Read only these models (plus registry.yaml); all when absent. */
  models?: string[];
}

export interface RegistrySource {
  /** The registry root directory on disk. */
  readonly root: string;
  /** Human description: "work tree" or "revision main (1a2b3c4)". */
  readonly label: string;
  /** The commit id when reading a revision. */
  readonly commit?: string;
  files(scope?: ReadScope): Promise<TreeFile[]>;
}

function scopePaths(scope: ReadScope | undefined): string[] {
  return scope?.models ? [POLICY_FILE, ...scope.models.map((m) => `${MODELS_DIR}/${m}`)] : [POLICY_FILE, MODELS_DIR];
}

/** The registry as committed at `rev`, read with ls-tree and one cat-file --batch process. */
export class GitRevisionSource implements RegistrySource {
  readonly label: string;

  constructor(
    readonly root: string,
    /** The registry's directory inside the repository ('' at the top). */
    readonly prefix: string,
    readonly rev: string,
    readonly commit: string,
  ) {
    this.label = `revision ${rev} (${commit.slice(0, 12)})`;
  }

  static async open(root: string, rev: string): Promise<GitRevisionSource> {
    const r = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { allowFail: true });
    const commit = r.stdout.toString('utf8').trim();
    if (/not a git repository/i.test(r.stderr)) {
      throw new ModelregError('registry-not-found', `${root} is not inside a Git repository, so --at/--base cannot read "${rev}"`, { hint: 'Run `git init` and commit, or drop --at to read the work tree.' });
    }
    if (r.code !== 0 || !commit) {
      throw new ModelregError('revision-not-found', `"${rev}" is not a commit, branch or tag of ${root}`, { hint: 'Check the name with `git log --oneline`, or fetch it first.' });
    }
    const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim().replace(/\/$/, '');
    return new GitRevisionSource(root, prefix, rev, commit);
  }

  async files(scope?: ReadScope): Promise<TreeFile[]> {
    const tree = `${this.commit}:${this.prefix}`;
    const ls = await git(this.root, ['ls-tree', '-r', '-z', '-l', '--full-tree', tree, '--', ...scopePaths(scope)], { allowFail: true });
    if (ls.code !== 0) {
      // No registry at that revision (the directory did not exist yet): an empty tree, reported by validation.
      if (/not a tree object|Not a valid object name/.test(ls.stderr)) return [];
      throw new ModelregError('git-failed', `git ls-tree failed: ${ls.stderr.trim()}`);
    }
    const entries = parseLsTree(ls.stdout);
    const wanted = entries.filter((e) => e.type === 'file' && (e.size ?? 0) <= DEFAULT_YAML_LIMITS.maxBytes);
    const blobs = await readBlobs(this.root, [...new Set(wanted.map((e) => e.oid!))]);
    for (const e of wanted) e.text = blobs.get(e.oid!)?.toString('utf8');
    return entries;
  }
}

/** Parse `git ls-tree -r -z -l` output: "<mode> <type> <oid> <size>\t<path>\0". */
export function parseLsTree(out: Buffer): TreeFile[] {
  const files: TreeFile[] = [];
  for (const rec of out.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, , oid, size] = rec.slice(0, tab).split(/ +/) as [string, string, string, string];
    const path = rec.slice(tab + 1);
    const type = mode === '120000' ? 'symlink' : mode === '160000' ? 'submodule' : 'file';
    files.push({ path, type, oid, ...(type === 'file' ? { size: Number(size) } : {}) });
  }
  return files;
}

/**
 * The work tree as it is now, uncommitted changes included. Synchronous reads: measured 4–6× faster
 * than fs.promises with a pool for many small files on these machines.
 */
export class WorkTreeSource implements RegistrySource {
  readonly label = 'work tree';
  constructor(readonly root: string) {}

  async files(scope?: ReadScope): Promise<TreeFile[]> {
    const out: TreeFile[] = [];
    for (const p of scopePaths(scope)) this.walk(p, out);
    return out;
  }

  private walk(rel: string, out: TreeFile[]): void {
    const abs = join(this.root, rel);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      return;
    }
    if (st.isSymbolicLink()) {
      out.push({ path: rel, type: 'symlink' });
      return;
    }
    if (st.isDirectory()) {
      if (rel !== MODELS_DIR && existsSync(join(abs, '.git'))) {
        out.push({ path: rel, type: 'submodule' });
        return;
      }
      for (const name of readdirSync(abs).sort()) this.walk(`${rel}/${name}`, out);
      return;
    }
    if (!st.isFile()) return;
    const file: TreeFile = { path: rel, type: 'file', size: st.size };
    if (st.size <= DEFAULT_YAML_LIMITS.maxBytes) file.text = readFileSync(abs, 'utf8');
    out.push(file);
  }
}
