/**
 * `modelreg serve` over HTTP as any client sees it (the MLflow Python client's own tests are in
 * mlflow-client.test.ts): the commit header, MLflow's shapes and errors, limits, the token, confined
 * artifact paths, a corrupt object cut short, and --follow moving to a pushed tip and surviving a remote
 * that went away.
 */
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes, createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { requireS3, skipS3 } from '../s3-setup.js';
import { cli, fixtureRepo, gitIn, tempDir, write } from './helpers.js';
import { followedRemote, serve, type Served } from './serve-helpers.js';

const running: Served[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function start(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const s = await serve(cwd, args, env);
  running.push(s);
  return s;
}

/** A fixture registry with one more version of sentiment holding two artifacts, one in a subdirectory. */
function registryWithArtifacts(): { repo: string; store: string; env: Record<string, string> } {
  const { repo } = fixtureRepo();
  const store = join(tempDir(), 'store');
  const env = { MODELREG_STORE: `file://${store}` };
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'weights.bin'), 'w'.repeat(3 << 20));
  writeFileSync(join(dir, 'sub', 'config.json'), '{"a": 1}');
  const r = cli(repo, ['register', 'sentiment', dir, '--version', '2.0.0', '--no-code', '--json'], env);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return { repo, store, env };
}

const api = (s: Served, path: string, init?: RequestInit) => fetch(`${s.url}${path}`, init);
const json = async (r: Response | Promise<Response>): Promise<any> => (await r).json();

