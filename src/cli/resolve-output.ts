/** What `modelreg resolve` prints, shared by the oclif command and the fast path (cli/fast-path.ts). */
import { ModelregError } from '../registry/errors.js';
import { openRegistry, type RegistryFlags } from './registry-flags.js';
import { table } from './report.js';
import { jsonText, printable } from './terminal.js';

export interface ResolveFlags extends RegistryFlags {
  prerelease?: boolean;
  presign?: boolean;
  expires?: number;
  json?: boolean;
}

/** The text to print on stdout: JSON with --json, else the version line and the artifact table. */
export async function resolveOutput(ref: string, flags: ResolveFlags): Promise<string> {
  const reg = await openRegistry(flags);
  const r = await reg.resolve(ref, { prerelease: !!flags.prerelease });
  const artifacts = r.artifacts as (typeof r.artifacts[number] & { url?: string })[];
  if (flags.presign) {
    const store = await reg.openStore();
    if (!store.presign) throw new ModelregError('precondition', `--presign needs an S3 store; ${store.uri} is not one`);
    for (const a of artifacts) a.url = await store.presign(a.sha256, flags.expires ?? 3600);
  }
  if (flags.json) return jsonText(r) + '\n';
  return printable(
    `${r.model}@${r.version}${r.stages.length ? `  (${r.stages.join(', ')})` : ''}${r.deprecated ? '  DEPRECATED' : ''}\n` +
      table([['PATH', 'SIZE', 'SHA256', 'URI'], ...artifacts.map((a) => [a.path, String(a.size), a.sha256, a.url ?? a.uri])]),
  );
}
