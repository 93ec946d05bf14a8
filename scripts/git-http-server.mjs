/**
 * Git's smart HTTP protocol on loopback: a small HTTP server that runs `git http-backend` (the CGI program
 * that ships with git) for each request, the way Apache or nginx serve Git. Remotes reached through it
 * take the same code paths in git as a hosted forge's HTTPS remotes (http.c, the stateless RPC of
 * upload-pack and receive-pack), unlike a bare repository opened by path.
 *
 * Shared by the tests (a remote to push to and fetch from, one that fails on demand) and the benchmarks
 * (bytes served beside a clone's): plain JavaScript so that `node bench/…` runs it as it is.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

/**
 * Serve the bare repositories under `root`, for fetch and push (REMOTE_USER is set, so receive-pack is on).
 * @param {string} root
 * @returns {Promise<import('./git-http-server.d.mts').GitHttpServer>}
 */
export async function serveGit(root) {
  const served = { fetch: 0, push: 0, bytes: 0 };
  /** @type {{ skip: number; afterBytes: number } | undefined} */
  let cut;
  const server = createServer((req, res) => {
    const cutThis = cut && req.method === 'POST' ? cut : undefined;
    handle(root, req, res, served, cutThis, () => (cut = undefined));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    served,
    cutNextFetch(options) {
      cut = { skip: options.skip ?? 0, afterBytes: options.afterBytes };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}

/**
 * @param {string} root
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {{ fetch: number; push: number; bytes: number }} served
 * @param {{ skip: number; afterBytes: number } | undefined} cut
 * @param {() => void} cutDone
 */
function handle(root, req, res, served, cut, cutDone) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.endsWith('/git-receive-pack')) served.push++;
  if (url.pathname.endsWith('/git-upload-pack')) served.fetch++;
  /** @param {string} name */
  const header = (name) => /** @type {string | undefined} */ (req.headers[name]) ?? '';
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      REMOTE_USER: 'soak',
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: header('content-type'),
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: header('content-length') } : {}),
      HTTP_CONTENT_ENCODING: header('content-encoding'),
      GIT_PROTOCOL: header('git-protocol'),
    },
  });
  req.pipe(cgi.stdin);
  cgi.stderr.resume();
  // The CGI response: header lines (Status: among them), a blank line, then the body, passed on as it comes.
  let head = Buffer.alloc(0);
  let started = false;
  let body = 0;
  /** What the cut, if one is armed, decided for this response once its body passed the mark. */
  let fate = 'undecided';
  /** @param {Buffer} chunk */
  const send = (chunk) => {
    served.bytes += chunk.length;
    body += chunk.length;
    if (cut && fate === 'undecided' && body > cut.afterBytes) {
      fate = cut.skip > 0 ? 'whole' : 'cut';
      if (fate === 'whole') cut.skip--;
      else {
        // A remote that goes away mid-read: the response ends, mid-pack, in a reset connection.
        cutDone();
        res.write(chunk.subarray(0, chunk.length - (body - cut.afterBytes)));
        cgi.kill();
        res.destroy();
        return;
      }
    }
    if (fate !== 'cut') res.write(chunk);
  };
  cgi.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    if (fate === 'cut') return;
    if (started) return send(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    started = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    send(head.subarray(end + 4));
  });
  cgi.on('close', (code) => {
    if (fate === 'cut') return;
    if (!started) res.writeHead(code === 0 ? 200 : 500);
    res.end();
  });
}
