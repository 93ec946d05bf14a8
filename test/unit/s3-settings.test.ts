import { describe, expect, it } from 'vitest';
import { s3Settings } from '../../src/artifacts/open.js';

describe('S3 settings: registry.yaml, overridden by the environment', () => {
  const policy = { endpoint: 'https://minio.internal:9000', region: 'eu-west-1', force_path_style: true, checksums: 'when_required' as const };

  it('takes registry.yaml as it is', () => {
    expect(s3Settings(policy, {})).toEqual({ endpoint: 'https://minio.internal:9000', region: 'eu-west-1', forcePathStyle: true, checksums: 'when_required' });
    expect(s3Settings(undefined, {})).toEqual({});
  });

  it('lets the environment override each setting', () => {
    const env = {
      MODELREG_S3_ENDPOINT: 'http://127.0.0.1:7480',
      MODELREG_S3_REGION: 'us-east-1',
      MODELREG_S3_FORCE_PATH_STYLE: 'false',
      MODELREG_S3_CHECKSUMS: 'when_supported',
      MODELREG_S3_PART_SIZE: '64',
      MODELREG_S3_CONCURRENCY: '8',
    };
    expect(s3Settings(policy, env)).toEqual({
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      forcePathStyle: false,
      checksums: 'when_supported',
      partSize: 64 * 1024 * 1024,
      concurrency: 8,
    });
  });

  it("refuses a checksum mode it does not know, and ignores part sizes below S3's minimum", () => {
    expect(() => s3Settings(policy, { MODELREG_S3_CHECKSUMS: 'sometimes' })).toThrow(/when_required or when_supported/);
    expect(s3Settings(undefined, { MODELREG_S3_PART_SIZE: '1' })).toEqual({});
  });
});

describe("S3 errors in the user's terms", async () => {
  const { s3Error } = await import('../../src/artifacts/s3-store.js');
  const store = { uri: 's3://models/reg', bucket: 'models', settings: { endpoint: 'http://ceph.internal:7480' } };
  const sdk = (name: string, status: number, message = name) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

  it.each([
    [sdk('MissingContentLength', 411), /flexible checksums/, /checksums: when_required/],
    [sdk('NoSuchBucket', 404), /bucket models does not exist/, /Create it/],
    [sdk('SignatureDoesNotMatch', 403), /credentials were refused/, /access key and secret/],
    [sdk('AccessDenied', 403), /access denied to s3:\/\/models\/reg at http:\/\/ceph\.internal:7480/, /s3:PutObject/],
    [sdk('PermanentRedirect', 301), /another region/, /region/],
    [sdk('SlowDown', 503), /throttling/, /concurrency/],
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), /no AWS credentials/, /default chain/],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7480'), { code: 'ECONNREFUSED' }), /cannot reach/, /endpoint/],
  ])('%#: %s', (error, message, hint) => {
    const e = s3Error(error, store);
    expect(e.code).toBe('store-unavailable');
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
  });
});
