/**
 * The S3 store against a real S3 implementation (Ceph RGW, scripts/s3-server/): multipart uploads,
 * dedup, corruption behind our back, paging, presigned URLs, refusals — and the AWS CLI reading back
 * what modelreg wrote. In CI these never skip (test/s3-setup.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../src/artifacts/s3-store.js';
import { requireS3, skipS3, type S3TestEnv } from '../s3-setup.js';
import { BIN, IDENTITY, cli, fixtureRepo, gitIn, tempDir, write } from './helpers.js';

const MiB = 1024 * 1024;
let s3: S3TestEnv;
let creds: Record<string, string>;

function store(prefix: string, extra: ConstructorParameters<typeof S3Store>[1] = {}): S3Store {
  return new S3Store(`s3://${s3.bucket}/${prefix}`, { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, checksums: 'when_required', ...extra });
}

function fileOf(bytes: Buffer): { path: string; sha256: string } {
  const path = join(tempDir(), 'artifact.bin');
  writeFileSync(path, bytes);
  return { path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const runId = randomBytes(4).toString('hex');

describe.skipIf(skipS3())('the S3 store', () => {
  beforeAll(() => {
    s3 = requireS3();
    creds = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region };
    Object.assign(process.env, creds); // the store reads credentials only from the default chain
  });

  it('uploads over 64 MiB in parts, dedupes, records the sha256 in metadata, and reads back verified', async () => {
    const st = store(`t-${runId}/multipart`, { partSize: 16 * MiB });
    const bytes = randomBytes(80 * MiB);
    const f = fileOf(bytes);
    const first = await st.putFile(f.path);
    expect(first).toEqual({ sha256: f.sha256, size: bytes.length, stored: true });
    const again = await st.putFile(f.path);
    expect(again.stored).toBe(false);
    const head = await st.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: st.key(f.sha256) }));
    expect(head.ContentLength).toBe(bytes.length);
    expect(head.Metadata).toMatchObject({ sha256: f.sha256 });
    const dest = join(tempDir(), 'out', 'model.bin');
    await st.getFile(f.sha256, dest, { expectedSize: bytes.length });
    expect(createHash('sha256').update(readFileSync(dest)).digest('hex')).toBe(f.sha256);
    expect(await st.verify(f.sha256, bytes.length)).toEqual({ sha256: f.sha256, ok: true, size: bytes.length });
  });

  it('reports an object corrupted behind its back, and getFile leaves no file', async () => {
    const st = store(`t-${runId}/corrupt`, { partSize: 5 * MiB });
    const bytes = randomBytes(12 * MiB);
    const f = fileOf(bytes);
    await st.putFile(f.path);
    const bad = Buffer.from(bytes);
    bad[7 * MiB] = bad[7 * MiB]! ^ 0xff;
    await st.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: st.key(f.sha256), Body: bad }));
    expect(await st.verify(f.sha256, bytes.length)).toMatchObject({ ok: false, problem: 'corrupt' });
    const dir = join(tempDir(), 'out');
    mkdirSync(dir);
    await expect(st.getFile(f.sha256, join(dir, 'model.bin'))).rejects.toMatchObject({ code: 'artifact-corrupt' });
    expect(readdirSync(dir)).toEqual([]);
    expect(await st.verify('0'.repeat(64))).toEqual({ sha256: '0'.repeat(64), ok: false, problem: 'missing' });
  });

  it('lists by prefix across pages, deletes, and presigns a URL that fetches without credentials', async () => {
    const st = store(`t-${runId}/paged`, { pageSize: 2 });
    const shas: string[] = [];
    for (let i = 0; i < 5; i++) shas.push((await st.putStream(ReadableFrom(`object ${i}`))).sha256);
    const listed = [];
    for await (const o of st.list()) listed.push(o.sha256);
    expect(listed.sort()).toEqual([...shas].sort());
    const url = await st.presign(shas[0]!, 60);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('object 0');
    await st.delete(shas[0]!);
    expect(await st.has(shas[0]!)).toBe(false);
  });

  it('names wrong credentials, a missing bucket and an unreachable endpoint', async () => {
    const f = fileOf(Buffer.from('x'));
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'wrong';
    try {
      await expect(store(`t-${runId}/creds`).putFile(f.path)).rejects.toMatchObject({
        code: 'store-unavailable',
        message: expect.stringMatching(/credentials were refused|access denied/),
      });
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
    const nobucket = new S3Store('s3://modelreg-no-such-bucket/x', { endpoint: s3.endpoint, region: s3.region, forcePathStyle: true });
    await expect(nobucket.putFile(f.path)).rejects.toMatchObject({ message: expect.stringMatching(/bucket modelreg-no-such-bucket does not exist/) });
    const nowhere = new S3Store(`s3://${s3.bucket}/x`, { endpoint: 'http://127.0.0.1:9', region: s3.region, forcePathStyle: true });
    await expect(nowhere.putFile(f.path)).rejects.toMatchObject({ message: expect.stringMatching(/cannot reach/) });
  });

  it('says when there are no credentials', async () => {
    const f = fileOf(randomBytes(6 * MiB));
    const saved = { ...process.env };
    try {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[k];
      Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' });
      await expect(store(`t-${runId}/nocreds`).putFile(f.path)).rejects.toMatchObject({
        code: 'store-unavailable',
        message: expect.stringMatching(/no AWS credentials/),
      });
    } finally {
      process.env = saved;
    }
  });

  it('refuses a file changed while its parts go up: nothing under its address, no unfinished upload left', async () => {
    const st = store(`t-${runId}/changing`, { partSize: 5 * MiB, concurrency: 1 });
    const bytes = randomBytes(60 * MiB);
    const f = fileOf(bytes);
    const putting = st.putFile(f.path).then(
      () => 'stored',
      (e: { code?: string }) => e.code,
    );
    await until(async () => (await uploadsUnder(st)).length > 0);
    // The last part is read last (parts are read in order): change it now, the size kept.
    const fd = openSync(f.path, 'r+');
    writeSync(fd, randomBytes(MiB), 0, MiB, bytes.length - MiB);
    closeSync(fd);
    expect(await putting).toBe('artifact-changed');
    expect(await st.has(f.sha256)).toBe(false);
    expect(await uploadsUnder(st)).toEqual([]);
  }, 60_000);

  it('a register killed midway leaves an upload no address names, and gc aborts it', async () => {
    const prefix = `killed-${runId}`;
    const { repo } = s3Repo(prefix);
    const dir = tempDir();
    const bytes = randomBytes(60 * MiB);
    writeFileSync(join(dir, 'model.safetensors'), bytes);
    const env = { ...creds, MODELREG_S3_PART_SIZE: '5', MODELREG_S3_CONCURRENCY: '1' };
    const child = spawn(process.execPath, [BIN, 'register', 'sentiment', dir, '--version', '4.0.0', '--no-code'], {
      cwd: repo,
      env: { ...process.env, ...IDENTITY, MODELREG_REGISTRY: '', MODELREG_STORE: '', ...env },
      stdio: 'ignore',
    });
    const exited = new Promise((done) => child.on('exit', done));
    const st = store(prefix);
    await until(async () => (await uploadsUnder(st)).length > 0);
    child.kill('SIGKILL');
    await exited;
    expect(await st.has(createHash('sha256').update(bytes).digest('hex'))).toBe(false);
    expect(await uploadsUnder(st)).toHaveLength(1);
    const gc = cli(repo, ['gc', '--grace', '0', '--json'], env);
    expect(gc.code, gc.stdout + gc.stderr).toBe(0);
    expect(gc.json().abandoned).toBe(1);
    expect(await uploadsUnder(st)).toEqual([]);
    expect(cli(repo, ['register', 'sentiment', dir, '--version', '4.0.0', '--no-code'], env).code).toBe(0); // and a rerun stores it
  }, 120_000);

  it('end to end: register to S3, resolve --presign, pull, verify a corruption, and the AWS CLI reads what modelreg wrote', async () => {
    const { repo } = fixtureRepo();
    const prefix = `e2e-${runId}`;
    const policy = readFileSync(join(repo, 'registry.yaml'), 'utf8').replace(
      /store: .*/,
      `store: s3://${s3.bucket}/${prefix}\n  s3:\n    endpoint: ${s3.endpoint}\n    region: ${s3.region}\n    force_path_style: true\n    checksums: when_required`,
    );
    write(repo, 'registry.yaml', policy);
    gitIn(repo, 'commit', '-qam', 'Store artifacts in S3');
    const dir = tempDir();
    const weights = randomBytes(3 * MiB);
    writeFileSync(join(dir, 'model.safetensors'), weights);
    writeFileSync(join(dir, 'config.json'), '{"layers": 2}');
    const env = { ...creds };
    const reg = cli(repo, ['register', 'sentiment', dir, '--version', '3.0.0', '--metric', 'accuracy=0.95', '--no-code', '--json'], env);
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    // The AWS SDK's warning about Node versions is for whoever pins the SDK, not for the user (issue 14).
    expect(reg.stderr).not.toMatch(/NodeVersionSupportWarning|node >=22/);
    const w = reg.json().artifacts.find((a: { path: string }) => a.path === 'model.safetensors');
    expect(w.sha256).toBe(createHash('sha256').update(weights).digest('hex'));

    const resolved = cli(repo, ['resolve', 'sentiment@3.0.0', '--presign', '--expires', '120', '--json'], env).json();
    const ra = resolved.artifacts.find((a: { path: string }) => a.path === 'model.safetensors');
    expect(ra.uri).toBe(`s3://${s3.bucket}/${prefix}/sha256/${w.sha256.slice(0, 2)}/${w.sha256}`);
    expect(ra.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/.*X-Amz-Signature=/);

    // The AWS CLI, an independent client, reads back the bytes and the metadata.
    const awsEnv = { ...process.env, ...env, AWS_EC2_METADATA_DISABLED: 'true' };
    const head = spawnSync(
      '/usr/bin/aws',
      ['--endpoint-url', s3.endpoint, 's3api', 'head-object', '--bucket', s3.bucket, '--key', `${prefix}/sha256/${w.sha256.slice(0, 2)}/${w.sha256}`],
      { env: awsEnv, encoding: 'utf8' },
    );
    expect(head.status, head.stderr).toBe(0);
    expect(JSON.parse(head.stdout)).toMatchObject({ ContentLength: weights.length, Metadata: { sha256: w.sha256 } });
    const copy = join(tempDir(), 'aws-copy.bin');
    const get = spawnSync('/usr/bin/aws', ['--endpoint-url', s3.endpoint, 's3', 'cp', ra.uri, copy, '--only-show-errors'], { env: awsEnv, encoding: 'utf8' });
    expect(get.status, get.stderr).toBe(0);
    expect(readFileSync(copy).equals(weights)).toBe(true);

    const out = join(tempDir(), 'pulled');
    expect(cli(repo, ['pull', 'sentiment@3.0.0', '-o', out], env).code).toBe(0);
    expect(readFileSync(join(out, 'model.safetensors')).equals(weights)).toBe(true);
    expect(cli(repo, ['verify', 'sentiment@3.0.0'], env).code).toBe(0);

    // Bytes overwritten behind the registry's back: verify names it, pull writes nothing.
    const bad = Buffer.from(weights);
    bad[0] = bad[0]! ^ 1;
    const tamper = join(tempDir(), 'bad.bin');
    writeFileSync(tamper, bad);
    expect(spawnSync('/usr/bin/aws', ['--endpoint-url', s3.endpoint, 's3', 'cp', tamper, ra.uri, '--only-show-errors'], { env: awsEnv }).status).toBe(0);
    const v = cli(repo, ['verify', 'sentiment@3.0.0', '--json'], env);
    expect(v.code).toBe(1);
    expect(v.json().problems).toEqual([expect.objectContaining({ sha256: w.sha256, problem: 'corrupt' })]);
    const out2 = join(tempDir(), 'pulled2');
    const p2 = cli(repo, ['pull', 'sentiment@3.0.0', '-o', out2], env);
    expect(p2.code).toBe(1);
    expect(p2.stderr).toContain('artifact-corrupt');
    expect(existsSync(join(out2, 'model.safetensors'))).toBe(false);
    expect(existsSync(join(out2, 'config.json'))).toBe(false);

    // gc over S3: objects only an abandoned branch referenced go; paged listing by prefix.
    gitIn(repo, 'switch', '-q', '-c', 'abandoned');
    const extra = tempDir();
    writeFileSync(join(extra, 'adapter_model.safetensors'), randomBytes(MiB));
    const ab = cli(repo, ['register', 'sentiment', extra, '--version', '3.1.0', '--metric', 'accuracy=0.95', '--no-code', '--json'], env).json();
    gitIn(repo, 'switch', '-q', 'main');
    gitIn(repo, 'branch', '-q', '-D', 'abandoned');
    gitIn(repo, 'reflog', 'expire', '--expire=now', '--all');
    // A run marks; a later one deletes (S3 keeps object times to the second: let one pass).
    expect(
      cli(repo, ['gc', '--grace', '0', '--json'], env)
        .json()
        .marked.map((m: { sha256: string }) => m.sha256),
    ).toEqual([ab.artifacts[0].sha256]);
    await new Promise((r) => setTimeout(r, 1100));
    const gc = cli(repo, ['gc', '--grace', '0', '--json'], env).json();
    expect(gc.deleted.map((d: { sha256: string }) => d.sha256)).toEqual([ab.artifacts[0].sha256]);
    expect(cli(repo, ['verify', 'sentiment@3.0.0', '--json'], env).json().problems).toHaveLength(1); // only the tampered one
  });
});

/** The unfinished multipart uploads under a store's prefix. */
async function uploadsUnder(st: S3Store): Promise<string[]> {
  const r = await st.client.send(new ListMultipartUploadsCommand({ Bucket: st.bucket, Prefix: `${st.prefix}/` }));
  return (r.Uploads ?? []).map((u) => u.Key!);
}

async function until(condition: () => Promise<boolean>, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((go) => setTimeout(go, 20))) if (await condition()) return;
  throw new Error('timed out waiting');
}

/** A fixture registry whose store is `prefix` in the test bucket. */
function s3Repo(prefix: string): { repo: string } {
  const { repo } = fixtureRepo();
  const policy = readFileSync(join(repo, 'registry.yaml'), 'utf8').replace(
    /store: .*/,
    `store: s3://${s3.bucket}/${prefix}\n  s3:\n    endpoint: ${s3.endpoint}\n    region: ${s3.region}\n    force_path_style: true\n    checksums: when_required`,
  );
  write(repo, 'registry.yaml', policy);
  gitIn(repo, 'commit', '-qam', 'Store artifacts in S3');
  return { repo };
}

function ReadableFrom(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}
