/**
 * Running the bundled pull-request action (action/dist/index.mjs) as a runner runs it: INPUT_* variables,
 * an event file shaped by GitHub's webhook schemas, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files — on real
 * repositories with a base and a head, against a loopback stand-in of the REST API whose every request and
 * response is checked against GitHub's OpenAPI description. Shared by action.test.ts and
 * action-hostile.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { commitAll, fixtureRepo, gitIn, ROOT, stageYaml, tempDir, write } from './helpers.js';
import { componentSample, startGitHubStandIn, webhookPayload, type StandIn } from './github-standin.js';

export const BUNDLE = join(ROOT, 'action/dist/index.mjs');
export const TOKEN = 'ghs_test_token';
export const CANARY = 'canary-5ecret-9d1f';

export let gh: StandIn;

/** Call once per test file: starts the stand-in and resets it before each test. */
export function useStandIn(): void {
  beforeAll(async () => {
    gh = await startGitHubStandIn({ token: TOKEN });
  });
  afterAll(async () => gh?.close());
  beforeEach(() => {
    Object.assign(gh.state, {
      pulls: [],
      statuses: [],
      permissions: { bob: 'write', carol: 'write', dave: 'read', alice: 'write' },
      teams: {},
      teamsReadable: true,
      user: null,
      commenter: 'github-actions[bot]',
      readOnly: false,
    });
    gh.state.reviews.clear();
    gh.state.comments.clear();
    gh.requests.length = 0;
  });
}

export interface Pr {
  repo: string;
  base: string;
  head: string;
}

/** The fixture registry on main, and a pull-request branch made by `edit`. The work tree is left on main. */
export function pullRequest(edit: (dir: string) => void, options: { prepareBase?: (dir: string) => void } = {}): Pr {
  const { repo } = fixtureRepo();
  // A secret in the clone's own config: nothing may ever print it.
  gitIn(repo, 'config', 'remote.origin.url', `https://x-access-token:${CANARY}@github.com/acme/registry`);
  if (options.prepareBase) {
    options.prepareBase(repo);
    commitAll(repo, 'base change');
  }
  const base = gitIn(repo, 'rev-parse', 'HEAD');
  gitIn(repo, 'checkout', '-q', '-b', 'pr');
  edit(repo);
  const head = commitAll(repo, 'the pull request');
  gitIn(repo, 'checkout', '-q', 'main');
  return { repo, base, head };
}

export const promote = (dir: string, version = '1.2.0', stage = 'production', previous: string | null = '1.1.0') =>
  write(dir, `models/sentiment/stages/${stage}.yaml`, stageYaml('sentiment', stage, version, previous));

export function prEvent(
  pr: Pr,
  options: { number?: number; author?: string; name?: 'pull-request-opened' | 'pull-request-synchronize' | 'pull-request-review-submitted' } = {},
) {
  const n = options.number ?? 1;
  const { payload, errors } = webhookPayload(options.name ?? 'pull-request-opened', (p) => {
    if ('number' in p) p.number = n;
    p.pull_request.number = n;
    p.pull_request.user = {
      ...(p.pull_request.user ?? { ...componentSample('simple-user'), gravatar_id: '' }),
      login: options.author ?? 'alice',
      type: 'User',
    };
    p.pull_request.base.sha = pr.base;
    p.pull_request.head.sha = pr.head;
    p.pull_request.base.ref = 'main';
    p.pull_request.head.ref = 'pr';
    p.repository.full_name = 'acme/registry';
  });
  expect(errors).toEqual([]);
  gh.addPull({ number: n, author: options.author ?? 'alice', headSha: pr.head, baseSha: pr.base });
  return { name: options.name === 'pull-request-review-submitted' ? 'pull_request_review' : 'pull_request', payload };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  report: any;
  /** Lines that the runner would take as commands. */
  commands: string[];
}

/** Asynchronously: the API stand-in answers from this same process. */
export async function runAction(
  pr: Pr,
  event: { name: string; payload: unknown },
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<Run> {
  const dir = tempDir('modelreg-action-');
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(join(dir, 'summary'), '');
  const inputEnv = Object.fromEntries(
    Object.entries({ token: TOKEN, 'registry-path': '.', 'fail-level': 'error', comment: 'true', ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
  );
  const child = spawn(process.execPath, [BUNDLE], {
    cwd: pr.repo,
    env: {
      PATH: process.env.PATH!,
      HOME: process.env.HOME!,
      SECRET_CANARY: CANARY,
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: event.name,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_WORKSPACE: pr.repo,
      GITHUB_REPOSITORY: 'acme/registry',
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      RUNNER_TEMP: dir,
      ...inputEnv,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const code: number = await new Promise((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const r = { status: code, stdout, stderr };
  const outputs = parseOutputs(readFileSync(join(dir, 'output'), 'utf8'));
  const reportFile = join(dir, 'modelreg/report.json');
  const report = existsSync(reportFile) ? JSON.parse(readFileSync(reportFile, 'utf8')) : undefined;
  const commands = r.stdout.split('\n').filter((l) => /^\s*(::|##\[)/.test(l));
  for (const q of gh.requests) {
    expect(q.requestErrors, `${q.method} ${q.path}`).toEqual([]);
    expect(q.responseErrors, `${q.method} ${q.path}`).toEqual([]);
  }
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, outputs, summary: readFileSync(join(dir, 'summary'), 'utf8'), report, commands };
}

/** GITHUB_OUTPUT's format: name<<DELIMITER, the value's lines, DELIMITER. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    out[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

/** Nothing secret, and nothing a pull request wrote, may turn into a command or leak into any output. */
export function expectNoLeak(run: Run): void {
  for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs), JSON.stringify(run.report ?? {})]) expect(text).not.toContain(CANARY);
  // The runner reads a command's name up to the first space or "::"; only annotations and groups are ours.
  for (const c of run.commands) expect(/^\s*::([^\s:]*)/.exec(c)?.[1], c).toMatch(/^(error|warning|notice|group|endgroup)$/);
  for (const c of run.commands) expect(c, 'properties never carry a raw ":" or ","').toMatch(/^::[a-z]+( [a-z]+=[^,:]*(,[a-z]+=[^,:]*)*)?::/);
}

export const statuses = () => gh.state.statuses.map((s) => ({ sha: s.sha, state: s.state, context: s.context }));
export const comments = () => gh.state.comments.get(1) ?? [];
export const approve = (login: string, commit: string, state = 'APPROVED') =>
  gh.state.reviews.set(1, [...(gh.state.reviews.get(1) ?? []), { login, state, commit_id: commit }]);
export const codes = (run: Run) => run.report.findings.map((f: any) => f.code);
