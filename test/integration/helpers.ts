/** Real Git repositories in temporary directories, and the built CLI run as a user runs it. */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';
import { keepWrittenManifests } from '../readers/collect.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURE = join(ROOT, 'test/fixtures/registry');
/** The bytes the fixture registry's versions name, content-addressed as a store holds them. */
export const FIXTURE_STORE = join(ROOT, 'test/fixtures/store');
export const BIN = join(ROOT, 'bin/run.js');

export const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
};

const made: string[] = [];

/**
 * Every repository a test makes must pass `git fsck --strict` when the test ends; what modelreg wrote in
 * it is kept for the YAML readers' check (test/readers/), which runs after the whole suite.
 */
afterEach(() => {
  for (const dir of made.splice(0)) {
    if (existsSync(join(dir, '.git'))) {
      const r = spawnSync('git', ['fsck', '--strict', '--no-progress'], { cwd: dir, encoding: 'utf8' });
      expect(r.status, `git fsck in ${dir}: ${r.stderr}`).toBe(0);
      keepWrittenManifests(dir);
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

export function tempDir(prefix = 'modelreg-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function sh(cwd: string, cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export const gitIn = (cwd: string, ...args: string[]) => sh(cwd, 'git', args).trim();

/** git without blocking this process: for a remote served by this process itself (scripts/git-http-server.mjs). */
export function gitInAsync(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, ...IDENTITY } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve(stdout.trim()) : reject(new Error(`git ${args.join(' ')} failed (${code}): ${stderr}`))));
  });
}

/** Copy the fixture registry's artifact bytes into a local store directory (a promotion checks they are there). */
export function seedFixtureBytes(store: string): void {
  cpSync(FIXTURE_STORE, store, { recursive: true });
}

/**
 * A git repository holding a copy of the fixture registry, committed on main, with the bytes its versions
 * name in its default store (.modelreg/store, not committed).
 */
export function fixtureRepo(options: { subdir?: string } = {}): { repo: string; registry: string } {
  const repo = tempDir();
  const registry = options.subdir ? join(repo, options.subdir) : repo;
  mkdirSync(registry, { recursive: true });
  cpSync(FIXTURE, registry, { recursive: true });
  seedFixtureBytes(join(registry, '.modelreg/store'));
  gitIn(repo, 'init', '-q', '-b', 'main');
  commitAll(repo, 'Initial registry');
  return { repo, registry };
}

export function commitAll(repo: string, message: string): string {
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-q', '--allow-empty', '-m', message);
  return gitIn(repo, 'rev-parse', 'HEAD');
}

/**
 * Every path under `dir` (directories included, `.git` left out) with what it is: `d` for a directory,
 * `f <size> <sha1>` for a file, `l <target>` for a link. Two listings are equal only when the tree holds
 * the same files and the same directories: a refused write must leave no empty directory behind.
 */
export function treeState(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      if (rel === '' && name === '.git') continue;
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      if (st.isSymbolicLink()) out.push(`${p} l ${readlinkSync(join(dir, p))}`);
      else if (st.isDirectory()) {
        out.push(`${p}/ d`);
        walk(p);
      } else
        out.push(
          `${p} f ${st.size} ${createHash('sha1')
            .update(readFileSync(join(dir, p)))
            .digest('hex')}`,
        );
    }
  };
  walk('');
  return out;
}

export function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: () => any;
}

/** The built CLI (npm test builds first), run in `cwd` with a clean environment of ours. */
export function cli(cwd: string, args: string[], env: Record<string, string> = {}): CliResult {
  if (!existsSync(join(ROOT, 'dist/src/index.js'))) throw new Error('dist/ is missing: run `npm run build` (npm test does it)');
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...IDENTITY, MODELREG_REGISTRY: '', MODELREG_STORE: '', ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}

/**
 * Production's history on a branch: sentiment 1.2.0 promoted on a branch merged as pull request #42,
 * then rolled back to 1.1.0 in a squash-style commit (#43).
 */
export function promoteThenRollBack(repo: string): void {
  gitIn(repo, 'checkout', '-q', '-b', 'promote');
  write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
  commitAll(repo, 'Promote sentiment 1.2.0 to production');
  gitIn(repo, 'checkout', '-q', 'main');
  gitIn(repo, 'merge', '-q', '--no-ff', 'promote', '-m', 'Merge pull request #42 from acme/promote');
  write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.1.0', '1.2.0'));
  commitAll(repo, 'Rollback sentiment production to 1.1.0 (#43)');
}

/** A data file of a site `modelreg site` wrote, by running it as the page does (it hands one value over). */
export function readData<T>(site: string, path: string): T {
  const pushed: [string, unknown][] = [];
  new Function('self', readFileSync(join(site, path), 'utf8'))({ modelregData: { push: (item: [string, unknown]) => pushed.push(item) } });
  if (pushed.length !== 1) throw new Error(`${path} pushed ${pushed.length} values`);
  return pushed[0]![1] as T;
}

/** A stage file as `modelreg promote` will write it. */
export function stageYaml(model: string, stage: string, version: string, previous: string | null): string {
  return `model: ${model}\nstage: ${stage}\nversion: ${version}\nmoved_by: author@example.com\nmoved_at: "2026-11-01T10:00:00Z"\nreason: test\nprevious: ${previous ?? 'null'}\n`;
}

/**
 * The CLI as a child process that does not block this one: for several at once, or beside a server
 * (the GitHub stand-in) that runs in the test's own process. With `killAfterMs`, the process is killed
 * (SIGKILL, as a crash) after that long; the promise resolves once every process it started (a git that
 * outlives it) has ended too, so what the test then sees is the state the crash left.
 */
export function cliAsync(cwd: string, args: string[], env: Record<string, string> = {}, options: { killAfterMs?: number } = {}): Promise<CliResult> {
  const kill = options.killAfterMs !== undefined;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      detached: kill,
      env: { ...process.env, ...IDENTITY, MODELREG_REGISTRY: '', MODELREG_STORE: '', ...env },
    });
    const timer = kill ? setTimeout(() => child.kill('SIGKILL'), options.killAfterMs) : undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      if (kill) await groupEnded(child.pid!);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr, json: () => JSON.parse(stdout) });
    });
  });
}

/** Wait until no process of this process group is left. */
async function groupEnded(pgid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
