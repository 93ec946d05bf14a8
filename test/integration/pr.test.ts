/** --pr against a loopback stand-in of the GitHub REST API, checked against GitHub's OpenAPI description. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, fixtureRepo, gitIn, tempDir, seedFixtureBytes } from './helpers.js';
import { componentSample, schemaErrors, startGitHubStandIn, type StandIn } from './github-standin.js';

let gh: StandIn;
beforeAll(async () => {
  gh = await startGitHubStandIn({ token: 'test-token' });
});
afterAll(async () => gh?.close());

function clone(): string {
  const { repo } = fixtureRepo();
  const remote = join(tempDir(), 'remote.git');
  gitIn(repo, 'clone', '-q', '--bare', repo, remote);
  const dir = join(tempDir(), 'clone');
  gitIn(repo, 'clone', '-q', remote, dir);
  seedFixtureBytes(join(dir, '.modelreg/store')); // a promotion checks the entering version's bytes are there
  return dir;
}

describe('the stand-in itself', () => {
  it("builds responses GitHub's schema accepts, and its checks reject what the schema does not", () => {
    const pr = componentSample('pull-request');
    expect(schemaErrors('pull-request', pr)).toEqual([]);
    const { number: _n, ...missing } = pr;
    expect(schemaErrors('pull-request', missing).length).toBeGreaterThan(0);
    expect(schemaErrors('pull-request', { ...pr, state: 'merged-ish' }).length).toBeGreaterThan(0);
  });
});

describe('--pr', () => {
  it("pushes a branch and opens a pull request describing the promotion, with metrics beside the holder's", async () => {
    const dir = clone();
    const env = { GITHUB_TOKEN: 'test-token', GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: 'acme/registry' };
    const r = await cliAsync(dir, ['promote', 'sentiment@1.2.0', 'production', '--pr', '--reason', 'Better <b>accuracy</b> | @team', '--json'], env);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const j = r.json();
    expect(j.pullRequest).toEqual({ number: 1, url: 'https://github.com/acme/registry/pull/1', created: true });
    expect(j.branch).toMatch(/^modelreg\/promote-sentiment-1\.2\.0-production-/);
    expect(gitIn(dir, 'ls-remote', 'origin', j.branch)).toContain(j.commit);
    expect(gitIn(dir, 'branch', '--show-current')).toBe('main');
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(gitIn(dir, 'rev-parse', 'main')).toBe(gitIn(dir, 'rev-parse', 'origin/main')); // main itself untouched

    const create = gh.requests.find((q) => q.method === 'POST')!;
    expect(create.path).toBe('/repos/acme/registry/pulls');
    expect(create.auth).toMatch(/test-token/);
    expect(create.requestErrors).toEqual([]);
    expect(create.responseErrors).toEqual([]);
    expect(create.body).toMatchObject({ head: j.branch, base: 'main', title: 'Promote sentiment@1.2.0 to production' });
    const body: string = create.body.body;
    expect(body).toContain('| accuracy | 0.91 | 0.89 | +0.02 |');
    expect(body).toContain('| latency_ms | 35 | 38 | -3 |');
    expect(body).toMatch(/✅ accuracy = 0\.91; production needs ≥ 0\.85/);
    expect(body).toContain('Better &lt;b&gt;accuracy&lt;/b&gt; \\| @team');
    expect(body).not.toContain('<b>');
  });

  it('refuses without a token before doing anything', () => {
    const dir = clone();
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const r = cli(dir, ['promote', 'sentiment@1.2.0', 'production', '--pr'], { GITHUB_TOKEN: '', GH_TOKEN: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs a GitHub token');
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(dir, 'branch', '--list', 'modelreg/*')).toBe('');
  });

  it('a refused token is a clear error naming the status', async () => {
    const dir = clone();
    const r = await cliAsync(dir, ['promote', 'sentiment@1.2.0', 'production', '--pr'], {
      GITHUB_TOKEN: 'wrong',
      GITHUB_API_URL: gh.url,
      GITHUB_REPOSITORY: 'acme/registry',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/opening the pull request failed \(HTTP 401\): Bad credentials/);
    expect(gitIn(dir, 'branch', '--show-current')).toBe('main');
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });
});
