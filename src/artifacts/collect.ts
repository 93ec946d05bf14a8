/**
 * Turning the files and directories a user names into artifact entries: each file gets its path relative
 * to the directory given (or its base name). Symbolic links inside a directory are followed, as
 * `aws s3 sync` does and as Hugging Face cache snapshots need (they are made of links into a blob
 * directory beside them), but each link is reported, and one whose target lies outside the directory is
 * worth a look (a link to ~/.ssh would be uploaded too); with followSymlinks: false they are refused. A
 * loop is an error, as is a name given twice.
 */
import { unreadableReason } from './unreadable.js';
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { ModelregError } from '../registry/errors.js';

export interface SourceFile {
  /** Path inside the version, / separated. */
  path: string;
  /** Where the bytes are on disk. */
  abs: string;
  size: number;
  /** Set when the file was reached through a symbolic link inside a registered directory. */
  via?: SymlinkSeen;
}

export interface SymlinkSeen {
  /** The link's path inside the version. */
  link: string;
  /** What it points at, as written in the link. */
  target: string;
  /** Whether the target lies outside the directory being registered. */
  outside: boolean;
}

export interface CollectOptions {
  /** Follow symbolic links inside directories (the default), or refuse them. */
  followSymlinks?: boolean;
  /** Keep the editor, OS and Python litter (SKIP) too: an import copies a version exactly. */
  everything?: boolean;
}

const SKIP = new Set(['.git', '.DS_Store', '__pycache__', '.ipynb_checkpoints']);

export function collectFiles(inputs: string[], cwd = process.cwd(), options: CollectOptions = {}): SourceFile[] {
  const out: SourceFile[] = [];
  const seen = new Map<string, string>();
  const refused: string[] = [];
  const add = (path: string, abs: string, size: number, via?: SymlinkSeen) => {
    const key = path.toLowerCase();
    const prior = seen.get(key);
    if (prior !== undefined)
      throw new ModelregError('rejected', `two files would be stored as "${path}": ${prior} and ${abs}`, {
        hint: 'Give them different names, or register them from one directory.',
      });
    seen.set(key, abs);
    out.push({ path, abs, size, ...(via ? { via } : {}) });
  };
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    const st = statOrThrow(abs);
    if (st.isFile()) add(basename(abs), abs, st.size);
    else if (st.isDirectory()) {
      const top = realpathSync(abs);
      walk(abs, '', new Set([top]), add, { top, follow: options.followSymlinks !== false, refused, skip: options.everything ? new Set() : SKIP });
    } else throw new ModelregError('artifact-unreadable', `${input} is neither a file nor a directory`);
  }
  if (refused.length) {
    throw new ModelregError(
      'rejected',
      `${refused.length} symbolic link(s) in what is registered, and links are not followed: ${refused.slice(0, 5).join(', ')}${refused.length > 5 ? ', …' : ''}`,
      { hint: 'Replace them with the files, or register without --no-follow-symlinks.' },
    );
  }
  if (out.length === 0) throw new ModelregError('rejected', 'no files to register', { hint: 'Name files or directories of artifacts.' });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface WalkContext {
  /** The real path of the directory the user named. */
  top: string;
  follow: boolean;
  refused: string[];
  /** Names left out (SKIP), unless the caller wants everything. */
  skip: ReadonlySet<string>;
}

function walk(
  dir: string,
  rel: string,
  ancestors: Set<string>,
  add: (path: string, abs: string, size: number, via?: SymlinkSeen) => void,
  ctx: WalkContext,
  via?: SymlinkSeen,
): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new ModelregError('artifact-unreadable', `cannot read the directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const name of names) {
    if (ctx.skip.has(name)) continue;
    const abs = join(dir, name);
    const path = rel ? `${rel}/${name}` : name;
    let seen = via;
    if (lstatSync(abs).isSymbolicLink()) {
      if (!ctx.follow) {
        ctx.refused.push(`${path} -> ${readlinkSync(abs)}`);
        continue;
      }
      const real = realpathOrThrow(abs);
      seen = { link: path, target: readlinkSync(abs), outside: real !== ctx.top && !real.startsWith(ctx.top + sep) };
    }
    const st = statOrThrow(abs);
    if (st.isDirectory()) {
      const real = realpathSync(abs);
      if (ancestors.has(real)) throw new ModelregError('artifact-unreadable', `${abs} is a symbolic link loop (it leads back to ${real})`);
      walk(abs, path, new Set([...ancestors, real]), add, ctx, seen);
    } else if (st.isFile()) add(path, abs, st.size, seen);
  }
}

function realpathOrThrow(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    statOrThrow(abs); // says why: dangling, a loop, no permission
    throw new ModelregError('artifact-unreadable', `${abs} cannot be resolved`);
  }
}

function statOrThrow(abs: string) {
  try {
    return statSync(abs);
  } catch (e) {
    throw new ModelregError('artifact-unreadable', `${abs} ${unreadableReason(e, 'does not exist (or is a dangling link)')}`);
  }
}
