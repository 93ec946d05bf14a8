/**
 * The registry-wide history (one `git log` pass; src/git/history.ts) and its cache by commit
 * (src/api/history-cache.ts), on real repositories: the same events as each model's own history, only
 * new commits read after a commit, everything read again when the kept commit is not on the first-parent
 * line, and commit text that tries to shift the fields of the log.
 */
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Registry } from '../../src/api/registry.js';
import { modelHistory, registryHistory } from '../../src/git/history.js';
import { compactHistory, expandHistory } from '../../src/registry/history.js';
import { cli, commitAll, FIXTURE, fixtureRepo, gitIn, promoteThenRollBack, stageYaml, tempDir, write } from './helpers.js';

describe('the registry-wide history', () => {
  it("holds, for every model, exactly that model's own history, with who moved a stage and why", async () => {
    const { repo } = fixtureRepo();
    promoteThenRollBack(repo);
    const all = await registryHistory(repo);
    expect(all.incremental).toBe(false);
    expect(all.head).toBe(gitIn(repo, 'rev-parse', 'HEAD'));
    for (const model of ['sentiment', 'bert-base', 'sentiment-int8']) {
      const own = await modelHistory(repo, model);
      expect(own.length).toBeGreaterThan(0);
      expect(all.events.filter((e) => e.model === model)).toEqual(own);
    }
    expect(all.events[0]).toMatchObject({
      kind: 'rolled-back',
      model: 'sentiment',
      stage: 'production',
      version: '1.1.0',
      previous: '1.2.0',
      pr: 43,
      reason: 'test',
    });
    // The stage file names the commit's author: no claim beside it.
    expect(all.events[0]!.claimedBy).toBeUndefined();
    expect(all.events[1]).toMatchObject({ kind: 'promoted', stage: 'production', version: '1.2.0', pr: 42 });
  });

  it('after new commits reads only those, when the kept commit is on the first-parent line', async () => {
    const { repo } = fixtureRepo();
    const first = gitIn(repo, 'rev-parse', 'HEAD');
    promoteThenRollBack(repo);
    const later = await registryHistory(repo, { since: first });
    expect(later.incremental).toBe(true);
    expect(later.events.map((e) => e.kind)).toEqual(['rolled-back', 'promoted']);
    const full = await registryHistory(repo);
    expect([...later.events, ...(await registryHistory(repo, { rev: first })).events]).toEqual(full.events);
    expect(await registryHistory(repo, { since: full.head! })).toEqual({ head: full.head, events: [], incremental: true });

    // The promote branch's commit is in the history, but not on main's first-parent line: read everything.
    const side = gitIn(repo, 'rev-parse', 'promote');
    const again = await registryHistory(repo, { since: side });
    expect(again.incremental).toBe(false);
    expect(again.events).toEqual(full.events);
  });

  it('Registry.registryHistory keeps it by commit: the same events as a full read, before and after a commit', async () => {
    const { repo } = fixtureRepo();
    const reg = await Registry.open({ dir: repo });
    expect(expandHistory(await reg.registryHistory())).toEqual((await registryHistory(repo)).events);
    promoteThenRollBack(repo);
    const fresh = await Registry.open({ dir: repo });
    const events = expandHistory(await fresh.registryHistory());
    expect(events).toEqual((await registryHistory(repo)).events);
    expect(expandHistory(await (await Registry.open({ dir: repo })).registryHistory())).toEqual(events);
    // At a revision: that commit's history.
    const first = gitIn(repo, 'rev-list', '--max-parents=0', 'HEAD');
    expect(expandHistory(await (await Registry.open({ dir: repo, at: first })).registryHistory())).toEqual(
      (await registryHistory(repo, { rev: first })).events,
    );
  });

  it('after the first read, new commits go to a small file beside the kept history, which is merged in once it grows', async () => {
    const { repo } = fixtureRepo();
    // A base of some size: 40 models registered.
    for (let i = 0; i < 40; i++) write(repo, `models/m${i}/model.yaml`, `name: m${i}\nowners: [x]\n`);
    commitAll(repo, 'Forty models');
    expect(expandHistory(await (await Registry.open({ dir: repo })).registryHistory())).toEqual((await registryHistory(repo)).events);
    const dir = join(repo, '.git', 'modelreg', 'parse-cache');
    const files = () =>
      readdirSync(join(dir, readdirSync(dir)[0]!))
        .filter((f) => f.startsWith('history-'))
        .sort();
    expect(files()).toHaveLength(1);
    let sawRecent = false;
    for (let round = 0; round < 8; round++) {
      write(repo, `models/m${round}/model.yaml`, `name: m${round}\nowners: [x]\ndescription: round ${round}\n`);
      commitAll(repo, `Round ${round}`);
      expect(expandHistory(await (await Registry.open({ dir: repo })).registryHistory()), `round ${round}`).toEqual((await registryHistory(repo)).events);
      if (files().some((f) => f.endsWith('-recent.json'))) sawRecent = true;
    }
    expect(sawRecent).toBe(true);
    // Kept and restored, or read from Git afresh: the same bytes (the site compares files by them).
    expect(JSON.stringify(await (await Registry.open({ dir: repo })).registryHistory())).toBe(
      JSON.stringify(compactHistory((await registryHistory(repo)).events)),
    );
    // Merged once the recent part passed a tenth of the base: one file again at some point.
    expect(files().length).toBeLessThanOrEqual(2);
  });

  it('reads commit text that carries the separators of a naive log format as text', async () => {
    const { repo } = fixtureRepo();
    write(repo, 'models/bert-base/model.yaml', 'name: bert-base\nowners: [x]\ndescription: changed\n');
    gitIn(repo, 'add', '-A');
    gitIn(
      repo,
      '-c',
      'user.name=a\u001e\u001fb',
      'commit',
      '-q',
      '--author',
      'mal\u001flory\u001e <m@example.com>',
      '-m',
      'subject \u001e\u001f with separators (#7)',
    );
    const { events } = await registryHistory(repo);
    // Git tidies the ends of a name; what it stored is what must come back.
    const stored = gitIn(repo, 'log', '-1', '--format=%an');
    expect(stored).toContain('\u001f');
    expect(events[0]).toMatchObject({
      kind: 'model-updated',
      model: 'bert-base',
      author: stored,
      email: 'm@example.com',
      subject: 'subject \u001e\u001f with separators (#7)',
      pr: 7,
    });
    expect(events.filter((e) => e.kind === 'registered')).toHaveLength(6);
  });

  it('is empty outside a Git repository and before the first commit', async () => {
    const { repo } = fixtureRepo();
    gitIn(repo, 'checkout', '-q', '--orphan', 'empty');
    expect(await registryHistory(repo)).toEqual({ head: null, events: [], incremental: false });
    const plain = tempDir();
    cpSync(FIXTURE, plain, { recursive: true });
    expect(await registryHistory(plain)).toEqual({ head: null, events: [], incremental: false });
    expect(await (await Registry.open({ dir: plain })).registryHistory()).toEqual({ commits: [], events: [] });
  });

  it("who and when are Git's: a file claiming another mover, a later time or another registrant is shown beside the commit's facts, never instead", () => {
    const { repo } = fixtureRepo();
    // Committed straight to the branch (no pull-request check ran): the stage file says ml-lead moved it, in 2030.
    write(
      repo,
      'models/sentiment/stages/production.yaml',
      stageYaml('sentiment', 'production', '1.2.0', '1.1.0')
        .replace('moved_by: author@example.com', 'moved_by: ml-lead@acme.com')
        .replace('"2026-11-01T10:00:00Z"', '"2030-01-01T00:00:00Z"'),
    );
    commitAll(repo, 'Promote sentiment 1.2.0 to production');
    const json = cli(repo, ['history', 'sentiment', '--json']).json();
    const move = json.events[0];
    expect(move).toMatchObject({
      kind: 'promoted',
      stage: 'production',
      version: '1.2.0',
      author: 'Test Author',
      email: 'author@example.com',
      claimedBy: 'ml-lead@acme.com',
      claimedAt: '2030-01-01T00:00:00Z',
    });
    const human = cli(repo, ['history', 'sentiment'])
      .stdout.split('\n')
      .find((l) => l.includes('promoted production: 1.1.0 → 1.2.0'))!;
    expect(human).toContain('Test Author (the file says ml-lead@acme.com, 2030-01-01T00:00:00Z)');
    expect(human.startsWith(move.date)).toBe(true);
    // A stage file that tells the truth carries no claim.
    write(
      repo,
      'models/sentiment/stages/production.yaml',
      stageYaml('sentiment', 'production', '1.1.0', '1.2.0').replace('"2026-11-01T10:00:00Z"', JSON.stringify(new Date().toISOString())),
    );
    commitAll(repo, 'Rollback sentiment production to 1.1.0');
    const honest = cli(repo, ['history', 'sentiment', '--json']).json().events[0];
    expect(honest).toMatchObject({ kind: 'rolled-back', author: 'Test Author' });
    expect(honest.claimedBy).toBeUndefined();
    expect(honest.claimedAt).toBeUndefined();
    // The card: registered by the commit that added the version; the manifest's created_by beside it.
    const version = (cli(repo, ['show', 'sentiment@1.2.0', '--json']).json() as { manifest: { created_by: string } }).manifest;
    const card = cli(repo, ['card', 'sentiment@1.2.0']).stdout;
    const registered = card.split('\n').find((l) => l.startsWith('| Registered |'))!;
    expect(registered).toContain('by Test Author (the file says');
    expect(registered).toContain(version.created_by);
  });
});
