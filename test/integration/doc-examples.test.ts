/**
 * Every shell example a user would paste from README.md, docs/ and the registry template's README runs
 * here, as written, with the built CLI on PATH as `modelreg`, and must succeed: the quick start cannot
 * drift from the CLI (issue 14, item 7).
 *
 * A block runs in a fresh empty directory, unless the comment line before it says otherwise:
 *   <!-- doc-test: in the fixture registry, cloned from a remote named origin -->
 *   <!-- doc-test: skip: <why> -->      (a benchmark, or what CI runs itself; the reason is required)
 * `npm install -g modelreg` stands for what the test does itself: the CLI is on PATH already.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, ROOT, commitAll, gitIn, tempDir } from './helpers.js';

interface Example {
  file: string;
  line: number;
  setup: 'empty' | 'fixture' | 'skip';
  why?: string;
  script: string;
}

const SOURCES = [
  'README.md',
  'registry-template/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

function examples(): Example[] {
  const out: Example[] = [];
  for (const file of SOURCES) {
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
    lines.forEach((l, i) => {
      if (!/^```(sh|bash|shell|console)\s*$/.test(l)) return;
      const end = lines.findIndex((x, j) => j > i && x.startsWith('```'));
      const before = lines[i - 1] ?? '';
      const marker = /^<!-- doc-test: (.*) -->$/.exec(before)?.[1];
      const skip = marker ? /^skip: (.+)$/.exec(marker) : null;
      const setup = skip ? 'skip' : marker?.startsWith('in the fixture registry') ? 'fixture' : 'empty';
      if (marker && !skip && setup !== 'fixture') throw new Error(`${file}:${i}: unknown doc-test marker "${marker}"`);
      out.push({ file, line: i + 1, setup, ...(skip ? { why: skip[1]! } : {}), script: lines.slice(i + 1, end).join('\n') });
    });
  }
  return out;
}

/** A directory holding `modelreg`: the built CLI, as `npm install -g` would put it on PATH. */
function cliOnPath(): string {
  const bin = tempDir('modelreg-bin-');
  writeFileSync(join(bin, 'modelreg'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin/run.js')}" "$@"\n`);
  chmodSync(join(bin, 'modelreg'), 0o755);
  return bin;
}

function workspace(setup: Example['setup']): string {
  const dir = tempDir('modelreg-doc-');
  if (setup !== 'fixture') return dir;
  // The fixture registry on a remote, and a clone of it: `origin/main` exists, as in a real checkout.
  const remote = join(dir, 'remote');
  cpSync(FIXTURE, remote, { recursive: true });
  gitIn(remote, 'init', '-q', '-b', 'main');
  commitAll(remote, 'Initial registry');
  gitIn(dir, 'clone', '-q', remote, 'registry');
  return join(dir, 'registry');
}

describe('the shell examples of the docs', () => {
  const all = examples();

  it('are found, and every skipped one says why', () => {
    expect(all.filter((e) => e.setup !== 'skip').length).toBeGreaterThanOrEqual(3);
    for (const e of all.filter((x) => x.setup === 'skip')) expect(e.why!.length, `${e.file}:${e.line}`).toBeGreaterThan(10);
  });

  for (const e of all.filter((x) => x.setup !== 'skip')) {
    it(`${e.file}:${e.line} runs as written`, { timeout: 180_000 }, () => {
      const cwd = workspace(e.setup);
      const script = e.script.replace(/^npm install -g modelreg\b.*$/m, ': # the CLI is on PATH already');
      const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
        cwd,
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${cliOnPath()}:${process.env.PATH}`,
          MODELREG_REGISTRY: '',
          MODELREG_STORE: '',
          GIT_AUTHOR_NAME: 'Doc Tester',
          GIT_AUTHOR_EMAIL: 'docs@example.com',
          GIT_COMMITTER_NAME: 'Doc Tester',
          GIT_COMMITTER_EMAIL: 'docs@example.com',
        },
      });
      expect(r.status, `${e.file}:${e.line}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`).toBe(0);
      expect(r.stderr, `${e.file}:${e.line}`).not.toMatch(/^error\[/m);
    });
  }
});
