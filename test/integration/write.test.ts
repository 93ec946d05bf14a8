/**
 * The write commands end to end on real repositories: a bare remote and several clones racing each other,
 * refusals by gates and by the server, and a process killed after each step.
 */
import { existsSync, readFileSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, fixtureRepo, gitIn, seedFixtureBytes, tempDir, write } from './helpers.js';

/** A bare remote holding the fixture registry, and `n` clones of it sharing one artifact store. */
function remoteWithClones(n: number): { remote: string; clones: string[]; store: string } {
  const { repo } = fixtureRepo();
  const remote = join(tempDir(), 'remote.git');
  gitIn(repo, 'clone', '-q', '--bare', repo, remote);
  // Each clone has the bytes of the fixture's versions in its own default store, as teammates on a
  // shared store would; the shared store (for what the tests register) starts with them too.
  const clones = Array.from({ length: n }, (_, i) => {
    const dir = join(tempDir(), `clone${i}`);
    gitIn(repo, 'clone', '-q', remote, dir);
    seedFixtureBytes(join(dir, '.modelreg/store'));
    return dir;
  });
  const store = join(tempDir(), 'store');
  seedFixtureBytes(store);
  return { remote, clones, store };
}

function artifactDir(seed: string): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.safetensors'), `weights ${seed} `.repeat(1000));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ seed }));
  return dir;
}

const registerArgs = (dir: string, extra: string[] = []) => [
  'register',
  'sentiment',
  dir,
  '--metric',
  'accuracy=0.93',
  '--dataset',
  's3://d/train.parquet',
  '--code',
  'https://github.com/acme/s@abcdef1',
  '--json',
  ...extra,
];

