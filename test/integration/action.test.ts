/** The pull-request action end to end: verdicts, approvals, what is judged, artifact presence (harness: action-harness.ts). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3Store } from '../../src/artifacts/s3-store.js';
import { requireS3, skipS3, type S3TestEnv } from '../s3-setup.js';
import { commitAll, gitIn, ROOT, seedFixtureBytes, stageYaml, tempDir, write } from './helpers.js';
import { webhookPayload } from './github-standin.js';
import { approve, codes, comments, expectNoLeak, gh, prEvent, promote, pullRequest, runAction, statuses, useStandIn, type Pr } from './action-harness.js';

useStandIn();

describe('the bundle', () => {
  it('is what the sources build today (CI fails on a stale bundle)', async () => {
    const out = tempDir('modelreg-bundle-');
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/bundle-action.mjs'), '--outdir', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => relative(dir, join(e.parentPath, e.name)))
        .sort();
    const committed = join(ROOT, 'action/dist');
    expect(files(committed), 'run `npm run bundle` and commit action/dist').toEqual(files(out));
    for (const f of files(out))
      expect(readFileSync(join(committed, f)).equals(readFileSync(join(out, f))), `action/dist/${f} is stale: run \`npm run bundle\``).toBe(true);
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
    expect(run.report.promotions[0].gates.map((g: any) => `${g.gate}:${g.passed}`)).toEqual([
      'order:true',
      'metric:true',
      'regression:true',
      'lineage:true',
      'lineage:true',
      'approvals:true',
    ]);
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

  it("fails without a qualifying approval: the author's own, an earlier commit's, a withdrawn one, a reader's", async () => {
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
    expect(run.commands).toContainEqual(
      expect.stringMatching(/^::error file=models\/sentiment\/stages\/production\.yaml,line=3,col=\d+,title=modelreg gate-approvals::/),
    );
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
      prepareBase: (d) =>
        write(
          d,
          'registry.yaml',
          readFileSync(join(d, 'registry.yaml'), 'utf8').replace('approvals: { count: 1 }', 'approvals: { count: 1, from: ["@acme/ml-leads"] }'),
        ),
    });
    approve('bob', pr.head);
    gh.state.teams['acme/ml-leads'] = ['bob'];
    gh.state.teamsReadable = false;
    const denied = await runAction(pr, prEvent(pr));
    expect(denied.code).toBe(1);
    expect(denied.report.findings.find((f: any) => f.code === 'gate-approvals').message).toContain(
      'the token cannot read the members of @acme/ml-leads (HTTP 403); pass a token with "members: read"',
    );
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

  it("a read-only token (a fork's pull request) still fails or passes the job by its exit code, with a warning", async () => {
    const pr = pullRequest((d) =>
      write(
        d,
        'models/sentiment/model.yaml',
        readFileSync(join(d, 'models/sentiment/model.yaml'), 'utf8').replace(/^description: .*$/m, 'description: Sharper.'),
      ),
    );
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
    // The version entering production has its bytes looked up; a store inside the repository proves nothing.
    expect(codes(run)).toEqual(['artifact-unchecked']);
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
        const v = readFileSync(join(d, 'models/sentiment/versions/1.2.0.yaml'), 'utf8')
          .replace('version: 1.2.0', 'version: 1.3.0')
          .replace(/artifacts:\n( {2}- .*\n)+/, `artifacts:\n  - { path: model.safetensors, sha256: ${sha}, size: ${size ?? bytes.length} }\n`);
        write(d, 'models/sentiment/versions/1.3.0.yaml', v);
      },
      {
        prepareBase: (d) =>
          write(d, 'registry.yaml', readFileSync(join(d, 'registry.yaml'), 'utf8').replace('store: file://.modelreg/store', `store: file://${store}`)),
      },
    );
    return { pr, store };
  }

  it("passes when the added version's artifacts are in the store with their size", async () => {
    const { pr } = withStore(true);
    const run = await runAction(pr, prEvent(pr));
    expect(run.code, JSON.stringify(run.report.findings)).toBe(0);
    expect(run.report.artifacts.checked).toBe(1);
    expect(run.summary).toContain('1 artifact(s) of the versions added or entering a stage looked up');
  });

  it('fails when one is missing, or has another size, naming the line', async () => {
    const missing = await (async () => {
      const m = withStore(false).pr;
      return runAction(m, prEvent(m));
    })();
    expect(missing.code).toBe(1);
    expect(missing.report.findings.find((f: any) => f.code === 'artifact-missing')).toMatchObject({
      file: 'models/sentiment/versions/1.3.0.yaml',
      line: 8,
      field: '/artifacts/0/sha256',
    });
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
    expect(run.report.findings.find((f: any) => f.code === 'artifact-unchecked').message).toContain(
      'lies inside the repository, where the pull request itself can put files',
    );
    const strict = await runAction(pr, prEvent(pr), { 'fail-level': 'warning' });
    expect(strict.code).toBe(1);
  });
});

describe.skipIf(skipS3())('artifact presence in S3 (the real test server)', () => {
  let s3: S3TestEnv;
  beforeAll(() => {
    s3 = requireS3();
  });

  /** A base whose policy names an S3 store, one object put there by the real store, and a pull request adding a version that names it. */
  async function s3PullRequest(sizeInManifest?: number): Promise<Pr> {
    const prefix = `action-${randomBytes(4).toString('hex')}`;
    const creds = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region };
    Object.assign(process.env, creds);
    const bytes = randomBytes(4096);
    const file = join(tempDir(), 'weights.bin');
    writeFileSync(file, bytes);
    const put = await new S3Store(`s3://${s3.bucket}/${prefix}`, {
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      checksums: 'when_required',
    }).putFile(file);
    return pullRequest(
      (d) => {
        const v = readFileSync(join(d, 'models/sentiment/versions/1.2.0.yaml'), 'utf8')
          .replace('version: 1.2.0', 'version: 1.3.0')
          .replace(/artifacts:\n( {2}- .*\n)+/, `artifacts:\n  - { path: weights.bin, sha256: ${put.sha256}, size: ${sizeInManifest ?? bytes.length} }\n`);
        write(d, 'models/sentiment/versions/1.3.0.yaml', v);
      },
      {
        prepareBase: (d) =>
          write(
            d,
            'registry.yaml',
            readFileSync(join(d, 'registry.yaml'), 'utf8').replace(
              'store: file://.modelreg/store',
              `store: s3://${s3.bucket}/${prefix}\n  s3: { endpoint: "${s3.endpoint}", region: ${s3.region}, force_path_style: true, checksums: when_required }`,
            ),
          ),
      },
    );
  }
  const credentials = () => ({ AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region });

  it("finds the added version's artifact with its size, using the credentials of the default chain", async () => {
    const pr = await s3PullRequest();
    const run = await runAction(pr, prEvent(pr), {}, credentials());
    expect(run.code, JSON.stringify(run.report.findings)).toBe(0);
    expect(run.report.artifacts).toMatchObject({ checked: 1, findings: [] });
    expect(run.report.artifacts.store).toMatch(/^s3:\/\//);
  });

  it("a size other than the stored object's is an error on its line", async () => {
    const pr = await s3PullRequest(4097);
    const run = await runAction(pr, prEvent(pr), {}, credentials());
    expect(run.code).toBe(1);
    expect(run.report.findings.find((f: any) => f.code === 'artifact-size')).toMatchObject({ file: 'models/sentiment/versions/1.3.0.yaml', line: 8 });
  });

  it('without credentials it says plainly that it could not check', async () => {
    const pr = await s3PullRequest();
    const run = await runAction(
      pr,
      prEvent(pr),
      {},
      { AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' },
    );
    expect(run.code).toBe(0);
    const f = run.report.findings.find((x: any) => x.code === 'artifact-unchecked');
    expect(f.message).toMatch(/1 artifact\(s\) of 1 version\(s\) the change adds or moves into a stage were not checked: s3:\/\/.*credentials/i);
  });
});

