/**
 * The real MLflow client (PyPI's `mlflow`, pinned in scripts/python/requirements.txt) against `modelreg
 * serve`: what MlflowClient and the `models:/` loaders say is what `modelreg … --json` says; downloads are
 * byte-identical to the registered files; a scikit-learn model logged with mlflow.sklearn.log_model,
 * registered and promoted with modelreg, loads with mlflow.pyfunc.load_model in a fresh process and
 * predicts as the original did; --follow shows a pushed promotion to a polling client; writes get MLflow's
 * error. The venv is built by scripts/python/setup.sh; in CI these tests never skip.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pythonPath, requirePython, skipPython } from '../python-setup.js';
import { cli, fixtureRepo, ROOT, tempDir } from './helpers.js';
import { followedRemote, serve, type Served } from './serve-helpers.js';

const SCRIPT = join(ROOT, 'test/python/mlflow_client.py');

const running: Served[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** The client script in its own process, pointed at `url` as a user's code would be (MLFLOW_TRACKING_URI). */
function client(url: string, args: string[], env: Record<string, string> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath()!, [SCRIPT, ...args], {
      cwd: tempDir(),
      env: { ...process.env, MLFLOW_TRACKING_URI: url, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`mlflow_client.py ${args[0]} failed (${code}): ${err.slice(-3000)}`)),
    );
  });
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(skipPython())('the MLflow client against modelreg serve', () => {
  beforeAll(() => {
    requirePython();
  });

  it('reads what modelreg says: models, versions, aliases, legacy stages, and byte-identical downloads', async () => {
    const { repo } = fixtureRepo();
    const store = join(tempDir(), 'store');
    const env = { MODELREG_STORE: `file://${store}` };
    // Real bytes for every version the client will download: register one with two files, promote it.
    const dir = tempDir();
    mkdirSync(join(dir, 'tok'));
    writeFileSync(join(dir, 'model.bin'), Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256)));
    writeFileSync(join(dir, 'tok', 'vocab.txt'), 'a\nb\nc\n');
    expect(cli(repo, ['register', 'bert-base', dir, '--version', '1.1.0', '--no-code'], env).code).toBe(0);
    expect(cli(repo, ['promote', 'bert-base@1.1.0', 'development'], env).code).toBe(0);
    expect(cli(repo, ['promote', 'bert-base@1.1.0', 'staging', '--no-verify'], env).code).toBe(0);
    expect(cli(repo, ['promote', 'bert-base@1.1.0', 'production', '--no-verify'], env).code).toBe(0);
    const s = await serve(repo, [], env);
    running.push(s);
    const work = tempDir();
    const seen = await client(s.url, ['read', work, 'bert-base', 'sentiment']);

    const list = cli(repo, ['list', '--json']).json();
    expect(seen.search).toEqual(list.models.map((m: any) => m.name));
    for (const name of ['bert-base', 'sentiment']) {
      const show = cli(repo, ['show', name, '--json']).json();
      const m = seen.models[name];
      expect(m.description).toBe(show.model.description ?? '');
      expect(m.tags).toEqual(show.model.tags ?? {});
      const semverOf = new Map<string, string>(m.versions.map((v: any) => [v.version, v.tags['modelreg.version']]));
      expect([...semverOf.values()].sort()).toEqual(show.versions.map((v: any) => v.version).sort());
      expect(Object.fromEntries(Object.entries(m.aliases).map(([a, n]) => [a, semverOf.get(n as string)]))).toEqual(show.stages);
      for (const [alias, n] of Object.entries(m.by_alias)) expect(semverOf.get(n as string)).toBe(show.stages[alias]);
      for (const v of m.versions) {
        const mine = show.versions.find((x: any) => x.version === semverOf.get(v.version));
        expect(v.user_id).toBe(mine.created_by);
        expect(v.creation_timestamp).toBe(Date.parse(mine.created_at));
        expect(v.current_stage).toBe(
          mine.stages.includes('production') ? 'Production' : mine.stages.includes('staging') ? 'Staging' : mine.deprecated ? 'Archived' : 'None',
        );
        expect(v.aliases).toEqual([...mine.stages].sort());
      }
      if (show.stages.production) expect(m.latest_production.map((n: string) => semverOf.get(n))).toEqual([show.stages.production]);
    }
    // Downloads: every file of bert-base@production, by alias, by legacy stage and by number, byte for byte.
    const resolved = cli(repo, ['resolve', 'bert-base@production', '--json'], env).json();
    const expected = Object.fromEntries(resolved.artifacts.map((a: any) => [a.path, a.sha256]));
    expect(expected['model.bin']).toBe(sha(join(dir, 'model.bin')));
    const downloads = seen.models['bert-base'].downloads;
    const number = Object.entries(seen.models['bert-base'].aliases).find(([a]) => a === 'production')![1];
    for (const uri of ['models:/bert-base@production', 'models:/bert-base/Production', 'models:/bert-base/latest', `models:/bert-base/${number}`])
      expect(downloads[uri], uri).toEqual(expected);
    // The fixture's other versions name bytes that are not in this store: the client gets a clear error.
    expect(downloads['models:/bert-base/1'].error).toMatch(/not in the store|RESOURCE_DOES_NOT_EXIST|404/);
  }, 300_000);

  it('loads a scikit-learn model logged with mlflow.sklearn, registered and promoted with modelreg, and it predicts as the original', async () => {
    const work = tempDir();
    const trained = await client('', ['train', work]);
    const { repo } = fixtureRepo();
    const store = join(tempDir(), 'store');
    const env = { MODELREG_STORE: `file://${store}` };
    const reg = cli(
      repo,
      ['register', 'fraud-clf', trained.dir, '--version', '1.0.0', '--framework', 'sklearn', '--metric', `accuracy=${trained.accuracy}`, '--no-code', '--json'],
      env,
    );
    expect(reg.code, reg.stdout + reg.stderr).toBe(0);
    for (const stage of ['development', 'staging', 'production']) expect(cli(repo, ['promote', 'fraud-clf@1.0.0', stage, '--no-verify'], env).code).toBe(0);
    const s = await serve(repo, [], env);
    running.push(s);
    const loaded = await client(s.url, ['predict', 'models:/fraud-clf@production', join(work, 'inputs.json')]);
    expect(loaded.flavors).toContain('sklearn');
    expect(loaded.labels).toEqual(trained.labels);
    expect(loaded.probabilities).toEqual(trained.probabilities);
    // It came through modelreg: the model files were served from the store, each verified on the way.
    const served = s.log.filter((r) => r.event === 'request' && r.path.startsWith('/api/2.0/mlflow-artifacts/artifacts/fraud-clf/1.0.0/'));
    expect(served.map((r) => r.path.split('/').pop()).sort()).toEqual(
      reg
        .json()
        .artifacts.map((a: any) => a.path)
        .filter((p: string) => !p.includes('/'))
        .sort(),
    );
    expect(served.every((r) => r.status === 200 && r.complete)).toBe(true);
  }, 300_000);

  it('sees a promotion pushed to the followed branch while it polls, and gets MLflow errors for writes', async () => {
    const { served, writer } = followedRemote();
    const s = await serve(served, ['--follow', 'origin/main', '--interval', '1']);
    running.push(s);
    const polling = client(s.url, ['poll', 'sentiment', 'production', '1.2.0']);
    // Once the client has asked at least once (and heard 1.1.0), the promotion lands on the remote.
    await s.waitFor((r) => r.event === 'request' && r.path.includes('alias=production'));
    const promoted = cli(writer, ['promote', 'sentiment@1.2.0', 'production', '--no-verify', '--push', '--json']);
    expect(promoted.code, promoted.stderr).toBe(0);
    const result = await polling;
    expect(result.first).toBe('1.1.0');
    const switched = await s.waitFor((r) => r.event === 'switched');
    expect(switched.to).toBe(promoted.json().commit);

    // MLflow's client sends MLFLOW_TRACKING_TOKEN as a bearer token: a server that wants one gets it.
    const guarded = await serve(served, [], { MODELREG_SERVE_TOKEN: 'a-long-enough-token-0123' });
    running.push(guarded);
    expect((await client(guarded.url, ['poll', 'sentiment', 'production', '1.1.0'], { MLFLOW_TRACKING_TOKEN: 'a-long-enough-token-0123' })).calls).toBe(1);
    await expect(client(guarded.url, ['poll', 'sentiment', 'production', '1.1.0'])).rejects.toThrow(/UNAUTHENTICATED|401/);

    const writes = await client(s.url, ['writes', 'sentiment']);
    for (const [what, outcome] of Object.entries<any>(writes)) {
      expect(outcome.error_code, what).toBe('PERMISSION_DENIED');
      expect(outcome.message, what).toMatch(/read-only.*commit or a pull request/);
    }
  }, 300_000);
});
