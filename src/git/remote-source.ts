/**
 * A registry read from a remote by URL (`--remote`): the revision's files come from the partial-clone
 * cache (partial-clone.ts), each model's blobs fetched in one request the first time it is read.
 */
import { rmSync } from 'node:fs';
import type { TreeFile } from '../registry/snapshot.js';
import { ensureBlobs, ensureCommit, normaliseRemote, openRemoteCache, remoteCacheRoot, remoteCommitFor } from './partial-clone.js';
import { GitRevisionSource, scopePaths, type ReadScope } from './sources.js';
import { redactCredentials } from '../registry/urls.js';

export class RemoteRevisionSource extends GitRevisionSource {
  override readonly label: string;

  private constructor(
    cache: string,
    rev: string,
    commit: string,
    /** The remote as given (credentials included), for fetching; never printed. */
    private readonly url: string,
  ) {
    super(cache, '', rev, commit);
    this.label = `revision ${rev} (${commit.slice(0, 12)}) of ${redactCredentials(url)}`;
  }

  /** The remote's revision `at` (default: its HEAD), its commit and trees fetched into the cache if they are not there yet. */
  static async connect(remote: string, at?: string, cacheRoot = remoteCacheRoot()): Promise<RemoteRevisionSource> {
    const url = normaliseRemote(remote);
    const { dir: cache, created } = await openRemoteCache(url, cacheRoot);
    try {
      const revision = await remoteCommitFor(cache, url, at);
      const commit = await ensureCommit(cache, url, revision);
      return new RemoteRevisionSource(cache, revision.rev, commit, url);
    } catch (e) {
      // A mistyped URL or a remote that refuses at first contact leaves no empty cache behind.
      if (created) rmSync(cache, { recursive: true, force: true });
      throw e;
    }
  }

  /** The remote as messages may show it. */
  get remote(): string {
    return redactCredentials(this.url);
  }

  override async list(scope?: ReadScope): Promise<TreeFile[]> {
    // Before the listing: `ls-tree -l` needs each blob for its size, and would fetch them one by one.
    await ensureBlobs(this.root, this.url, this.commit, scopePaths(scope));
    return super.list(scope);
  }
}
