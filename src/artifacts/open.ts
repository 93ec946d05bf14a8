/** The artifact store a registry names: file:// (the embedded default) or s3:// (loaded only when used). */
import { fileURLToPath } from 'node:url';
import { ModelregError } from '../registry/errors.js';
import type { RegistryPolicy } from '../registry/types.js';
import { LocalStore } from './local-store.js';
import type { ArtifactStore } from './store.js';
import type { S3Settings } from './s3-store.js';

/**
 * `location` is the resolved store URI (see storeLocation); `s3` the settings from registry.yaml, each
 * overridable by the environment: MODELREG_S3_ENDPOINT, MODELREG_S3_REGION, MODELREG_S3_FORCE_PATH_STYLE,
 * MODELREG_S3_CHECKSUMS, MODELREG_S3_PART_SIZE (MiB), MODELREG_S3_CONCURRENCY.
 */
export async function openStore(location: string, s3?: RegistryPolicy['artifacts']['s3']): Promise<ArtifactStore> {
  if (location.startsWith('file://')) return new LocalStore(fileURLToPath(location));
  if (location.startsWith('s3://')) {
    const { S3Store } = await import('./s3-store.js'); // the AWS SDK costs ~140 ms to load
    return new S3Store(location, s3Settings(s3));
  }
  throw new ModelregError('precondition', `unknown store location "${location}"`, { hint: 'Use file://<dir> or s3://<bucket>/<prefix>.' });
}

export function s3Settings(s3: RegistryPolicy['artifacts']['s3'] | undefined, env: NodeJS.ProcessEnv = process.env): S3Settings {
  const out: S3Settings = {};
  const endpoint = env.MODELREG_S3_ENDPOINT || s3?.endpoint;
  const region = env.MODELREG_S3_REGION || s3?.region;
  const pathStyle = env.MODELREG_S3_FORCE_PATH_STYLE ? /^(1|true|yes)$/i.test(env.MODELREG_S3_FORCE_PATH_STYLE) : s3?.force_path_style;
  const checksums = env.MODELREG_S3_CHECKSUMS || s3?.checksums;
  if (endpoint) out.endpoint = endpoint;
  if (region) out.region = region;
  if (pathStyle !== undefined) out.forcePathStyle = pathStyle;
  if (checksums) {
    if (checksums !== 'when_required' && checksums !== 'when_supported')
      throw new ModelregError('precondition', `MODELREG_S3_CHECKSUMS must be when_required or when_supported, not "${checksums}"`);
    out.checksums = checksums;
  }
  const part = Number(env.MODELREG_S3_PART_SIZE);
  if (env.MODELREG_S3_PART_SIZE && Number.isFinite(part) && part >= 5) out.partSize = part * 1024 * 1024;
  const conc = Number(env.MODELREG_S3_CONCURRENCY);
  if (env.MODELREG_S3_CONCURRENCY && Number.isInteger(conc) && conc > 0) out.concurrency = conc;
  return out;
}
