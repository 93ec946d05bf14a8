/** The read-side CLI end to end: the built binary on real repositories, exit codes, --json shapes. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, commitAll, fixtureRepo, gitIn, promoteThenRollBack, stageYaml, tempDir, write } from './helpers.js';

describe('modelreg init', () => {
  it('creates a registry from the template that validates and lists, with git init and a commit', () => {
    const dir = join(tempDir(), 'reg');
    const init = cli(process.cwd(), ['init', dir, '--json']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.json()).toMatchObject({ gitInit: true, committed: true });
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(dir, '.modelreg/schemas/version.schema.json'), 'utf8')).toContain('"$schema"');
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.modelreg/store/');
    expect(readFileSync(join(dir, 'registry.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=.modelreg/schemas/registry.schema.json');
    const v = cli(dir, ['validate', '--json']);
    expect(v.code, v.stdout).toBe(0);
    expect(v.json()).toMatchObject({ ok: true, errors: 0, models: 0 });
    expect(cli(dir, ['list', '--json']).json()).toEqual({ models: [] });
    const again = cli(process.cwd(), ['init', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already holds a registry');
  });

  it('writes the store given with --store', () => {
    const dir = join(tempDir(), 'reg');
    expect(cli(process.cwd(), ['init', dir, '--store', 's3://bucket/prefix', '--no-commit']).code).toBe(0);
    expect(readFileSync(join(dir, 'registry.yaml'), 'utf8')).toMatch(/store: s3:\/\/bucket\/prefix/);
    expect(gitIn(dir, 'status', '--porcelain')).not.toBe('');
  });
});

describe('read commands', () => {
  it('resolve prints what a deploy needs, as a stable JSON shape', () => {
    const { repo } = fixtureRepo();
    const r = cli(repo, ['resolve', 'sentiment@production', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j).toMatchObject({
      ref: 'sentiment@production',
      model: 'sentiment',
      version: '1.1.0',
      stage: 'production',
      stages: ['production'],
      deprecated: false,
      revision: null,
    });
    expect(j.artifacts).toHaveLength(2);
    expect(j.artifacts[0]).toMatchObject({ path: 'model.safetensors', size: 52, format: 'safetensors', role: 'weights' });
    expect(j.artifacts[0].uri).toBe(`file://${repo}/.modelreg/store/sha256/${j.artifacts[0].sha256.slice(0, 2)}/${j.artifacts[0].sha256}`);
    expect(cli(repo, ['resolve', 'sentiment', '--json']).json().version).toBe('1.2.0');
    expect(cli(repo, ['resolve', 'sentiment@latest', '--prerelease', '--json']).json().version).toBe('2.0.0-rc.1');
    const s3 = cli(repo, ['resolve', 'sentiment@1.2.0', '--json'], { MODELREG_STORE: 's3://b/p' }).json();
    expect(s3.artifacts[0].uri).toMatch(/^s3:\/\/b\/p\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
  });

  it('resolve from a subdirectory, with --registry, and at a revision', () => {
    const { repo } = fixtureRepo();
    expect(cli(join(repo, 'models/sentiment'), ['resolve', 'sentiment@staging', '--json']).json().version).toBe('1.2.0');
    const elsewhere = tempDir();
    expect(cli(elsewhere, ['resolve', 'sentiment@staging', '-r', repo, '--json']).json().version).toBe('1.2.0');
    const first = gitIn(repo, 'rev-parse', 'HEAD');
    write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
    commitAll(repo, 'Promote');
    const r = cli(repo, ['resolve', 'sentiment@production', '--at', first, '--json']).json();
    expect(r).toMatchObject({ version: '1.1.0', revision: first });
  });

  it('errors name what went wrong and exit 1, or 2 for usage', () => {
    const { repo } = fixtureRepo();
    const missing = cli(repo, ['resolve', 'nope@production']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error\[model-not-found\]: no model named "nope"/);
    expect(missing.stderr).toContain('hint:');
    const notHeld = cli(repo, ['resolve', 'bert-base@production', '--json']);
    expect(notHeld.code).toBe(1);
    expect(notHeld.json().error).toMatchObject({ code: 'stage-not-held' });
    const badRef = cli(repo, ['resolve', 'Bad/Name']);
    expect(badRef.code).toBe(2);
    expect(cli(repo, ['list', '--no-such-flag']).code).toBe(2);
    expect(cli(repo, ['resolve']).code).toBe(2);
    const plain = tempDir();
    write(plain, 'registry.yaml', readFileSync(join(repo, 'registry.yaml'), 'utf8'));
    const noGit = cli(plain, ['list', '--at', 'HEAD']);
    expect(noGit.code).toBe(1);
    expect(noGit.stderr).toContain('is not inside a Git repository');
    const nowhere = cli(tempDir(), ['list']);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('error[registry-not-found]');
  });

  it('resolve answers the same bytes, exit code and errors on its fast path as through oclif, and leaves help and unusual flags to oclif', () => {
    const { repo } = fixtureRepo({ subdir: 'registry' });
    const sub = join(repo, 'registry', 'models');
    const cases: [string, string[]][] = [
      [repo, ['resolve', 'sentiment@production', '-r', 'registry']],
      [sub, ['resolve', 'sentiment@production']],
      [sub, ['resolve', 'sentiment@production', '--json']],
      [sub, ['resolve', '--json', 'sentiment', '--prerelease']],
      [sub, ['resolve', 'sentiment@staging', '--at', 'HEAD']],
      [repo, ['resolve', `--registry=${join(repo, 'registry')}`, 'sentiment@1.0.0', '--store', 'file:///tmp/elsewhere']],
      [sub, ['resolve', 'nope@production']],
      [sub, ['resolve', 'sentiment@9.9.9', '--json']],
      [sub, ['resolve', 'Bad Ref!']],
      [sub, ['resolve', 'sentiment@production', '--at', 'no-such-rev']],
    ];
    // runFast itself, in a process of its own: whether it takes these arguments (exit 99 when it leaves them to oclif).
    const fastPath = join(ROOT, 'dist/src/cli/fast-path.js');
    const runFast = (cwd: string, args: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { runFast } = await import(${JSON.stringify(fastPath)}); if (!(await runFast(${JSON.stringify(args)}))) process.exit(99);`,
        ],
        { cwd, encoding: 'utf8', env: { ...process.env, MODELREG_REGISTRY: '', MODELREG_STORE: '' } },
      );
    for (const [cwd, args] of cases) {
      const viaOclif = cli(cwd, args, { MODELREG_NO_FAST_PATH: '1' });
      const fast = cli(cwd, args);
      expect([fast.code, fast.stdout, fast.stderr], args.join(' ')).toEqual([viaOclif.code, viaOclif.stdout, viaOclif.stderr]);
      // And it was the fast path that answered: runFast takes these arguments itself.
      const direct = runFast(cwd, args);
      expect(direct.status, `${args.join(' ')}: ${direct.stderr}`).toBe(fast.code);
      expect(direct.stdout).toBe(fast.stdout);
    }
    for (const args of [
      ['resolve', '--help'],
      ['resolve', 'sentiment@production', '--presign'],
      ['resolve', 'sentiment@production', '--bogus'],
      ['resolve'],
      ['resolve', 'a', 'b'],
    ]) {
      expect(runFast(sub, args).status, args.join(' ')).toBe(99);
      const r = cli(sub, args);
      const viaOclif = cli(sub, args, { MODELREG_NO_FAST_PATH: '1' });
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([viaOclif.code, viaOclif.stdout, viaOclif.stderr]);
    }
  });

  it('list shows what holds each stage and filters', () => {
    const { repo } = fixtureRepo();
    const all = cli(repo, ['list', '--json']).json().models;
    expect(all.map((m: { name: string }) => m.name)).toEqual(['bert-base', 'sentiment', 'sentiment-int8']);
    expect(all[1]).toMatchObject({
      latest: '1.2.0',
      versions: 4,
      stages: { development: '1.2.0', staging: '1.2.0', production: '1.1.0' },
      frameworks: ['transformers'],
    });
    const names = (args: string[]) =>
      cli(repo, ['list', '--json', ...args])
        .json()
        .models.map((m: { name: string }) => m.name);
    expect(names(['--stage', 'production'])).toEqual(['sentiment']);
    expect(names(['--tag', 'team=nlp'])).toEqual(['sentiment']);
    expect(names(['--framework', 'onnx'])).toEqual(['sentiment-int8']);
    expect(names(['--owner', 'research-team'])).toEqual(['bert-base']);
    const text = cli(repo, ['list']).stdout;
    expect(text).toMatch(/^MODEL\s+LATEST\s+DEVELOPMENT\s+STAGING\s+PRODUCTION/m);
    expect(cli(repo, ['list', '--tag', 'novalue']).code).toBe(2);
  });

  it('show, compare, lineage and card', () => {
    const { repo } = fixtureRepo();
    const model = cli(repo, ['show', 'sentiment', '--json']).json();
    expect(model.versions.map((v: { version: string }) => v.version)).toEqual(['2.0.0-rc.1', '1.2.0', '1.1.0', '1.0.0']);
    expect(model.versions[3].deprecated).toBe(true);
    const version = cli(repo, ['show', 'sentiment@staging', '--json']).json();
    expect(version.manifest.metrics).toEqual({ accuracy: 0.91, latency_ms: 35 });
    expect(cli(repo, ['show', 'sentiment@staging']).stdout).toContain('accuracy: 0.91');

    const c = cli(repo, ['compare', 'sentiment@production', 'sentiment@staging', '--json']).json();
    expect(c.metrics).toEqual([
      { name: 'accuracy', a: 0.89, b: 0.91, delta: 0.02 },
      { name: 'latency_ms', a: 38, b: 35, delta: -3 },
    ]);
    expect(cli(repo, ['compare', 'sentiment@production', 'sentiment@staging']).stdout).toMatch(/accuracy\s+0\.89\s+0\.91\s+\+0\.02/);

    const l = cli(repo, ['lineage', 'sentiment@1.1.0', '--json']).json();
    expect(l.root).toBe('sentiment@1.1.0');
    expect(l.ancestors.children.map((x: { node: string }) => x.node)).toEqual(['bert-base@1.0.0']);
    expect(l.descendants.children.map((x: { node: string }) => x.node)).toEqual(['sentiment-int8@1.0.0']);
    const mm = cli(repo, ['lineage', 'sentiment@1.1.0', '--format', 'mermaid']).stdout;
    expect(mm.split('\n')[0]).toBe('graph TD');
    expect(mm).toContain('["sentiment@1.1.0"]');
    // One Mermaid renderer for the CLI and the pull-request summary: labels quoted and escaped alike.
    expect(mm).toMatch(/n\d+\["sentiment@1\.1\.0"\] -->\|"quantized-from"\| n\d+\["sentiment-int8@1\.0\.0"\]/);

    const card = cli(repo, ['card', 'sentiment@production']).stdout;
    expect(card).toContain('# sentiment 1.1.0');
    expect(card).toContain('## Intended use\n\nRanking and routing of English product reviews.');
    expect(card).toContain('| accuracy | 0.89 |');
    expect(card).toContain('- bert-base@1.0.0 (fine-tuned-from)');
  });

  it('history tells registrations, promotions and rollbacks with who, when and the PR number', () => {
    const { repo } = fixtureRepo();
    promoteThenRollBack(repo);
    const events = cli(repo, ['history', 'sentiment', '--json']).json().events;
    expect(events[0]).toMatchObject({ kind: 'rolled-back', stage: 'production', version: '1.1.0', previous: '1.2.0', pr: 43, author: 'Test Author' });
    expect(events[1]).toMatchObject({ kind: 'promoted', stage: 'production', version: '1.2.0', previous: '1.1.0', pr: 42 });
    expect(
      events
        .filter((e: { kind: string }) => e.kind === 'registered')
        .map((e: { version: string }) => e.version)
        .sort(),
    ).toEqual(['1.0.0', '1.1.0', '1.2.0', '2.0.0-rc.1']);
    expect(cli(repo, ['history', 'sentiment', '-n', '1', '--json']).json().events).toHaveLength(1);
    expect(cli(repo, ['history', 'sentiment']).stdout).toMatch(
      /rolled-back production: 1\.2\.0 → 1\.1\.0\s+Test Author \(the file says 2026-11-01T10:00:00Z\)\s+[0-9a-f]{10}\s+#43/,
    );
  });
});

describe('modelreg validate', () => {
  it('names file, line and field of a broken manifest, exits 1 and changes nothing', () => {
    const { repo } = fixtureRepo();
    const path = 'models/sentiment/versions/1.2.0.yaml';
    const text = readFileSync(join(repo, path), 'utf8').replace('framework: transformers', 'framework: transformers\nframwork: typo');
    write(repo, path, text);
    const before = gitIn(repo, 'status', '--porcelain');
    const r = cli(repo, ['validate']);
    expect(r.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.startsWith('framwork')) + 1;
    expect(r.stdout).toContain(`${path}:${line}:1: error[schema] unknown field "framwork"`);
    expect(r.stdout).toMatch(/✗ registry .*1 error/);
    expect(gitIn(repo, 'status', '--porcelain')).toBe(before);
    expect(readFileSync(join(repo, path), 'utf8')).toBe(text);
    const j = cli(repo, ['validate', '--json']).json();
    expect(j).toMatchObject({ ok: false, errors: 1 });
    expect(j.findings[0]).toMatchObject({ code: 'schema', file: path, line, column: 1, field: '/framwork' });
    // The committed revision is still fine.
    expect(cli(repo, ['validate', '--at', 'HEAD']).code).toBe(0);
  });

  it('--base --head judges a change by the base policy, as the pull-request check does', () => {
    const { repo } = fixtureRepo();
    const base = gitIn(repo, 'rev-parse', 'HEAD');
    // Weaken the production gate and jump 2.0.0-rc.1 (never in staging) straight to production, in one change.
    const policy = readFileSync(join(repo, 'registry.yaml'), 'utf8').replace('accuracy: { min: 0.85 }', 'accuracy: { min: 0.1 }');
    write(repo, 'registry.yaml', policy);
    write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '2.0.0-rc.1', '1.1.0'));
    const head = commitAll(repo, 'Sneaky');
    const r = cli(repo, ['validate', '--base', base, '--head', head, '--json']);
    expect(r.code).toBe(1);
    const j = r.json();
    expect(j).toMatchObject({ ok: false, base, head });
    const codes = j.findings.map((f: { code: string }) => f.code);
    expect(codes).toContain('policy-changed');
    expect(codes).toContain('stage-order');
    expect(j.change.stageMoves[0]).toMatchObject({ model: 'sentiment', stage: 'production', from: '1.1.0', to: '2.0.0-rc.1' });
    const text = cli(repo, ['validate', '--base', base, '--head', head]);
    expect(text.stdout).toMatch(/models\/sentiment\/stages\/production\.yaml:3:\d+: error\[stage-order\]/);

    // A proper promotion of the staging holder passes; head defaults to the work tree.
    gitIn(repo, 'reset', '-q', '--hard', base);
    write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
    const ok = cli(repo, ['validate', '--base', base]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('✓ change');
  });
});

describe('the npm package', () => {
  it('ships the schemas, the template (workflow and gitignore included), the docs and the built CLI', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const f of [
      'schemas/version.schema.json',
      'schemas/registry.schema.json',
      'registry-template/registry.yaml',
      'registry-template/gitignore',
      'registry-template/.github/workflows/modelreg.yml',
      'registry-template/CODEOWNERS',
      'docs/format.md',
      'bin/run.js',
      'dist/src/index.js',
      'dist/src/commands/resolve.js',
      'oclif.manifest.json',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('test/') || f.startsWith('src/'))).toBe(false);
  });
});
