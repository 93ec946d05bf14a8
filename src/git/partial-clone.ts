/**
 * Reading a registry from a remote without cloning it (issue 19): a cache of partial clones, one bare
 * repository per remote URL, that holds the commits asked about with their trees (`--filter=blob:none
 * --depth=1`) and only the blobs of the models read.
 *
 * Measured on the 10k bench registry over loopback smart HTTP (bench/remote.mjs): the trees of one
 * commit are ~5 MB against ~52 MB for a clone; `--filter=tree:0` fetches less up front, but Git's lazy
 * fetch of the first tree then asks for every tree under it anyway (blob:none is what a promisor fetch
 * uses), one round trip later.
 *
 * What Git would fetch lazily, one object per round trip, is fetched here in one batch before it is
 * read: `git ls-tree -l` and `cat-file` on a missing blob each start a fetch of their own. The cache
 * knows which directories are complete by a marker per tree (or blob) id, written only after the fetch
 * that completed it succeeded; ids are content addresses, so a marker never goes stale, and Git writes
 * each fetched pack whole or not at all, so a fetch cut off midway leaves the cache as it was.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { parseMoment } from '../registry/moments.js';
import { redactCredentials } from '../registry/urls.js';
import { git, GIT_ENV } from './run.js';
import { userCacheDir } from '../cache/user-cache-dir.js';

/** Where the partial clones live: MODELREG_REMOTE_CACHE, else $XDG_CACHE_HOME/modelreg/remotes, else ~/.cache/modelreg/remotes. */
export function remoteCacheRoot(): string {
  return process.env.MODELREG_REMOTE_CACHE || userCacheDir('remotes');
}

/** A remote as Git is given it: URLs and scp-like `host:path` as they are, a local path made absolute. */
export function normaliseRemote(remote: string, cwd = process.cwd()): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote)) return remote;
  // scp-like syntax (git@host:org/repo.git): a colon before the first slash, and not a Windows drive.
  if (/^[^/:]{2,}:/.test(remote) && !isAbsolute(remote)) return remote;
  return resolve(cwd, remote);
}

/**
 * The cache's bare repository for `url`, created (atomically, so two first calls cannot half-create it)
 * when absent; `created` says this call made it, so a first contact that fails can take it away again.
 */
export async function openRemoteCache(url: string, root = remoteCacheRoot()): Promise<{ dir: string; created: boolean }> {
  const dir = join(root, createHash('sha256').update(url).digest('hex').slice(0, 32));
  if (existsSync(join(dir, 'HEAD'))) return { dir, created: false };
  mkdirSync(root, { recursive: true });
  const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await git(root, ['init', '--quiet', '--bare', temp]);
    for (const [key, value] of [
      ['core.repositoryformatversion', '1'],
      ['extensions.partialClone', 'origin'],
      ['remote.origin.url', url],
      ['remote.origin.promisor', 'true'],
      ['remote.origin.partialCloneFilter', 'blob:none'],
      // Nothing references what is fetched (no refs are written), so nothing may ever prune it.
      ['gc.auto', '0'],
      ['maintenance.auto', 'false'],
      ['fetch.writeCommitGraph', 'false'],
    ] as const)
      await git(temp, ['config', key, value]);
    writeFileSync(join(temp, 'description'), `modelreg's partial clone of ${redactCredentials(url)}\n`);
    try {
      renameSync(temp, dir);
      return { dir, created: true };
    } catch (e) {
      // Another process created it first: use theirs.
      if (!existsSync(join(dir, 'HEAD'))) throw e;
      return { dir, created: false };
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** One line of `git ls-remote`: the object a ref names. */
export interface RemoteRef {
  oid: string;
  ref: string;
}

/**
 * The commit (or tag) a name means among a remote's refs, in the order `git rev-parse` tries them
 * (gitrevisions(7)): the name itself, refs/<name>, refs/tags/<name>, refs/heads/<name>,
 * refs/remotes/<name>, refs/remotes/<name>/HEAD; an annotated tag by what it points to.
 */
export function pickRemoteRef(refs: readonly RemoteRef[], name: string): RemoteRef | undefined {
  const byRef = new Map(refs.map((r) => [r.ref, r]));
  for (const candidate of [name, `refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`, `refs/remotes/${name}`, `refs/remotes/${name}/HEAD`]) {
    const hit = byRef.get(`${candidate}^{}`) ?? byRef.get(candidate);
    if (hit) return { oid: hit.oid, ref: candidate };
  }
  return undefined;
}

export function parseLsRemote(out: string): RemoteRef[] {
  return out
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => ({ oid: l.slice(0, l.indexOf('\t')), ref: l.slice(l.indexOf('\t') + 1) }));
}

const FULL_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Why a fetch or ls-remote failed, read from git's messages. */
export type RemoteFailure = 'no-filter' | 'no-such-revision' | 'unreachable';

export function classifyRemoteFailure(stderr: string): RemoteFailure {
  if (/filtering not recognized by server/i.test(stderr)) return 'no-filter';
  if (/not our ref|couldn't find remote ref|no such remote ref|unadvertised object/i.test(stderr)) return 'no-such-revision';
  return 'unreachable';
}

/** What to tell the user when the remote failed; `rev` is what they asked for. */
export function remoteError(failure: RemoteFailure, url: string, stderr: string, rev: string): ModelregError {
  const where = redactCredentials(url);
  switch (failure) {
    case 'no-filter':
      return new ModelregError('remote-unsupported', `${where} does not allow partial fetches (filters), so it cannot be read without a full clone`, {
        hint: 'Ask its administrator to set uploadpack.allowFilter=true (GitHub, GitLab and Gitea allow it), or clone it and use --registry <dir>.',
      });
    case 'no-such-revision':
      return new ModelregError('revision-not-found', `"${rev}" is not a branch, tag or commit of ${where}`, {
        hint: 'List what it has with `git ls-remote <url>`; --at takes a branch, a tag or a full commit id.',
      });
    case 'unreachable':
      return new ModelregError('remote-unavailable', `cannot read ${where}: ${gitSummary(stderr)}`, {
        hint: 'Check the URL, the network and the credentials git uses for it; what was fetched before is kept, and the next call continues from it.',
      });
  }
}

function gitSummary(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^(fatal|error|warning): /, '').trim())
    .filter((l) => l && !/^(remote: )?(Counting|Compressing|Receiving|Resolving|Enumerating)/.test(l));
  return redactCredentials(lines.slice(0, 2).join('; ') || 'git gave no reason');
}

