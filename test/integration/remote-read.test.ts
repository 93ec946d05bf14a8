/**
 * Reading without a clone (issue 19): `resolve|show|pull --remote` against a real `git http-backend` on
 * loopback and a bare repository by path — the same answers as a clone gives, only the model's objects
 * fetched, the next call answered from the cache, and clear errors for a server without filter support,
 * a revision that does not exist and a remote that goes away mid-read.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveGit, type GitHttpServer } from '../../scripts/git-http-server.mjs';
import { Registry } from '../../src/api/registry.js';
import { cli, cliAsync, commitAll, fixtureRepo, gitIn, gitInAsync, stageYaml, tempDir, treeState, write } from './helpers.js';

let server: GitHttpServer;
let repo: string;
let served: string;
let url: string;
let store: string;

// Per test: the helpers remove every temporary directory when a test ends.
beforeEach(async () => {
  ({ repo } = fixtureRepo());
  store = pathToFileURL(join(repo, '.modelreg/store')).href;
  served = tempDir();
  gitIn(served, 'clone', '-q', '--bare', repo, 'registry.git');
  gitIn(join(served, 'registry.git'), 'config', 'uploadpack.allowFilter', 'true');
  gitIn(served, 'clone', '-q', '--bare', repo, 'nofilter.git');
  gitIn(join(served, 'nofilter.git'), 'config', 'uploadpack.allowFilter', 'false');
  server = await serveGit(served);
  url = `${server.url}registry.git`;
});
afterEach(() => server.close());

/** The CLI in an empty directory with a cache of its own (or the one given). */
function remoteCli(args: string[], cache = tempDir()) {
  const cwd = tempDir();
  return { cwd, cache, run: cliAsync(cwd, args, { MODELREG_REMOTE_CACHE: cache }) };
}

async function run(args: string[], cache = tempDir()) {
  const { run: r, cwd } = remoteCli(args, cache);
  const result = await r;
  // A read leaves the directory it ran in as it was.
  expect(treeState(cwd)).toEqual([]);
  return result;
}

/** The one partial clone in a cache. */
function cacheDir(cache: string): string {
  const dirs = readdirSync(cache).filter((d) => !d.includes('.tmp-'));
  expect(dirs).toHaveLength(1);
  return join(cache, dirs[0]!);
}

/** The cache's partial clone, and which of a commit's objects it lacks (listing them fetches nothing). */
function cached(cache: string, commit: string): { dir: string; missing: Set<string> } {
  const dir = cacheDir(cache);
  const listing = gitIn(dir, 'rev-list', '--objects', '--missing=print', commit);
  return { dir, missing: new Set(listing.split('\n').flatMap((l) => (l.startsWith('?') ? [l.slice(1)] : []))) };
}

/** Blob ids of a commit's files, by path, as the served repository has them. */
function blobsAt(rev: string, path: string): string[] {
  return gitIn(repo, 'ls-tree', '-r', rev, '--', path)
    .split('\n')
    .map((l) => l.split(/\s+/)[2]!);
}

