/**
 * Starting `modelreg serve`: read the revision, listen, and with --follow keep moving to the followed
 * branch's tip. A new tip is read whole before it replaces the old one (one reference swap), so every
 * request is answered from exactly one commit; a failed fetch or an unreadable new tip leaves the old
 * revision serving, and says so in the log and on /health until a fetch succeeds again.
 */
import { hostname } from 'node:os';
import type { Server } from 'node:http';
import { fetchFollowed, parseFollow, type Followed } from '../api/follow.js';
import { ModelregError } from '../registry/errors.js';
import { loadRevision, type ServedRevision } from './revision.js';
import { createServeServer, listeningUrl, type Health, type Limits } from './server.js';

export interface ServeOptions {
  /** The registry directory (default: MODELREG_REGISTRY, else discovered upward from the working directory). */
  dir?: string;
  /** Revision to serve without --follow (default HEAD). */
  at?: string;
  /** `<remote>/<branch>`. */
  follow?: string;
  intervalSeconds?: number;
  host: string;
  port: number;
  token?: string;
  store?: string;
  /** Base URL clients reach this server by (for artifact URIs); default from the address bound. */
  publicUrl?: string;
  limits?: Partial<Limits>;
  log: (record: Record<string, unknown>) => void;
}

export interface RunningServer {
  url: string;
  server: Server;
  current(): ServedRevision;
  health(): Health;
  close(): Promise<void>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

export async function startServe(options: ServeOptions): Promise<RunningServer> {
  const t0 = Date.now();
  const followed: Followed | undefined = options.follow ? parseFollow(options.follow) : undefined;
  const health: NonNullable<Health['follow']> | undefined = followed
    ? { remote: followed.remote, branch: followed.branch, lastFetch: null, lastError: null, failingSince: null }
    : undefined;
  const fetchTip = async (): Promise<string> => {
    const tip = await fetchFollowed(followed!, options.dir ? { dir: options.dir } : {});
    health!.lastFetch = new Date().toISOString();
    health!.lastError = null;
    health!.failingSince = null;
    return tip;
  };
  const stale = (e: unknown) => {
    health!.lastError = message(e);
    health!.failingSince ??= new Date().toISOString();
  };
  /** A fetch of the followed branch failed: health says stale, and the log says so and what is served meanwhile. */
  const fetchFailed = (e: unknown, serving: string) => {
    stale(e);
    options.log({ time: new Date().toISOString(), event: 'fetch-failed', remote: followed!.remote, branch: followed!.branch, error: message(e), serving });
  };

  let rev = followed ? `refs/remotes/${followed.remote}/${followed.branch}` : (options.at ?? 'HEAD');
  if (followed) {
    try {
      rev = await fetchTip();
    } catch (e) {
      // Serve what the last fetch brought, if there was one; say that it is stale.
      fetchFailed(e, 'the last fetched tip');
    }
  }
  // The public URL is known only once the port is: the first revision is read after listening starts, and
  // until then requests are answered 503 (MLflow's clients retry that).
  let current: ServedRevision | undefined;
  const healthNow = (): Health => ({ status: health?.lastError ? 'stale' : 'ok', commit: current?.commit ?? '', ...(health ? { follow: { ...health } } : {}) });
  const server = createServeServer({
    current: () => current,
    health: healthNow,
    log: options.log,
    ...(options.token ? { token: options.token } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new ModelregError('usage', `cannot listen on ${options.host}:${options.port}: ${e.code ?? e.message}`, {
          hint: e.code === 'EADDRINUSE' ? 'Another process holds the port: pass --port.' : undefined,
          exitCode: 1,
        }),
      ),
    );
    server.listen(options.port, options.host, resolve);
  });
  const url = listeningUrl(server);
  const wildcard = options.host === '0.0.0.0' || options.host === '::';
  const publicUrl = options.publicUrl ?? (wildcard ? `http://${hostname()}:${(server.address() as { port: number }).port}` : url);
  const load = (r: string, previous?: ServedRevision) =>
    loadRevision({ ...(options.dir ? { dir: options.dir } : {}), rev: r, publicUrl, ...(options.store ? { store: options.store } : {}) }, previous);
  let first: ServedRevision;
  try {
    first = current = await load(rev);
  } catch (e) {
    server.close();
    throw e;
  }
  options.log({
    time: new Date().toISOString(),
    event: 'listening',
    url,
    publicUrl,
    commit: first.commit,
    models: first.models,
    versions: first.versions,
    broken: first.broken,
    startMs: Date.now() - t0,
    ...(followed ? { follow: `${followed.remote}/${followed.branch}` } : {}),
  });

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  if (followed) {
    const interval = Math.max(0.1, options.intervalSeconds ?? 30) * 1000;
    const tick = async () => {
      try {
        const tip = await fetchTip().catch((e) => {
          fetchFailed(e, current!.commit);
          return undefined;
        });
        if (tip && tip !== current!.commit) {
          const t = Date.now();
          try {
            const next = await load(tip, current);
            const from = current!.commit;
            current = next; // the swap: one assignment
            options.log({
              time: new Date().toISOString(),
              event: 'switched',
              from,
              to: next.commit,
              read: next.read,
              models: next.models,
              versions: next.versions,
              broken: next.broken,
              loadMs: Date.now() - t,
            });
          } catch (e) {
            stale(e);
            options.log({ time: new Date().toISOString(), event: 'load-failed', commit: tip, error: message(e), serving: current!.commit });
          }
        }
      } finally {
        if (!closed) timer = setTimeout(tick, interval);
      }
    };
    timer = setTimeout(tick, interval);
  }
  return {
    url,
    server,
    current: () => current!,
    health: healthNow,
    close: () => {
      closed = true;
      clearTimeout(timer);
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
