/** Reading the registry from Git objects, from the work tree, and through isomorphic-git — the same answer every way. */
import { symlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GitRevisionSource, WorkTreeSource } from '../../src/git/sources.js';
import { IsoRevisionSource } from '../../src/git/iso-source.js';
import { buildSnapshot, type TreeFile } from '../../src/registry/snapshot.js';
import { validateTree } from '../../src/checks/validate.js';
import { Registry } from '../../src/api/registry.js';
import { commitAll, fixtureRepo, gitIn, stageYaml, write } from './helpers.js';

const byPath = (files: TreeFile[]) => new Map(files.map((f) => [f.path, f.text]));

describe('reading a revision', () => {
  it('reads the same files from git objects, the work tree and isomorphic-git', async () => {
    const { repo } = fixtureRepo();
    const viaGit = await (await GitRevisionSource.open(repo, 'HEAD')).files();
    const viaTree = await new WorkTreeSource(repo).files();
    const viaIso = await (await IsoRevisionSource.open(repo, 'main')).files();
    expect(viaGit.length).toBeGreaterThan(10);
    expect(byPath(viaGit)).toEqual(byPath(viaTree));
    expect(byPath(viaIso)).toEqual(byPath(viaGit));
    expect(validateTree(buildSnapshot(viaGit)).ok).toBe(true);
  });

  it('reads an older revision without touching the work tree, by commit, branch and tag', async () => {
    const { repo } = fixtureRepo();
    const first = gitIn(repo, 'rev-parse', 'HEAD');
    gitIn(repo, 'tag', 'v1');
    write(repo, 'models/sentiment/stages/production.yaml', stageYaml('sentiment', 'production', '1.2.0', '1.1.0'));
    commitAll(repo, 'Promote sentiment 1.2.0 to production');
    write(repo, 'models/sentiment/stages/production.yaml', 'garbage: [\n'); // uncommitted and broken
    for (const rev of [first, 'v1', 'HEAD~1']) {
      const reg = await Registry.open({ dir: repo, at: rev });
      expect((await reg.resolve('sentiment@production')).version).toBe('1.1.0');
    }
    expect((await (await Registry.open({ dir: repo, at: 'HEAD' })).resolve('sentiment@production')).version).toBe('1.2.0');
    // The work tree sees the uncommitted, broken file and refuses to answer from it.
    await expect((await Registry.open({ dir: repo })).resolve('sentiment@production')).rejects.toMatchObject({
      code: 'registry-invalid',
      file: 'models/sentiment/stages/production.yaml',
    });
    expect(readFileSync(join(repo, 'models/sentiment/stages/production.yaml'), 'utf8')).toBe('garbage: [\n');
  });

  it('isomorphic-git resolves tags and abbreviated ids to the same commit as git', async () => {
    const { repo } = fixtureRepo();
    gitIn(repo, 'tag', '-a', 'release', '-m', 'annotated');
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    expect((await IsoRevisionSource.open(repo, 'release')).commit).toBe(head);
    expect((await IsoRevisionSource.open(repo, head.slice(0, 10))).commit).toBe(head);
    await expect(IsoRevisionSource.open(repo, 'no-such-branch')).rejects.toMatchObject({ code: 'revision-not-found' });
  });

  it('reads a registry kept in a subdirectory of a larger repository', async () => {
    const { registry } = fixtureRepo({ subdir: 'ml/registry' });
    const reg = await Registry.open({ dir: registry, at: 'HEAD' });
    expect((await reg.resolve('sentiment@staging')).version).toBe('1.2.0');
    const iso = await IsoRevisionSource.open(registry, 'main');
    expect((await iso.files()).some((f) => f.path === 'models/sentiment/model.yaml')).toBe(true);
  });

  it('an unknown revision is a clear error', async () => {
    const { repo } = fixtureRepo();
    await expect(Registry.open({ dir: repo, at: 'nope' })).rejects.toMatchObject({ code: 'revision-not-found' });
  });
});

describe('untrusted trees', () => {
  it('reports committed symlinks and never reads through them', async () => {
    const { repo } = fixtureRepo();
    symlinkSync('/etc/passwd', join(repo, 'models/sentiment/versions/9.9.9.yaml'));
    symlinkSync('../../../.git/config', join(repo, 'models/sentiment/stages/canary.yaml'));
    commitAll(repo, 'Hostile links');
    for (const source of [await GitRevisionSource.open(repo, 'HEAD'), new WorkTreeSource(repo), await IsoRevisionSource.open(repo, 'main')]) {
      const files = await source.files();
      const links = files.filter((f) => f.type === 'symlink');
      expect(links.map((f) => f.path).sort()).toEqual(['models/sentiment/stages/canary.yaml', 'models/sentiment/versions/9.9.9.yaml']);
      expect(links.every((f) => f.text === undefined)).toBe(true);
      const report = validateTree(buildSnapshot(files));
      expect(report.ok).toBe(false);
      expect(
        report.findings
          .filter((f) => f.code === 'tree-symlink')
          .map((f) => f.file)
          .sort(),
      ).toEqual(links.map((f) => f.path).sort());
      expect(JSON.stringify(report)).not.toContain('root:');
      expect(JSON.stringify(report)).not.toContain('[core]');
    }
  });

  it('reports submodules and does not read them', async () => {
    const { repo } = fixtureRepo();
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    gitIn(repo, 'update-index', '--add', '--cacheinfo', `160000,${head},models/sentiment/versions/vendor`);
    gitIn(repo, 'commit', '-q', '-m', 'Add a submodule entry');
    const files = await (await GitRevisionSource.open(repo, 'HEAD')).files();
    const report = validateTree(buildSnapshot(files));
    expect(report.findings).toContainEqual(expect.objectContaining({ code: 'tree-submodule', file: 'models/sentiment/versions/vendor' }));
    const iso = await (await IsoRevisionSource.open(repo, 'main')).files();
    expect(iso.find((f) => f.path === 'models/sentiment/versions/vendor')?.type).toBe('submodule');
  });
});
