/**
 * The digest cache (issue 20): a large file registered again, unchanged, is not read again; a file
 * changed in any way — even to the same size with its modification time put back — is hashed afresh;
 * a file changed too lately to rule out a write in the same clock tick is not remembered; and a digest
 * the cache got wrong is caught by the store, which checks the bytes it receives.
 */
import { openSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cli, fixtureRepo, gitIn, tempDir } from './helpers.js';

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((go) => setTimeout(go, ms));

/** Every file the cache remembers: its cache file, and the digest and size it holds (one state each). */
function entries(dir: string): { file: string; entry: Record<string, string> }[] {
  const out = [];
  for (const shard of readdirSync(dir))
    for (const name of readdirSync(join(dir, shard))) {
      const file = join(dir, shard, name);
      const [[state, sha256]] = Object.entries(JSON.parse(readFileSync(file, 'utf8')).digests as Record<string, string>) as [[string, string]];
      out.push({ file, entry: { sha256, size: state.split(':')[0]! } });
    }
  return out;
}

/** Make the cache file say `sha256` for the state it holds. */
function rewrite(file: string, sha256: string): void {
  const cached = JSON.parse(readFileSync(file, 'utf8'));
  for (const state of Object.keys(cached.digests)) cached.digests[state] = sha256;
  writeFileSync(file, JSON.stringify(cached));
}

function setUp() {
  const { repo } = fixtureRepo();
  const cache = join(tempDir(), 'digests');
  const env = { MODELREG_STORE: pathToFileURL(join(tempDir(), 'store')).href, MODELREG_DIGEST_CACHE: cache };
  const register = (file: string, version: string, extra: Record<string, string> = {}) =>
    cli(repo, ['register', 'sentiment', file, '--version', version, '--no-code', '--json'], { ...env, ...extra });
  return { repo, cache, register };
}

describe('the digest cache', () => {
  it('remembers a settled large file, uses what it remembers, and hashes again once the file changed', async () => {
    const { cache, register } = setUp();
    const file = join(tempDir(), 'weights.safetensors');
    const first = randomBytes(9 * MiB);
    writeFileSync(file, first);
    await sleep(2_100); // older than the racy window

    const a = register(file, '4.0.0');
    expect(a.code, a.stderr).toBe(0);
    expect(a.json().artifacts[0]).toMatchObject({ sha256: sha(first), stored: true });
    const [remembered] = entries(cache);
    expect(entries(cache)).toHaveLength(1);
    expect(remembered!.entry).toMatchObject({ sha256: sha(first), size: String(first.length) });

    // Proof that a re-register takes the digest from the cache rather than reading the file: a cache
    // entry pointing at other stored bytes of the same size is believed (which only a forged entry can do).
    const other = randomBytes(9 * MiB);
    const otherFile = join(tempDir(), 'other.bin');
    writeFileSync(otherFile, other);
    expect(register(otherFile, '4.1.0').code).toBe(0);
    rewrite(remembered!.file, sha(other));
    const b = register(file, '4.2.0');
    expect(b.code, b.stderr).toBe(0);
    expect(b.json().artifacts[0]).toMatchObject({ sha256: sha(other), stored: false });
    rewrite(remembered!.file, remembered!.entry.sha256!);
    expect(register(file, '4.3.0').json().artifacts[0]).toMatchObject({ sha256: sha(first), stored: false });

    // Same size, one byte different, modification time put back: the change time moved, so it is hashed.
    const { atime, mtime } = statSync(file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([first[0]! ^ 0xff]), 0, 1, 0);
    closeSync(fd);
    utimesSync(file, atime, mtime);
    const changed = Buffer.from(first);
    changed[0] = first[0]! ^ 0xff;
    const c = register(file, '4.4.0');
    expect(c.code, c.stderr).toBe(0);
    expect(c.json().artifacts[0]).toMatchObject({ sha256: sha(changed), stored: true });
  }, 120_000);

  it('does not remember a file changed within the racy window, nor a small file, nor anything when turned off', async () => {
    const { repo, cache, register } = setUp();
    const settled = join(tempDir(), 'settled.bin');
    writeFileSync(settled, randomBytes(9 * MiB));
    const small = join(tempDir(), 'small.bin');
    writeFileSync(small, randomBytes(MiB));
    await sleep(2_100);
    const home = tempDir();
    const off = register(settled, '4.0.0', { MODELREG_DIGEST_CACHE: 'off', XDG_CACHE_HOME: home });
    expect(off.code, off.stderr).toBe(0);
    expect(readdirSync(home)).toEqual([]); // "off" is not a directory, nor the default one
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(register(small, '4.1.0').code).toBe(0);
    const fresh = join(tempDir(), 'fresh.bin');
    writeFileSync(fresh, randomBytes(9 * MiB));
    expect(register(fresh, '4.2.0').code).toBe(0);
    expect(() => readdirSync(cache)).toThrow(/ENOENT/);
    expect(register(settled, '4.3.0').code).toBe(0); // and the same settled file, with the cache on, is remembered
    expect(entries(cache)).toHaveLength(1);
  }, 60_000);

  it('a wrong digest for bytes not stored is caught by the store: nothing is stored or committed', async () => {
    const { repo, cache, register } = setUp();
    const file = join(tempDir(), 'weights.safetensors');
    const bytes = randomBytes(9 * MiB);
    writeFileSync(file, bytes);
    await sleep(2_100);
    expect(register(file, '4.0.0').code).toBe(0);
    const [remembered] = entries(cache);
    rewrite(remembered!.file, 'a'.repeat(64));
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const r = register(file, '4.1.0');
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/artifact-changed/);
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
  }, 60_000);
});
