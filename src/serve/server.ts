/**
 * `modelreg serve`: an HTTP server that MLflow clients take for an MLflow model registry, answering from
 * one Git revision at a time (see routes.ts for the endpoints, docs/mlflow.md for the mapping).
 *
 * Why node:http and not a framework: eleven GET routes answered from memory, one streamed download that
 * must be cut mid-body when its bytes fail their hash, and limits on every request; node:http gives each of
 * these directly (socket destroy, requestTimeout/headersTimeout, maxHeaderSize) with no dependency, and a
 * router on top would route by exact path, which a Map already does.
 *
 * Safe by default: loopback only unless told otherwise; with a token every request must carry
 * `Authorization: Bearer <token>` (what MLflow clients send for MLFLOW_TRACKING_TOKEN); URLs, headers and
 * bodies are size-limited, requests time-limited; artifact paths name a version's own manifest entries
 * only; every request is one JSON line in the access log, with hostile text escaped.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowApiError, notFound } from '../mlflow/errors.js';
import { ModelregError } from '../registry/errors.js';
import { escapeUnsafe } from '../registry/text.js';
import { ARTIFACTS_PATH, type ServedRevision } from './revision.js';
import { artifactOf, POST_READS, READS, writeRefusal, type Params } from './routes.js';

/** The header naming the Git commit an answer was read from. */
export const COMMIT_HEADER = 'x-modelreg-commit';

export interface Limits {
  /** Largest request body read (the only body read is get-latest-versions' JSON). */
  maxBodyBytes: number;
  maxUrlBytes: number;
  maxHeaderBytes: number;
  /** Time to receive a whole request. */
  requestTimeoutMs: number;
  /** A connection idle this long (a stalled download included) is closed. */
  idleTimeoutMs: number;
}

export const DEFAULT_LIMITS: Limits = { maxBodyBytes: 1 << 20, maxUrlBytes: 8192, maxHeaderBytes: 16384, requestTimeoutMs: 30_000, idleTimeoutMs: 120_000 };

export interface Health {
  status: 'ok' | 'stale';
  commit: string;
  /** With --follow: the remote branch, the last fetch and, while stale, what failed and since when. */
  follow?: { remote: string; branch: string; lastFetch: string | null; lastError: string | null; failingSince: string | null };
}

export interface ServerOptions {
  /** The revision to answer from now (undefined while the first is read); called per request, so a swap is seen by the next request. */
  current: () => ServedRevision | undefined;
  health: () => Health;
  token?: string;
  limits?: Partial<Limits>;
  /** One structured log record per line. */
  log: (record: Record<string, unknown>) => void;
}

/** Flask's answer for a path it has no route for, byte for byte: what MLflow's server sends for an unknown endpoint. */
const FLASK_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';

export function createServeServer(options: ServerOptions): Server {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const token = options.token ? createHash('sha256').update(`Bearer ${options.token}`).digest() : undefined;
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: Math.min(limits.requestTimeoutMs, 10_000),
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      const started = process.hrtime.bigint();
      // One revision for the whole request, taken before anything else: a swap mid-request is not seen.
      const rev = options.current();
      if (!rev) return send(res, 503, new MlflowApiError('TEMPORARILY_UNAVAILABLE', 'modelreg serve is still reading the registry').body());
      res.setHeader(COMMIT_HEADER, rev.commit);
      // Logged on the turn after the response closed: a download cut mid-stream records why it was cut.
      res.on('close', () =>
        setImmediate(() => {
          options.log({
            time: new Date().toISOString(),
            event: 'request',
            remote: req.socket.remoteAddress ?? null,
            method: req.method,
            path: (req.url ?? '').slice(0, 512),
            status: res.statusCode,
            bytes: res.writableFinished ? Number(res.getHeader('content-length') ?? 0) : null,
            complete: res.writableFinished,
            ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
            commit: rev.commit,
            ...(errorOf.has(res) ? { error: errorOf.get(res) } : {}),
          });
        }),
      );
      handle(req, res, rev, options, limits, token).catch((e) => fail(res, e));
    },
  );
  server.setTimeout(limits.idleTimeoutMs);
  return server;
}

/** What went wrong with a response (an error answered, a download cut), for its log record. */
const errorOf = new WeakMap<ServerResponse, string>();

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  rev: ServedRevision,
  options: ServerOptions,
  limits: Limits,
  token: Buffer | undefined,
): Promise<void> {
  const raw = req.url ?? '/';
  if (Buffer.byteLength(raw) > limits.maxUrlBytes)
    return send(res, 414, new MlflowApiError('REQUEST_LIMIT_EXCEEDED', `The request URL is longer than ${limits.maxUrlBytes} bytes`, 414).body());
  if (token) {
    const given = createHash('sha256')
      .update(req.headers.authorization ?? '')
      .digest();
    if (!timingSafeEqual(given, token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, new MlflowApiError('UNAUTHENTICATED', 'This modelreg server needs a bearer token: set MLFLOW_TRACKING_TOKEN to it.').body());
    }
  }
  const url = new URL(raw, 'http://modelreg.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/health' && (method === 'GET' || method === 'HEAD')) return send(res, 200, options.health());

  const read = READS[path];
  if (read && (method === 'GET' || method === 'HEAD')) return send(res, 200, read(rev, queryParams(url)));
  if (read && method === 'POST' && POST_READS.has(path)) return send(res, 200, read(rev, await bodyParams(req, limits)));

  if (path.startsWith(`${ARTIFACTS_PATH}/`) && (method === 'GET' || method === 'HEAD'))
    return streamArtifact(res, rev, path.slice(ARTIFACTS_PATH.length + 1), method === 'HEAD');

  const refusal = writeRefusal(method, path);
  if (refusal) {
    // The body is not read: say no at once, and close the connection so an unread upload goes nowhere.
    res.setHeader('connection', 'close');
    return send(res, refusal.status, refusal.body());
  }
  res.statusCode = 404;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(FLASK_404));
  res.end(FLASK_404);
}

