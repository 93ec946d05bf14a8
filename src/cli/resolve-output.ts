/** What `modelreg resolve` answers, shared by the oclif command and the fast path (cli/fast-path.ts). */
import type { ResolvedVersion } from '../api/registry.js';
import { ModelregError } from '../registry/errors.js';
import { openRegistry, type RegistryFlags } from './registry-flags.js';
import { table } from './report.js';

export interface ResolveFlags extends RegistryFlags {
  prerelease?: boolean;
  presign?: boolean;
  expires?: number;
  key?: string;
}

type Located = ResolvedVersion['artifacts'][number] & { url?: string };

/** A resolved version whose artifacts (and its split's) carry a presigned URL with --presign. */
export type Resolution = Omit<ResolvedVersion, 'artifacts' | 'arms'> & {
  artifacts: Located[];
  arms?: (Omit<NonNullable<ResolvedVersion['arms']>[number], 'artifacts'> & { artifacts: Located[] })[];
};

/** The version a reference names, with its artifacts: resolve's result (its --json). */
export async function resolveResult(ref: string, flags: ResolveFlags): Promise<Resolution> {
  const reg = await openRegistry(flags);
  const r: Resolution = await reg.resolve(ref, { prerelease: !!flags.prerelease, ...(flags.key !== undefined ? { key: flags.key } : {}) });
  if (flags.presign) {
    const store = await reg.openStore();
    if (!store.presign) throw new ModelregError('precondition', `--presign needs an S3 store; ${store.uri} is not one`);
    for (const a of [...r.artifacts, ...(r.arms ?? []).flatMap((arm) => arm.artifacts)]) a.url = await store.presign(a.sha256, flags.expires ?? 3600);
  }
  return r;
}

/** The version line, the split (if the stage has one) and the artifact table. */
export function resolveText(r: Resolution): string {
  const assigned = r.assignment
    ? `  arm of ${r.stage} at ${r.assignment.weight}% for key ${JSON.stringify(r.assignment.key)} (bucket ${r.assignment.bucket})`
    : '';
  const arms = r.arms?.map((a) => (a.shadow ? `${a.version} shadow` : `${a.version} ${a.weight}%`)).join(', ');
  return (
    `${r.model}@${r.version}${r.stages.length ? `  (${r.stages.join(', ')})` : ''}${r.deprecated ? '  DEPRECATED' : ''}${assigned}\n` +
    (arms ? `split of ${r.stage}: ${arms}\n` : '') +
    table([['PATH', 'SIZE', 'SHA256', 'URI'], ...r.artifacts.map((a) => [a.path, String(a.size), a.sha256, a.url ?? a.uri])])
  );
}
