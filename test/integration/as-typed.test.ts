/**
 * The command line as people type it (issue 14): flags before, between and after the positional
 * arguments mean the same; errors say all of what oclif knows; help reads right.
 */
import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, fixtureRepo, gitIn, seedFixtureBytes, tempDir, write } from './helpers.js';

function registry(): string {
  const dir = join(tempDir(), 'reg');
  expect(cli(process.cwd(), ['init', dir]).code).toBe(0);
  write(dir, 'model.pt', 'weights');
  write(dir, 'config.json', '{}');
  return dir;
}

describe('flags anywhere', () => {
  it('register takes repeatable flags before, between and after the files, with the same result', () => {
    const dir = registry();
    const flags = ['--metric', 'f1=0.9', '--metric', 'auc=0.8', '--tag', 'team=risk', '--no-code'];
    const placements = [
      ['fraud', ...flags, 'model.pt', 'config.json'], // flags before the files: how most people write it
      ['fraud', 'model.pt', ...flags, 'config.json'],
      ['fraud', 'model.pt', 'config.json', ...flags],
      [...flags, 'fraud', 'model.pt', 'config.json'],
    ];
    const seen = placements.map((args, i) => {
      const r = cli(dir, ['register', ...args, '--version', `1.0.${i}`, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      const shown = cli(dir, ['show', `fraud@1.0.${i}`, '--json']).json();
      return { artifacts: shown.artifacts.map((a: { path: string }) => a.path), metrics: shown.manifest.metrics, tags: shown.manifest.tags };
    });
    expect(seen[0]).toEqual({ artifacts: ['config.json', 'model.pt'], metrics: { f1: 0.9, auc: 0.8 }, tags: { team: 'risk' } });
    for (const s of seen) expect(s).toEqual(seen[0]);
  });

  it('pull --only before the reference', () => {
    const dir = registry();
    expect(cli(dir, ['register', 'fraud', 'model.pt', 'config.json', '--version', '1.0.0', '--no-code']).code).toBe(0);
    const out = join(tempDir(), 'out');
    const r = cli(dir, ['pull', '--only', 'config.json', '--only', 'none', 'fraud@1.0.0', '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['config.json']);
  });

  it('every repeatable flag of every command takes one value per occurrence', async () => {
    const dir = join(ROOT, 'dist/src/commands');
    let repeatable = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
      const command = (await import(join(dir, file))).default as { flags?: Record<string, { multiple?: boolean; multipleNonGreedy?: boolean }> };
      for (const [name, flag] of Object.entries(command.flags ?? {})) {
        if (!flag.multiple) continue;
        repeatable++;
        expect(flag.multipleNonGreedy, `${file} --${name}`).toBe(true);
      }
    }
    expect(repeatable).toBeGreaterThanOrEqual(10);
  });
});

describe('what the command line says back', () => {
  it('help shows one model and several paths', () => {
    const r = cli(process.cwd(), ['register', '--help']);
    expect(r.stdout).toContain('$ modelreg register MODEL PATHS...');
    expect(r.stdout).toMatch(/\n {2}MODEL {5}Model name\n {2}PATHS\.\.\. {2}Files or directories/);
  });

  it('a missing argument names it, with its description; a value out of range says the limit', () => {
    const dir = registry();
    const missing = cli(dir, ['register', 'fraud', '--version', '1.0.0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      'error[usage]: Missing 1 required arg:\n  paths  Files or directories of artifacts (one or more)\n  hint: see `modelreg register --help`\n',
    );
    const range = cli(dir, ['resolve', 'fraud@1.0.0', '--presign', '--expires', '999999999']);
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('Expected an integer less than or equal to 604800 but received: 999999999');
  });

  it('states are not usage errors: a detached HEAD exits 1 with code precondition', () => {
    const dir = registry();
    expect(cli(dir, ['register', 'fraud', 'model.pt', '--version', '1.0.0', '--no-code']).code).toBe(0);
    expect(cli(dir, ['register', 'fraud', 'model.pt', '--version', '1.0.1', '--no-code']).code).toBe(0);
    gitIn(dir, 'checkout', '-q', '--detach', 'HEAD~1');
    const r = cli(dir, ['promote', 'fraud@1.0.0', 'development', '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({ code: 'precondition', message: 'HEAD is detached; modelreg commits on a branch' });
  });

  it('a store location with .. or a query is refused, naming where it came from', () => {
    const dir = registry();
    for (const store of ['s3://b/p/../../x', 's3://b/p?x=1']) {
      const r = cli(dir, ['register', 'fraud', 'model.pt', '--version', '1.0.0', '--no-code', '--store', store, '--json']);
      expect(r.code).toBe(1);
      expect(r.json().error.code).toBe('precondition');
      expect(r.json().error.message).toContain(`the store location "${store}" (--store) cannot be used`);
    }
    expect(cli(dir, ['validate']).code).toBe(0);
  });
});

describe('the reason is kept', () => {
  it('promote, rollback and deprecate record why in the stage file, the commit body and history; the subject stays descriptive', () => {
    const dir = registry();
    for (const v of ['1.0.0', '1.1.0']) expect(cli(dir, ['register', 'fraud', 'model.pt', '--version', v, '--no-code']).code).toBe(0);
    expect(cli(dir, ['promote', 'fraud@1.0.0', 'development', '--reason', 'Passed all validation tests']).code).toBe(0);
    expect(cli(dir, ['promote', 'fraud@1.1.0', 'development', '-m', 'Beats 1.0.0 on recall']).code).toBe(0);
    expect(cli(dir, ['rollback', 'fraud', 'development', '--reason', 'Latency regression']).code).toBe(0);
    expect(cli(dir, ['deprecate', 'fraud@1.1.0', '--reason', 'Tokenizer bug']).code).toBe(0);
    expect(gitIn(dir, 'log', '-4', '--format=%s')).toBe(
      [
        'Deprecate fraud@1.1.0',
        'Rollback fraud development to 1.0.0 (from 1.1.0)',
        'Promote fraud@1.1.0 to development',
        'Promote fraud@1.0.0 to development',
      ].join('\n'),
    );
    expect(gitIn(dir, 'log', '-1', '--skip=2', '--format=%b')).toContain('Beats 1.0.0 on recall');
    expect(readFileSync(join(dir, 'models/fraud/stages/development.yaml'), 'utf8')).toContain('reason: Latency regression');
    const events = cli(dir, ['history', 'fraud', '--json']).json().events;
    expect(events.filter((e: { reason?: string }) => e.reason).map((e: { kind: string; reason: string }) => [e.kind, e.reason])).toEqual([
      ['deprecated', 'Tokenizer bug'],
      ['rolled-back', 'Latency regression'],
      ['promoted', 'Beats 1.0.0 on recall'],
      ['promoted', 'Passed all validation tests'],
    ]);
    const table = cli(dir, ['history', 'fraud']).stdout.split('\n');
    expect(table[0]).toMatch(/^DATE\s+EVENT\s+AUTHOR\s+COMMIT\s+PR\s+REASON$/);
    expect(table[2]).toMatch(/rolled-back development: 1\.1\.0 → 1\.0\.0 .* Latency regression$/);
  });
});

describe('--at a moment', () => {
  it('answers "what was in production on 1 November" from the first-parent history, in a fresh clone too, naming the commit', () => {
    const dir = registry();
    const at = (date: string) => ({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });
    for (const v of ['1.0.0', '1.1.0'])
      expect(cli(dir, ['register', 'fraud', 'model.pt', '--version', v, '--no-code'], at('2026-10-01T09:00:00Z')).code).toBe(0);
    expect(cli(dir, ['promote', 'fraud@1.0.0', 'development', '--no-verify'], at('2026-10-15T12:00:00Z')).code).toBe(0);
    expect(cli(dir, ['promote', 'fraud@1.1.0', 'development', '--no-verify'], at('2026-11-02T08:00:00Z')).code).toBe(0);
    const clone = join(tempDir(), 'clone');
    gitIn(process.cwd(), 'clone', '-q', dir, clone);
    for (const where of [dir, clone]) {
      const on = (moment: string) => cli(where, ['resolve', 'fraud@development', '--at', moment, '--json']);
      const nov1 = on('2026-11-01');
      expect(nov1.code, nov1.stderr).toBe(0);
      expect(nov1.json().version).toBe('1.0.0');
      expect(nov1.stderr).toMatch(
        /^note: --at 2026-11-01 reads main as of 2026-11-01T23:59:59Z: commit [0-9a-f]{12} \(2026-10-15T12:00:00\+00:00, "Promote fraud@1\.0\.0 to development"\)\n$/,
      );
      expect(on('2026-11-02T08:00:00Z').json().version).toBe('1.1.0'); // at the commit's second: included
      expect(on('2026-11-02T07:59:59Z').json().version).toBe('1.0.0');
      expect(on('2026-11-02T09:00:00+02:00').json().version).toBe('1.0.0'); // 07:00 UTC
      expect(on('2026-10-02').json().error.code).toBe('stage-not-held');
      const before = on('2026-09-01');
      expect(before.code).toBe(1);
      expect(before.json().error).toMatchObject({ code: 'revision-not-found' });
      // The same through oclif (the fast path is resolve's; list goes through oclif).
      expect(cli(where, ['list', '--at', '2026-11-01', '--json'], { MODELREG_NO_FAST_PATH: '1' }).json().models[0].stages.development).toBe('1.0.0');
    }
    const reflog = cli(dir, ['list', '--at', 'main@{2026-11-01}']);
    expect(reflog.code).toBe(2);
    expect(reflog.stderr).toContain('is a reflog form');
    // A tag named like a date is that tag.
    gitIn(dir, 'tag', '2026-11-05', 'HEAD~2');
    expect(cli(dir, ['resolve', 'fraud@latest', '--at', '2026-11-05', '--json']).json().version).toBe('1.1.0');
    expect(cli(dir, ['resolve', 'fraud@development', '--at', '2026-11-05', '--json']).json().error.code).toBe('stage-not-held');
  });
});

describe('what register records', () => {
  it('URLs lose their credentials, saying which; validate reports one written by hand, with its line', () => {
    const dir = registry();
    const r = cli(dir, [
      'register',
      'fraud',
      'model.pt',
      '--version',
      '1.0.0',
      '--code',
      'https://user:tok@github.com/acme/train@0123abc',
      '--dataset',
      's3://b/k?X-Amz-Credential=AKIA&X-Amz-Signature=ff&versionId=3',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().notes).toHaveLength(2);
    expect(r.stderr).toContain('note: removed a user name and password from the --code URL before recording it as https://github.com/acme/train');
    expect(r.stderr).toContain('note: removed X-Amz-Credential, X-Amz-Signature from the --dataset URL before recording it as s3://b/k?versionId=3');
    const text = readFileSync(join(dir, 'models/fraud/versions/1.0.0.yaml'), 'utf8');
    expect(text).toContain('repository: https://github.com/acme/train');
    expect(text).not.toMatch(/tok|AKIA|Signature/);
    write(dir, 'models/fraud/versions/1.0.0.yaml', text.replace('https://github.com/acme/train', 'https://user:tok@github.com/acme/train'));
    const v = cli(dir, ['validate', '--json']);
    expect(v.code).toBe(1);
    expect(v.json().findings.map((f: { code: string; field: string }) => [f.code, f.field])).toEqual([['url-credentials', '/lineage/code/repository']]);
    expect(v.json().findings[0].line).toBe(text.split('\n').findIndex((l) => l.includes('repository:')) + 1);
  });

  it('the same parent twice is refused on the command line', () => {
    const dir = registry();
    expect(cli(dir, ['register', 'base', 'model.pt', '--version', '1.0.0', '--no-code']).code).toBe(0);
    const r = cli(dir, ['register', 'ft', 'model.pt', '--version', '1.0.0', '--no-code', '--parent', 'base@1.0.0', '--parent', 'base@1.0.0:fine-tuned-from']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--parent base@1.0.0 is given twice');
  });

  it('symbolic links in a registered directory are followed; one leading outside is listed; --no-follow-symlinks refuses them', () => {
    const dir = registry();
    const outside = tempDir();
    write(outside, 'secret.txt', 'not for the store');
    const art = join(tempDir(), 'art');
    write(art, 'blobs/abc', 'weights');
    write(art, 'snap/x', '');
    symlinkSync('../blobs/abc', join(art, 'snap/model.bin')); // a Hugging Face cache's shape: inside
    symlinkSync(join(outside, 'secret.txt'), join(art, 'snap/notes.txt'));
    const r = cli(dir, ['register', 'm', join(art, 'snap'), '--version', '1.0.0', '--no-code']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `followed 2 symbolic link(s) whose target lies outside the directory registered:\n    model.bin -> ../blobs/abc\n    notes.txt -> ${join(outside, 'secret.txt')}\n`,
    );
    const inside = cli(dir, ['register', 'm', art, '--version', '1.0.1', '--no-code', '--json']);
    expect(inside.json().links.map((l: { link: string; outside: boolean }) => [l.link, l.outside])).toEqual([
      ['snap/model.bin', false],
      ['snap/notes.txt', true],
    ]);
    const refused = cli(dir, ['register', 'm', art, '--version', '1.0.2', '--no-code', '--no-follow-symlinks', '--json']);
    expect(refused.code).toBe(1);
    expect(refused.json().error.message).toBe(
      `2 symbolic link(s) in what is registered, and links are not followed: snap/model.bin -> ../blobs/abc, snap/notes.txt -> ${join(outside, 'secret.txt')}`,
    );
  });
});

describe('archiving the old', () => {
  it('deprecate --keep-latest N: one commit, stage holders and ancestors kept and listed; --dry-run writes nothing; promote --deprecate-previous', () => {
    const dir = registry();
    for (const v of ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '2.0.0-rc.1', '2.0.0'])
      expect(cli(dir, ['register', 'fraud', 'model.pt', '--version', v, '--no-code']).code).toBe(0);
    expect(cli(dir, ['register', 'fraud-ft', 'model.pt', '--version', '1.0.0', '--parent', 'fraud@1.0.0:fine-tuned-from', '--no-code']).code).toBe(0);
    expect(cli(dir, ['promote', 'fraud-ft@1.0.0', 'development']).code).toBe(0);
    expect(cli(dir, ['promote', 'fraud@1.1.0', 'development']).code).toBe(0);
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const dry = cli(dir, ['deprecate', 'fraud', '--keep-latest', '2', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json()).toEqual({
      model: 'fraud',
      dryRun: true,
      deprecated: ['1.2.0'],
      kept: [
        { version: '1.1.0', reason: 'holds development' },
        { version: '1.0.0', reason: 'is a lineage ancestor of fraud-ft@1.0.0, which holds development' },
      ],
    });
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    const r = cli(dir, ['deprecate', 'fraud', '--keep-latest', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kept 1.0.0: it is a lineage ancestor of fraud-ft@1.0.0, which holds development');
    expect(gitIn(dir, 'rev-list', '--count', `${head}..HEAD`)).toBe('1');
    expect(
      cli(dir, ['show', 'fraud', '--json'])
        .json()
        .versions.filter((v: { deprecated: boolean }) => v.deprecated)
        .map((v: { version: string }) => v.version),
    ).toEqual(['1.2.0']);
    const again = cli(dir, ['deprecate', 'fraud', '--keep-latest', '2', '--json']);
    expect(again.json()).toMatchObject({ unchanged: true, deprecated: [] });
    expect(cli(dir, ['promote', 'fraud@1.3.0', 'development', '--deprecate-previous']).code).toBe(0);
    expect(cli(dir, ['show', 'fraud@1.1.0', '--json']).json().manifest.deprecated.reason).toBe('replaced in development by 1.3.0');
    expect(cli(dir, ['validate']).code).toBe(0);
    const bad = cli(dir, ['deprecate', 'fraud', '--dry-run']);
    expect(bad.code).toBe(2);
  });
});

describe('init where the repository already is', () => {
  /** A repository on main whose one commit holds these files: what people have before they run init. */
  function committedRepo(files: Record<string, string>): string {
    const repo = tempDir();
    gitIn(repo, 'init', '-q', '-b', 'main');
    for (const [path, text] of Object.entries(files)) write(repo, path, text);
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-qm', 'existing');
    return repo;
  }

  it('in a monorepo: the workflow and code-owner lines go where GitHub reads them, with the registry path; nothing is overwritten', () => {
    const repo = committedRepo({ 'README.md': '# Monorepo\n', CODEOWNERS: '/src/ @platform\n', '.gitignore': 'node_modules/\n' });
    const r = cli(repo, ['init', 'ml/registry', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ registryPath: 'ml/registry', gitInit: false, committed: true, todo: [] });
    const workflow = readFileSync(join(repo, '.github/workflows/modelreg-ml-registry.yml'), 'utf8');
    expect(workflow).toMatch(/^\s+registry-path: ml\/registry$/m);
    expect(workflow).toContain("paths: ['ml/registry/**', '.github/workflows/modelreg-ml-registry.yml']");
    // The registry browser's workflow builds this registry, on pushes that touch it.
    const site = readFileSync(join(repo, '.github/workflows/site-ml-registry.yml'), 'utf8');
    expect(site).toMatch(/ site -r ml\/registry -o _site /);
    expect(site).toContain("paths: ['ml/registry/**', '.github/workflows/site-ml-registry.yml']");
    expect(existsSync(join(repo, '.github/workflows/site.yml'))).toBe(false);
    const owners = readFileSync(join(repo, 'CODEOWNERS'), 'utf8');
    expect(owners.startsWith('/src/ @platform\n')).toBe(true);
    expect(owners).toMatch(/^\/ml\/registry\/models\/\*\/stages\/production\.yaml\s+@your-org\/ml-leads$/m);
    expect(owners).toMatch(/^\/\.github\/workflows\/modelreg-ml-registry\.yml\s+@your-org\/ml-leads$/m);
    expect(existsSync(join(repo, 'ml/registry/CODEOWNERS'))).toBe(false);
    expect(existsSync(join(repo, 'ml/registry/.github'))).toBe(false);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toBe('# Monorepo\n');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    const reg = join(repo, 'ml/registry');
    expect(cli(reg, ['validate', '--json']).json().findings).toEqual([]);
    // Moved beside the registry, GitHub would not read them: validate says so.
    write(reg, 'CODEOWNERS', '/models/*/stages/production.yaml @leads\n');
    gitIn(repo, 'mv', '.github/workflows/modelreg-ml-registry.yml', 'ml/registry/');
    const v = cli(reg, ['validate', '--json']).json();
    expect(v.findings.map((f: { code: string; file: string }) => [f.code, f.file])).toEqual([
      ['governance-unread', 'CODEOWNERS'],
      ['governance-unread', 'registry.yaml'],
    ]);
  });

  it('at the top of an existing repository: adds its lines to CODEOWNERS, .gitignore and README.md and says so', () => {
    const repo = committedRepo({
      'README.md': '# Our models\n',
      CODEOWNERS: '* @everyone\n',
      '.gitignore': '*.pyc\n',
      '.github/workflows/modelreg.yml': 'name: something else\n',
    });
    const r = cli(repo, ['init', '.', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const files = Object.fromEntries(r.json().files.map((f: { path: string; action: string }) => [f.path, f.action]));
    expect(files).toMatchObject({
      CODEOWNERS: 'appended',
      '.gitignore': 'appended',
      'README.md': 'appended',
      'MODEL-REGISTRY.md': 'created',
      'registry.yaml': 'created',
    });
    expect(r.json().todo[0]).toMatch(/^\.github\/workflows\/modelreg\.yml exists and says something else; it was left as it is/);
    expect(readFileSync(join(repo, '.github/workflows/modelreg.yml'), 'utf8')).toBe('name: something else\n');
    expect(readFileSync(join(repo, 'CODEOWNERS'), 'utf8')).toMatch(/^\* @everyone\n[^]*\/registry\.yaml\s+@your-org\/ml-leads\n/);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toMatch(/^\*\.pyc\n[^]*\.modelreg\/store\/\n/);
    expect(readFileSync(join(repo, 'README.md'), 'utf8')).toMatch(/^# Our models\n\n## Model registry\n/);
    // Again: a registry is there now.
    expect(cli(repo, ['init', '.']).code).toBe(1);
  });
});

describe("a teammate's clone on the default local store", () => {
  it('pull says why the bytes are not here and what to do', () => {
    const dir = registry();
    expect(cli(dir, ['register', 'fraud', 'model.pt', '--version', '1.0.0', '--no-code']).code).toBe(0);
    const clone = join(tempDir(), 'clone');
    gitIn(process.cwd(), 'clone', '-q', dir, clone);
    const r = cli(clone, ['pull', 'fraud@1.0.0', '-o', join(tempDir(), 'out'), '--json']);
    expect(r.code).toBe(1);
    const error = r.json().error;
    expect(error.code).toBe('artifact-missing');
    expect(error.hint).toContain('The store is a local directory inside this clone');
    expect(error.hint).toContain('this version was registered elsewhere');
    expect(error.hint).toContain('s3://<bucket>/<prefix>, or a shared file:// path — as artifacts.store in registry.yaml');
  });
});

describe('the gate holds on every path (issue 15)', () => {
  it('validate --base/--head names the approval a promotion will face, which only the pull-request check can judge', () => {
    const { repo } = fixtureRepo();
    gitIn(repo, 'switch', '-q', '-c', 'promote');
    expect(cli(repo, ['promote', 'sentiment@1.2.0', 'production', '--json']).json().notes).toEqual([
      'sentiment@1.2.0 → production needs 1 approval(s): they are judged on the pull request of promote',
    ]);
    const v = cli(repo, ['validate', '--base', 'main', '--head', 'promote']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain(
      "models/sentiment/stages/production.yaml: notice[gate-approvals-pending] sentiment@1.2.0 → production needs 1 approval(s) of the pull request's head commit: the pull-request check judges that, validate cannot",
    );
  });

  it("promote checks the entering version's bytes in the store; --no-verify waives it, saying so", () => {
    const { repo } = fixtureRepo();
    rmSync(join(repo, '.modelreg/store'), { recursive: true });
    const r = cli(repo, ['promote', 'sentiment@2.0.0-rc.1', 'development', '--json']);
    expect(r.code, r.stdout).toBe(1);
    expect(r.json().error.findings.map((f: { code: string; file: string }) => [f.code, f.file])).toEqual([
      ['artifact-missing', 'models/sentiment/stages/development.yaml'],
      ['artifact-missing', 'models/sentiment/stages/development.yaml'],
    ]);
    const waived = cli(repo, ['promote', 'sentiment@2.0.0-rc.1', 'development', '--no-verify', '--json']);
    expect(waived.code, waived.stderr).toBe(0);
    expect(waived.json().notes).toEqual(["--no-verify: the store was not asked for the entering version's bytes; the pull-request check will ask"]);
    // validate --base/--head asks the store as the pull-request check does: the promotion is an error at the stage file's line.
    const v = cli(repo, ['validate', '--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    expect(v.code, v.stdout).toBe(1);
    expect(
      v
        .json()
        .findings.filter((f: { severity: string }) => f.severity === 'error')
        .map((f: { code: string; file: string; line: number }) => [f.code, f.file, f.line]),
    ).toEqual([
      ['artifact-missing', 'models/sentiment/stages/development.yaml', 4],
      ['artifact-missing', 'models/sentiment/stages/development.yaml', 4],
    ]);
    // With the bytes back, the same change is valid.
    seedFixtureBytes(join(repo, '.modelreg/store'));
    expect(cli(repo, ['validate', '--base', 'HEAD~1', '--head', 'HEAD']).code).toBe(0);
  });
});