describe('modelreg serve', () => {
  it('answers the registry endpoints in MLflow shapes, naming the commit of every answer', async () => {
    const { repo, env } = registryWithArtifacts();
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const s = await start(repo, [], env);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/); // loopback unless told otherwise

    const got = await api(s, '/api/2.0/mlflow/registered-models/get?name=sentiment');
    expect(got.status).toBe(200);
    expect(got.headers.get('x-modelreg-commit')).toBe(head);
    const rm = (await json(got)).registered_model;
    const show = cli(repo, ['show', 'sentiment', '--json']).json();
    expect(rm.name).toBe('sentiment');
    expect(rm.description).toBe(show.model.description);
    expect(Object.fromEntries(rm.tags.map((t: any) => [t.key, t.value]))).toEqual(show.model.tags);
    // Every stage is an alias, naming the MLflow number of the version that holds it.
    const numbers = new Map<string, string>();
    const versions = (await json(api(s, "/api/2.0/mlflow/model-versions/search?filter=name%3D'sentiment'"))).model_versions;
    for (const v of versions) numbers.set(v.tags.find((t: any) => t.key === 'modelreg.version').value, v.version);
    expect(versions).toHaveLength(show.versions.length);
    expect(Object.fromEntries(rm.aliases.map((a: any) => [a.alias, a.version]))).toEqual(
      Object.fromEntries(Object.entries(show.stages).map(([stage, v]) => [stage, numbers.get(v as string)])),
    );
    // The version registered last has the highest number; the numbers are 1..n.
    expect(numbers.get('2.0.0')).toBe(String(show.versions.length));
    expect([...numbers.values()].map(Number).sort((a, b) => a - b)).toEqual(show.versions.map((_: unknown, i: number) => i + 1));

    const alias = await json(api(s, '/api/2.0/mlflow/registered-models/alias?name=sentiment&alias=production'));
    const resolved = cli(repo, ['resolve', 'sentiment@production', '--json']).json();
    expect(alias.model_version.version).toBe(numbers.get(resolved.version));
    expect(alias.model_version.current_stage).toBe('Production');
    expect(alias.model_version.aliases).toContain('production');

    // get-latest-versions, as MLflow's client sends it (POST with a JSON body), legacy names case-insensitive.
    const latest = await api(s, '/api/2.0/mlflow/registered-models/get-latest-versions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'sentiment', stages: ['PRODUCTION'] }),
    });
    expect((await json(latest)).model_versions.map((v: any) => v.version)).toEqual([numbers.get(resolved.version)]);

    const uri = await json(api(s, `/api/2.0/mlflow/model-versions/get-download-uri?name=sentiment&version=${numbers.get('2.0.0')}`));
    expect(uri.artifact_uri).toBe(`${s.url}/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0`);
    const listing = await json(api(s, '/api/2.0/mlflow-artifacts/artifacts?path=sentiment/2.0.0'));
    expect(listing.files).toEqual([
      { path: 'sub', is_dir: true },
      { path: 'weights.bin', is_dir: false, file_size: 3 << 20 },
    ]);
    const file = await api(s, '/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/sub/config.json');
    expect(await file.text()).toBe('{"a": 1}');

    // The access log: one JSON record per request, with its status and commit.
    const record = await s.waitFor((r) => r.event === 'request' && r.path.includes('sub/config.json'));
    expect(record).toMatchObject({ method: 'GET', status: 200, commit: head, complete: true, bytes: 8 });
  });

  it('answers writes and unknown endpoints as MLflow does, and keeps to its limits', async () => {
    const { repo, env } = registryWithArtifacts();
    const s = await start(repo, [], env);
    for (const [method, path] of [
      ['POST', '/api/2.0/mlflow/model-versions/transition-stage'],
      ['POST', '/api/2.0/mlflow/registered-models/alias'],
      ['DELETE', '/api/2.0/mlflow/registered-models/delete'],
      ['PATCH', '/api/2.0/mlflow/model-versions/update'],
      ['PUT', '/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/x.bin'],
    ] as const) {
      const r = await api(s, path, { method, body: '{}' });
      expect(r.status, path).toBe(403);
      const body = await json(r);
      expect(body.error_code).toBe('PERMISSION_DENIED');
      expect(body.message).toMatch(/read-only.*a change to it is a commit or a pull request/);
      if (path.endsWith('transition-stage')) expect(body.message).toContain('modelreg promote <name>@<version> <stage> --pr');
    }
    const unknown = await api(s, '/api/2.0/mlflow/no-such-endpoint');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await unknown.text()).toContain('<title>404 Not Found</title>');

    const missing = await api(s, '/api/2.0/mlflow/registered-models/get?name=nope');
    expect(missing.status).toBe(404);
    expect(await json(missing)).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Registered Model with name=nope not found' });
    const badFilter = await api(s, `/api/2.0/mlflow/model-versions/search?filter=${encodeURIComponent("name = 'a' OR name = 'b'")}`);
    expect(badFilter.status).toBe(400);
    expect((await json(badFilter)).error_code).toBe('INVALID_PARAMETER_VALUE');

    expect((await api(s, `/api/2.0/mlflow/registered-models/get?name=${'x'.repeat(9000)}`)).status).toBe(414);
    const big = await api(s, '/api/2.0/mlflow/registered-models/get-latest-versions', { method: 'POST', body: JSON.stringify({ name: 'x'.repeat(2 << 20) }) });
    expect(big.status).toBe(413);
    expect((await json(big)).error_code).toBe('REQUEST_LIMIT_EXCEEDED');
  });

  it('serves only the files a version names: no path climbs out, no other file is reachable', async () => {
    const { repo, env } = registryWithArtifacts();
    writeFileSync(join(repo, 'secret.txt'), 'secret');
    const s = await start(repo, [], env);
    for (const path of [
      'sentiment/2.0.0/../../../secret.txt',
      'sentiment/2.0.0/%2e%2e/%2e%2e/registry.yaml',
      'sentiment/2.0.0/sub',
      'sentiment/9.9.9/weights.bin',
      'sentiment/2.0.0/sub%2F..%2F..%2Fregistry.yaml',
      'sentiment/2.0.0//weights.bin%00',
      '%2fetc/passwd',
    ]) {
      const r = await api(s, `/api/2.0/mlflow-artifacts/artifacts/${path}`);
      expect(r.status, path).toBe(404);
      expect(await r.text(), path).not.toMatch(/secret|apiVersion|root:/);
    }
    for (const path of ['..', 'sentiment/../bert-base', '/etc', 'sentiment/2.0.0/../../..']) {
      const r = await api(s, `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(path)}`);
      expect(r.status, path).toBe(404);
    }
  });

  it('cuts the response short when the stored bytes do not match their sha256, and says 404 when they are gone', async () => {
    const { repo, store, env } = registryWithArtifacts();
    const resolved = cli(repo, ['resolve', 'sentiment@2.0.0', '--json'], env).json();
    const weights = resolved.artifacts.find((a: any) => a.path === 'weights.bin');
    const object = join(store, 'sha256', weights.sha256.slice(0, 2), weights.sha256);
    chmodSync(object, 0o644);
    writeFileSync(object, 'v'.repeat(3 << 20)); // same size, other bytes
    const s = await start(repo, [], env);
    const outcome = await new Promise<{ status: number; length: number; received: number; error: string | null }>((resolve) => {
      get(`${s.url}/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/weights.bin`, (res) => {
        let received = 0;
        res.on('data', (d: Buffer) => (received += d.length));
        res.on('error', (e) => resolve({ status: res.statusCode!, length: Number(res.headers['content-length']), received, error: e.message }));
        res.on('end', () => resolve({ status: res.statusCode!, length: Number(res.headers['content-length']), received, error: null }));
      });
    });
    expect(outcome.status).toBe(200);
    expect(outcome.length).toBe(3 << 20);
    expect(outcome.error).not.toBeNull();
    expect(outcome.received).toBeLessThan(3 << 20);
    const logged = await s.waitFor((r) => r.event === 'request' && r.path.endsWith('weights.bin'));
    expect(logged.complete).toBe(false);
    expect(logged.error).toMatch(/does not match its hash/);

    rmSync(object);
    const gone = await api(s, '/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/weights.bin');
    expect(gone.status).toBe(404);
    expect((await json(gone)).error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('with a token, refuses every request without the bearer token', async () => {
    const { repo, env } = registryWithArtifacts();
    const s = await start(repo, [], { ...env, MODELREG_SERVE_TOKEN: 'a-long-enough-token-0123' });
    const none = await api(s, '/api/2.0/mlflow/registered-models/get?name=sentiment');
    expect(none.status).toBe(401);
    expect((await json(none)).error_code).toBe('UNAUTHENTICATED');
    expect((await api(s, '/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/sub/config.json', { headers: { authorization: 'Bearer wrong' } })).status).toBe(
      401,
    );
    const ok = await api(s, '/api/2.0/mlflow/registered-models/get?name=sentiment', { headers: { authorization: 'Bearer a-long-enough-token-0123' } });
    expect(ok.status).toBe(200);
  });

  it('--follow moves to a pushed tip, and keeps serving the old one, saying so, while the remote is gone', async () => {
    const { remote, served, writer } = followedRemote();
    const s = await start(served, ['--follow', 'origin/main', '--interval', '1']);
    const before = gitIn(served, 'rev-parse', 'HEAD');
    const alias = async () => {
      const r = await api(s, '/api/2.0/mlflow/registered-models/alias?name=sentiment&alias=production');
      return { commit: r.headers.get('x-modelreg-commit'), version: (await json(r)).model_version.tags.find((t: any) => t.key === 'modelreg.version').value };
    };
    expect(await alias()).toEqual({ commit: before, version: '1.1.0' });

    const promoted = cli(writer, ['promote', 'sentiment@1.2.0', 'production', '--no-verify', '--push', '--json']);
    expect(promoted.code, promoted.stdout + promoted.stderr).toBe(0);
    const tip = promoted.json().commit;
    const switched = await s.waitFor((r) => r.event === 'switched' && r.to === tip);
    expect(switched.read).toEqual({ changed: ['sentiment'] }); // only what the diff names is read again
    expect(await alias()).toEqual({ commit: tip, version: '1.2.0' });
    // The served clone's own branch and work tree are untouched: only its remote-tracking ref moved.
    expect(gitIn(served, 'rev-parse', 'HEAD')).toBe(before);
    expect(gitIn(served, 'status', '--porcelain')).toBe('');

    // A new model and a policy change: the new model is served; a changed registry.yaml is read whole.
    const file = join(tempDir(), 'w.bin');
    writeFileSync(file, 'weights');
    expect(cli(writer, ['register', 'new-model', file, '--version', '1.0.0', '--no-code', '--push'], { MODELREG_STORE: `file://${tempDir()}` }).code).toBe(0);
    const added = gitIn(writer, 'rev-parse', 'HEAD');
    expect((await s.waitFor((r) => r.event === 'switched' && r.to === added)).read).toEqual({ changed: ['new-model'] });
    expect((await json(api(s, '/api/2.0/mlflow/registered-models/search'))).registered_models.map((m: any) => m.name)).toEqual([
      'bert-base',
      'new-model',
      'sentiment',
      'sentiment-int8',
    ]);
    writeFileSync(join(writer, 'registry.yaml'), readFileSync(join(writer, 'registry.yaml'), 'utf8').replace('description:', 'description: Changed.'));
    gitIn(writer, 'commit', '-qam', 'Policy wording');
    gitIn(writer, 'push', '-q', 'origin', 'main');
    const policy = gitIn(writer, 'rev-parse', 'HEAD');
    expect((await s.waitFor((r) => r.event === 'switched' && r.to === policy)).read).toBe('whole');
    const now = await alias();
    expect(now).toEqual({ commit: policy, version: '1.2.0' });
    const tipNow = policy;

    renameSync(remote, `${remote}.away`);
    await s.waitFor((r) => r.event === 'fetch-failed');
    const health = await json(api(s, '/health'));
    expect(health).toMatchObject({ status: 'stale', commit: tipNow, follow: { remote: 'origin', branch: 'main' } });
    expect(health.follow.lastError).toMatch(/cannot reach the remote origin/);
    expect(await alias()).toEqual({ commit: tipNow, version: '1.2.0' });

    renameSync(`${remote}.away`, remote);
    // The next fetch succeeds: healthy again (polled; the test's time limit bounds the wait).
    while ((await json(api(s, '/health'))).status !== 'ok') await sleep(200);
  });
});

describe.skipIf(skipS3())('modelreg serve from an S3 store', () => {
  it('streams a version from S3, and cuts the response when the object there was overwritten', async () => {
    const s3 = requireS3();
    const creds = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region };
    const { repo } = fixtureRepo();
    const prefix = `serve-${randomBytes(4).toString('hex')}`;
    write(
      repo,
      'registry.yaml',
      readFileSync(join(repo, 'registry.yaml'), 'utf8').replace(
        /store: .*/,
        `store: s3://${s3.bucket}/${prefix}\n  s3:\n    endpoint: ${s3.endpoint}\n    region: ${s3.region}\n    force_path_style: true\n    checksums: when_required`,
      ),
    );
    gitIn(repo, 'commit', '-qam', 'Store artifacts in S3');
    const dir = tempDir();
    const weights = randomBytes(20 << 20); // several of the store's 16 MiB ranges
    writeFileSync(join(dir, 'model.bin'), weights);
    const reg = cli(repo, ['register', 'sentiment', dir, '--version', '2.0.0', '--no-code', '--json'], creds);
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    const s = await start(repo, [], creds);
    const got = await api(s, '/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/model.bin');
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(weights)).toBe(true);

    // Same size, other bytes, written behind the registry's back with the AWS CLI.
    const bad = Buffer.from(weights);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    const tamper = join(tempDir(), 'bad.bin');
    writeFileSync(tamper, bad);
    const sha = createHash('sha256').update(weights).digest('hex');
    const cp = spawnSync(
      '/usr/bin/aws',
      ['--endpoint-url', s3.endpoint, 's3', 'cp', tamper, `s3://${s3.bucket}/${prefix}/sha256/${sha.slice(0, 2)}/${sha}`, '--only-show-errors'],
      { env: { ...process.env, ...creds, AWS_EC2_METADATA_DISABLED: 'true' }, encoding: 'utf8' },
    );
    expect(cp.status, cp.stderr).toBe(0);
    const cut = await api(s, '/api/2.0/mlflow-artifacts/artifacts/sentiment/2.0.0/model.bin');
    expect(cut.status).toBe(200);
    await expect(cut.arrayBuffer()).rejects.toThrow();
  });
});
