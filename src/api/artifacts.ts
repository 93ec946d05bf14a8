/** Getting bytes back (pull), checking them (verify) and collecting what nothing references (gc). */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../artifacts/open.js';
import { mapLimited } from '../artifacts/parallel.js';
import { FILES_AT_ONCE, progressOfMany } from './transfers.js';
import type { VerifyResult } from '../artifacts/store.js';
import { globToRegExp } from '../changes/artifact-kinds.js';
import { ModelregError } from '../registry/errors.js';
import { isSafeRelativePath } from '../registry/names.js';
import { parseRef } from '../registry/refs.js';
import type { ProgressReporter } from '../cli/progress.js';
import type { Registry } from './registry.js';

export interface PulledFile {
  path: string;
  sha256: string;
  size: number;
  dest: string;
}

/**
 * Why bytes may be missing, and what to do. The embedded default store is a directory in the clone that
 * registered the version: a teammate's clone has the manifest (it came with Git) but not the bytes.
 */
export function missingHint(storeUri: string, root: string): string {
  if (storeUri.startsWith('file://')) {
    const dir = fileURLToPath(storeUri);
    const inClone = dir === root || dir.startsWith(`${root}${sep}`);
    if (inClone) {
      return `The store is a local directory inside this clone (${dir}): it holds only what was registered from this clone, and this version was registered elsewhere. Manifests travel with Git; bytes do not. Give the registry a store every clone can reach — s3://<bucket>/<prefix>, or a shared file:// path — as artifacts.store in registry.yaml (or --store / MODELREG_STORE), and register the versions there. \`modelreg verify\` lists every missing artifact.`;
    }
  }
  return 'Run `modelreg verify` to see every missing artifact; register the files again to put them back.';
}

export async function pull(
  reg: Registry,
  reference: string,
  options: { out?: string; only?: string[]; store?: string; progress?: ProgressReporter } = {},
): Promise<{ ref: string; version: string; dir: string; files: PulledFile[] }> {
  const r = await reg.resolve(reference);
  const store = options.store ? await openStore(options.store) : await reg.openStore();
  const dir = resolve(options.out ?? `${r.model}-${r.version}`);
  const only = options.only?.map(globToRegExp);
  const wanted = r.artifacts.filter((a) => !only || only.some((g) => g.test(a.path)));
  if (wanted.length === 0) throw new ModelregError('rejected', `no artifact of ${r.model}@${r.version} matches ${options.only?.join(', ')}`);
  // A manifest is input like any other: a path that could climb out of the target directory is refused.
  const unsafe = wanted.find((a) => !isSafeRelativePath(a.path));
  if (unsafe)
    throw new ModelregError('registry-invalid', `artifact path ${JSON.stringify(unsafe.path)} of ${r.model}@${r.version} is not a safe relative path`, {
      file: r.file,
      hint: 'Run `modelreg validate`.',
    });
  // Check every object first, so a missing or corrupt one stops the pull before anything is written.
  const infos = await mapLimited(wanted, FILES_AT_ONCE, async (a) => {
    const info = await store.stat(a.sha256);
    if (!info) throw new ModelregError('artifact-missing', `${a.path} (${a.sha256}) is missing from ${store.uri}`, { hint: missingHint(store.uri, reg.root) });
    if (info.size !== a.size)
      throw new ModelregError('artifact-corrupt', `${a.path} is ${info.size} bytes in the store; the manifest says ${a.size}`, {
        hint: 'The stored object is damaged: delete it from the store, then register the original file again. `modelreg verify` lists every damaged object.',
      });
    return info;
  });
  // Download everything into a staging directory first; only when every file has been verified are they
  // moved into place, so a corrupt object leaves the target as it was.
  const staging = join(dir, `.modelreg-pull-${process.pid}-${Date.now()}`);
  const files: PulledFile[] = [];
  try {
    const tick = progressOfMany(options.progress, wanted.length === 1 ? `pulling ${wanted[0]!.path}` : `pulling ${wanted.length} files`, wanted);
    // Several files at once (a model of many small files is otherwise a round trip each); the store
    // bounds its own requests in flight across all of them.
    await mapLimited(wanted, FILES_AT_ONCE, (a, i) =>
      store.getFile(a.sha256, join(staging, ...a.path.split('/')), { known: infos[i]!, ...(tick ? { progress: tick(i) } : {}) }),
    );
    options.progress?.done();
    for (const a of wanted) {
      const dest = join(dir, ...a.path.split('/'));
      await mkdir(dirname(dest), { recursive: true });
      await rename(join(staging, ...a.path.split('/')), dest);
      files.push({ path: a.path, sha256: a.sha256, size: a.size, dest });
    }
  } finally {
    options.progress?.done();
    await rm(staging, { recursive: true, force: true });
  }
  return { ref: r.ref, version: r.version, dir, files };
}

export interface VerifyReport {
  ok: boolean;
  objects: number;
  bytes: number;
  problems: (VerifyResult & { ok: false; refs: string[] })[];
}

/** Every referenced artifact present with its size and hash, read with bounded concurrency. */
export async function verifyArtifacts(
  reg: Registry,
  reference: string | undefined,
  options: { store?: string; concurrency?: number } = {},
): Promise<VerifyReport> {
  const snap = reference ? await reg.snapshot({ models: [parseRef(reference).model] }) : await reg.snapshot();
  const versions = reference
    ? [(await reg.resolve(reference)).version].map((v) => snap.models.get(parseRef(reference).model)!.versions.get(v)!)
    : [...snap.models.values()].flatMap((m) => [...m.versions.values()]);
  const wanted = new Map<string, { size: number; refs: string[] }>();
  for (const v of versions) {
    for (const a of v.data.artifacts) {
      const w = wanted.get(a.sha256) ?? { size: a.size, refs: [] };
      w.refs.push(`${v.data.name}@${v.data.version}:${a.path}`);
      wanted.set(a.sha256, w);
    }
  }
  const store = await reg.openStore();
  const problems: VerifyReport['problems'] = [];
  let bytes = 0;
  await mapLimited([...wanted.entries()], options.concurrency ?? 4, async ([sha, w]) => {
    const r = await store.verify(sha, w.size);
    if (r.ok) bytes += r.size;
    else problems.push({ ...r, refs: w.refs });
  });
  problems.sort((a, b) => a.sha256.localeCompare(b.sha256));
  return { ok: problems.length === 0, objects: wanted.size, bytes, problems };
}
