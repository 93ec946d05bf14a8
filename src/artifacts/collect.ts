/**
 * Turning the files and directories a user names into artifact entries: each file gets its path relative
 * to the directory given (or its base name). Symbolic links are followed (Hugging Face caches are made of
 * them) but a loop is an error, as is a name given twice.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ModelregError } from '../registry/errors.js';

export interface SourceFile {
  /** Path inside the version, / separated. */
  path: string;
  /** Where the bytes are on disk. */
  abs: string;
  size: number;
}

const SKIP = new Set(['.git', '.DS_Store', '__pycache__', '.ipynb_checkpoints']);

/** With `everything`, the editor, OS and Python litter (SKIP) is kept too: an import copies a version exactly. */
export function collectFiles(inputs: string[], cwd = process.cwd(), options: { everything?: boolean } = {}): SourceFile[] {
  const out: SourceFile[] = [];
  const seen = new Map<string, string>();
  const add = (path: string, abs: string, size: number) => {
    const key = path.toLowerCase();
    const prior = seen.get(key);
    if (prior !== undefined) throw new ModelregError('usage', `two files would be stored as "${path}": ${prior} and ${abs}`, { hint: 'Give them different names, or register them from one directory.', exitCode: 1 });
    seen.set(key, abs);
    out.push({ path, abs, size });
  };
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    const st = statOrThrow(abs);
    if (st.isFile()) add(basename(abs), abs, st.size);
    else if (st.isDirectory()) walk(abs, '', new Set([realpathSync(abs)]), add, options.everything ? new Set() : SKIP);
    else throw new ModelregError('artifact-unreadable', `${input} is neither a file nor a directory`, { exitCode: 1 });
  }
  if (out.length === 0) throw new ModelregError('usage', 'no files to register', { hint: 'Name files or directories of artifacts.', exitCode: 1 });
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function walk(dir: string, rel: string, ancestors: Set<string>, add: (path: string, abs: string, size: number) => void, skip: ReadonlySet<string>): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new ModelregError('artifact-unreadable', `cannot read the directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { exitCode: 1 });
  }
  for (const name of names) {
    if (skip.has(name)) continue;
    const abs = join(dir, name);
    const path = rel ? `${rel}/${name}` : name;
    const st = statOrThrow(abs);
    if (st.isDirectory()) {
      const real = realpathSync(abs);
      if (ancestors.has(real)) throw new ModelregError('artifact-unreadable', `${abs} is a symbolic link loop (it leads back to ${real})`, { exitCode: 1 });
      walk(abs, path, new Set([...ancestors, real]), add, skip);
    } else if (st.isFile()) add(path, abs, st.size);
  }
}

function statOrThrow(abs: string) {
  try {
    return statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist (or is a dangling link)' : code === 'ELOOP' ? 'is a symbolic link loop' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
    throw new ModelregError('artifact-unreadable', `${abs} ${why}`, { exitCode: 1 });
  }
}
