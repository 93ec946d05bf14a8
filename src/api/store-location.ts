/** Where artifact bytes live, and the URI of one object: <store>/sha256/<aa>/<hex>. */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { RegistryPolicy } from '../registry/types.js';

/** --store, else MODELREG_STORE, else registry.yaml; file:// locations relative to the registry root. */
export function storeLocation(root: string, policy: RegistryPolicy | undefined, override?: string): string {
  const raw = override || process.env.MODELREG_STORE || policy?.artifacts.store || 'file://.modelreg/store';
  if (raw.startsWith('s3://')) return raw.replace(/\/+$/, '');
  const path = raw.startsWith('file://') ? raw.slice('file://'.length) : raw;
  if (path.startsWith('/') && raw.startsWith('file:///')) return pathToFileURL(fileURLToPath(raw)).href.replace(/\/+$/, '');
  return pathToFileURL(isAbsolute(path) ? path : resolve(root, path)).href.replace(/\/+$/, '');
}

export { objectUri } from '../registry/objects.js';
