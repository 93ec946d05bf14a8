/**
 * Where a snapshot's files come from: a Git revision (read from objects, never a checkout) or the work
 * tree with its uncommitted changes. Both report symlinks and submodules as such and never follow them.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { MODELS_DIR, POLICY_FILE } from '../registry/layout.js';
import type { TreeFile } from '../registry/snapshot.js';
import { DEFAULT_YAML_LIMITS } from '../schema/parsed.js';
import { git, GIT_ENV, readBlobs } from './run.js';
import { isReflogForm, parseMoment } from '../registry/moments.js';

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
  /** The remote it is read from (`--remote`), as messages may show it: without credentials. */
  readonly remote?: string;
  /** Every entry with its text. */
  files(scope?: ReadScope): Promise<TreeFile[]>;
  /**
   * Every entry, with its Git blob id where that is cheaper to learn than the text; texts only where
   * listing had to read them anyway.
   */
  list(scope?: ReadScope): Promise<TreeFile[]>;
  /** Read the texts of these files, setting `oid` where it was unknown (or no longer matched the bytes). */
  read(files: TreeFile[]): Promise<void>;
  /** One listed file's text, now: for the rare line a finding on a cached parse needs. */
  readTextSync(file: TreeFile): string;
  /** When the revision was named by a moment (`--at 2026-11-01`): the commit that answered for it. */
  readonly asOf?: { moment: string; commit: string; date: string; subject: string; branch: string };
}

/** Git's id of a blob with these bytes: what the index and trees record for the same file. */
function blobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export function scopePaths(scope: ReadScope | undefined): string[] {
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

  /** Set when the revision was named by a moment (`--at 2026-11-01`): which commit answered for it. */
  asOf?: { moment: string; commit: string; date: string; subject: string; branch: string };

  static async open(root: string, rev: string): Promise<GitRevisionSource> {
    if (isReflogForm(rev)) {
      throw new ModelregError('usage', `"${rev}" is a reflog form: it answers from this clone's local reflog, which a fresh clone does not have`, {
        hint: 'Name a date or time instead, e.g. --at 2026-11-01 or --at 2026-11-01T12:00:00Z: the last commit at or before it on the current branch.',
      });
    }
    const moment = parseMoment(rev);
    if (moment && !(await isRefName(root, rev))) return GitRevisionSource.asOf(root, rev, moment);
    const r = await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { allowFail: true });
    const commit = r.stdout.toString('utf8').trim();
    if (/not a git repository/i.test(r.stderr)) {
      throw new ModelregError('registry-not-found', `${root} is not inside a Git repository, so --at/--base cannot read "${rev}"`, {
        hint: 'Run `git init` and commit, or drop --at to read the work tree.',
      });
    }
    if (r.code !== 0 || !commit) {
      throw new ModelregError('revision-not-found', `"${rev}" is not a commit, branch or tag of ${root}`, {
        hint: 'Check the name with `git log --oneline`, or fetch it first.',
      });
    }
    const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim().replace(/\/$/, '');
    return new GitRevisionSource(root, prefix, rev, commit);
  }

  /** The registry as it stood at `moment`: the last commit at or before it on the current branch's first-parent history. */
  private static async asOf(root: string, text: string, moment: string): Promise<GitRevisionSource> {
    const branch = (await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true })).stdout.toString('utf8').trim() || 'HEAD';
    const r = await git(root, ['log', '--first-parent', '-1', `--before=${moment}`, '--format=%H%x1f%cI%x1f%s', 'HEAD', '--'], { allowFail: true });
    if (/not a git repository/i.test(r.stderr))
      throw new ModelregError('registry-not-found', `${root} is not inside a Git repository, so --at cannot read "${text}"`);
    const [commit, date, subject] = r.stdout.toString('utf8').trim().split('\x1f');
    if (r.code !== 0 || !commit) {
      const shallow = (await git(root, ['rev-parse', '--is-shallow-repository'], { allowFail: true })).stdout.toString('utf8').trim() === 'true';
      const first = (await git(root, ['log', '--first-parent', '--reverse', '--format=%cI', 'HEAD'], { allowFail: true })).stdout
        .toString('utf8')
        .split('\n')[0];
      throw new ModelregError(
        'revision-not-found',
        `${branch} has no commit at or before ${moment}${first ? `; its ${shallow ? 'earliest commit in this shallow clone' : 'first commit'} is from ${first}` : ''}`,
        {
          hint: shallow ? 'This clone is shallow and does not reach that far back: git fetch --unshallow, then ask again.' : 'Ask about a later moment.',
        },
      );
    }
    const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim().replace(/\/$/, '');
    const source = new GitRevisionSource(root, prefix, commit, commit);
    source.asOf = { moment, commit, date: date ?? '', subject: subject ?? '', branch };
    return source;
  }

  async files(scope?: ReadScope): Promise<TreeFile[]> {
    const entries = await this.list(scope);
    await this.read(entries);
    return entries;
  }

  async list(scope?: ReadScope): Promise<TreeFile[]> {
    const tree = `${this.commit}:${this.prefix}`;
    // ls-tree matches its paths as prefixes, never as globs: a directory named `*` is only itself (scale.test.ts).
    const ls = await git(this.root, ['ls-tree', '-r', '-z', '-l', '--full-tree', tree, '--', ...scopePaths(scope)], { allowFail: true });
    if (ls.code !== 0) {
      // No registry at that revision (the directory did not exist yet): an empty tree, reported by validation.
      if (/not a tree object|Not a valid object name/.test(ls.stderr)) return [];
      throw new ModelregError('git-failed', `git ls-tree failed: ${ls.stderr.trim()}`);
    }
    return parseLsTree(ls.stdout);
  }

  readTextSync(file: TreeFile): string {
    return file.text ?? execFileSync('git', ['cat-file', 'blob', file.oid!], { cwd: this.root, env: GIT_ENV, maxBuffer: 1 << 26 }).toString('utf8');
  }

  async read(files: TreeFile[]): Promise<void> {
    const wanted = files.filter((e) => e.type === 'file' && e.text === undefined && (e.size ?? 0) <= DEFAULT_YAML_LIMITS.maxBytes);
    const blobs = await readBlobs(this.root, [...new Set(wanted.map((e) => e.oid!))]);
    for (const e of wanted) e.text = blobs.get(e.oid!)?.toString('utf8');
  }
}

