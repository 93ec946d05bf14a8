export interface GitHttpServer {
  /** http://127.0.0.1:<port>/ — append a repository's path under `root`. */
  url: string;
  /** Requests served, by kind: fetches (upload-pack, ls-remote included) and pushes (receive-pack); response body bytes sent. */
  served: { fetch: number; push: number; bytes: number };
  /**
   * Make the next POST response whose body passes `afterBytes` (after letting `skip` such responses
   * through whole) end there, the connection reset: a remote that goes away mid-read.
   */
  cutNextFetch(options: { afterBytes: number; skip?: number }): void;
  close(): Promise<void>;
}

/** Serve the bare repositories under `root`, for fetch and push. */
export function serveGit(root: string): Promise<GitHttpServer>;
