/** Running the git binary: the fastest reader of Git objects on these machines (see docs/architecture.md). */
import { execFile, spawn } from 'node:child_process';
import { ModelregError } from '../registry/errors.js';

export interface GitResult {
  stdout: Buffer;
  stderr: string;
}

/** Environment for every git call: no pager, no prompts, stable English messages, no user hooks on reads. */
export const GIT_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };

export function git(
  cwd: string,
  args: string[],
  options: { allowFail?: boolean; input?: string; env?: Record<string, string> } = {},
): Promise<GitResult & { code: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd, env: options.env ? { ...GIT_ENV, ...options.env } : GIT_ENV, encoding: 'buffer', maxBuffer: 1 << 30 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(
            new ModelregError('git-missing', 'the git binary was not found on PATH', {
              hint: 'Install git, or use the library API, which falls back to isomorphic-git.',
            }),
          );
          return;
        }
        const result = { stdout, stderr: stderr.toString('utf8'), code };
        if (err && !options.allowFail) {
          reject(new ModelregError('git-failed', `git ${args[0]} failed: ${result.stderr.trim().split('\n')[0] || err.message}`, { cause: err }));
          return;
        }
        resolve(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function gitText(cwd: string, args: string[]): Promise<string> {
  return (await git(cwd, args)).stdout.toString('utf8');
}

/**
 * `git cat-file --batch` for many objects in one process: ~1 s for 120k blobs where one spawn per
 * blob would take minutes. Requests are written in one go and the reply is parsed as it streams.
 */
export function readBlobs(cwd: string, oids: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (oids.length === 0) return Promise.resolve(out);
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd, env: GIT_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let buf: Buffer = Buffer.alloc(0);
    let i = 0;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new ModelregError('git-missing', 'the git binary was not found on PATH')
          : new ModelregError('git-failed', `git cat-file: ${e.message}`),
      ),
    );
    child.stdout.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        const nl = buf.indexOf(10);
        if (nl < 0) return;
        const header = buf.subarray(0, nl).toString('latin1');
        const parts = header.split(' ');
        if (parts[1] === 'missing') {
          buf = buf.subarray(nl + 1);
          i++;
          continue;
        }
        const size = Number(parts[2]);
        if (buf.length < nl + 1 + size + 1) return;
        out.set(oids[i]!, Buffer.from(buf.subarray(nl + 1, nl + 1 + size)));
        buf = buf.subarray(nl + 1 + size + 1);
        i++;
      }
    });
    child.on('close', (code) => {
      if (code !== 0) reject(new ModelregError('git-failed', `git cat-file failed: ${stderr.trim()}`));
      else resolve(out);
    });
    child.stdin.on('error', () => {}); // a failed child is reported by 'close'
    child.stdin.end(oids.join('\n') + '\n');
  });
}