describe('register, promote, rollback, deprecate', () => {
  it('registers a directory of artifacts, then promotes it through the stages with the gates checked', () => {
    const { repo } = fixtureRepo();
    const store = join(tempDir(), 'store');
    const env = { MODELREG_STORE: `file://${store}` };
    const dir = artifactDir('a');
    mkdirSync(join(dir, 'tok'));
    writeFileSync(join(dir, 'tok', 'tokenizer.json'), '{}');
    const r = cli(
      repo,
      registerArgs(dir, ['--version', '1.3.0', '--allow-lower', '--param', 'lr=0.001', '--tag', 'team=nlp', '--parent', 'bert-base@1.0.0:fine-tuned-from']),
      env,
    );
    expect(r.code, r.stdout).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({ ref: 'sentiment@1.3.0', version: '1.3.0', branch: 'main', pushed: false });
    expect(j.artifacts.map((a: { path: string; role: string; stored: boolean }) => [a.path, a.role, a.stored])).toEqual([
      ['config.json', 'config', true],
      ['model.safetensors', 'weights', true],
      ['tok/tokenizer.json', 'tokenizer', true],
    ]);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(gitIn(repo, 'log', '-1', '--format=%s %ae')).toBe('Register sentiment@1.3.0 author@example.com');
    const manifest = readFileSync(join(repo, 'models/sentiment/versions/1.3.0.yaml'), 'utf8');
    expect(manifest.split('\n')[0]).toBe('# yaml-language-server: $schema=../../../.modelreg/schemas/version.schema.json');
    expect(manifest).toContain('created_by: author@example.com');
    for (const a of j.artifacts) expect(existsSync(join(store, 'sha256', a.sha256.slice(0, 2), a.sha256))).toBe(true);
    expect(cli(repo, ['validate']).code).toBe(0);

    // Same bytes again: nothing stored twice. The greatest version is 2.0.0-rc.1, so a bump releases it.
    const again = cli(repo, registerArgs(dir, ['--bump', 'minor']), env).json();
    expect(again.version).toBe('2.0.0');
    expect(again.artifacts.every((a: { stored: boolean }) => !a.stored)).toBe(true);

    // Straight to production is refused with the failing gate named; nothing is written.
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const refused = cli(repo, ['promote', 'sentiment@1.3.0', 'production'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/models\/sentiment\/stages\/production\.yaml:\d+:\d+: error\[stage-order\].*must hold staging/);
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');

    for (const stage of ['development', 'staging']) {
      const p = cli(repo, ['promote', 'sentiment@1.3.0', stage, '--reason', `ready for ${stage}`, '--json'], env);
      expect(p.code, p.stderr).toBe(0);
      expect(p.json().gates.every((g: { passed: boolean }) => g.passed)).toBe(true);
    }
    // Production needs an approval, which only a pull request can give: not committed on the default
    // branch, unless --no-verify (the pull-request check still asks for it).
    const direct = cli(repo, ['promote', 'sentiment@1.3.0', 'production', '--reason', 'ready for production'], env);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toContain(
      'sentiment@1.3.0 → production needs 1 approval(s), which only a pull request can give; this would commit it on main, the default branch',
    );
    const p = cli(repo, ['promote', 'sentiment@1.3.0', 'production', '--reason', 'ready for production', '--no-verify', '--json'], env);
    expect(p.code, p.stderr).toBe(0);
    expect(p.json().gates.every((g: { passed: boolean }) => g.passed)).toBe(true);
    expect(p.json().notes).toEqual([
      "--no-verify: the store was not asked for the entering version's bytes; the pull-request check will ask",
      '--no-verify: sentiment@1.3.0 → production needs approvals, which only a pull request can give',
    ]);
    expect(cli(repo, ['resolve', 'sentiment@production', '--json']).json().version).toBe('1.3.0');
    const stageFile = readFileSync(join(repo, 'models/sentiment/stages/production.yaml'), 'utf8');
    expect(stageFile).toContain('previous: 1.1.0');
    expect(stageFile).toContain('reason: ready for production');

    // Rollback goes back to the previous holder; deprecating a holder is refused; deprecate and undeprecate.
    const rb = cli(repo, ['rollback', 'sentiment', 'production', '--no-verify', '--json'], env);
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.json()).toMatchObject({ ref: 'sentiment@1.1.0', previous: '1.3.0' });
    expect(cli(repo, ['history', 'sentiment', '--json']).json().events[0]).toMatchObject({
      kind: 'rolled-back',
      stage: 'production',
      version: '1.1.0',
      previous: '1.3.0',
    });
    const held = cli(repo, ['deprecate', 'sentiment@1.1.0']);
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('holds production');
    expect(cli(repo, ['deprecate', 'sentiment@2.0.0', '--reason', 'bad eval']).code).toBe(0);
    expect(cli(repo, ['resolve', 'sentiment', '--json']).json().version).toBe('1.3.0');
    expect(cli(repo, ['undeprecate', 'sentiment@2.0.0']).code).toBe(0);
    expect(cli(repo, ['resolve', 'sentiment', '--json']).json().version).toBe('2.0.0');
    expect(cli(repo, ['validate']).code).toBe(0);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');

    // pull and verify against the same store.
    const out = join(tempDir(), 'pulled');
    const pulled = cli(repo, ['pull', 'sentiment@1.3.0', '-o', out, '--json'], env);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(readFileSync(join(out, 'tok/tokenizer.json'), 'utf8')).toBe('{}');
    expect(cli(repo, ['verify', 'sentiment@1.3.0'], env).code).toBe(0);
  });

  it('refuses bad input with a clear error and leaves everything as it was', () => {
    const { repo } = fixtureRepo();
    const env = { MODELREG_STORE: `file://${join(tempDir(), 'store')}` };
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const dir = artifactDir('b');
    const cases: [string[], RegExp][] = [
      [['register', 'sentiment', dir, '--version', '1.1.0'], /already exists/],
      [['register', 'sentiment', dir, '--version', '0.9.0'], /lower than/],
      [['register', 'sentiment', dir, '--metric', 'accuracy=high'], /finite number/],
      [['register', 'sentiment', join(dir, 'nope.bin')], /does not exist/],
      [['register', 'Bad_Name', dir], /schema|name/],
      [['register', 'sentiment', dir, '--parent', 'ghost@1.0.0'], /lineage-dangling|ghost@1\.0\.0 does not exist/],
      [['promote', 'sentiment@9.9.9', 'staging'], /no version 9\.9\.9/],
      [['promote', 'sentiment@1.0.0', 'development'], /deprecated/],
      [['promote', 'sentiment@1.2.0', 'nowhere'], /not a stage/],
      [['rollback', 'bert-base', 'production'], /nothing to roll back/],
    ];
    for (const [args, message] of cases) {
      const r = cli(repo, args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).not.toBe(0);
      expect(r.stderr + r.stdout).toMatch(message);
      expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(head);
      expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    }
  });

  it('--branch commits on a new branch and leaves the current one checked out', () => {
    const { repo } = fixtureRepo();
    const r = cli(repo, ['promote', 'sentiment@1.2.0', 'production', '--branch', 'promote-1.2.0', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().branch).toBe('promote-1.2.0');
    expect(gitIn(repo, 'branch', '--show-current')).toBe('main');
    expect(cli(repo, ['resolve', 'sentiment@production', '--json']).json().version).toBe('1.1.0');
    expect(cli(repo, ['resolve', 'sentiment@production', '--at', 'promote-1.2.0', '--json']).json().version).toBe('1.2.0');
    expect(cli(repo, ['validate', '--base', 'main', '--head', 'promote-1.2.0']).code).toBe(0);
  });

  it("commits only its own files: the user's staged and unstaged work stays as it was, uncommitted", () => {
    const { repo } = fixtureRepo();
    write(repo, 'notes.txt', 'staged, not for this commit\n');
    gitIn(repo, 'add', 'notes.txt');
    writeFileSync(join(repo, 'registry.yaml'), `${readFileSync(join(repo, 'registry.yaml'), 'utf8')}# changed, not staged\n`);
    const r = cli(repo, ['promote', 'sentiment@1.2.0', 'production', '--no-verify']);
    expect(r.code, r.stderr).toBe(0);
    expect(gitIn(repo, 'show', '--name-only', '--format=', 'HEAD')).toBe('models/sentiment/stages/production.yaml');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('A  notes.txt\n M registry.yaml');
    // With nothing else staged, the commit takes the same files (the plain `git commit` path).
    gitIn(repo, 'reset', '-q', 'notes.txt');
    const r2 = cli(repo, ['rollback', 'sentiment', 'production', '--no-verify']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(gitIn(repo, 'show', '--name-only', '--format=', 'HEAD')).toBe('models/sentiment/stages/production.yaml');
    expect(gitIn(repo, 'diff', '--cached', '--name-only')).toBe('');
  });

  it('a failing commit hook leaves the work tree as it was', () => {
    const { repo } = fixtureRepo();
    writeFileSync(join(repo, '.git/hooks/pre-commit'), '#!/bin/sh\necho "hook says no" >&2\nexit 1\n');
    chmodSync(join(repo, '.git/hooks/pre-commit'), 0o755);
    write(repo, 'notes.txt', 'my own uncommitted work\n');
    const r = cli(repo, ['promote', 'sentiment@1.2.0', 'production', '--no-verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('hook says no');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('?? notes.txt');
    expect(readFileSync(join(repo, 'models/sentiment/stages/production.yaml'), 'utf8')).toContain('version: 1.1.0');
  });
});

describe('pushing to a shared remote', () => {
  it('4 clones registering different versions at once: all land, none lost', async () => {
    const { remote, clones, store } = remoteWithClones(4);
    const env = { MODELREG_STORE: `file://${store}` };
    const results = await Promise.all(clones.map((c, i) => cliAsync(c, registerArgs(artifactDir(`c${i}`), ['--bump', 'patch', '--push']), env)));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const versions = results.map((r) => r.json().version).sort();
    expect(new Set(versions).size).toBe(4);
    const check = join(tempDir(), 'check');
    gitIn(clones[0]!, 'clone', '-q', remote, check);
    const landed = cli(check, ['show', 'sentiment', '--json'])
      .json()
      .versions.map((v: { version: string }) => v.version);
    for (const v of versions) expect(landed).toContain(v);
    expect(cli(check, ['validate']).code).toBe(0);
    expect(cli(check, ['verify'], env).stdout).toMatch(/missing or corrupt|all present/); // fixture objects are not in this store
    expect(
      gitIn(check, 'log', '--format=%s', '-n', '4')
        .split('\n')
        .every((s) => s.startsWith('Register sentiment@')),
    ).toBe(true);
    expect(results.some((r) => r.json().attempts > 1)).toBe(true);
  });

  it('4 clones registering the same version at once: exactly one lands, the others get a clear error', async () => {
    const { remote, clones, store } = remoteWithClones(4);
    const env = { MODELREG_STORE: `file://${store}` };
    const results = await Promise.all(clones.map((c, i) => cliAsync(c, registerArgs(artifactDir(`s${i}`), ['--version', '3.0.0', '--push']), env)));
    const ok = results.filter((r) => r.code === 0);
    const failed = results.filter((r) => r.code !== 0);
    expect(ok).toHaveLength(1);
    for (const r of failed) {
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('"code": "conflict"');
      expect(r.stdout).toContain('sentiment@3.0.0 already exists');
    }
    for (const [i, c] of clones.entries()) {
      expect(gitIn(c, 'status', '--porcelain'), `clone ${i}`).toBe('');
      expect(gitIn(c, 'branch', '--show-current')).toBe('main');
    }
    const log = gitIn(clones[0]!, 'ls-remote', remote, 'refs/heads/main');
    expect(log).toMatch(/^[0-9a-f]{40}/);
    const check = join(tempDir(), 'check');
    gitIn(clones[0]!, 'clone', '-q', remote, check);
    expect(
      gitIn(check, 'log', '--format=%s')
        .split('\n')
        .filter((s) => s === 'Register sentiment@3.0.0'),
    ).toHaveLength(1);
  });

  it('retries a push after a concurrent promotion of another model, and refuses when the same stage moved', async () => {
    const { remote, clones } = remoteWithClones(2);
    const [a, b] = clones as [string, string];
    // a has a promotion of another model ready; b's first push attempt makes a push it first, from b's
    // pre-push hook, so the remote moves between b's fetch and b's push: a real race, every time.
    expect(cli(a, ['promote', 'sentiment-int8@1.0.0', 'staging', '--no-verify']).code).toBe(0);
    writeFileSync(
      join(b, '.git/hooks/pre-push'),
      `#!/bin/sh\n[ -e .git/raced ] && exit 0\ntouch .git/raced\nenv -u GIT_DIR -u GIT_INDEX_FILE -u GIT_WORK_TREE git -C "${a}" push -q origin HEAD:main\n`,
    );
    chmodSync(join(b, '.git/hooks/pre-push'), 0o755);
    const r = cli(b, ['promote', 'sentiment@1.2.0', 'production', '--push', '--no-verify', '--json']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json()).toMatchObject({ pushed: true, attempts: 2 });
    expect(gitIn(b, 'log', '--format=%s', '-n', '2')).toBe('Promote sentiment@1.2.0 to production\nPromote sentiment-int8@1.0.0 to staging');

    // a moves production back at the moment b pushes its own move of production: when b re-plans on the
    // new tip, the stage is no longer where b saw it — a conflict of intent, reported, not retried.
    gitIn(a, 'pull', '-q', '--ff-only');
    expect(cli(a, ['rollback', 'sentiment', 'production', '--no-verify']).code).toBe(0); // committed, not yet pushed
    writeFileSync(
      join(b, '.git/hooks/pre-push'),
      `#!/bin/sh\n[ -e .git/raced2 ] && exit 0\ntouch .git/raced2\nenv -u GIT_DIR -u GIT_INDEX_FILE -u GIT_WORK_TREE git -C "${a}" push -q origin HEAD:main\n`,
    );
    const before = gitIn(b, 'rev-parse', 'HEAD');
    const moved = cli(b, ['rollback', 'sentiment', 'production', '--push', '--no-verify', '--json']);
    expect(moved.code, moved.stdout).toBe(1);
    expect(moved.json().error).toMatchObject({ code: 'conflict' });
    expect(moved.json().error.message).toMatch(/moved meanwhile: it was 1\.2\.0, it is now 1\.1\.0/);
    expect(gitIn(b, 'status', '--porcelain')).toBe('');
    // b never keeps an unpushed commit of ours.
    expect(gitIn(b, 'rev-list', '--count', 'origin/main..HEAD')).toBe('0');
    expect(before).not.toBe('');
    void remote;
  });

  it('a server that refuses the push (branch protection, hooks) is named, with --pr suggested; the commit is dropped', () => {
    const { remote, clones } = remoteWithClones(1);
    writeFileSync(join(remote, 'hooks/pre-receive'), '#!/bin/sh\necho "GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n');
    chmodSync(join(remote, 'hooks/pre-receive'), 0o755);
    const c = clones[0]!;
    const before = gitIn(c, 'rev-parse', 'HEAD');
    const r = cli(c, ['promote', 'sentiment@1.2.0', 'production', '--push', '--no-verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[push-rejected]');
    expect(r.stderr).toContain('--pr');
    expect(gitIn(c, 'rev-parse', 'HEAD')).toBe(before);
    expect(gitIn(c, 'status', '--porcelain')).toBe('');
  });

  it('an unreachable remote is a clear error and changes nothing', () => {
    const { clones } = remoteWithClones(1);
    const c = clones[0]!;
    gitIn(c, 'remote', 'set-url', 'origin', join(tempDir(), 'gone.git'));
    const before = gitIn(c, 'rev-parse', 'HEAD');
    const r = cli(c, ['promote', 'sentiment@1.2.0', 'production', '--push']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the remote origin/);
    expect(gitIn(c, 'rev-parse', 'HEAD')).toBe(before);
    expect(gitIn(c, 'status', '--porcelain')).toBe('');
  });
});

describe('a process killed at each step', () => {
  for (const step of ['hash', 'put', 'plan', 'write', 'commit', 'push']) {
    it(`register killed after "${step}": all or nothing, and a rerun succeeds`, () => {
      const { clones, store } = remoteWithClones(1);
      const c = clones[0]!;
      const env = { MODELREG_STORE: `file://${store}` };
      const dir = artifactDir(step);
      const killed = cli(c, registerArgs(dir, ['--version', '5.0.0', '--push']), { ...env, MODELREG_FAULT_AFTER: step });
      expect(killed.code, killed.stderr).not.toBe(0);
      const landed = existsSync(join(c, 'models/sentiment/versions/5.0.0.yaml')) && gitIn(c, 'ls-tree', 'HEAD', 'models/sentiment/versions/5.0.0.yaml') !== '';
      expect(landed).toBe(step === 'commit' || step === 'push');
      const status = gitIn(c, 'status', '--porcelain');
      // Only a kill between writing the files and committing them leaves anything behind, and the next
      // write command restores it before doing anything else.
      expect(status).toBe(step === 'write' ? '?? models/sentiment/versions/5.0.0.yaml' : '');
      expect(cli(c, ['validate', '--at', 'HEAD']).code).toBe(0);
      const rerun = cli(c, registerArgs(dir, ['--bump', 'patch', '--push']), env);
      expect(rerun.code, rerun.stderr + rerun.stdout).toBe(0);
      expect(gitIn(c, 'status', '--porcelain')).toBe('');
      expect(cli(c, ['validate']).code).toBe(0);
      expect(cli(c, ['verify', rerun.json().ref], env).code).toBe(0);
      if (landed) expect(cli(c, ['verify', 'sentiment@5.0.0'], env).code).toBe(0);
    });
  }

  for (const step of ['plan', 'write', 'commit']) {
    it(`promote killed after "${step}": the stage moved or it did not, and a rerun succeeds`, () => {
      const { repo } = fixtureRepo();
      const killed = cli(repo, ['promote', 'sentiment@1.2.0', 'production', '--no-verify'], { MODELREG_FAULT_AFTER: step });
      expect(killed.code).not.toBe(0);
      const holder = cli(repo, ['resolve', 'sentiment@production', '--at', 'HEAD', '--json']).json().version;
      expect(holder).toBe(step === 'commit' ? '1.2.0' : '1.1.0');
      const rerun = cli(
        repo,
        step === 'commit' ? ['rollback', 'sentiment', 'production', '--no-verify'] : ['promote', 'sentiment@1.2.0', 'production', '--no-verify'],
      );
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(gitIn(repo, 'status', '--porcelain')).toBe('');
      expect(cli(repo, ['validate']).code).toBe(0);
    });
  }
  for (const step of ['plan', 'write', 'commit', 'push']) {
    it(`rollback --push killed after "${step}": the stage went back or it did not, and a rerun finishes the job`, () => {
      const { remote, clones } = remoteWithClones(1);
      const c = clones[0]!;
      const args = ['rollback', 'sentiment', 'staging', '--to', '1.1.0', '--push'];
      const killed = cli(c, args, { MODELREG_FAULT_AFTER: step });
      expect(killed.code).not.toBe(0);
      const landed = step === 'commit' || step === 'push';
      expect(cli(c, ['resolve', 'sentiment@staging', '--at', 'HEAD', '--json']).json().version).toBe(landed ? '1.1.0' : '1.2.0');
      expect(gitIn(c, 'status', '--porcelain')).toBe(step === 'write' ? 'M models/sentiment/stages/staging.yaml' : '');
      expect(cli(c, ['validate', '--at', 'HEAD']).code).toBe(0);
      // Run again: it lands, or (already landed) publishes what the killed run committed and says so.
      const rerun = cli(c, args);
      if (landed) expect(rerun.stderr).toMatch(/error\[conflict\].*already holds staging/);
      else expect(rerun.code, rerun.stderr).toBe(0);
      expect(gitIn(c, 'status', '--porcelain')).toBe('');
      expect(cli(c, ['validate']).code).toBe(0);
      expect(gitIn(remote, 'rev-parse', 'main')).toBe(gitIn(c, 'rev-parse', 'HEAD'));
      expect(
        gitIn(c, 'log', '--format=%s')
          .split('\n')
          .filter((l) => l.startsWith('Rollback sentiment staging')),
      ).toHaveLength(1);
    });
  }
});

describe('modelreg gc', () => {
  it('deletes only objects no branch, tag or reflog references, marked by an earlier run and unreferenced since', async () => {
    const { repo } = fixtureRepo();
    const store = join(tempDir(), 'store');
    const env = { MODELREG_STORE: `file://${store}` };
    const kept = cli(repo, registerArgs(artifactDir('kept'), ['--version', '3.0.0']), env).json();
    gitIn(repo, 'switch', '-q', '-c', 'experiment');
    const tagged = cli(repo, registerArgs(artifactDir('tagged'), ['--version', '3.1.0']), env).json();
    gitIn(repo, 'tag', 'keep-me');
    const dropped = cli(repo, registerArgs(artifactDir('dropped'), ['--version', '3.2.0']), env).json();
    gitIn(repo, 'switch', '-q', 'main');
    gitIn(repo, 'branch', '-q', '-D', 'experiment');
    const only = (r: { artifacts: { sha256: string }[] }) => r.artifacts.map((a) => a.sha256);
    const droppedOnly = only(dropped)
      .filter((s) => !only(kept).includes(s) && !only(tagged).includes(s))
      .sort();
    expect(droppedOnly.length).toBeGreaterThan(0);
    const shas = (list: { sha256: string }[]) => list.map((d) => d.sha256).sort();

    // The reflog still names the dropped commit (as for git gc): nothing is unreferenced yet.
    expect(cli(repo, ['gc', '--grace', '0', '--json'], env).json()).toMatchObject({ deleted: [], marked: [] });
    gitIn(repo, 'reflog', 'expire', '--expire=now', '--all');
    // Within the grace nothing goes; a run marks what is unreferenced.
    const marking = cli(repo, ['gc', '--json'], env).json();
    expect(marking.deleted).toEqual([]);
    expect(shas(marking.marked)).toEqual(droppedOnly);
    await new Promise((r) => setTimeout(r, 20));
    const dry = cli(repo, ['gc', '--dry-run', '--grace', '0', '--json'], env).json();
    expect(shas(dry.deleted)).toEqual(droppedOnly);
    for (const s of droppedOnly) expect(existsSync(join(store, 'sha256', s.slice(0, 2), s))).toBe(true);
    const real = cli(repo, ['gc', '--grace', '0', '--json'], env).json();
    expect(shas(real.deleted)).toEqual(droppedOnly);
    for (const s of droppedOnly) expect(existsSync(join(store, 'sha256', s.slice(0, 2), s))).toBe(false);
    expect(cli(repo, ['verify', 'sentiment@3.0.0'], env).code).toBe(0);
    expect(cli(repo, ['verify', 'sentiment@3.1.0', '--at', 'keep-me'], env).code).toBe(0);
  });
});
