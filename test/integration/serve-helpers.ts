/** `modelreg serve` as a user runs it: the built CLI on a free port, its JSON log read line by line. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fixtureRepo, gitIn, ROOT, tempDir } from './helpers.js';

export interface Served {
  url: string;
  /** Every log record so far. */
  log: Record<string, any>[];
  /** Resolves with the first record (past or future) that `pred` accepts. */
  waitFor(pred: (r: Record<string, any>) => boolean): Promise<Record<string, any>>;
  stop(): Promise<void>;
  child: ChildProcess;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Committer',
  GIT_COMMITTER_EMAIL: 'committer@example.com',
};

export function serve(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'serve', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, ...IDENTITY, MODELREG_REGISTRY: '', MODELREG_STORE: '', ...env },
  });
  const log: Record<string, any>[] = [];
  const waiters: { pred: (r: Record<string, any>) => boolean; resolve: (r: Record<string, any>) => void }[] = [];
  let buf = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const record = JSON.parse(line) as Record<string, any>;
      log.push(record);
      for (const w of waiters.splice(0)) {
        if (w.pred(record)) w.resolve(record);
        else waiters.push(w);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pred: (r: Record<string, any>) => boolean) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const seen = log.find(pred);
      if (seen) return resolve(seen);
      waiters.push({ pred, resolve });
      void exited.then((code) => reject(new Error(`modelreg serve exited (${code}) before the awaited log record: ${stderr}`)));
    });
  return waitFor((r) => r.event === 'listening').then((r) => ({
    url: r.url as string,
    log,
    waitFor,
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  }));
}

/** The fixture registry on a bare remote, with two clones of it: one to serve with --follow, one to push from. */
export function followedRemote(): { remote: string; served: string; writer: string } {
  const { repo } = fixtureRepo();
  const remote = join(tempDir(), 'remote.git');
  gitIn(repo, 'clone', '-q', '--bare', repo, remote);
  const served = join(tempDir(), 'served');
  const writer = join(tempDir(), 'writer');
  gitIn(repo, 'clone', '-q', remote, served);
  gitIn(repo, 'clone', '-q', remote, writer);
  return { remote, served, writer };
}
