/**
 * The S3 server stopped in the middle of an upload: a clear error, no manifest committed, the work tree
 * clean, and a rerun succeeds once the server is back. Runs on a second, private server (its own port and
 * directory) so stopping it cannot disturb the other S3 tests running beside it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ListMultipartUploadsCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipS3 } from '../s3-setup.js';
import { ROOT, cli, cliAsync, fixtureRepo, gitIn, tempDir, write } from './helpers.js';

const DIR = '/tmp/modelreg-s3-fault';
const PORT = '7491';
const serverEnv = { ...process.env, S3_TEST_DIR: DIR, S3_TEST_PORT: PORT, S3_TEST_MON_PORT: '3391' };
const endpoint = `http://127.0.0.1:${PORT}`;
const creds = { AWS_ACCESS_KEY_ID: 'testaccesskey', AWS_SECRET_ACCESS_KEY: 'testsecretkey', AWS_REGION: 'us-east-1' };

function server(action: 'up' | 'down'): void {
  const r = spawnSync('bash', [join(ROOT, `scripts/s3-server/${action}.sh`)], { env: serverEnv, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`s3 server ${action} failed: ${r.stdout}${r.stderr}`);
}

describe.skipIf(skipS3())('an S3 server that goes away mid-upload', () => {
  beforeAll(() => server('up'), 120_000);
  afterAll(() => server('down'), 120_000);

  it('fails clearly, commits nothing, and a rerun succeeds', async () => {
    const { repo } = fixtureRepo();
    const policy = readFileSync(join(repo, 'registry.yaml'), 'utf8').replace(
      /store: .*/,
      `store: s3://modelreg-test/fault\n  s3:\n    endpoint: ${endpoint}\n    region: us-east-1\n    force_path_style: true\n    checksums: when_required`,
    );
    write(repo, 'registry.yaml', policy);
    gitIn(repo, 'commit', '-qam', 'Store in S3');
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const dir = tempDir();
    const file = join(dir, 'model.safetensors');
    const fd = openSync(file, 'w');
    const block = randomBytes(1 << 20);
    for (let i = 0; i < 300; i++) {
      block.writeUInt32LE(i, 0);
      writeSync(fd, block);
    }
    closeSync(fd);
    // Small parts, one at a time: the upload takes long enough to be caught in the middle.
    const env = { ...creds, MODELREG_S3_PART_SIZE: '5', MODELREG_S3_CONCURRENCY: '1' };
    const run = cliAsync(repo, ['register', 'sentiment', dir, '--version', '4.0.0', '--no-code', '--json'], env);

    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: creds.AWS_ACCESS_KEY_ID, secretAccessKey: creds.AWS_SECRET_ACCESS_KEY },
    });
    let inProgress = false;
    for (let i = 0; i < 600 && !inProgress; i++) {
      const u = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'modelreg-test', Prefix: 'fault/' })).catch(() => undefined);
      inProgress = (u?.Uploads?.length ?? 0) > 0;
      if (!inProgress) await new Promise((r) => setTimeout(r, 50));
    }
    expect(inProgress).toBe(true);
    server('down');
    const r = await run;
    expect(r.code).toBe(1);
    expect(r.json().error.message).toMatch(/cannot reach|127\.0\.0\.1:7491/);
    expect(r.json().error.code).toBe('store-unavailable');
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');

    server('up');
    const again = await cliAsync(repo, ['register', 'sentiment', dir, '--version', '4.0.0', '--no-code', '--json'], env);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.json().artifacts[0]).toMatchObject({ path: 'model.safetensors', size: 300 << 20, stored: true });
    expect(cli(repo, ['verify', 'sentiment@4.0.0'], env).code).toBe(0);
  }, 240_000);
});
