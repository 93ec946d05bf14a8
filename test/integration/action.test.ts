/**
 * The bundled pull-request action (action/dist/index.mjs) run as a runner runs it: INPUT_* variables, an
 * event file shaped by GitHub's webhook schemas, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files — on real
 * repositories with a base and a head, against a loopback stand-in of the REST API whose every request and
 * response is checked against GitHub's OpenAPI description.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commitAll, fixtureRepo, gitIn, ROOT, stageYaml, tempDir, write } from './helpers.js';
import { componentSample, startGitHubStandIn, webhookPayload, type StandIn } from './github-standin.js';

const BUNDLE = join(ROOT, 'action/dist/index.mjs');
const TOKEN = 'ghs_test_token';
const CANARY = 'canary-5ecret-9d1f';

let gh: StandIn;
beforeAll(async () => {
  gh = await startGitHubStandIn({ token: TOKEN });
});
afterAll(async () => gh?.close());
beforeEach(() => {
  Object.assign(gh.state, { pulls: [], statuses: [], permissions: { bob: 'write', carol: 'write', dave: 'read', alice: 'write' }, teams: {}, teamsReadable: true, user: null, commenter: 'github-actions[bot]', readOnly: false });
  gh.state.reviews.clear();
  gh.state.comments.clear();
  gh.requests.length = 0;
});

interface Pr {
  repo: string;
  base: string;
  head: string;
}

/** The fixture registry on main, and a pull-request branch made by `edit`. The work tree is left on main. */
function pullRequest(edit: (dir: string) => void, options: { prepareBase?: (dir: string) => void } = {}): Pr {
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

const promote = (dir: string, version = '1.2.0', stage = 'production', previous: string | null = '1.1.0') => write(dir, `models/sentiment/stages/${stage}.yaml`, stageYaml('sentiment', stage, version, previous));

function prEvent(pr: Pr, options: { number?: number; author?: string; name?: 'pull-request-opened' | 'pull-request-synchronize' | 'pull-request-review-submitted' } = {}) {
  const n = options.number ?? 1;
  const { payload, errors } = webhookPayload(options.name ?? 'pull-request-opened', (p) => {
    if ('number' in p) p.number = n;
    p.pull_request.number = n;
    p.pull_request.user = { ...(p.pull_request.user ?? { ...componentSample('simple-user'), gravatar_id: '' }), login: options.author ?? 'alice', type: 'User' };
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

interface Run {
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
async function runAction(pr: Pr, event: { name: string; payload: unknown }, inputs: Record<string, string> = {}, env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir('modelreg-action-');
  const eventPath = join(dir, 'event.json');
  writeFileSync(eventPath, JSON.stringify(event.payload));
  writeFileSync(join(dir, 'output'), '');
  writeFileSync(join(dir, 'summary'), '');
  const inputEnv = Object.fromEntries(Object.entries({ token: TOKEN, 'registry-path': '.', 'fail-level': 'error', comment: 'true', ...inputs }).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));
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
function parseOutputs(text: string): Record<string, string> {
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
function expectNoLeak(run: Run): void {
  for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.outputs), JSON.stringify(run.report ?? {})]) expect(text).not.toContain(CANARY);
  for (const c of run.commands) expect(c).toMatch(/^::(error|warning|notice)( [^:]*)?::|^::group::|^::endgroup::/);
  expect(run.commands.filter((c) => /add-mask|set-output|stop-commands|set-env|add-path/.test(c.split('::')[1] ?? ''))).toEqual([]);
}

const statuses = () => gh.state.statuses.map((s) => ({ sha: s.sha, state: s.state, context: s.context }));
const comments = () => gh.state.comments.get(1) ?? [];
const approve = (login: string, commit: string, state = 'APPROVED') => gh.state.reviews.set(1, [...(gh.state.reviews.get(1) ?? []), { login, state, commit_id: commit }]);
const codes = (run: Run) => run.report.findings.map((f: any) => f.code);

describe('the bundle', () => {
  it('is what the sources build today (CI fails on a stale bundle)', async () => {
    const out = tempDir('modelreg-bundle-');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle-action.mjs'), '--outdir', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
    const committed = join(ROOT, 'action/dist');
    expect(files(committed), 'run `npm run bundle` and commit action/dist').toEqual(files(out));
    for (const f of files(out)) expect(readFileSync(join(committed, f)).equals(readFileSync(join(out, f))), `action/dist/${f} is stale: run \`npm run bundle\``).toBe(true);
    const yml = readFileSync(join(ROOT, 'action/action.yml'), 'utf8');
    expect(yml).toMatch(/using: node24\n\s+main: dist\/index\.mjs/);
  });
});

describe('a promotion', () => {
  it('passes with an approval of the head commit: status, sticky comment, summary, outputs, report.json', async () => {
    const pr = pullRequest((d) => promote(d));
    approve('bob', pr.head);
    const run = await runAction(pr, prEvent(pr));
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.verdict).toBe('pass');
    expect(JSON.parse(run.outputs.models!)).toEqual(['sentiment']);
    expect(JSON.parse(run.outputs.report!)).toEqual(run.report);
    expect(run.report.promotions[0]).toMatchObject({ model: 'sentiment', stage: 'production', from: '1.1.0', to: '1.2.0', passed: true });
    expect(run.report.promotions[0].gates.map((g: any) => `${g.gate}:${g.passed}`)).toEqual(['order:true', 'metric:true', 'regression:true', 'lineage:true', 'lineage:true', 'approvals:true']);
    expect(statuses()).toEqual([{ sha: pr.head, state: 'success', context: 'modelreg' }]);
    expect(comments()).toHaveLength(1);
    expect(comments()[0].body.startsWith('<!-- modelreg:report v1 -->')).toBe(true);
    expect(run.summary).toContain('## ✅ modelreg: the change passes');
    expect(run.summary).toMatch(/\| accuracy \| 0\.89 \| 0\.91 \| \+0\.02 \|/);
    expect(run.summary).toMatch(/\| latency\\_ms \| 38 \| 35 \| -3 \|/);
    expect(run.summary).toContain('```mermaid');
    expect(run.summary).toMatch(/\["bert-base@1\.0\.0"\] -->\|"fine-tuned-from"\| n1\["sentiment@1\.2\.0"\]/);
    expect(run.summary).toContain('Counted: bob (has write access)');
    expect(run.commands.filter((c) => c.startsWith('::error'))).toEqual([]);
    expectNoLeak(run);
  });

  it('fails without a qualifying approval: the author\'s own, an earlier commit\'s, a withdrawn one, a reader\'s', async () => {
    const pr = pullRequest((d) => promote(d));
    const older = gitIn(pr.repo, 'rev-parse', 'main');
    approve('alice', pr.head); // the author
    approve('bob', older); // an earlier commit
    approve('carol', pr.head);
    approve('carol', pr.head, 'CHANGES_REQUESTED'); // withdrawn by a later verdict
    approve('carol', pr.head, 'COMMENTED'); // comments change nothing
    approve('dave', pr.head); // read access only
    const run = await runAction(pr, prEvent(pr));
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    const f = run.report.findings.find((x: any) => x.code === 'gate-approvals');
    expect(f).toMatchObject({ file: 'models/sentiment/stages/production.yaml', line: 3, severity: 'error' });
    expect(f.message).toContain('0 of 1 approval(s) of the head commit');
    const gate = run.report.promotions[0].gates.find((g: any) => g.gate === 'approvals');
    expect(gate.approvals.ignored).toEqual([
      { reviewer: 'dave', why: 'has no write access' },
      { reviewer: 'bob', why: 'approved an earlier commit' },
      { reviewer: '(author)', why: "the author's own approval never counts" },
    ]);
    expect(run.commands).toContainEqual(expect.stringMatching(/^::error file=models\/sentiment\/stages\/production\.yaml,line=3,col=\d+,title=modelreg gate-approvals::/));
    expect(statuses()).toEqual([{ sha: pr.head, state: 'failure', context: 'modelreg' }]);
    expectNoLeak(run);
  });

  it('is judged again on a review: the same sticky comment is updated, the status turns green', async () => {
    const pr = pullRequest((d) => promote(d));
    const first = await runAction(pr, prEvent(pr));
    expect(first.code).toBe(1);
    const id = comments()[0].id;
    approve('bob', pr.head);
    gh.state.pulls.length = 0;
    const second = await runAction(pr, prEvent(pr, { name: 'pull-request-review-submitted' }));
    expect(second.code, second.stdout).toBe(0);
    expect(comments().map((c: any) => c.id)).toEqual([id]);
    expect(comments()[0].body).toContain('✅ modelreg: the change passes');
    expect(statuses().map((s) => s.state)).toEqual(['failure', 'success']);
  });

  it('counts team members when the token may read the team, and says plainly when it may not', async () => {
    const pr = pullRequest((d) => promote(d), {
      prepareBase: (d) => write(d, 'registry.yaml', readFileSync(join(d, 'registry.yaml'), 'utf8').replace('approvals: { count: 1 }', 'approvals: { count: 1, from: ["@acme/ml-leads"] }')),
    });
    approve('bob', pr.head);
    gh.state.teams['acme/ml-leads'] = ['bob'];
    gh.state.teamsReadable = false;
    const denied = await runAction(pr, prEvent(pr));
    expect(denied.code).toBe(1);
    expect(denied.report.findings.find((f: any) => f.code === 'gate-approvals').message).toContain('the token cannot read the members of @acme/ml-leads (HTTP 403); pass a token with "members: read"');
    gh.state.teamsReadable = true;
    gh.state.pulls.length = 0;
    const allowed = await runAction(pr, prEvent(pr));
    expect(allowed.code, allowed.stdout).toBe(0);
    expect(allowed.summary).toContain('Counted: bob (member of @&#8203;acme/ml\\-leads)');
  });

  it('without a token, approvals fail closed and nothing is posted', async () => {
    const pr = pullRequest((d) => promote(d));
    const run = await runAction(pr, prEvent(pr), { token: '' });
    expect(run.code).toBe(1);
    expect(run.report.findings.find((f: any) => f.code === 'gate-approvals').message).toContain('approvals could not be checked: the action has no token');
    expect(gh.requests).toEqual([]);
  });

  it('a read-only token (a fork\'s pull request) still fails or passes the job by its exit code, with a warning', async () => {
    const pr = pullRequest((d) => write(d, 'models/sentiment/model.yaml', readFileSync(join(d, 'models/sentiment/model.yaml'), 'utf8').replace(/^description: .*$/m, 'description: Sharper.')));
    gh.state.readOnly = true;
    const run = await runAction(pr, prEvent(pr));
    expect(run.code, run.stdout).toBe(0);
    expect(run.commands).toContainEqual(expect.stringMatching(/^::warning title=modelreg::setting the commit status failed \(HTTP 403\)/));
  });
});

describe('what is judged', () => {
  it('the merge result, from Git objects: commits the base gained since the branch point are not blamed on the pull request', async () => {
    const pr = pullRequest((d) => promote(d));
    // main moves on: a new model lands after the branch point.
    write(pr.repo, 'models/other/model.yaml', 'name: other\nowners: [x@example.com]\n');
    const base = commitAll(pr.repo, 'another model');
    // The work tree holds garbage that must never be read.
    write(pr.repo, 'models/sentiment/stages/production.yaml', 'garbage: [');
    approve('bob', pr.head);
    const run = await runAction({ ...pr, base }, prEvent({ ...pr, base }));
    expect(run.code, JSON.stringify(run.report?.findings)).toBe(0);
    expect(codes(run)).toEqual([]);
    expect(run.report.models).toEqual(['sentiment']);
  });

  it('a pull request that conflicts with its base fails with one clear finding', async () => {
    const pr = pullRequest((d) => promote(d));
    promote(pr.repo, '1.2.0', 'production', '1.0.0'); // main edits the same lines differently
    const base = commitAll(pr.repo, 'conflicting');
    const run = await runAction({ ...pr, base }, prEvent({ ...pr, base }));
    expect(run.code).toBe(1);
    expect(codes(run)).toEqual(['merge-conflict']);
    expect(run.report.findings[0].message).toContain('models/sentiment/stages/production.yaml');
  });

  it('a merge group: its head is judged as is, approvals come from the pull request it names, no comment', async () => {
    const pr = pullRequest((d) => promote(d));
    gitIn(pr.repo, 'checkout', '-q', '-b', 'gh-readonly-queue/main/pr-1-x', 'main');
    gitIn(pr.repo, 'merge', '-q', '--no-ff', '--no-edit', 'pr');
    const groupHead = gitIn(pr.repo, 'rev-parse', 'HEAD');
    gitIn(pr.repo, 'checkout', '-q', 'main');
    gh.addPull({ number: 1, author: 'alice', headSha: pr.head, baseSha: pr.base });
    approve('bob', pr.head);
    const { payload, errors } = webhookPayload('merge-group-checks-requested', (p) => {
      p.merge_group.base_sha = pr.base;
      p.merge_group.head_sha = groupHead;
      p.merge_group.head_ref = `refs/heads/gh-readonly-queue/main/pr-1-${pr.head}`;
      p.merge_group.base_ref = 'refs/heads/main';
    });
    expect(errors).toEqual([]);
    const run = await runAction(pr, { name: 'merge_group', payload });
    expect(run.code, run.stdout).toBe(0);
    expect(statuses()).toEqual([{ sha: groupHead, state: 'success', context: 'modelreg' }]);
    expect(comments()).toEqual([]);
    expect(gh.requests.map((q) => `${q.method} ${q.path}`)).toContain('GET /repos/acme/registry/pulls/1');
  });

  it('an event it does not judge, or a bad input, fails closed with a clear error', async () => {
    const pr = pullRequest((d) => promote(d));
    const push = await runAction(pr, { name: 'push', payload: {} });
    expect(push.code).toBe(1);
    expect(push.stdout).toMatch(/^::error title=modelreg::modelreg could not judge this change: the action does not judge "push" events/m);
    const level = await runAction(pr, prEvent(pr), { 'fail-level': 'sometimes' });
    expect(level.code).toBe(1);
    expect(level.stdout).toContain('fail-level must be one of error, warning, none');
    const path = await runAction(pr, prEvent(pr), { 'registry-path': '../elsewhere' });
    expect(path.code).toBe(1);
    expect(path.stdout).toContain('must be a path inside the repository');
  });
});

describe('artifact presence', () => {
  function withStore(present: boolean, size?: number): { pr: Pr; store: string } {
    const store = tempDir('modelreg-store-');
    const bytes = Buffer.from('weights of 1.3.0\n');
    const sha = spawnSync('sha256sum', { input: bytes, encoding: 'utf8' }).stdout.split(' ')[0]!;
    if (present) {
      mkdirSync(join(store, 'sha256', sha.slice(0, 2)), { recursive: true });
      writeFileSync(join(store, 'sha256', sha.slice(0, 2), sha), bytes);
    }
    const pr = pullRequest(
      (d) => {
        const v = readFileSync(join(d, 'models/sentiment/versions/1.2.0.yaml'), 'utf8').replace('version: 1.2.0', 'version: 1.3.0').replace(/artifacts:\n(  - .*\n)+/, `artifacts:\n  - { path: model.safetensors, sha256: ${sha}, size: ${size ?? bytes.length} }\n`);
        write(d, 'models/sentiment/versions/1.3.0.yaml', v);
      },
      { prepareBase: (d) => write(d, 'registry.yaml', readFileSync(join(d, 'registry.yaml'), 'utf8').replace('store: file://.modelreg/store', `store: file://${store}`)) },
    );
    return { pr, store };
  }

  it('passes when the added version\'s artifacts are in the store with their size', async () => {
    const { pr } = withStore(true);
    const run = await runAction(pr, prEvent(pr));
    expect(run.code, JSON.stringify(run.report.findings)).toBe(0);
    expect(run.report.artifacts.checked).toBe(1);
    expect(run.summary).toContain('1 artifact(s) of added versions looked up');
  });

  it('fails when one is missing, or has another size, naming the line', async () => {
    const missing = await (async () => { const m = withStore(false).pr; return runAction(m, prEvent(m)); })();
    expect(missing.code).toBe(1);
    expect(missing.report.findings.find((f: any) => f.code === 'artifact-missing')).toMatchObject({ file: 'models/sentiment/versions/1.3.0.yaml', line: 8, field: '/artifacts/0/sha256' });
    const { pr } = withStore(true, 999);
    const wrong = await runAction(pr, prEvent(pr));
    expect(wrong.code).toBe(1);
    expect(wrong.report.findings.find((f: any) => f.code === 'artifact-size').message).toContain('the manifest says 999');
  });

  it('a store inside the repository proves nothing: reported as unchecked (a warning; an error at fail-level warning)', async () => {
    const pr = pullRequest((d) => {
      const v = readFileSync(join(d, 'models/sentiment/versions/1.2.0.yaml'), 'utf8').replace('version: 1.2.0', 'version: 1.3.0');
      write(d, 'models/sentiment/versions/1.3.0.yaml', v);
    });
    const run = await runAction(pr, prEvent(pr));
    expect(run.code).toBe(0);
    expect(run.report.findings.find((f: any) => f.code === 'artifact-unchecked').message).toContain('lies inside the repository, where the pull request itself can put files');
    const strict = await runAction(pr, prEvent(pr), { 'fail-level': 'warning' });
    expect(strict.code).toBe(1);
  });
});
