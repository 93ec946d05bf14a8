/**
 * The directory a site is written to. It must be new, empty, or a site modelreg wrote before (it holds
 * the marker file): anything else is refused before a byte is written, so a mistyped `-o` never
 * overwrites someone's files.
 *
 * The marker lists every file the site consists of with a key: a hash of what the file was made from
 * (for a model's data, of the cached facts it is built from; for the rest, of its content). A rebuild
 * writes a file only when its key changed or the file is missing, replacing it through a temporary file
 * and a rename (a reader sees the old file or the new, never half); it removes only files the marker
 * lists that the new site no longer has — a file someone put beside the site is left alone. The marker
 * is first rewritten as incomplete, and complete only at the end: after a build was killed, the next one
 * trusts no key and compares contents instead.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelregError } from '../registry/errors.js';

export const MARKER = '.modelreg-site.json';
const MARKER_FORMAT = 1;

interface Marker {
  generator: 'modelreg';
  format: number;
  complete: boolean;
  /** path → [key, size in bytes] */
  files: Record<string, [string, number]>;
  /** What the build remembers of how keys were made (the lineage's digest and each model's union hash). */
  memo?: Record<string, unknown>;
}

export class OutputDir {
  private readonly previous: Marker['files'];
  private readonly trusted: boolean;
  private readonly next: Marker['files'] = {};
  private readonly dirs = new Set<string>();
  private readonly memoIn: Record<string, unknown>;
  private readonly memoOut: Record<string, unknown> = {};
  readonly written: string[] = [];
  unchanged = 0;

  private constructor(
    readonly dir: string,
    previous: Marker | null,
    /** True when the directory was new or empty. */
    readonly fresh: boolean,
  ) {
    this.previous = previous?.files ?? {};
    this.trusted = !!previous?.complete;
    this.memoIn = (this.trusted && previous?.memo) || {};
  }

  /** What the last complete build remembered under `key` (see remember). */
  recall<T>(key: string): T | undefined {
    return this.memoIn[key] as T | undefined;
  }

  /** Keep a value in the marker for the next build. */
  remember(key: string, value: unknown): void {
    this.memoOut[key] = value;
  }

  /** Check the directory and claim it (the marker, as incomplete). `registry`: the registry root, which the site must not be written into. */
  static open(path: string, registry: string): OutputDir {
    const dir = resolve(path);
    const rel = relative(registry, dir);
    const first = rel.split(sep)[0]!;
    if (rel === '' || (within(rel) && ['models', '.git', '.modelreg'].includes(first))) {
      throw new ModelregError(
        'output-refused',
        `${dir} is ${rel === '' ? 'the registry itself' : `inside the registry's ${first}/`}; the site is not written there`,
        { hint: 'Choose a directory of its own, for example -o _site.' },
      );
    }
    if (within(relative(dir, registry))) {
      throw new ModelregError('output-refused', `${dir} holds the registry; the site is not written there`, {
        hint: 'Choose a directory of its own, for example -o _site.',
      });
    }
    let st;
    try {
      st = statSync(dir);
    } catch {
      st = undefined;
    }
    let previous: Marker | null = null;
    let fresh = true;
    if (st && !st.isDirectory())
      throw new ModelregError('output-refused', `${dir} is a file, not a directory; nothing was written`, {
        hint: 'Pass -o with a new or empty directory, or one holding a site modelreg wrote.',
      });
    if (st) {
      const entries = readdirSync(dir);
      if (entries.length > 0) {
        fresh = false;
        if (!entries.includes(MARKER)) {
          throw new ModelregError('output-refused', `${dir} is not empty and is not a site modelreg wrote (no ${MARKER}); nothing was written`, {
            hint: 'Pass -o with a new or empty directory. A directory modelreg wrote before can be written again; it keeps files others put beside the site.',
          });
        }
        previous = readMarker(join(dir, MARKER));
      }
    }
    mkdirSync(dir, { recursive: true });
    const out = new OutputDir(dir, previous, fresh);
    out.writeMarker(false, previous?.files ?? {});
    return out;
  }

