/**
 * `modelreg import mlflow` against a real `mlflow server` (SQLite backend, local artifact root, on
 * loopback, started by scripts/python/mlflow-server.sh) holding a registry built through the MLflow client
 * (test/python/mlflow_populate.py: several models, versions, tags, aliases, stage moves and users, a
 * name modelreg cannot hold, a deleted version). Every fact the MLflow client can read is compared with
 * what it reads from `modelreg serve` of the imported registry, downloads byte for byte; a second import
 * is a no-op; bad input (a server that is down, one failing halfway, a name refused, a conflict, a version
 * whose artifacts are gone) gets a clear error and leaves a valid registry that a re-run completes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pythonPath, requirePython, skipPython } from '../python-setup.js';
import { cli, cliAsync, commitAll, gitIn, ROOT, tempDir } from './helpers.js';
import { serve, type Served } from './serve-helpers.js';

const IMPORTER = {
  GIT_AUTHOR_NAME: 'Importer',
  GIT_AUTHOR_EMAIL: 'importer@example.com',
  GIT_COMMITTER_NAME: 'Importer',
  GIT_COMMITTER_EMAIL: 'importer@example.com',
};
const NAMES: Record<string, string> = { 'fraud-detector': 'fraud-detector', 'Churn Model': 'churn-model', ranker: 'ranker' };

function python(args: string[], env: Record<string, string> = {}): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath()!, args, { cwd: tempDir(), env: { ...process.env, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} failed (${code}): ${err.slice(-3000)}`));
      // MLflow prints links to its UI on stdout; our scripts print one JSON line, last.
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(last.startsWith('{') ? JSON.parse(last) : null);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** A fresh registry whose policy holds the stages the MLflow aliases name. */
function freshRegistry(): string {
  const dir = join(tempDir(), 'reg');
  expect(cli(tempDir(), ['init', dir, '--json'], IMPORTER).code).toBe(0);
  appendFileSync(join(dir, 'registry.yaml'), '  - name: champion\n    from: []\n  - name: challenger\n    from: []\n');
  commitAll(dir, 'Stages for the MLflow aliases');
  return dir;
}

const importCli = (dir: string, uri: string, extra: string[] = []) =>
  cli(dir, ['import', 'mlflow', '--tracking-uri', uri, '--json', ...extra], { ...IMPORTER, MLFLOW_TRACKING_URI: '' });

