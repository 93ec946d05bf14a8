/**
 * Git's smart HTTP protocol on loopback: a small HTTP server that runs `git http-backend` (the CGI program
 * that ships with git) for each request, the way Apache or nginx serve Git. Remotes reached through it
 * take the same code paths in git as a hosted forge's HTTPS remotes (http.c, the stateless RPC of
 * upload-pack and receive-pack), unlike a bare repository opened by path.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** http://127.0.0.1:<port>/ — append a repository's path under `root`. */
  url: string;
  /** Requests served, by kind: fetches (upload-pack) and pushes (receive-pack). */
  served: { fetch: number; push: number };
  close(): Promise<void>;
}

/** Serve the bare repositories under `root`, for fetch and push (REMOTE_USER is set, so receive-pack is on). */
export async function serveGit(root: string): Promise<GitHttpServer> {
  const served = { fetch: 0, push: 0 };
  const server = createServer((req, res) => handle(root, req, res, served));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function handle(root: string, req: IncomingMessage, res: ServerResponse, served: GitHttpServer['served']): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname.endsWith('/git-receive-pack')) served.push++;
  if (url.pathname.endsWith('/git-upload-pack')) served.fetch++;
  const header = (name: string) => (req.headers[name] as string | undefined) ?? '';
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
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) return void res.write(chunk);
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
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', (code) => {
    if (!started) res.writeHead(code === 0 ? 200 : 500);
    res.end();
  });
}