  /**
   * The file at `path` (relative, / separated) is `content()`, made from inputs summarised by `key`.
   * Written only when needed; `content` is called only then.
   */
  put(path: string, key: string, content: () => string | Buffer | Buffer[]): void {
    const abs = this.abs(path);
    const before = this.previous[path];
    if (this.trusted && before && before[0] === key && sizeOf(abs) === before[1]) {
      this.next[path] = before;
      this.unchanged++;
      return;
    }
    const data = content();
    const parts = Array.isArray(data) ? data : [typeof data === 'string' ? Buffer.from(data) : data];
    const size = parts.reduce((n, b) => n + b.length, 0);
    // Over a site whose marker cannot be trusted, the file may already hold these bytes; a new directory holds nothing.
    if (!this.trusted && !this.fresh && sameBytes(abs, parts, size)) {
      this.next[path] = [key, size];
      this.unchanged++;
      return;
    }
    const dir = dirname(abs);
    if (!this.dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.dirs.add(dir);
    }
    // Into a new directory nobody reads yet, directly; over an existing site, through a rename.
    const target = this.fresh ? abs : `${abs}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const fd = openSync(target, 'w');
      try {
        writeAll(fd, parts, size);
      } finally {
        closeSync(fd);
      }
      if (target !== abs) renameSync(target, abs);
    } catch (e) {
      if (target !== abs) rmSync(target, { force: true });
      throw new ModelregError('output-refused', `cannot write ${abs}: ${(e as Error).message}`, {
        hint: 'Check the directory is writable and the disk has room; the site there is partly updated and the next run finishes it.',
        cause: e,
      });
    }
    this.next[path] = [key, size];
    this.written.push(path);
  }

  /** Remove what the previous site had and this one has not; mark the site complete. */
  finish(): { removed: string[]; bytes: number; files: number } {
    const removed: string[] = [];
    for (const path of Object.keys(this.previous)) {
      const abs = safeJoin(this.dir, path);
      if (Object.hasOwn(this.next, path) || !abs) continue;
      rmSync(abs, { force: true });
      removed.push(path);
    }
    this.writeMarker(true, this.next);
    const sizes = Object.values(this.next);
    return { removed, bytes: sizes.reduce((n, [, size]) => n + size, 0), files: sizes.length };
  }

  /** Every key of this build, in path order: changes whenever any file does. */
  keys(): string[] {
    return Object.keys(this.next)
      .sort()
      .map((p) => `${p}\0${this.next[p]![0]}`);
  }

  private abs(path: string): string {
    const abs = safeJoin(this.dir, path);
    if (!abs) throw new Error(`internal: unsafe site path ${path}`);
    return abs;
  }

  private writeMarker(complete: boolean, files: Marker['files']): void {
    const marker: Marker = { generator: 'modelreg', format: MARKER_FORMAT, complete, files, ...(complete ? { memo: this.memoOut } : {}) };
    const file = join(this.dir, MARKER);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(marker));
    renameSync(tmp, file);
  }
}

/** Whether a relative path (from path.relative) stays inside its base. */
function within(rel: string): boolean {
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** A marker's path under the directory, or undefined for one that would leave it (a tampered marker). */
function safeJoin(dir: string, path: string): string | undefined {
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\')) ? join(dir, ...path.split('/')) : undefined;
}

function readMarker(file: string): Marker {
  try {
    if (!lstatSync(file).isFile()) throw new Error('not a regular file');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Marker;
    if (m.generator !== 'modelreg' || typeof m.files !== 'object' || m.files === null) throw new Error('not a modelreg marker');
    // Another format: its keys mean something else; compare contents instead.
    return m.format === MARKER_FORMAT ? m : { ...m, complete: false };
  } catch (e) {
    throw new ModelregError('output-refused', `${file} is damaged (${(e as Error).message}); nothing was written`, {
      file,
      hint: 'If this directory holds only a site modelreg wrote, delete it and build again.',
    });
  }
}

function sizeOf(abs: string): number {
  try {
    const st = lstatSync(abs);
    return st.isFile() ? st.size : -1;
  } catch {
    return -1;
  }
}

function writeAll(fd: number, parts: Buffer[], size: number): void {
  const n = writevSync(fd, parts);
  // writev may write less than asked (rarely, for a regular file): write the rest.
  if (n < size) {
    const rest = Buffer.concat(parts).subarray(n);
    for (let off = 0; off < rest.length;) off += writeSync(fd, rest, off);
  }
}

function sameBytes(abs: string, parts: Buffer[], size: number): boolean {
  if (sizeOf(abs) !== size) return false;
  try {
    return readFileSync(abs).equals(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
  } catch {
    return false;
  }
}
