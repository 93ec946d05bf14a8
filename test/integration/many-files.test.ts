/**
 * Versions of many files (issue 20): register and pull move several files at once, and the S3 store
 * bounds its requests in flight, so a model of thousands of small files neither waits a round trip per
 * file nor opens a file descriptor per file. Each run is a CLI process allowed only 200 open files:
 * anything unbounded fails with EMFILE long before the end. Every byte is compared after the pull.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireS3, skipS3, type S3TestEnv } from '../s3-setup.js';
import { IDENTITY, ROOT, fixtureRepo, gitIn, tempDir, write } from './helpers.js';

const MiB = 1024 * 1024;
const runId = randomBytes(4).toString('hex');

/** `count` small files in directories of 1,000, and one file of three 5 MiB parts. */
function modelOfManyFiles(count: number): { dir: string; files: Map<string, Buffer> } {
  const dir = tempDir();
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) files.set(`shard-${Math.floor(i / 1000)}/part-${i}.json`, Buffer.from(`{"part": ${i}, "salt": "${runId}"}\n`));
  files.set('model.safetensors', randomBytes(12 * MiB));
  for (const [path, bytes] of files) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return { dir, files };
}

/** The CLI in `repo`, its JSON result, in a process allowed 200 open files. */
function limitedCli(repo: string, args: string[], env: Record<string, string>) {
  const r = spawnSync('sh', ['-c', 'ulimit -n 200 && exec "$@"', 'sh', process.execPath, join(ROOT, 'bin/run.js'), ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY, MODELREG_REGISTRY: '', MODELREG_STORE: '', ...env },
    maxBuffer: 1 << 27,
  });
  if (r.status !== 0) throw new Error(`modelreg ${args[0]} exited ${r.status}: ${r.stdout.slice(0, 2000)}${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

/** Register the files, pull them back, and compare every byte; nothing of the pull's staging is left. */
function roundTrip(repo: string, model: { dir: string; files: Map<string, Buffer> }, env: Record<string, string>) {
  const reg = limitedCli(repo, ['register', 'sentiment', model.dir, '--version', '4.0.0', '--no-code', '--json'], env);
  expect(reg.artifacts).toHaveLength(model.files.size);
  expect(reg.artifacts.every((a: { stored: boolean }) => a.stored)).toBe(true);
  const out = join(tempDir(), 'pulled');
  const pulled = limitedCli(repo, ['pull', 'sentiment@4.0.0', '-o', out, '--json'], env);
  expect(pulled.files).toHaveLength(model.files.size);
  for (const [path, bytes] of model.files) expect(readFileSync(join(out, path)).equals(bytes), path).toBe(true);
  expect(readdirSync(out).sort()).toEqual([...new Set([...model.files.keys()].map((p) => p.split('/')[0]!))].sort());
}

describe('a version of many files', () => {
  it('10,000 files (the most a version may list: 9,999 small and a large one), into the local store and back', () => {
    const { repo } = fixtureRepo();
    roundTrip(repo, modelOfManyFiles(9_999), { MODELREG_STORE: pathToFileURL(join(tempDir(), 'store')).href });
  }, 300_000);
});

describe.skipIf(skipS3())('a version of many files over S3', () => {
  let s3: S3TestEnv;
  beforeAll(() => {
    s3 = requireS3();
  });

  it('1,000 small files and a multipart one, up and down', () => {
    const { repo } = fixtureRepo();
    write(
      repo,
      'registry.yaml',
      readFileSync(join(repo, 'registry.yaml'), 'utf8').replace(
        /store: .*/,
        `store: s3://${s3.bucket}/many-${runId}\n  s3:\n    endpoint: ${s3.endpoint}\n    region: ${s3.region}\n    force_path_style: true\n    checksums: when_required`,
      ),
    );
    gitIn(repo, 'commit', '-qam', 'Store artifacts in S3');
    roundTrip(repo, modelOfManyFiles(1_000), {
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_REGION: s3.region,
      MODELREG_S3_PART_SIZE: '5',
    });
  }, 300_000);
});