describe.skipIf(skipPython())('modelreg import mlflow against a real MLflow server', () => {
  let mlflow: ChildProcess;
  let url: string;
  let mlflowDir: string;
  const served: Served[] = [];

  beforeAll(async () => {
    requirePython();
    // Not a tempDir(): those go after each test, and this server lives for the whole file.
    mlflowDir = mkdtempSync(join(tmpdir(), 'modelreg-mlflow-server-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    mlflow = spawn('bash', [join(ROOT, 'scripts/python/mlflow-server.sh'), mlflowDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    mlflow.stdout!.on('data', (d) => (output += d));
    mlflow.stderr!.on('data', (d) => (output += d));
    // Polled until it answers; the hook's time limit bounds the wait, and a server that exits says why.
    for (;;) {
      if (mlflow.exitCode !== null) throw new Error(`mlflow server exited (${mlflow.exitCode}): ${output.slice(-3000)}`);
      if (
        await fetch(`${url}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await sleep(250);
    }
    await python([join(ROOT, 'test/python/mlflow_populate.py'), 'story', url, join(mlflowDir, 'story.json')]);
  }, 600_000); // a loaded 2-core machine takes minutes to start MLflow and build its registry

  afterAll(() => {
    if (mlflow?.pid) process.kill(-mlflow.pid, 'SIGTERM');
    rmSync(mlflowDir, { recursive: true, force: true });
  });

  afterEach(async () => {
    for (const s of served.splice(0)) await s.stop();
  });

  it('imports every model with its history, and MLflow clients read the same facts and bytes from modelreg serve', async () => {
    const dir = freshRegistry();
    const r = importCli(dir, url);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const result = r.json();
    expect(result.names).toEqual([
      { mlflow: 'Churn Model', modelreg: 'churn-model', mapped: true },
      { mlflow: 'fraud-detector', modelreg: 'fraud-detector', mapped: false },
      { mlflow: 'ranker', modelreg: 'ranker', mapped: false },
    ]);
    // One commit per step, in time order, authored by the MLflow user at the MLflow time.
    const log = gitIn(dir, 'log', '--reverse', '--format=%an|%ae|%at|%s', `HEAD~${result.steps.length}..HEAD`).split('\n');
    expect(log).toHaveLength(result.steps.length);
    const times = log.map((l) => Number(l.split('|')[2]));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const registrations = log.filter((l) => l.includes('|Register '));
    expect(registrations.map((l) => l.split('|')[1])).toEqual([
      'alice@example.com',
      'bob@example.com',
      'carol@mlflow.invalid',
      'dave@example.com',
      'alice@example.com',
      'erin@mlflow.invalid',
      'frank@example.com',
    ]);
    expect(log.filter((l) => !l.includes('|Register ')).every((l) => l.startsWith('Importer|importer@example.com|'))).toBe(true);
    // modelreg's own history tells the same story.
    const history = cli(dir, ['history', 'fraud-detector', '--json'])
      .json()
      .events.map((e: any) => [e.kind, e.version, e.stage, e.author].filter(Boolean).join(' '));
    expect(history.reverse()).toEqual([
      'registered 1.0.0 alice',
      'model-created alice',
      'registered 2.0.0 bob',
      'registered 3.0.0 carol',
      'promoted 2.0.0 production Importer',
      'deprecated 1.0.0 Importer',
      'promoted 3.0.0 challenger Importer',
      'promoted 2.0.0 champion Importer',
    ]);
    expect(cli(dir, ['validate', '--json']).json().ok).toBe(true);
    gitIn(dir, 'fsck', '--strict', '--no-progress');

    // Every fact, from both servers, through the MLflow client.
    const s = await serve(dir);
    served.push(s);
    const work = tempDir();
    const [theirs, ours] = await Promise.all([
      python([join(ROOT, 'test/python/mlflow_client.py'), 'facts', join(work, 'mlflow'), ...Object.keys(NAMES)], { MLFLOW_TRACKING_URI: url }),
      python([join(ROOT, 'test/python/mlflow_client.py'), 'facts', join(work, 'modelreg'), ...Object.values(NAMES)], { MLFLOW_TRACKING_URI: s.url }),
    ]);
    const users = JSON.parse(readFileSync(join(mlflowDir, 'story.json'), 'utf8')).users as Record<string, string>;
    for (const [mlflowName, name] of Object.entries(NAMES)) {
      const a = theirs[mlflowName];
      const b = ours[name];
      expect(b.description, name).toBe(a.description);
      expect(b.tags, name).toEqual({ ...a.tags, ...(name !== mlflowName ? { 'mlflow.name': mlflowName } : {}) });
      // A legacy stage becomes the modelreg stage of that name, and every modelreg stage is also an alias.
      const legacy = Object.fromEntries(
        Object.values<any>(a.versions)
          .filter((v) => ['Staging', 'Production'].includes(v.current_stage))
          .map((v) => [v.current_stage.toLowerCase(), v.version]),
      );
      expect(b.aliases, name).toEqual({ ...legacy, ...a.aliases });
      expect(b.latest, name).toEqual(a.latest);
      expect(Object.keys(b.versions).sort(), name).toEqual(Object.keys(a.versions).sort());
      for (const [n, va] of Object.entries<any>(a.versions)) {
        const vb = b.versions[n];
        expect(vb.current_stage, `${name} ${n}`).toBe(va.current_stage);
        // (MLflow's search leaves a version's aliases out; modelreg's answer has them, as get-model-version does.)
        const expectedAliases = Object.entries<string>({ ...legacy, ...a.aliases })
          .filter(([, x]) => x === n)
          .map(([alias]) => alias);
        expect(vb.aliases, `${name} ${n}`).toEqual(expectedAliases.sort());
        expect(vb.description, `${name} ${n}`).toBe(va.description);
        expect(vb.run_id, `${name} ${n}`).toBe(va.run_id);
        expect(vb.creation_timestamp, `${name} ${n}`).toBe(va.creation_timestamp);
        expect(vb.user_id, `${name} ${n}`).toBe(users[va.run_id]); // MLflow records the user on the run
        expect(vb.tags, `${name} ${n}`).toEqual({ ...va.tags, 'modelreg.version': `${n}.0.0` });
        expect(vb.files, `${name} ${n}`).toEqual(va.files); // byte for byte
        expect(Object.keys(vb.files).length).toBeGreaterThan(0);
      }
    }

    // A second import is a no-op: nothing planned, no commit.
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const again = importCli(dir, url);
    expect(again.code, again.stderr).toBe(0);
    expect(again.json().steps).toEqual([]);
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);

    // MLflow archives the production version (it keeps the alias champion on it): a re-run gives up its
    // stages — the stage files deleted — then deprecates it, and says the alias is not imported.
    await python(['-c', `from mlflow import MlflowClient; MlflowClient('${url}').transition_model_version_stage('fraud-detector', '2', 'Archived')`]);
    const archived = importCli(dir, url, ['--model', 'fraud-detector']);
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.json().steps.map((x: any) => `${x.kind} ${x.stage ?? x.version}`)).toEqual(['unassign champion', 'unassign production', 'deprecate 2.0.0']);
    expect(archived.json().notes).toContain(
      'fraud-detector: alias champion names version 2, which is Archived; a deprecated version holds no stage, so it is not imported',
    );
    expect(cli(dir, ['show', 'fraud-detector', '--json']).json().stages).toEqual({ challenger: '3.0.0' });
    expect(
      cli(dir, ['history', 'fraud-detector', '--json'])
        .json()
        .events.slice(0, 3)
        .map((e: any) => `${e.kind} ${e.stage ?? e.version}`),
    ).toEqual(['deprecated 2.0.0', 'stage-removed production', 'stage-removed champion']);
    expect(cli(dir, ['validate', '--json']).json().ok).toBe(true);
    gitIn(dir, 'fsck', '--strict', '--no-progress');

    // An endpoint neither has: the same answer from both, byte for byte.
    const [a, b] = await Promise.all([fetch(`${url}/api/2.0/mlflow/no-such-endpoint`), fetch(`${s.url}/api/2.0/mlflow/no-such-endpoint`)]);
    expect([b.status, b.headers.get('content-type'), await b.text()]).toEqual([a.status, a.headers.get('content-type'), await a.text()]);
  }, 300_000);

  it('says what it cannot do, before writing anything: a server that is down, a name refused, a conflict', async () => {
    const dir = freshRegistry();
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const nobody = await freePort();
    const down = importCli(dir, `http://127.0.0.1:${nobody}`);
    expect(down.code).toBe(1);
    expect(down.json().error).toMatchObject({ code: 'source-unavailable' });
    expect(down.json().error.message).toBe(`cannot reach MLflow at http://127.0.0.1:${nobody}: ECONNREFUSED`);

    const refused = importCli(dir, url, ['--no-map-names']);
    expect(refused.code).toBe(1);
    expect(refused.json().error.message).toContain('"Churn Model" has a name modelreg cannot hold');
    expect(refused.json().error.hint).toContain('--name-map');

    // A name can be chosen instead of mapped; a dry run writes nothing.
    const dry = importCli(dir, url, ['--name-map', 'Churn Model=churn', '--model', 'Churn Model', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json().steps.map((s: any) => `${s.kind} ${s.model}@${s.version}`)).toEqual([
      'register churn@1.0.0',
      'register churn@2.0.0',
      'promote churn@1.0.0',
    ]);

    // fraud-detector@1.0.0 registered in modelreg first: the import refuses to take it for MLflow's version 1.
    const file = join(tempDir(), 'w.bin');
    writeFileSync(file, 'mine');
    expect(cli(dir, ['register', 'fraud-detector', file, '--version', '1.0.0', '--no-code'], IMPORTER).code).toBe(0);
    const mine = gitIn(dir, 'rev-parse', 'HEAD');
    const conflict = importCli(dir, url, ['--model', 'fraud-detector']);
    expect(conflict.code).toBe(1);
    expect(conflict.json().error).toMatchObject({ code: 'conflict' });
    expect(conflict.json().error.message).toContain('fraud-detector@1.0.0 is already in the registry, and it is not MLflow\'s "fraud-detector" version 1');
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(mine);
    expect(gitIn(dir, 'rev-list', '--count', `${head}..HEAD`)).toBe('1');
    expect(cli(dir, ['validate', '--json']).json().ok).toBe(true);
    gitIn(dir, 'fsck', '--strict', '--no-progress');
  }, 300_000);

  it('a server failing halfway leaves whole commits and a valid registry, and the next run finishes the import', async () => {
    // A proxy in front of the real server that answers 500 from its 30th request on.
    let requests = 0;
    const proxy: Server = createServer(async (req, res) => {
      if (++requests >= 30) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'injected failure' }));
        return;
      }
      const upstream = await fetch(`${url}${req.url}`);
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(Buffer.from(await upstream.arrayBuffer()));
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const dir = freshRegistry();
    try {
      // Asynchronously: the proxy answers from this very process.
      const failed = await cliAsync(dir, ['import', 'mlflow', '--tracking-uri', proxyUrl, '--json'], { ...IMPORTER, MLFLOW_TRACKING_URI: '' });
      expect(failed.code).toBe(1);
      expect(failed.json().error.code).toBe('source-unavailable');
      expect(failed.json().error.message).toMatch(/answered 500 to GET .*INTERNAL_ERROR: injected failure/);
    } finally {
      await new Promise((r) => proxy.close(r));
    }
    const partial = Number(gitIn(dir, 'rev-list', '--count', 'HEAD'));
    expect(partial).toBeGreaterThan(2); // it failed halfway: some steps were committed (init and the stages commit are 2)
    expect(cli(dir, ['validate', '--json']).json().ok).toBe(true);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    const resumed = importCli(dir, url);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(Number(gitIn(dir, 'rev-list', '--count', 'HEAD'))).toBeGreaterThan(partial);
    // The end state is the one a clean import reaches.
    const clean = freshRegistry();
    expect(importCli(clean, url).code).toBe(0);
    for (const name of Object.values(NAMES)) {
      const a = cli(clean, ['show', name, '--json']).json();
      const b = cli(dir, ['show', name, '--json']).json();
      expect(b.stages, name).toEqual(a.stages);
      expect(
        b.versions.map((v: any) => [v.version, v.deprecated, v.created_by]),
        name,
      ).toEqual(a.versions.map((v: any) => [v.version, v.deprecated, v.created_by]));
    }
    gitIn(dir, 'fsck', '--strict', '--no-progress');
  }, 300_000);

  it('refuses a version whose artifacts are gone, naming it, and keeps what it imported before', () => {
    // ranker's version 3 comes from a run of frank's: delete that run's artifacts on the MLflow side.
    const runs = join(mlflowDir, 'artifacts');
    let removed = 0;
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const p = join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === 'ranker.onnx' && readFileSync(p, 'utf8').startsWith('onnx3')) {
          rmSync(join(p, '..'), { recursive: true, force: true });
          removed++;
        }
      }
    };
    walk(runs);
    expect(removed).toBe(1);
    const dir = freshRegistry();
    const r = importCli(dir, url, ['--model', 'ranker']);
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('source-invalid');
    expect(r.json().error.message).toContain('"ranker" version 3 has no artifacts left');
    // Version 2 came before it and is whole; nothing of version 3 was written.
    expect(
      cli(dir, ['show', 'ranker', '--json'])
        .json()
        .versions.map((v: any) => v.version),
    ).toEqual(['2.0.0']);
    expect(cli(dir, ['verify', '--json']).json().ok).toBe(true);
    expect(cli(dir, ['validate', '--json']).json().ok).toBe(true);
    gitIn(dir, 'fsck', '--strict', '--no-progress');
  }, 300_000);
});