/**
 * Whether the server's capabilities (as git traces them) include filters: protocol v2's `fetch=… filter`,
 * or v0's capability list after the first ref. Asked before the first fetch, because a server without
 * them makes git warn and then send everything — on a small registry, before the warning can stop it.
 */
export function advertisesFilter(packetTrace: string): boolean {
  return /< fetch=[^\n]*\bfilter\b|< [0-9a-f]{40,64} [^\n]*\\0[^\n]*\bfilter\b/.test(packetTrace);
}

/** What `at` names on the remote (default: its HEAD); the remote is asked unless it is a full commit id. */
export interface RemoteRevision {
  oid: string;
  rev: string;
  /** Whether the remote allows filters, when it was asked (undefined: not asked). */
  filters?: boolean;
}

export async function remoteCommitFor(dir: string, url: string, at: string | undefined): Promise<RemoteRevision> {
  const name = at ?? 'HEAD';
  if (FULL_ID.test(name)) return { oid: name, rev: name };
  const r = await askRefs(dir, url, name);
  const hit = pickRemoteRef(r.refs, name);
  if (hit) return { oid: hit.oid, rev: name, filters: r.filters };
  if (at === undefined)
    throw new ModelregError('revision-not-found', `${redactCredentials(url)} has no default branch (HEAD names nothing)`, {
      hint: 'Name a branch or tag with --at.',
    });
  throw new ModelregError('revision-not-found', `"${name}" is not a branch or tag of ${redactCredentials(url)}`, {
    hint: /^[0-9a-f]{4,39}$/.test(name)
      ? 'An abbreviated commit id cannot be looked up on a remote: give the full 40-character id.'
      : parseMoment(name)
        ? 'A date needs the history, which a read from a remote does not fetch: clone the registry, then --at <date>.'
        : 'List its branches and tags with `git ls-remote <url>`.',
  });
}

async function askRefs(dir: string, url: string, pattern: string): Promise<{ refs: RemoteRef[]; filters: boolean }> {
  const r = await fetchLike(dir, ['ls-remote', 'origin', pattern], undefined, { GIT_TRACE_PACKET: '1' });
  // The trace's lines start with a time of day; git's own messages do not.
  const messages = r.stderr
    .split('\n')
    .filter((l) => !/^\d{2}:\d{2}:\d{2}\.\d+ /.test(l))
    .join('\n');
  if (r.code !== 0) throw remoteError(classifyRemoteFailure(messages), url, messages, pattern);
  return { refs: parseLsRemote(r.stdout), filters: advertisesFilter(r.stderr) };
}