describe('resolve, show and pull --remote over smart HTTP', () => {
  it('answer as a clone does, fetching only the model they read', async () => {
    const head = gitIn(repo, 'rev-parse', 'main');
    const expected = cli(repo, ['resolve', 'sentiment@production', '--at', 'main', '--store', store, '--json']).json();
    const cache = tempDir();
    const r = await run(['resolve', 'sentiment@production', '--remote', url, '--store', store, '--json'], cache);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json()).toEqual(expected);
    expect(r.json().revision).toBe(head);

    const { missing } = cached(cache, head);
    for (const oid of [...blobsAt(head, 'models/sentiment'), ...blobsAt(head, 'registry.yaml')]) expect(missing.has(oid)).toBe(false);
    const others = blobsAt(head, 'models/bert-base');
    expect(others.length).toBeGreaterThan(0);
    for (const oid of others) expect(missing.has(oid)).toBe(true);

    // show, for a model and for one version, reads the same cache and answers as the clone does.
    for (const ref of ['sentiment', 'sentiment@1.2.0']) {
      const local = cli(repo, ['show', ref, '--at', 'main', '--json']).json();
      const remote = await run(['show', ref, '--remote', url, '--json'], cache);
      expect(remote.code).toBe(0);
      // A store relative to the registry is shown as written: the registry is not here to be relative to.
      if (ref.includes('@')) expect(remote.json()).toEqual({ ...local, store: 'file://.modelreg/store', artifacts: local.artifacts.map(asWritten) });
      else expect(remote.json()).toEqual(local);
    }
  });

  it('answer the next call from the cache, asking the remote only where its branch points', async () => {
    const cache = tempDir();
    const args = ['resolve', 'sentiment@production', '--remote', url, '--store', store, '--json'];
    expect((await run(args, cache)).code).toBe(0);
    const before = { ...server.served };
    const again = await run(args, cache);
    expect(again.code).toBe(0);
    // One request, ls-refs, and a reply of a few hundred bytes: no pack.
    expect(server.served.fetch - before.fetch).toBe(1);
    expect(server.served.bytes - before.bytes).toBeLessThan(1000);

    // A full commit id cannot move: nothing is asked at all.
    const commit = again.json().revision;
    const quiet = { ...server.served };
    const pinned = await run([...args, '--at', commit], cache);
    expect(pinned.code).toBe(0);
    expect(pinned.json().version).toBe(again.json().version);
    expect(server.served).toEqual(quiet);
  });

  it('see a promotion pushed to the remote, and read the revision --at names', async () => {
    const { repo: work } = fixtureRepo();
    const bare = tempDir();
    gitIn(bare, 'clone', '-q', '--bare', work, 'r.git');
    gitIn(join(bare, 'r.git'), 'config', 'uploadpack.allowFilter', 'true');
    const own = await serveGit(bare);
    try {
      const remote = `${own.url}r.git`;
      const cache = tempDir();
      const resolve = async (...extra: string[]) =>
        (await run(['resolve', 'sentiment@production', '--remote', remote, '--store', store, '--json', ...extra], cache)).json();
      const first = gitIn(work, 'rev-parse', 'HEAD');
      expect((await resolve()).version).toBe('1.1.0');
      gitIn(work, 'tag', '-a', 'v1', '-m', 'the first release');
      write(work, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
      const second = commitAll(work, 'Promote sentiment 1.2.0 to production');
      gitIn(work, 'branch', 'old', first);
      await gitInAsync(work, 'push', '-q', `${remote}`, 'main', 'old', 'v1');

      expect(await resolve()).toMatchObject({ version: '1.2.0', revision: second });
      expect(await resolve('--at', 'v1')).toMatchObject({ version: '1.1.0', revision: first });
      expect(await resolve('--at', 'old')).toMatchObject({ version: '1.1.0', revision: first });
      expect(await resolve('--at', first)).toMatchObject({ version: '1.1.0', revision: first });
      expect(await resolve('--at', 'refs/heads/main')).toMatchObject({ version: '1.2.0', revision: second });
    } finally {
      await own.close();
    }
  });

  it('pull verified bytes from the store, and refuse a store that is relative to a registry that is not here', async () => {
    const cache = tempDir();
    const { cwd, run: r } = remoteCli(['pull', 'sentiment@production', '--remote', url, '--store', store, '-o', 'out', '--json'], cache);
    const pulled = await r;
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    const local = tempDir();
    expect(cli(repo, ['pull', 'sentiment@production', '-o', local, '--json']).code).toBe(0);
    expect(treeState(join(cwd, 'out'))).toEqual(treeState(local));
    expect(pulled.json().files.map((f: { path: string }) => f.path)).toEqual(
      cli(repo, ['resolve', 'sentiment@production', '--json'])
        .json()
        .artifacts.map((a: { path: string }) => a.path),
    );

    const refused = await run(['pull', 'sentiment@production', '--remote', url, '-o', 'out', '--json'], cache);
    expect(refused.code).toBe(1);
    expect(refused.json().error).toMatchObject({ code: 'precondition' });
    expect(refused.json().error.message).toContain('file://.modelreg/store');
    expect(refused.json().error.hint).toContain('--store');
  });

  it('read a bare repository by its path, and through the library API', async () => {
    const cache = tempDir();
    const bare = join(served, 'registry.git');
    const r = await run(['resolve', 'sentiment@production', '--remote', bare, '--store', store, '--json'], cache);
    expect(r.code).toBe(0);
    expect(r.json().version).toBe('1.1.0');

    process.env.MODELREG_REMOTE_CACHE = cache;
    try {
      const reg = await Registry.open({ remote: url, store });
      expect((await reg.resolve('sentiment@production')).version).toBe('1.1.0');
      expect(reg.source.label).toContain(url);
      expect((await reg.showModel('bert-base')).versions.length).toBeGreaterThan(0);
      await expect(Registry.open({ remote: url, dir: repo })).rejects.toMatchObject({ code: 'usage' });
    } finally {
      delete process.env.MODELREG_REMOTE_CACHE;
    }
  });

  it('agree when two first reads of one cache run at once', async () => {
    const args = ['resolve', 'sentiment@production', '--remote', url, '--store', store, '--json'];
    // Several rounds, each on a fresh cache: the races (the shallow file's lock, and its check that no
    // other fetch changed it) are lost only some of the time.
    for (let round = 0; round < 4; round++) {
      const cache = tempDir();
      const [a, b, c] = await Promise.all([run(args, cache), run(args, cache), run(['show', 'bert-base', '--remote', url, '--json'], cache)]);
      expect([a, b, c].map((r) => (r.code === 0 ? 0 : r.stdout + r.stderr))).toEqual([0, 0, 0]);
      expect(a.json()).toEqual(b.json());
      expect(c.json().name).toBe('bert-base');
    }
  });
});

