/** Where artifact bytes live, and the URI of one object: <store>/sha256/<aa>/<hex>. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { RegistryPolicy } from '../registry/types.js';
import { ModelregError } from '../registry/errors.js';
import { storeUriProblem } from '../registry/store-uri.js';

/**
 * --store, else MODELREG_STORE, else registry.yaml; file:// locations relative to the registry root —
 * which a registry read from a remote does not have here: `root` undefined makes that an error, null
 * keeps the location as written (for showing a manifest, where nothing is fetched from the store).
 */
export function storeLocation(root: string | undefined | null, policy: RegistryPolicy | undefined, override?: string): string {
  const raw = override || process.env.MODELREG_STORE || policy?.artifacts.store || 'file://.modelreg/store';
  const problem = storeUriProblem(raw);
  if (problem) {
    const from = override ? '--store' : process.env.MODELREG_STORE ? 'MODELREG_STORE' : 'artifacts.store in registry.yaml';
    throw new ModelregError('precondition', `the store location "${raw}" (${from}) cannot be used: ${problem}`, {
      hint: 'Use file://<dir> or s3://<bucket>/<prefix> with a plain key prefix.',
    });
  }
  if (raw.startsWith('s3://')) return raw.replace(/\/+$/, '');
  const path = raw.startsWith('file://') ? raw.slice('file://'.length) : raw;
  if (path.startsWith('/') && raw.startsWith('file:///')) return pathToFileURL(fileURLToPath(raw)).href.replace(/\/+$/, '');
  if (isAbsolute(path)) return pathToFileURL(path).href.replace(/\/+$/, '');
  if (root === null) return raw.replace(/\/+$/, '');
  if (root === undefined) {
    throw new ModelregError('precondition', `the registry's store ${raw} is relative to the registry's directory, which a read from a remote does not have`, {
      hint: 'Name the store with --store or MODELREG_STORE (s3://… or file:///absolute/path).',
    });
  }
  return pathToFileURL(resolve(root, path)).href.replace(/\/+$/, '');
}

export { objectUri } from '../registry/objects.js';
