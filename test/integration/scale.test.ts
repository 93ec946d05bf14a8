/**
 * The parse cache (.git/modelreg/parse-cache) and the diff-scoped change check, on real repositories:
 * answers with a warm cache equal answers without one; a changed file is never answered from an old
 * parse; a broken or raced cache costs speed, never correctness; a change is judged on the models it
 * touches and every model their lineage names.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, commitAll, fixtureRepo, gitIn, write } from './helpers.js';
import { PARSE_CACHE_FORMAT } from '../../src/cache/parse-cache.js';

const NO_CACHE = { MODELREG_NO_CACHE: '1' };

function shardFiles(repo: string): string[] {
  const root = join(repo, '.git/modelreg/parse-cache');
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out;
}

/** A stage file pointing at a version that does not exist: a consistency finding with a line. */
const DANGLING_STAGE =
  'model: bert-base\nstage: staging\nversion: 9.9.9\nmoved_by: a@example.com\nmoved_at: "2026-11-01T10:00:00Z"\nreason: test\nprevious: null\n';

describe('the parse cache', () => {
  it('answers list, show, resolve and validate exactly as a run without it, and Git never sees it', () => {
    const { repo } = fixtureRepo();
    const commands = [
      ['list', '--json'],
      ['show', 'sentiment', '--json'],
      ['resolve', 'sentiment@production', '--json'],
      ['validate', '--json'],
      ['lineage', 'sentiment@1.1.0', '--json'],
    ];
    const expected = commands.map((c) => cli(repo, c, NO_CACHE));
    expect(shardFiles(repo)).toEqual([]);
    // A fresh clone's first whole-tree read goes in batches of model directories; one model to a batch answers the same.
    commands.forEach((c, i) => {
      const r = cli(repo, c, { MODELREG_MODELS_PER_BATCH: '1' });
      expect({ c, code: r.code, out: r.stdout }).toEqual({ c, code: expected[i]!.code, out: expected[i]!.stdout });
    });
    rmSync(join(repo, '.git/modelreg'), { recursive: true, force: true });
    for (const round of ['cold', 'warm']) {
      commands.forEach((c, i) => {
        const r = cli(repo, c);
        expect({ round, c, code: r.code, out: r.stdout }).toEqual({ round, c, code: expected[i]!.code, out: expected[i]!.stdout });
      });
    }
    // One shard per model directory, plus registry.yaml's, plus list's and validate's per-model entries.
    expect(
      shardFiles(repo)
        .map((f) => f.slice(f.lastIndexOf('/') + 1))
        .filter((f) => !/^[0-9a-f]{38}\.json$/.test(f))
        .sort(),
    ).toEqual(['list.json', 'validate.json']);
    expect(shardFiles(repo)).toHaveLength(6);
    // The only ignored path is the fixture's seeded local store (.modelreg/, in the registry's .gitignore).
    expect(gitIn(repo, 'status', '--porcelain', '--ignored')).toBe('!! .modelreg/');
  });

  it('never answers from an old parse: uncommitted edits, commits and new files are read', () => {
    const { repo } = fixtureRepo();
    expect(cli(repo, ['resolve', 'sentiment@production', '--json']).json().version).toBe('1.1.0');
    // Uncommitted: the index's blob id no longer holds, so the file is read and hashed.
    write(
      repo,
      'models/sentiment/stages/production.yaml',
      readFileSync(join(repo, 'models/sentiment/stages/production.yaml'), 'utf8')
        .replace('version: 1.1.0', 'version: 1.2.0')
        .replace('previous: 1.0.0', 'previous: 1.1.0'),
    );
    expect(cli(repo, ['resolve', 'sentiment@production', '--json']).json().version).toBe('1.2.0');
    expect(
      cli(repo, ['list', '--json'])
        .json()
        .models.find((m: { name: string }) => m.name === 'sentiment').stages.production,
    ).toBe('1.2.0');
    commitAll(repo, 'promote');
    expect(
      cli(repo, ['list', '--json'])
        .json()
        .models.find((m: { name: string }) => m.name === 'sentiment').stages.production,
    ).toBe('1.2.0');
    // An untracked model appears; a deleted one disappears.
    write(repo, 'models/extra/model.yaml', 'name: extra\nowners: [a@example.com]\n');
    expect(
      cli(repo, ['list', '--json'])
        .json()
        .models.map((m: { name: string }) => m.name),
    ).toContain('extra');
    gitIn(repo, 'rm', '-q', '-r', 'models/sentiment-int8');
    const names = cli(repo, ['list', '--json'])
      .json()
      .models.map((m: { name: string }) => m.name);
    expect(names).not.toContain('sentiment-int8');
    // --at reads the old commit through the same cache.
    expect(cli(repo, ['resolve', 'sentiment@production', '--at', 'HEAD~1', '--json']).json().version).toBe('1.1.0');
  });

  it('keeps line numbers for findings on files answered from the cache', () => {
    const { repo } = fixtureRepo();
    write(repo, 'models/bert-base/stages/staging.yaml', DANGLING_STAGE);
    commitAll(repo, 'dangling');
    const batched = cli(repo, ['validate', '--json'], { MODELREG_MODELS_PER_BATCH: '1' });
    rmSync(join(repo, '.git/modelreg'), { recursive: true, force: true });
    const cold = cli(repo, ['validate', '--json']);
    const warm = cli(repo, ['validate', '--json']);
    expect(cold.code).toBe(1);
    expect(batched.stdout).toBe(cold.stdout);
    const dangling = warm.json().findings.find((f: { code: string }) => f.code === 'stage-dangling');
    expect(dangling).toMatchObject({ file: 'models/bert-base/stages/staging.yaml', line: 3 });
    expect(warm.stdout).toBe(cold.stdout);
    expect(warm.stdout).toBe(cli(repo, ['validate', '--json'], NO_CACHE).stdout);
  });

  it('finds the line again from Git objects when a revision was parsed earlier by a command that needed no lines', () => {
    const { repo } = fixtureRepo();
    write(repo, 'models/bert-base/stages/staging.yaml', DANGLING_STAGE);
    commitAll(repo, 'dangling');
    rmSync(join(repo, 'models/bert-base/stages/staging.yaml')); // the work tree differs: the line must come from the commit
    expect(cli(repo, ['list', '--at', 'HEAD', '--json']).code).toBe(0); // parses every file of HEAD, keeps no lines
    const r = cli(repo, ['validate', '--at', 'HEAD', '--json']);
    expect(r.json().findings.find((f: { code: string }) => f.code === 'stage-dangling')).toMatchObject({
      file: 'models/bert-base/stages/staging.yaml',
      line: 3,
    });
    expect(r.stdout).toBe(cli(repo, ['validate', '--at', 'HEAD', '--json'], NO_CACHE).stdout);
  });

  it('validate from cached per-model checks finds exactly what a full read finds, as the tree and the policy change', () => {
    const { repo } = fixtureRepo();
    const v = (name: string, ver: string, parents: string) =>
      `name: ${name}\nversion: ${ver}\nartifacts:\n  - { path: w.bin, sha256: ${'a'.repeat(64)}, size: 1 }\nlineage:\n  parents: [${parents}]\ncreated_by: a@example.com\ncreated_at: "2026-11-01T10:00:00Z"\n`;
    // A bit of everything: a cycle across models, a dangling parent, a parent whose file is broken, a
    // stage naming a missing version, an unknown stage, a name mismatch, an unparseable file, a symlink,
    // a file outside the layout.
    write(repo, 'models/ring-a/model.yaml', 'name: ring-a\nowners: [a@example.com]\n');
    write(repo, 'models/ring-a/versions/1.0.0.yaml', v('ring-a', '1.0.0', '{ model: ring-b, version: 1.0.0 }, { model: gone, version: 1.0.0 }'));
    write(repo, 'models/ring-b/model.yaml', 'name: ring-b\nowners: [a@example.com]\n');
    write(repo, 'models/ring-b/versions/1.0.0.yaml', v('ring-b', '1.0.0', '{ model: ring-a, version: 1.0.0 }, { model: bert-base, version: 9.0.0 }'));
    write(repo, 'models/bert-base/versions/9.0.0.yaml', 'name: bert-base\nversion: [unclosed\n');
    write(repo, 'models/bert-base/stages/staging.yaml', DANGLING_STAGE);
    write(repo, 'models/bert-base/stages/canary.yaml', DANGLING_STAGE.replace('stage: staging', 'stage: canary').replace('9.9.9', '1.0.0'));
    write(repo, 'models/sentiment-int8/model.yaml', 'name: sentiment-other\nowners: [a@example.com]\n');
    write(repo, 'models/sentiment/notes.txt', 'not a manifest\n');
    symlinkSync('/etc/hostname', join(repo, 'models/sentiment/versions/9.9.9.yaml'));
    commitAll(repo, 'a registry with problems');
    const same = (why: string) => {
      const full = cli(repo, ['validate', '--json'], NO_CACHE);
      for (const round of ['cold or partly warm', 'warm'])
        expect({ why, round, out: cli(repo, ['validate', '--json']).stdout }).toEqual({ why, round, out: full.stdout });
      return full.json();
    };
    const first = same('as committed');
    expect(new Set(first.findings.map((f: { code: string }) => f.code))).toEqual(
      new Set(['lineage-cycle', 'lineage-dangling', 'yaml-syntax', 'stage-dangling', 'stage-unknown', 'name-mismatch', 'tree-unexpected-file', 'tree-symlink']),
    );
    expect(first.findings.find((f: { code: string }) => f.code === 'lineage-dangling')).toMatchObject({
      file: 'models/ring-a/versions/1.0.0.yaml',
      line: 6,
      field: '/lineage/parents/1',
    });
    // The policy gains the stage: stage-unknown goes, though no model file changed.
    writeFileSync(join(repo, 'registry.yaml'), readFileSync(join(repo, 'registry.yaml'), 'utf8').replace('stages:\n', 'stages:\n  - name: canary\n'));
    expect(same('policy changed').findings.some((f: { code: string }) => f.code === 'stage-unknown')).toBe(false);
    // The broken parent is fixed (uncommitted): ring-b's parent now exists, and only ring-b's own entry is stale.
    write(
      repo,
      'models/bert-base/versions/9.0.0.yaml',
      readFileSync(join(repo, 'models/bert-base/versions/1.0.0.yaml'), 'utf8').replace('version: 1.0.0', 'version: 9.0.0'),
    );
    same('parent fixed');
    gitIn(repo, 'rm', '-q', '-r', 'models/ring-a');
    expect(same('ring-a removed').findings.filter((f: { code: string }) => f.code === 'lineage-dangling')).toHaveLength(1);
  });

  it('treats a truncated or foreign shard as empty, and rewrites it', () => {
    const { repo } = fixtureRepo();
    const expected = cli(repo, ['list', '--json'], NO_CACHE).stdout;
    cli(repo, ['list', '--json']);
    const shards = shardFiles(repo).filter((s) => !s.endsWith('list.json'));
    writeFileSync(shards[0]!, '{"format":1,"entries":{"model:');
    writeFileSync(shards[1]!, JSON.stringify({ format: 999, entries: { x: 1 } }));
    writeFileSync(shards[2]!, 'null');
    // The per-model facts `list` keeps beside the shards, with a wrong answer planted under a wrong digest.
    const facts = shardFiles(repo).find((s) => s.endsWith('list.json'))!;
    const planted = JSON.parse(readFileSync(facts, 'utf8'));
    planted.models.sentiment.value.facts.latest = '9.9.9';
    planted.models.sentiment.digest = '0'.repeat(40);
    writeFileSync(facts, JSON.stringify(planted));
    expect(cli(repo, ['list', '--json']).stdout).toBe(expected);
    writeFileSync(facts, '{"format":1,"models":');
    expect(cli(repo, ['list', '--json']).stdout).toBe(expected);
    for (const s of shardFiles(repo).filter((f) => f !== facts)) expect(JSON.parse(readFileSync(s, 'utf8')).format).toBe(PARSE_CACHE_FORMAT);
    expect(JSON.parse(readFileSync(facts, 'utf8')).models.sentiment.value.facts.latest).not.toBe('9.9.9');
  });

  it('survives processes refreshing it at once', async () => {
    const { repo } = fixtureRepo();
    const expected = cli(repo, ['validate', '--json'], NO_CACHE).stdout;
    for (let round = 0; round < 3; round++) {
      write(repo, 'models/bert-base/model.yaml', `name: bert-base\nowners: [a@example.com]\ndescription: round ${round}\n`);
      const runs = await Promise.all(Array.from({ length: 6 }, () => cliAsync(repo, ['validate', '--json'])));
      for (const r of runs) expect(r.stdout).toBe(cli(repo, ['validate', '--json'], NO_CACHE).stdout);
    }
    for (const s of shardFiles(repo)) expect(() => JSON.parse(readFileSync(s, 'utf8'))).not.toThrow();
    expect(shardFiles(repo).filter((s) => s.endsWith('.tmp'))).toEqual([]);
    expect(expected).toContain('"ok": true');
  });
});

