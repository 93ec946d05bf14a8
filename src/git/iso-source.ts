/**
 * Reading a revision with isomorphic-git, for where no git binary exists (a slim container, a serverless
 * Node service using the library API). It is ~20× slower than `git cat-file --batch` on big trees, so
 * it is the fallback, never the default. It resolves branch and tag names and (abbreviated) commit ids;
 * revision expressions such as HEAD~2 need the git binary.
 */
import * as fs from 'node:fs';
import { relative, sep } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { MODELS_DIR, POLICY_FILE } from '../registry/layout.js';
import type { TreeFile } from '../registry/snapshot.js';
import { DEFAULT_YAML_LIMITS } from '../schema/parsed.js';
import type { ReadScope, RegistrySource } from './sources.js';

type IsoGit = typeof import('isomorphic-git');

export class IsoRevisionSource implements RegistrySource {
  readonly label: string;

  private constructor(
    private readonly iso: IsoGit,
    readonly root: string,
    private readonly gitRoot: string,
    private readonly prefix: string,
    readonly rev: string,
    readonly commit: string,
  ) {
    this.label = `revision ${rev} (${commit.slice(0, 12)})`;
  }

  static async open(root: string, rev: string): Promise<IsoRevisionSource> {
    const iso = (await import('isomorphic-git')).default as unknown as IsoGit;
    let gitRoot: string;
    try {
      gitRoot = await iso.findRoot({ fs, filepath: root });
    } catch {
      throw new ModelregError('registry-not-found', `${root} is not inside a Git repository`, { hint: 'Run `git init`, or drop --at to read the work tree.' });
    }
    const prefix = relative(gitRoot, root).split(sep).join('/');
    let commit: string | undefined;
    try {
      commit = await iso.resolveRef({ fs, dir: gitRoot, ref: rev });
    } catch {
      if (/^[0-9a-f]{4,64}$/.test(rev)) commit = await iso.expandOid({ fs, dir: gitRoot, oid: rev }).catch(() => undefined);
    }
    if (!commit) throw new ModelregError('revision-not-found', `"${rev}" is not a branch, tag or commit of ${gitRoot}`);
    // Peel annotated tags to their commit.
    for (let i = 0; i < 8; i++) {
      const obj = await iso.readObject({ fs, dir: gitRoot, oid: commit });
      if (obj.type === 'commit') break;
      if (obj.type !== 'tag') throw new ModelregError('revision-not-found', `"${rev}" does not name a commit`);
      commit = (obj.object as { object: string }).object;
    }
    return new IsoRevisionSource(iso, root, gitRoot, prefix, rev, commit);
  }

  /** isomorphic-git reads blobs one by one anyway, so listing reads every text too. */
  list(scope?: ReadScope): Promise<TreeFile[]> {
    return this.files(scope);
  }

  async read(): Promise<void> {}

  readTextSync(file: TreeFile): string {
    return file.text ?? '';
  }

  async files(scope?: ReadScope): Promise<TreeFile[]> {
    const out: TreeFile[] = [];
    const tops = scope?.models ? [POLICY_FILE, ...scope.models.map((m) => `${MODELS_DIR}/${m}`)] : [POLICY_FILE, MODELS_DIR];
    const { tree } = await this.iso
      .readTree({ fs, dir: this.gitRoot, oid: this.commit, ...(this.prefix ? { filepath: this.prefix } : {}) })
      .catch(() => ({ tree: [] }));
    const rootEntries = new Map(tree.map((e) => [e.path, e]));
    for (const top of tops) {
      const parts = top.split('/');
      let entry = rootEntries.get(parts[0]!);
      for (const part of parts.slice(1)) {
        if (!entry || entry.type !== 'tree') {
          entry = undefined;
          break;
        }
        const sub = await this.iso.readTree({ fs, dir: this.gitRoot, oid: entry.oid });
        entry = sub.tree.find((e) => e.path === part);
      }
      if (entry) await this.visit(top, entry, out);
    }
    return out;
  }

  private async visit(path: string, entry: { mode: string; oid: string; type: string }, out: TreeFile[]): Promise<void> {
    if (entry.mode === '120000') return void out.push({ path, type: 'symlink', oid: entry.oid });
    if (entry.type === 'commit') return void out.push({ path, type: 'submodule', oid: entry.oid });
    if (entry.type === 'tree') {
      const { tree } = await this.iso.readTree({ fs, dir: this.gitRoot, oid: entry.oid });
      for (const e of tree) await this.visit(`${path}/${e.path}`, e, out);
      return;
    }
    const { blob } = await this.iso.readBlob({ fs, dir: this.gitRoot, oid: entry.oid });
    const file: TreeFile = { path, type: 'file', oid: entry.oid, size: blob.byteLength };
    if (blob.byteLength <= DEFAULT_YAML_LIMITS.maxBytes) file.text = Buffer.from(blob).toString('utf8');
    out.push(file);
  }
}
