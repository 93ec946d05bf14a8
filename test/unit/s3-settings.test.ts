import { describe, expect, it } from 'vitest';
import { s3Settings } from '../../src/artifacts/open.js';

describe('S3 settings: registry.yaml, overridden by the environment', () => {
  const policy = { endpoint: 'https://minio.internal:9000', region: 'eu-west-1', force_path_style: true, checksums: 'when_required' as const };

  it('takes registry.yaml as it is', () => {
    expect(s3Settings(policy, {})).toEqual({ endpoint: 'https://minio.internal:9000', region: 'eu-west-1', forcePathStyle: true, checksums: 'when_required' });
    expect(s3Settings(undefined, {})).toEqual({});
  });

  it('lets the environment override each setting', () => {
    const env = { MODELREG_S3_ENDPOINT: 'http://127.0.0.1:7480', MODELREG_S3_REGION: 'us-east-1', MODELREG_S3_FORCE_PATH_STYLE: 'false', MODELREG_S3_CHECKSUMS: 'when_supported', MODELREG_S3_PART_SIZE: '64', MODELREG_S3_CONCURRENCY: '8' };
    expect(s3Settings(policy, env)).toEqual({ endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: false, checksums: 'when_supported', partSize: 64 * 1024 * 1024, concurrency: 8 });
  });

  it('refuses a checksum mode it does not know, and ignores part sizes below S3\'s minimum', () => {
    expect(() => s3Settings(policy, { MODELREG_S3_CHECKSUMS: 'sometimes' })).toThrow(/when_required or when_supported/);
    expect(s3Settings(undefined, { MODELREG_S3_PART_SIZE: '1' })).toEqual({});
  });
});