/** Make the commit (and all its trees) present, fetching them when they are not; returns the commit id it names. */
export async function ensureCommit(dir: string, url: string, revision: RemoteRevision): Promise<string> {
  const { oid, rev } = revision;
  // --missing=print does not fetch lazily: a missing commit is an error here, not a round trip.
  if ((await git(dir, ['rev-list', '--missing=print', '--no-walk', oid], { allowFail: true })).code !== 0) {
    const filters = revision.filters ?? (await askRefs(dir, url, 'HEAD')).filters;
    if (!filters) throw remoteError('no-filter', url, '', rev);
    const r = await fetchLike(dir, ['fetch', '--quiet', '--filter=blob:none', '--depth=1', '--no-tags', '--no-write-fetch-head', 'origin', oid]);
    if (r.code !== 0) throw remoteError(classifyRemoteFailure(r.stderr), url, r.stderr, rev);
  }
  const commit = (await git(dir, ['rev-parse', '--verify', '--quiet', `${oid}^{commit}`], { allowFail: true })).stdout.toString('utf8').trim();
  if (!commit) throw remoteError('no-such-revision', url, '', rev);
  return commit;
}

/**
 * Fetch, in one request, every blob under these paths of the commit that the cache lacks. A path
 * that does not exist at the commit is skipped (the reader reports what is missing).
 */
export async function ensureBlobs(dir: string, url: string, commit: string, paths: readonly string[]): Promise<void> {
  const top = await git(dir, ['ls-tree', '-z', '--full-tree', commit, '--', ...paths]);
  const incomplete = entries(top.stdout).filter((e) => e.type !== 'commit' && !existsSync(marker(dir, e.oid)));
  if (incomplete.length === 0) return;
  const blobs = new Set(incomplete.filter((e) => e.type === 'blob').map((e) => e.oid));
  const trees = incomplete.filter((e) => e.type === 'tree').map((e) => e.oid);
  for (const tree of trees) {
    // The trees came with the commit, so listing them reads nothing remote; without -l, no blob is touched.
    for (const e of entries((await git(dir, ['ls-tree', '-r', '-z', tree])).stdout)) if (e.type === 'blob') blobs.add(e.oid);
  }
  if (blobs.size > 0) {
    const r = await fetchLike(dir, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--stdin', 'origin'], [...blobs].join('\n') + '\n');
    if (r.code !== 0) throw remoteError(classifyRemoteFailure(r.stderr), url, r.stderr, commit);
  }
  mkdirSync(join(dir, 'modelreg', 'complete'), { recursive: true });
  for (const e of incomplete) writeFileSync(marker(dir, e.oid), '');
}

function marker(dir: string, oid: string): string {
  return join(dir, 'modelreg', 'complete', oid);
}

function entries(out: Buffer): { type: string; oid: string }[] {
  return out
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((rec) => {
      const [, type, oid] = rec.slice(0, rec.indexOf('\t')).split(' ') as [string, string, string];
      return { type, oid };
    });
}

/** Git's messages when another process updated the same repository at the same moment; trying again succeeds. */
const CONCURRENT_UPDATE = /\.lock'?: File exists|Unable to create '.*\.lock'|shallow file has changed since we read it/i;

/**
 * A git command that talks to the remote. A server without filter support makes git warn and then send
 * everything (a full clone's bytes); the warning comes before the pack, so the fetch is stopped there.
 */
async function fetchLike(dir: string, args: string[], input?: string, env?: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // Two reads of the same cache at once both update its `shallow` file: under a lock the second may find
  // taken, and checked before it is written, so the second fails when the first changed it meanwhile.
  for (let attempt = 0; ; attempt++) {
    const r = await talk(dir, args, input, env);
    if (r.code === 0 || attempt === 20 || !CONCURRENT_UPDATE.test(r.stderr)) return r;
    await new Promise((later) => setTimeout(later, 20 + Math.random() * 80));
  }
}

function talk(
  dir: string,
  args: string[],
  input: string | undefined,
  env: Record<string, string> | undefined,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd: dir, env: env ? { ...GIT_ENV, ...env } : GIT_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopped = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
      if (!stopped && classifyRemoteFailure(stderr) === 'no-filter') {
        stopped = true;
        child.kill('SIGTERM');
      }
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT' ? new ModelregError('git-missing', 'the git binary was not found on PATH') : new ModelregError('git-failed', `git: ${e.message}`),
      ),
    );
    child.on('close', (code) => resolvePromise({ code: stopped ? 1 : (code ?? 1), stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}