function queryParams(url: URL): Params {
  const out: Params = Object.create(null) as Params;
  let n = 0;
  for (const [k, v] of url.searchParams) {
    if (++n > 100) throw new MlflowApiError('REQUEST_LIMIT_EXCEEDED', 'More than 100 query parameters', 400);
    const prior = out[k];
    out[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
  }
  return out;
}

async function bodyParams(req: IncomingMessage, limits: Limits): Promise<Params> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxBodyBytes) throw new MlflowApiError('REQUEST_LIMIT_EXCEEDED', `The request body is larger than ${limits.maxBodyBytes} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limits.maxBodyBytes) throw new MlflowApiError('REQUEST_LIMIT_EXCEEDED', `The request body is larger than ${limits.maxBodyBytes} bytes`, 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return Object.create(null) as Params;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MlflowApiError('INVALID_PARAMETER_VALUE', 'The request body is not valid JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new MlflowApiError('INVALID_PARAMETER_VALUE', 'The request body must be a JSON object');
  const out: Params = Object.create(null) as Params;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) out[k] = v as string[];
    else throw new MlflowApiError('INVALID_PARAMETER_VALUE', `Invalid value for parameter '${k}'`);
  }
  return out;
}

/** Stream one artifact from the store; its bytes are checked on the way and the response is cut if they are wrong. */
async function streamArtifact(res: ServerResponse, rev: ServedRevision, encoded: string, head: boolean): Promise<void> {
  let path: string;
  try {
    path = encoded
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch {
    throw notFound('Malformed artifact path');
  }
  if (/[\0\\]/.test(path)) throw notFound('Malformed artifact path');
  const a = artifactOf(rev, path);
  const info = await rev.store.stat(a.sha256);
  if (!info) throw new ModelregError('artifact-missing', `the bytes of ${path} (${a.sha256}) are not in the store`);
  if (info.size !== a.size) throw new ModelregError('artifact-corrupt', `the stored bytes of ${path} are ${info.size} long; the manifest says ${a.size}`);
  res.statusCode = 200;
  res.setHeader('content-type', 'application/octet-stream');
  res.setHeader('content-length', a.size);
  res.setHeader('x-modelreg-sha256', a.sha256);
  if (head) return void res.end();
  try {
    await rev.store.getStream(a.sha256, res, { expectedSize: a.size });
  } catch (e) {
    // Headers (and all but the last chunk) are out: the only honest signal left is a cut connection,
    // which every HTTP client reports as an incomplete body.
    errorOf.set(res, e instanceof Error ? e.message : String(e));
    res.destroy(e instanceof Error ? e : new Error(String(e)));
  }
}

/** JSON of the frozen objects the MLflow view shares between answers, made once each. */
const serialized = new WeakMap<object, string>();

/**
 * JSON.stringify, with the unsafe characters of registry/text.ts escaped in every string, and each
 * frozen object's text kept: a search answer of 100 models is then mostly a join of texts made before.
 */
function json(value: unknown): string {
  if (typeof value === 'string') return escapeUnsafe(JSON.stringify(value));
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const known = serialized.get(value);
  if (known !== undefined) return known;
  const text = Array.isArray(value)
    ? `[${value.map((v) => (v === undefined ? 'null' : json(v))).join(',')}]`
    : `{${Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${escapeUnsafe(JSON.stringify(k))}:${json(v)}`)
        .join(',')}}`;
  if (Object.isFrozen(value)) serialized.set(value, text);
  return text;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = json(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function fail(res: ServerResponse, e: unknown): void {
  const err = e instanceof MlflowApiError ? e : toMlflowError(e);
  errorOf.set(res, err.message);
  if (res.headersSent) return void res.destroy();
  send(res, err.status, err.body());
}

function toMlflowError(e: unknown): MlflowApiError {
  if (e instanceof ModelregError) {
    if (e.code === 'artifact-missing') return new MlflowApiError('RESOURCE_DOES_NOT_EXIST', e.message);
    if (e.code === 'store-unavailable') return new MlflowApiError('TEMPORARILY_UNAVAILABLE', e.message);
    return new MlflowApiError('INTERNAL_ERROR', e.message);
  }
  return new MlflowApiError('INTERNAL_ERROR', `internal error: ${e instanceof Error ? e.message : String(e)}`);
}

export function listeningUrl(server: Server): string {
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}