/** Whether `name` is a branch or tag (a tag named like a date is read as the tag, not as a moment). */
async function isRefName(root: string, name: string): Promise<boolean> {
  const r = await git(root, ['show-ref', '--verify', '--quiet', `refs/heads/${name}`], { allowFail: true });
  if (r.code === 0) return true;
  return (await git(root, ['show-ref', '--verify', '--quiet', `refs/tags/${name}`], { allowFail: true })).code === 0;
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
 *
 * Listing the whole tree does not read every file: for a file Git's index holds and `git diff-files`
 * does not report as changed, the index already knows the blob id (Git's own stat check, the one
 * `git status` trusts), so a parse cache can answer without the bytes. Everything else — changed,
 * untracked, or outside a repository — is read and hashed.
 */
export class WorkTreeSource implements RegistrySource {
  readonly label = 'work tree';
  constructor(readonly root: string) {}

  async files(scope?: ReadScope): Promise<TreeFile[]> {
    const out: TreeFile[] = [];
    for (const p of scopePaths(scope)) this.walk(p, out, undefined);
    return out;
  }

  async list(scope?: ReadScope): Promise<TreeFile[]> {
    // A few models: reading them costs less than asking Git.
    const known = scope?.models ? undefined : await this.indexedBlobIds();
    const out: TreeFile[] = [];
    for (const p of scopePaths(scope)) this.walk(p, out, known);
    return out;
  }

  async read(files: TreeFile[]): Promise<void> {
    for (const f of files) if (f.type === 'file' && f.text === undefined) this.readInto(f);
  }

  readTextSync(file: TreeFile): string {
    return file.text ?? readRegularFile(join(this.root, file.path))?.bytes?.toString('utf8') ?? '';
  }

  /** Blob ids of the files under the registry that the index holds and that are unchanged on disk. */
  private async indexedBlobIds(): Promise<Map<string, string> | undefined> {
    const where = ['--', POLICY_FILE, MODELS_DIR];
    const [staged, changed] = await Promise.all([
      git(this.root, ['ls-files', '--stage', '-z', ...where], { allowFail: true }),
      git(this.root, ['diff-files', '--name-only', '-z', '--relative', ...where], { allowFail: true }),
    ]).catch(() => [undefined, undefined]);
    if (!staged || !changed || staged.code !== 0 || changed.code !== 0) return undefined;
    const dirty = new Set(changed.stdout.toString('utf8').split('\0'));
    const ids = new Map<string, string>();
    for (const rec of staged.stdout.toString('utf8').split('\0')) {
      // "<mode> <oid> <stage>\t<path>"; only regular files at stage 0 (no merge conflict in progress).
      const tab = rec.indexOf('\t');
      if (tab < 0 || !(rec.startsWith('100644 ') || rec.startsWith('100755 '))) continue;
      const path = rec.slice(tab + 1);
      if (rec.slice(tab - 2, tab) !== ' 0' || dirty.has(path)) continue;
      ids.set(path, rec.slice(7, rec.indexOf(' ', 7)));
    }
    return ids;
  }

  private walk(rel: string, out: TreeFile[], known: Map<string, string> | undefined): void {
    let st;
    try {
      st = lstatSync(join(this.root, rel));
    } catch {
      return;
    }
    if (st.isSymbolicLink()) out.push({ path: rel, type: 'symlink' });
    else if (st.isDirectory()) this.walkDir(rel, out, known);
    else if (st.isFile()) this.addFile(rel, out, known);
  }

  /**
   * Directory entries carry their type, so files need no lstat of their own; a directory holding a
   * `.git` entry is a nested repository (a submodule), never entered — models/ itself excepted.
   */
  private walkDir(rel: string, out: TreeFile[], known: Map<string, string> | undefined): void {
    const entries = readdirSync(join(this.root, rel), { withFileTypes: true });
    if (rel !== MODELS_DIR && entries.some((e) => e.name === '.git')) {
      out.push({ path: rel, type: 'submodule' });
      return;
    }
    for (const d of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const child = `${rel}/${d.name}`;
      if (d.isFile()) this.addFile(child, out, known);
      else if (d.isSymbolicLink()) out.push({ path: child, type: 'symlink' });
      else if (d.isDirectory()) this.walkDir(child, out, known);
    }
  }

  private addFile(rel: string, out: TreeFile[], known: Map<string, string> | undefined): void {
    const file: TreeFile = { path: rel, type: 'file' };
    const oid = known?.get(rel);
    if (oid) file.oid = oid;
    else this.readInto(file);
    out.push(file);
  }

  private readInto(f: TreeFile): void {
    const read = readRegularFile(join(this.root, f.path), DEFAULT_YAML_LIMITS.maxBytes);
    if (!read) return;
    f.size = read.size;
    if (!read.bytes) return;
    // The id of the bytes actually read: a file changed since the index was consulted gets its own.
    f.oid = blobId(read.bytes);
    f.text = read.bytes.toString('utf8');
  }
}

/**
 * A regular file's size and, up to `maxBytes`, its bytes; undefined when it is gone or is no longer a
 * regular file. O_NOFOLLOW: a file swapped for a symbolic link after the listing is not followed.
 */
function readRegularFile(abs: string, maxBytes = Infinity): { size: number; bytes?: Buffer } | undefined {
  let fd: number;
  try {
    fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    return st.size > maxBytes ? { size: st.size } : { size: st.size, bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}
