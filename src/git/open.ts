/** Finding the registry and choosing how to read it. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { POLICY_FILE } from '../registry/layout.js';
import { GitRevisionSource, WorkTreeSource, type RegistrySource } from './sources.js';

/** The registry root: --registry, else MODELREG_REGISTRY, else the nearest directory upward holding registry.yaml. */
export function findRegistryRoot(explicit?: string, cwd = process.cwd()): string {
  const given = explicit ?? process.env.MODELREG_REGISTRY;
  if (given) {
    const dir = resolve(cwd, given);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new ModelregError('registry-not-found', `${dir} is not a directory`, {
        hint: 'Pass --registry <dir> with the directory that holds registry.yaml.',
      });
    }
    return dir;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, POLICY_FILE))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new ModelregError('registry-not-found', `no ${POLICY_FILE} in ${resolve(cwd)} or any directory above it`, {
    hint: 'Run inside a registry, pass --registry <dir>, or create one with `modelreg init`.',
  });
}

/** The work tree when `at` is absent; otherwise that revision, through the git binary or, without one, isomorphic-git. */
export async function openSource(root: string, at?: string): Promise<RegistrySource> {
  if (at === undefined) return new WorkTreeSource(root);
  try {
    return await GitRevisionSource.open(root, at);
  } catch (e) {
    if (e instanceof ModelregError && e.code === 'git-missing') return (await import('./iso-source.js')).IsoRevisionSource.open(root, at);
    throw e;
  }
}