describe('--remote refuses clearly and keeps the cache usable', () => {
  it('a server that does not allow filters: stopped before the pack, nothing fetched', async () => {
    const cache = tempDir();
    const before = server.served.bytes;
    for (const remote of [`${server.url}nofilter.git`, join(served, 'nofilter.git')]) {
      const r = await run(['resolve', 'sentiment@production', '--remote', remote, '--store', store, '--json'], cache);
      expect(r.code).toBe(1);
      expect(r.json().error).toMatchObject({ code: 'remote-unsupported' });
      expect(r.json().error.message).toContain(remote);
      expect(r.json().error.hint).toContain('uploadpack.allowFilter');
    }
    // No pack came over HTTP (refs and capabilities are a few hundred bytes), and no cache is left behind.
    expect(server.served.bytes - before).toBeLessThan(1500);
    expect(readdirSync(cache)).toEqual([]);
  });

  it('a revision that does not exist', async () => {
    const cache = tempDir();
    const cases: [string, RegExp, RegExp][] = [
      ['nosuch', /"nosuch" is not a branch or tag of http/, /git ls-remote/],
      ['1234567890123456789012345678901234567890', /is not a branch, tag or commit of http/, /full commit id/],
      ['abc1234', /"abc1234" is not a branch or tag/, /full 40-character id/],
      ['2026-11-01', /"2026-11-01" is not a branch or tag/, /clone the registry, then --at <date>/],
    ];
    for (const [at, message, hint] of cases) {
      const r = await run(['resolve', 'sentiment@production', '--remote', url, '--at', at, '--store', store, '--json'], cache);
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe('revision-not-found');
      expect(r.json().error.message).toMatch(message);
      expect(r.json().error.hint).toMatch(hint);
    }
  });

  it('a remote that goes away mid-read, during the trees and during the blobs; the next call answers', async () => {
    const head = gitIn(repo, 'rev-parse', 'main');
    const expected = cli(repo, ['resolve', 'sentiment@production', '--at', 'main', '--store', store, '--json']).json();
    const cache = tempDir();
    const args = ['resolve', 'sentiment@production', '--remote', url, '--store', store, '--json'];
    // The ls-refs reply is a few hundred bytes; the trees' pack is the first reply past 600, the blobs' the second.
    for (const skip of [0, 1]) {
      server.cutNextFetch({ afterBytes: 600, skip });
      const r = await run(args, cache);
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe('remote-unavailable');
      expect(r.json().error.message).toContain(url);
      expect(r.json().error.hint).toMatch(/next call continues/);
      // What was cut off is not in the cache: a first contact cut short leaves no cache at all; a cut in
      // the blobs' fetch leaves the commit and its trees, without the model's blobs and without a marker.
      if (skip === 0) expect(readdirSync(cache)).toEqual([]);
      else {
        expect(cached(cache, head).missing.has(blobsAt(head, 'models/sentiment/versions')[0]!)).toBe(true);
        expect(existsSync(join(cacheDir(cache), 'modelreg', 'complete'))).toBe(false);
      }
    }
    const r = await run(args, cache);
    expect(r.code).toBe(0);
    expect(r.json()).toEqual(expected);
  });

  it('a remote that cannot be reached, naming it without its credentials', async () => {
    const gone = await serveGit(served);
    const address = gone.url.replace('http://', 'http://someone:s3cret-token@');
    await gone.close();
    const cache = tempDir();
    const r = await run(['resolve', 'sentiment@production', '--remote', `${address}registry.git`, '--store', store, '--json'], cache);
    expect(readdirSync(cache)).toEqual([]);
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('remote-unavailable');
    expect(r.json().error.message).toContain('http://***@127.0.0.1');
    expect(r.stdout + r.stderr).not.toContain('s3cret-token');
  });

  it('--registry and --remote together are a usage error', async () => {
    const cache = tempDir();
    const r = await run(['resolve', 'sentiment@production', '--remote', url, '--registry', repo], cache);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--remote|--registry/);
    // Refused before the remote is asked anything.
    expect(readdirSync(cache)).toEqual([]);
  });
});

/** An artifact as show reports it from a remote whose store is relative: its URI as registry.yaml writes it. */
function asWritten(a: { sha256: string; uri: string }) {
  return { ...a, uri: `file://.modelreg/store/sha256/${a.sha256.slice(0, 2)}/${a.sha256}` };
}
