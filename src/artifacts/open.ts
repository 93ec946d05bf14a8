/** The artifact store a registry names. */
import { fileURLToPath } from 'node:url';
import { ModelregError } from '../registry/errors.js';
import { LocalStore } from './local-store.js';
import type { ArtifactStore } from './store.js';

/** `location` is the resolved store URI (see storeLocation). */
export function openStore(location: string): ArtifactStore {
  if (location.startsWith('file://')) return new LocalStore(fileURLToPath(location));
  if (location.startsWith('s3://')) throw new ModelregError('store-unavailable', `the S3 store (${location}) is not available in this version of modelreg`, { hint: 'Use a file:// store for now (--store or MODELREG_STORE).' });
  throw new ModelregError('usage', `unknown store location "${location}"`, { hint: 'Use file://<dir> or s3://<bucket>/<prefix>.' });
}
