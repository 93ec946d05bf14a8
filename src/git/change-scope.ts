/**
 * Which models a change between two commits touches, from Git's tree diff (milliseconds, whatever the
 * registry's size), so a pull request is judged by reading what it changed rather than the whole tree.
 */
import { MODELS_DIR, POLICY_FILE, modelDirOf } from '../registry/layout.js';
import { git } from './run.js';
import { GitRevisionSource, type ReadScope, type RegistrySource } from './sources.js';

/**
 * The models whose directories differ between `base` and `head`, plus those whose names differ from
 * one of them only by letter case (a case collision is a finding between two models). Undefined when
 * the whole registry must be read: either side is not a Git revision of the same registry, or the
 * policy (registry.yaml) changed, which can change the verdict on every model.
 */
export async function changeScope(base: RegistrySource, head: RegistrySource): Promise<ReadScope | undefined> {
  if (!(base instanceof GitRevisionSource && head instanceof GitRevisionSource) || base.root !== head.root || base.prefix !== head.prefix) return undefined;
  const at = (p: string) => (base.prefix ? `${base.prefix}/${p}` : p);
  const diff = await git(base.root, ['diff-tree', '-r', '-z', '--name-only', '--no-renames', base.commit, head.commit, '--', at(POLICY_FILE), at(MODELS_DIR)], {
    allowFail: true,
  });
  if (diff.code !== 0) return undefined;
  const strip = base.prefix ? base.prefix.length + 1 : 0;
  const changed = diff.stdout
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((p) => p.slice(strip));
  if (changed.includes(POLICY_FILE)) return undefined;
  const models = new Set(changed.map(modelDirOf).filter((m): m is string => m !== undefined));
  if (models.size === 0) return { models: [] };
  for (const source of [base, head]) for (const name of await withCaseFellows(source, models)) models.add(name);
  return { models: [...models].sort() };
}

/** `names`, plus the model directories at this revision whose names differ from one of them only by letter case. */
export async function withCaseFellows(source: GitRevisionSource, names: Iterable<string>): Promise<string[]> {
  const out = new Set(names);
  const folded = new Set([...out].map((m) => m.toLowerCase()));
  const dir = source.prefix ? `${source.prefix}/${MODELS_DIR}` : MODELS_DIR;
  const ls = await git(source.root, ['ls-tree', '-z', '--name-only', `${source.commit}:${dir}`], { allowFail: true });
  if (ls.code === 0) for (const name of ls.stdout.toString('utf8').split('\0')) if (name && folded.has(name.toLowerCase())) out.add(name);
  return [...out];
}