describe('every stage change is gated (issue 15)', () => {
  /** A pull request whose base policy points the store at a directory outside the repository. */
  function withOutsideStore(edit: (dir: string) => void, seed: boolean): Pr {
    const store = tempDir('modelreg-store-');
    if (seed) seedFixtureBytes(store);
    return pullRequest(edit, {
      prepareBase: (d) =>
        write(d, 'registry.yaml', readFileSync(join(d, 'registry.yaml'), 'utf8').replace('store: file://.modelreg/store', `store: file://${store}`)),
    });
  }

  it('a promotion of an existing version whose bytes are not in the store fails, at the stage file', async () => {
    const gone = withOutsideStore((d) => promote(d), false);
    approve('bob', gone.head);
    const run = await runAction(gone, prEvent(gone));
    expect(run.code).toBe(1);
    expect(run.outputs.verdict).toBe('fail');
    const f = run.report.findings.filter((x: any) => x.code === 'artifact-missing');
    expect(f.map((x: any) => [x.file, x.field])).toEqual([
      ['models/sentiment/stages/production.yaml', '/version'],
      ['models/sentiment/stages/production.yaml', '/version'],
    ]);
    expect(f[0].message).toMatch(
      /^sentiment@1\.2\.0 enters production, but its artifact model\.safetensors \(sha256 [0-9a-f]{12}…, 52 bytes\) is not in file:\/\//,
    );
    // The same promotion with the bytes there passes.
    const there = withOutsideStore((d) => promote(d), true);
    approve('bob', there.head);
    const ok = await runAction(there, prEvent(there));
    expect(ok.code, JSON.stringify(ok.report.findings)).toBe(0);
    expect(ok.report.artifacts).toMatchObject({ checked: 2, findings: [] });
  });

  it("emptying production fails: it needs the stage's approvals, and the policy says it is never empty", async () => {
    // The fixture's policy, as the template's, marks production never_empty.
    expect(readFileSync(join(ROOT, 'test/fixtures/registry/registry.yaml'), 'utf8')).toContain('never_empty: true');
    const pr = pullRequest((d) => rmSync(join(d, 'models/sentiment/stages/production.yaml')));
    const run = await runAction(pr, prEvent(pr));
    expect(run.code).toBe(1);
    expect(codes(run)).toEqual(expect.arrayContaining(['stage-emptied', 'gate-approvals', 'stage-removed']));
    expect(run.report.findings.find((f: any) => f.code === 'gate-approvals').message).toMatch(/^removing sentiment@1\.1\.0 from production: /);
    // With an approval, removal still fails: never_empty.
    approve('bob', pr.head);
    const approved = await runAction(pr, prEvent(pr));
    expect(approved.code).toBe(1);
    expect(codes(approved)).toContain('stage-emptied');
    expect(codes(approved)).not.toContain('gate-approvals');
  });

  it('removing a holder from a stage without approvals or never_empty is a notice', async () => {
    const pr = pullRequest((d) => rmSync(join(d, 'models/sentiment/stages/development.yaml')));
    const run = await runAction(pr, prEvent(pr));
    expect(run.code, JSON.stringify(run.report.findings)).toBe(0);
    expect(codes(run)).toEqual(['stage-removed']);
  });

  it('a pull request that rewrites who moved a stage, or when, with the holder unchanged, fails', async () => {
    const pr = pullRequest((d) => {
      const file = join(d, 'models/sentiment/stages/production.yaml');
      write(
        d,
        'models/sentiment/stages/production.yaml',
        readFileSync(file, 'utf8')
          .replace(/moved_by: .*/, 'moved_by: ml-lead@acme.com')
          .replace(/moved_at: .*/, 'moved_at: "2030-01-01T00:00:00Z"'),
      );
    });
    approve('bob', pr.head);
    const run = await runAction(pr, prEvent(pr));
    expect(run.code).toBe(1);
    expect(run.report.findings.filter((f: any) => f.code === 'stage-rewritten').map((f: any) => [f.file, f.field])).toEqual([
      ['models/sentiment/stages/production.yaml', '/moved_by'],
    ]);
  });

  it('a promotion that claims another promoter, or a time after its commit, fails on that line', async () => {
    const pr = pullRequest((d) =>
      write(
        d,
        'models/sentiment/stages/production.yaml',
        stageYaml('sentiment', 'production', '1.2.0', '1.1.0')
          .replace('moved_by: author@example.com', 'moved_by: ml-lead@acme.com')
          .replace('moved_at: "2026-11-01T10:00:00Z"', 'moved_at: "2099-01-01T00:00:00Z"'),
      ),
    );
    approve('bob', pr.head);
    const run = await runAction(pr, prEvent(pr));
    expect(run.code).toBe(1);
    const f = run.report.findings.filter((x: any) => x.code === 'stage-provenance');
    expect(f.map((x: any) => x.field)).toEqual(['/moved_by', '/moved_at']);
    expect(f[0].message).toBe(
      'sentiment@production says it was moved by "ml-lead@acme.com", but the commit that wrote it is by Test Author <author@example.com>',
    );
    // Written by the promoter, at a time before the commit: it passes.
    const honest = pullRequest((d) => promote(d));
    approve('bob', honest.head);
    expect((await runAction(honest, prEvent(honest))).report.findings.filter((x: any) => x.code === 'stage-provenance')).toEqual([]);
  });
});
