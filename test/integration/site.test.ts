/**
 * `modelreg site` as a user runs it, on real repositories: what it writes and says (--json), the output
 * directories it refuses (and leaves as they were), rebuilds that write only what changed, a build cut
 * short, --at, --base-url, a registry outside Git, links to GitHub, and the template's Pages workflow.
 * What the pages show is checked in a real browser (test/browser/).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { ModelData, OverviewData, SiteMeta } from '../../src/site/types.js';
import { cli, commitAll, FIXTURE, fixtureRepo, gitIn, readData, ROOT, sh, stageYaml, tempDir, write } from './helpers.js';

/** Every file under a directory with its bytes, for "nothing changed" checks. */
function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('modelreg site', () => {
  it('writes the browser of the fixture registry, and says what it wrote', () => {
    const { repo } = fixtureRepo();
    const out = join(tempDir(), 'site');
    const r = cli(repo, ['site', '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = r.json();
    expect(s).toMatchObject({
      out,
      index: `file://${out}/index.html`,
      url: null,
      revision: null,
      models: 3,
      versions: 6,
      problems: 0,
      fresh: true,
      removed: [],
      unchanged: 0,
    });
    expect(s.events).toBeGreaterThan(10);
    expect(s.written.sort()).toEqual(
      Object.keys(snapshotDir(out))
        .filter((p) => p !== '.modelreg-site.json')
        .sort(),
    );
    expect(s.bytes).toBe(
      Object.values(snapshotDir(out)).reduce((n, b) => n + Buffer.from(b, 'base64').length, 0) - statSync(join(out, '.modelreg-site.json')).size,
    );
    for (const f of [
      'index.html',
      '404.html',
      'assets/app.js',
      'assets/pages.js',
      'assets/site.css',
      'assets/licenses.txt',
      'data/meta.js',
      'data/index.js',
      'data/problems.js',
      'data/history/0.js',
      'data/models/sentiment.js',
    ])
      expect(existsSync(join(out, f)), f).toBe(true);
    // pages.js takes what it shares with app.js from app.js: the data loader and semver (by their messages) are in app.js alone.
    const [app, pages] = ['app.js', 'pages.js'].map((f) => readFileSync(join(out, 'assets', f), 'utf8'));
    for (const text of ['not a script of this site', 'Invalid Version']) {
      expect(app, text).toContain(text);
      expect(pages, text).not.toContain(text);
    }
    const list = cli(repo, ['list', '--json']).json().models as { name: string }[];
    expect(readData<OverviewData>(out, 'data/index.js').rows.map((x) => x.name)).toEqual(list.map((m) => m.name));
    const meta = readData<SiteMeta>(out, 'data/meta.js');
    expect(meta).toMatchObject({
      title: 'Model registry',
      revision: { commit: null, label: 'work tree' },
      store: 'file://.modelreg/store',
      links: null,
      baseUrl: null,
      counts: { models: 3, versions: 6 },
    });
    expect(meta.policy?.stages.map((x) => x.name)).toEqual(['development', 'staging', 'production']);
    const model = readData<ModelData>(out, 'data/models/sentiment.js');
    expect(model.local.versions.map((v) => v.version)).toEqual(
      cli(repo, ['show', 'sentiment', '--json'])
        .json()
        .versions.map((v: { version: string }) => v.version),
    );

    const human = cli(repo, ['site', '-o', join(tempDir(), 'other')]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      /^Wrote the registry browser in .*: 3 models, 6 versions, \d+ history events; 1\d files, .*\nOpen file:\/\/.*index\.html\nPreview over HTTP: python3 -m http\.server -d /,
    );
    expect(human.stderr).toBe('');
  });

  it('refuses an output it must not write into — a file, a directory of other files, a damaged site, the registry — and leaves it as it was', () => {
    const { repo } = fixtureRepo();
    const scratch = tempDir();
    const file = join(scratch, 'notes.txt');
    writeFileSync(file, 'mine');
    const other = join(scratch, 'photos');
    mkdirSync(other);
    writeFileSync(join(other, 'cat.jpg'), 'meow');
    const damaged = join(scratch, 'damaged');
    mkdirSync(damaged);
    writeFileSync(join(damaged, '.modelreg-site.json'), '{ not json');
    writeFileSync(join(damaged, 'index.html'), 'kept');
    const before = { file: readFileSync(file, 'utf8'), other: snapshotDir(other), damaged: snapshotDir(damaged), status: gitIn(repo, 'status', '--porcelain') };
    const cases: [string, RegExp][] = [
      [file, /is a file, not a directory; nothing was written/],
      [other, /is not empty and is not a site modelreg wrote \(no \.modelreg-site\.json\); nothing was written/],
      [damaged, /\.modelreg-site\.json is damaged .*; nothing was written/],
      [join(repo, 'models'), /inside the registry's models\//],
      [join(repo, 'models', 'sentiment', 'site'), /inside the registry's models\//],
      [join(repo, '.git', 'site'), /inside the registry's \.git\//],
      [repo, /is the registry itself/],
      [join(repo, '..'), /holds the registry/],
    ];
    for (const [dir, message] of cases) {
      const r = cli(repo, ['site', '-o', dir, '--json']);
      expect(r.code, dir).toBe(1);
      expect(r.json().error, dir).toMatchObject({ code: 'output-refused' });
      expect(r.json().error.message, dir).toMatch(message);
      const human = cli(repo, ['site', '-o', dir]);
      expect(human.stderr, dir).toMatch(/^error\[output-refused\]: .*\n( {2}--> .*\n)? {2}hint: /);
    }
    expect({
      file: readFileSync(file, 'utf8'),
      other: snapshotDir(other),
      damaged: snapshotDir(damaged),
      status: gitIn(repo, 'status', '--porcelain'),
    }).toEqual(before);
    expect(existsSync(join(repo, 'models', 'sentiment', 'site'))).toBe(false);
  });

  it('writes again into a site it wrote: only the files whose facts changed; it removes what is gone and keeps what others put beside it', () => {
    const { repo } = fixtureRepo();
    const out = join(tempDir(), 'site');
    expect(cli(repo, ['site', '-o', out]).code).toBe(0);
    writeFileSync(join(out, 'CNAME'), 'registry.acme.example\n');
    const same = cli(repo, ['site', '-o', out, '--json']).json();
    expect(same).toMatchObject({ written: [], removed: [], fresh: false });
    expect(same.unchanged).toBe(same.files);

    // A description, in the work tree: that model's data and the overview; the page and meta carry the build id.
    write(
      repo,
      'models/sentiment-int8/model.yaml',
      readFileSync(join(repo, 'models/sentiment-int8/model.yaml'), 'utf8').replace('int8 build', 'The int8 build'),
    );
    expect(cli(repo, ['site', '-o', out, '--json']).json().written.sort()).toEqual([
      'data/index.js',
      'data/meta.js',
      'data/models/sentiment-int8.js',
      'index.html',
    ]);

    // Committed: the history changed for that model (and the registry's audit log), nothing else.
    commitAll(repo, 'Describe the int8 build');
    expect(cli(repo, ['site', '-o', out, '--json']).json().written.sort()).toEqual([
      'data/history/0.js',
      'data/index.js',
      'data/meta.js',
      'data/models/sentiment-int8.js',
      'index.html',
    ]);

    // A promotion: the model, the overview (its stage column) and the log.
    write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
    commitAll(repo, 'Promote sentiment 1.2.0 to production (#5)');
    expect(cli(repo, ['site', '-o', out, '--json']).json().written.sort()).toEqual([
      'data/history/0.js',
      'data/index.js',
      'data/meta.js',
      'data/models/sentiment.js',
      'index.html',
    ]);

    // A model removed: its page goes; the lineage of those around it changed, so their pages are written.
    rmSync(join(repo, 'models/sentiment-int8'), { recursive: true });
    const gone = cli(repo, ['site', '-o', out, '--json']).json();
    expect(gone.removed).toEqual(['data/models/sentiment-int8.js']);
    expect(gone.written.sort()).toEqual(['data/index.js', 'data/meta.js', 'data/models/bert-base.js', 'data/models/sentiment.js', 'index.html']);
    expect(existsSync(join(out, 'data/models/sentiment-int8.js'))).toBe(false);
    expect(readFileSync(join(out, 'CNAME'), 'utf8')).toBe('registry.acme.example\n');

    // A fresh build of the same registry writes the same bytes.
    const fresh = join(tempDir(), 'fresh');
    expect(cli(repo, ['site', '-o', fresh]).code).toBe(0);
    const a = snapshotDir(out);
    const b = snapshotDir(fresh);
    delete a['.modelreg-site.json'];
    delete a.CNAME;
    delete b['.modelreg-site.json'];
    expect(a).toEqual(b);
  });

  it('after a build cut short, trusts no key: compares contents and restores what is wrong or missing', () => {
    const { repo } = fixtureRepo();
    const out = join(tempDir(), 'site');
    expect(cli(repo, ['site', '-o', out]).code).toBe(0);
    const good = readFileSync(join(out, 'data/models/sentiment.js'));
    // As a killed build leaves it: the marker says incomplete; a file half-replaced, another gone.
    const marker = JSON.parse(readFileSync(join(out, '.modelreg-site.json'), 'utf8'));
    writeFileSync(join(out, '.modelreg-site.json'), JSON.stringify({ ...marker, complete: false }));
    writeFileSync(join(out, 'data/models/sentiment.js'), Buffer.alloc(good.length, 0x20));
    rmSync(join(out, 'data/index.js'));
    const r = cli(repo, ['site', '-o', out, '--json']).json();
    expect(r.written.sort()).toEqual(['data/index.js', 'data/models/sentiment.js']);
    expect(readFileSync(join(out, 'data/models/sentiment.js'))).toEqual(good);
    expect(JSON.parse(readFileSync(join(out, '.modelreg-site.json'), 'utf8')).complete).toBe(true);
    // A complete marker whose file was deleted since: written again.
    rmSync(join(out, 'data/models/bert-base.js'));
    expect(cli(repo, ['site', '-o', out, '--json']).json().written).toEqual(['data/models/bert-base.js']);
  });

  it('--at builds the registry as it was at a revision, with the history up to it', () => {
    const { repo } = fixtureRepo();
    const first = gitIn(repo, 'rev-parse', 'HEAD');
    write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
    commitAll(repo, 'Promote');
    const out = join(tempDir(), 'site');
    const r = cli(repo, ['site', '--at', first, '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().revision).toBe(first);
    const meta = readData<SiteMeta>(out, 'data/meta.js');
    expect(meta.revision).toEqual({ commit: first, label: `revision ${first} (${first.slice(0, 12)})` });
    const model = readData<ModelData>(out, 'data/models/sentiment.js');
    expect(model.local.stages.find((x) => x.stage === 'production')!.version).toBe('1.1.0');
    expect(model.history.commits.map((c) => c.id)).toEqual([first]);
    expect(cli(repo, ['site', '--at', 'no-such-rev', '-o', join(tempDir(), 'x')]).code).toBe(1);
  });

  it('--base-url: where the site will be served, for shared links and the not-found page; anything else is a usage error', () => {
    const { repo } = fixtureRepo();
    const out = join(tempDir(), 'site');
    const r = cli(repo, ['site', '-o', out, '--base-url', 'https://acme.github.io/registry', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().url).toBe('https://acme.github.io/registry/index.html');
    expect(readData<SiteMeta>(out, 'data/meta.js').baseUrl).toBe('https://acme.github.io/registry/');
    expect(readFileSync(join(out, '404.html'), 'utf8')).toContain('href="https://acme.github.io/registry/index.html"');
    expect(cli(repo, ['site', '-o', join(tempDir(), 'p'), '--base-url', '/registry/']).code).toBe(0);
    for (const bad of ['javascript:alert(1)', 'registry', 'https://x.example/"><script>']) {
      const b = cli(repo, ['site', '-o', join(tempDir(), 'b'), '--base-url', bad]);
      expect(b.code, bad).toBe(2);
      expect(b.stderr).toMatch(/error\[usage\]: --base-url must be/);
    }
  });

  it('links commits and pull requests to GitHub when the remote is there', () => {
    const { repo } = fixtureRepo();
    gitIn(repo, 'remote', 'add', 'origin', 'https://github.com/acme/registry.git');
    const out = join(tempDir(), 'site');
    expect(cli(repo, ['site', '-o', out]).code).toBe(0);
    expect(readData<SiteMeta>(out, 'data/meta.js').links).toEqual({
      commit: 'https://github.com/acme/registry/commit/',
      pr: 'https://github.com/acme/registry/pull/',
    });
  });

  it('builds a registry outside Git, without history', () => {
    const dir = tempDir();
    cpSync(FIXTURE, join(dir, 'reg'), { recursive: true });
    const out = join(dir, 'site');
    const r = cli(join(dir, 'reg'), ['site', '-o', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ models: 3, events: 0 });
    expect(readData<SiteMeta>(out, 'data/meta.js').history).toEqual([]);
  });

  it('builds a registry with broken files, leaving them out and listing them as problems', () => {
    const { repo } = fixtureRepo();
    write(repo, 'models/bert-base/versions/1.0.0.yaml', 'name: bert-base\nversion: [\n');
    const out = join(tempDir(), 'site');
    const r = cli(repo, ['site', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: 1 finding\(s\) from reading the registry; files with errors are left out/);
    const problems = readData<{ findings: { code: string; file: string }[]; total: number }>(out, 'data/problems.js');
    expect(problems.total).toBe(1);
    expect(problems.findings[0]).toMatchObject({ code: 'yaml-syntax', file: 'models/bert-base/versions/1.0.0.yaml' });
  });
});

describe("the template's Pages workflow", () => {
  const workflow = parse(readFileSync(join(ROOT, 'registry-template/.github/workflows/site.yml'), 'utf8'));

  it('publishes with actions/deploy-pages on every push to main, each job with only the permissions it needs', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.build.permissions).toEqual({ contents: 'read', pages: 'read' });
    expect(workflow.jobs.deploy.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    expect(workflow.jobs.deploy.needs).toBe('build');
    const uses = (job: string) => workflow.jobs[job].steps.map((s: { uses?: string }) => s.uses?.split('@')[0]).filter(Boolean);
    expect(uses('build')).toEqual(['actions/checkout', 'actions/configure-pages', 'actions/setup-node', 'actions/upload-pages-artifact']);
    expect(uses('deploy')).toEqual(['actions/deploy-pages']);
    expect(workflow.jobs.build.steps[0].with).toMatchObject({ 'fetch-depth': 0, 'persist-credentials': false });
  });

  it('its build step runs as written on a registry `modelreg init` made, and writes what it uploads', () => {
    const dir = tempDir();
    const reg = join(dir, 'reg');
    expect(cli(dir, ['init', reg]).code).toBe(0);
    expect(existsSync(join(reg, '.github/workflows/site.yml'))).toBe(true);
    expect(readFileSync(join(reg, '.gitignore'), 'utf8')).toContain('_site/');
    const run = workflow.jobs.build.steps.find((s: { run?: string }) => s.run).run as string;
    expect(run).toMatch(/^npx --yes modelreg@\S+ site /);
    // The same command line, with the CLI of this checkout and the address configure-pages would give.
    const line = run
      .replace(/^npx --yes modelreg@\S+/, `${process.execPath} ${join(ROOT, 'bin/run.js')}`)
      .replace('${{ steps.pages.outputs.base_url }}', 'https://acme.github.io/reg');
    sh(reg, 'bash', ['-c', line], { MODELREG_REGISTRY: '' });
    const path = workflow.jobs.build.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-pages-artifact')).with.path;
    expect(existsSync(join(reg, path, 'index.html'))).toBe(true);
    expect(readData<SiteMeta>(join(reg, path), 'data/meta.js').baseUrl).toBe('https://acme.github.io/reg/');
  });
});