describe('validate --base/--head reads what the change touches', () => {
  it('checks the changed models and the models their lineage names, and finds the same problems as a full read', () => {
    const { repo } = fixtureRepo();
    const base = gitIn(repo, 'rev-parse', 'HEAD');
    // A new version of bert-base whose parent is sentiment-int8@1.0.0, whose parent is sentiment@1.1.0;
    // and a dangling parent in the same change.
    write(
      repo,
      'models/bert-base/versions/1.1.0.yaml',
      readFileSync(join(repo, 'models/bert-base/versions/1.0.0.yaml'), 'utf8')
        .replace('version: 1.0.0', 'version: 1.1.0')
        .replace(/lineage:[\s\S]*?(?=\n[a-z_]+:)|$/, '') +
        'lineage:\n  parents:\n    - { model: sentiment-int8, version: 1.0.0, relation: distilled-from }\n    - { model: sentiment-int8, version: 7.0.0, relation: distilled-from }\n',
    );
    const head = commitAll(repo, 'register bert-base 1.1.0');
    const r = cli(repo, ['validate', '--base', base, '--head', head, '--json']);
    const report = r.json();
    expect(report.checked).toEqual(['bert-base', 'sentiment', 'sentiment-int8']);
    expect(report.findings.map((f: { code: string; file: string }) => [f.code, f.file])).toEqual([
      ['lineage-dangling', 'models/bert-base/versions/1.1.0.yaml'],
    ]);
    expect(report.change.versionsAdded).toEqual(['bert-base@1.1.0']);

    // The same change with a policy edit beside it is read whole, and reaches the same verdict on the version.
    gitIn(repo, 'checkout', '-q', base);
    writeFileSync(join(repo, 'registry.yaml'), readFileSync(join(repo, 'registry.yaml'), 'utf8') + '\n');
    gitIn(repo, 'checkout', '-q', head, '--', 'models/bert-base/versions/1.1.0.yaml');
    const full = commitAll(repo, 'same change, policy touched');
    const whole = cli(repo, ['validate', '--base', base, '--head', full, '--json']).json();
    expect(whole.checked).toBe('all');
    expect(whole.findings.map((f: { code: string; file: string }) => [f.code, f.file])).toEqual([['lineage-dangling', 'models/bert-base/versions/1.1.0.yaml']]);
  });

  it('finds a lineage cycle made across two models in one change', () => {
    const { repo } = fixtureRepo();
    const base = gitIn(repo, 'rev-parse', 'HEAD');
    const v = (name: string, parent: string) =>
      `name: ${name}\nversion: 1.0.0\nartifacts:\n  - { path: w.bin, sha256: ${'a'.repeat(64)}, size: 1 }\nlineage:\n  parents: [{ model: ${parent}, version: 1.0.0 }]\ncreated_by: a@example.com\ncreated_at: "2026-11-01T10:00:00Z"\n`;
    write(repo, 'models/ring-a/model.yaml', 'name: ring-a\nowners: [a@example.com]\n');
    write(repo, 'models/ring-a/versions/1.0.0.yaml', v('ring-a', 'ring-b'));
    const mid = commitAll(repo, 'ring-a, parent not yet there');
    write(repo, 'models/ring-b/model.yaml', 'name: ring-b\nowners: [a@example.com]\n');
    write(repo, 'models/ring-b/versions/1.0.0.yaml', v('ring-b', 'ring-a'));
    const head = commitAll(repo, 'ring-b closes the ring');
    // Only ring-b changed between mid and head; ring-a is read because ring-b names it.
    const report = cli(repo, ['validate', '--base', mid, '--head', head, '--json']).json();
    expect(report.checked).toEqual(['ring-a', 'ring-b']);
    expect(report.findings.filter((f: { code: string }) => f.code === 'lineage-cycle')).toHaveLength(1);
    expect(report.ok).toBe(false);
    expect(cli(repo, ['validate', '--base', base, '--head', head, '--json']).json().checked).toEqual(['ring-a', 'ring-b']);
  });

  it('reads a model directory named `*` as itself, not as a pattern for every model', () => {
    const { repo } = fixtureRepo();
    write(repo, 'models/bert-base/stages/staging.yaml', DANGLING_STAGE); // an old problem elsewhere
    const base = commitAll(repo, 'base with a dangling stage');
    write(repo, 'models/*/model.yaml', 'name: star\nowners: [a@example.com]\n');
    const head = commitAll(repo, 'a model directory named *');
    const report = cli(repo, ['validate', '--base', base, '--head', head, '--json']).json();
    expect(report.checked).toEqual(['*']);
    expect(report.findings.filter((f: { file?: string }) => f.file?.startsWith('models/bert-base/'))).toEqual([]);
    expect(report.findings.some((f: { code: string; file?: string }) => f.code === 'name-invalid' && f.file === 'models/*/model.yaml')).toBe(true);
  });

  it('reads nothing but the policy when no model changed', () => {
    const { repo } = fixtureRepo();
    const base = gitIn(repo, 'rev-parse', 'HEAD');
    write(repo, 'README.md', 'docs only\n');
    const head = commitAll(repo, 'docs');
    const report = cli(repo, ['validate', '--base', base, '--head', head, '--json']).json();
    expect(report).toMatchObject({ ok: true, checked: [], errors: 0 });
  });
});
