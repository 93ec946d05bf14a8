/**
 * The hostile-input catalogue through the write commands (issue 8). Two ways hostile input reaches a write:
 *
 * - The registry it writes to: each catalogue case committed on the branch (a bad merge, a pulled branch),
 *   then `register`, `promote` and `deprecate` of the model the case lives in. A write never builds on
 *   errors in the policy or in its model's own files: it is refused with findings naming file and line.
 *   Where the case is a model directory whose very name is hostile, `register` names that directory and
 *   `promote`/`deprecate` refuse the reference itself. The two warning cases (stray files) do not block.
 * - The user's own inputs: metrics and params files, artifact names, flags. Each is refused with the file
 *   (and line, where it has one) named.
 *
 * Either way: no uncaught exception, nothing from outside the registry in any output, HEAD, the work tree
 * and the artifact store exactly as they were.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CANARY, CATALOGUE, type HostileCase } from '../hostile/catalogue.js';
import { applyCase, expectCaseFindings, outsideCanaryFile, pairwise } from '../hostile/apply.js';
import { cliAsync, commitAll, fixtureRepo, gitIn, seedFixtureBytes, tempDir, treeState, type CliResult } from './helpers.js';

const canaryFile = outsideCanaryFile();

/** The model a case puts its files in: bert-base, or the hostile directory the case adds. */
function targetOf(c: HostileCase): string {
  const dirs = Object.keys(c.files)
    .filter((p) => p.startsWith('models/'))
    .map((p) => p.split('/')[1]!);
  return dirs.find((d) => d !== 'bert-base') ?? 'bert-base';
}

function artifacts(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'model.bin'), 'weights '.repeat(100));
  return dir;
}

/** `--` before the positional arguments: a hostile model name may start with a dash. */
const writes = (model: string, dir: string): string[][] => [
  ['register', '-r', '.', '--json', '--version', '3.0.0', '--metric', 'accuracy=0.9', '--no-code', '--', model, dir],
  ['promote', '-r', '.', '--json', '--', `${model}@1.0.0`, 'development'],
  ['deprecate', '-r', '.', '--json', '--reason', 'superseded', '--', `${model}@1.0.0`],
];

/** What every run must show, refused or not. */
function expectNoLeak(r: CliResult, where: string): void {
  expect(r.stderr, where).not.toMatch(/\n\s+at |TypeError|RangeError|ReferenceError|Maximum call stack/);
  expect(r.stdout + r.stderr, where).not.toContain(CANARY);
}

function storeState(store: string): string[] {
  return existsSync(store) ? readdirSync(store, { recursive: true }).map(String).sort() : [];
}

async function throughWrites(c: HostileCase): Promise<void> {
  const { repo } = fixtureRepo();
  applyCase(repo, c, canaryFile);
  const head = commitAll(repo, `hostile: ${c.id}`);
  const status = gitIn(repo, 'status', '--porcelain', '--ignore-submodules=none');
  const tree = treeState(repo);
  // The fixture's bytes are in the store (a promotion checks them); a refused write must add none.
  const store = join(tempDir(), 'store');
  seedFixtureBytes(store);
  const seeded = storeState(store);
  const env = { MODELREG_STORE: `file://${store}` };
  const model = targetOf(c);
  for (const args of writes(model, artifacts())) {
    const where = `${c.id} (${c.what}): ${args[0]} ${model}`;
    const r = await cliAsync(repo, args, env);
    expectNoLeak(r, where);
    if (c.verdict === 'warning') {
      // A stray file beside the manifests is reported, not a reason to refuse; the write commits only its own file.
      expect(r.code, `${where}\n${r.stderr}`).toBe(0);
      const touched = gitIn(repo, 'diff', '--name-only', 'HEAD~1', 'HEAD').split('\n');
      expect(
        touched.every((p) => /^models\/bert-base\/(versions|stages)\/[^/]+\.yaml$/.test(p)),
        `${where}: ${touched.join(', ')}`,
      ).toBe(true);
      gitIn(repo, 'reset', '-q', '--hard', head);
      continue;
    }
    expect(r.code, `${where}: exit ${r.code}\n${r.stderr}`).not.toBe(0);
    const error = r.json().error;
    if (error.code === 'ref-invalid' || error.code === 'usage') {
      // A hostile directory name is not a model name: promote and deprecate refuse the reference, register
      // the name itself, before anything is read.
      expect(model !== 'bert-base' && (error.code === 'usage') === (args[0] === 'register'), `${where}: ${error.message}`).toBe(true);
    } else if (error.code === 'rejected') {
      // Refused on the registry's own content: the findings say which file and line.
      if (model === 'bert-base') expectCaseFindings(error.findings, c, where);
      else
        expect(
          error.findings.some((f: { file: string }) => f.file.startsWith(`models/${model}`)),
          `${where}: ${JSON.stringify(error.findings)}`,
        ).toBe(true);
    } else {
      expect(error.code, where).toMatch(/^registry-(invalid|not-found)$/);
      expect(`${error.message} ${error.hint ?? ''}`, where).toMatch(/registry\.yaml/);
    }
    expect(gitIn(repo, 'rev-parse', 'HEAD'), where).toBe(head);
    expect(gitIn(repo, 'status', '--porcelain', '--ignore-submodules=none'), where).toBe(status);
    expect(treeState(repo), `${where}: the work tree's files and directories`).toEqual(tree);
    expect(storeState(store), `${where}: bytes stored for a refused write`).toEqual(seeded);
  }
}

interface InputCase {
  id: string;
  what: string;
  /** Files to write into a scratch directory; their names are given to the command as @name. */
  files?: Record<string, string>;
  /** Files of the artifact directory, beside a normal model.bin. */
  artifacts?: Record<string, string>;
  args: string[];
  /** The error must name this file (a scratch file name) and, where given, this line. */
  file?: string;
  line?: number;
  message: RegExp;
}

const laughs = 'a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n';

/** Hostile inputs a user (or a script fed by someone else) hands to `register`. */
const INPUT_CASES: InputCase[] = [
  {
    id: 'metrics-alias-bomb',
    what: 'a metrics file of nested aliases',
    files: { 'm.yaml': laughs },
    args: ['--metrics-file', '@m.yaml'],
    file: 'm.yaml',
    line: 1,
    message: /aliases are not allowed/,
  },
  {
    id: 'metrics-duplicate',
    what: 'a metric given twice',
    files: { 'm.yaml': 'accuracy: 0.9\naccuracy: 0.1\n' },
    args: ['--metrics-file', '@m.yaml'],
    file: 'm.yaml',
    line: 2,
    message: /unique/,
  },
  {
    id: 'metrics-nan',
    what: 'a NaN metric',
    files: { 'm.yaml': 'accuracy: .nan\n' },
    args: ['--metrics-file', '@m.yaml'],
    file: 'm.yaml',
    line: 1,
    message: /finite/,
  },
  {
    id: 'metrics-overflow',
    what: 'a metric of 1e999',
    files: { 'm.json': '{"accuracy": 1e999}' },
    args: ['--metrics-file', '@m.json'],
    file: 'm.json',
    line: 1,
    message: /finite|precision/,
  },
  {
    id: 'metrics-string',
    what: 'a metric given as a string',
    files: { 'm.json': '{"accuracy": "0.99"}' },
    args: ['--metrics-file', '@m.json'],
    file: 'm.json',
    message: /not a finite number/,
  },
  {
    id: 'metrics-beyond-2^53',
    what: 'a metric beyond 2^53',
    files: { 'm.yaml': 'steps: 9007199254740993\n' },
    args: ['--metrics-file', '@m.yaml'],
    file: 'm.yaml',
    line: 1,
    message: /2\^53/,
  },
  {
    id: 'metrics-tag',
    what: 'a !!python tag in a metrics file',
    files: { 'm.yaml': 'accuracy: !!python/object:os.system 1\n' },
    args: ['--metrics-file', '@m.yaml'],
    file: 'm.yaml',
    line: 1,
    message: /tag/,
  },
  {
    id: 'metrics-list',
    what: 'a metrics file that is a list',
    files: { 'm.yaml': '- 0.9\n' },
    args: ['--metrics-file', '@m.yaml'],
    file: 'm.yaml',
    message: /mapping/,
  },
  {
    id: 'params-proto',
    what: 'a params file with __proto__',
    files: { 'p.yaml': '__proto__: { polluted: true }\n' },
    args: ['--params-file', '@p.yaml'],
    file: 'p.yaml',
    line: 1,
    message: /reserved/,
  },
  {
    id: 'params-deep',
    what: 'a params file nested 40 deep',
    files: { 'p.yaml': `${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n` },
    args: ['--params-file', '@p.yaml'],
    file: 'p.yaml',
    message: /deeper/,
  },
  { id: 'metric-flag-inf', what: '--metric accuracy=Infinity', args: ['--metric', 'accuracy=Infinity'], message: /finite number/ },
  { id: 'artifact-control', what: 'an artifact file named with a control character', artifacts: { 'a\u0007b.bin': 'x' }, args: [], message: /artifact|path/ },
  {
    id: 'artifact-bidi',
    what: 'an artifact file named with a right-to-left override',
    artifacts: { 'evil\u202Etxt.exe': 'x' },
    args: [],
    message: /artifact|path/,
  },
  { id: 'artifact-backslash', what: 'an artifact file named with a backslash', artifacts: { '..\\x.bin': 'x' }, args: [], message: /artifact|path/ },
  { id: 'tag-escape', what: 'a tag value carrying terminal escapes', args: ['--tag', 'team=\u001b[2Jx'], message: /tag|control|schema/ },
  { id: 'parent-traversal', what: 'a lineage parent named ../x', args: ['--parent', '../x@1.0.0'], message: /parent|model|schema/ },
  { id: 'description-oversize', what: 'a 20,000-character description', args: ['--description', 'x'.repeat(20_000)], message: /description|8192/ },
];

async function throughRegister(c: InputCase): Promise<void> {
  const { repo } = fixtureRepo();
  const head = gitIn(repo, 'rev-parse', 'HEAD');
  const tree = treeState(repo);
  const scratch = tempDir();
  for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(scratch, name), text);
  const dir = artifacts();
  for (const [name, text] of Object.entries(c.artifacts ?? {})) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const store = join(tempDir(), 'store');
  const args = c.args.map((a) => (a.startsWith('@') ? join(scratch, a.slice(1)) : a));
  const where = `${c.id} (${c.what})`;
  const r = await cliAsync(repo, ['register', '--json', '--version', '3.0.0', '--no-code', ...args, '--', 'bert-base', dir], {
    MODELREG_STORE: `file://${store}`,
  });
  expectNoLeak(r, where);
  expect(r.code, `${where}: exit ${r.code}\n${r.stdout}\n${r.stderr}`).not.toBe(0);
  const error = r.json().error;
  const said = `${error.message} ${JSON.stringify(error.findings ?? [])}`;
  expect(said, where).toMatch(c.message);
  if (c.file) {
    expect(error.file ?? '', `${where}: ${JSON.stringify(error)}`).toContain(c.file);
    if (c.line !== undefined) expect(error.line, `${where}: ${JSON.stringify(error)}`).toBe(c.line);
  }
  expect(gitIn(repo, 'rev-parse', 'HEAD'), where).toBe(head);
  expect(gitIn(repo, 'status', '--porcelain'), where).toBe('');
  expect(treeState(repo), `${where}: the work tree's files and directories`).toEqual(tree);
  expect(storeState(store), `${where}: bytes stored for a refused write`).toEqual([]);
}

/** Names on the command line that the layout cannot hold, or that some checkout cannot (issue 14, item 2). */
const BAD_NAMES: { args: (dir: string) => string[]; what: string }[] = [
  ...['a/b', 'x/./y', 'x/.git/hooks', '../x', 'con', 'nul.txt', 'lpt1', 'a.', 'Upper', 'sp ace'].flatMap((name) => [
    { what: `register ${name}`, args: (dir: string) => ['register', '--version', '1.0.0', '--no-code', '--', name, dir] },
    { what: `rollback ${name}`, args: () => ['rollback', '--', name, 'staging'] },
    { what: `history ${name}`, args: () => ['history', '--', name] },
  ]),
  ...['aux', 'com3', 'Prod', 'pro duction', '1st'].map((stage) => ({ what: `promote to ${stage}`, args: () => ['promote', 'sentiment@1.2.0', stage] })),
  { what: 'register --version 1.0', args: (dir: string) => ['register', '--version', '1.0', '--no-code', 'fresh', dir] },
  { what: 'register --parent con@1.0.0', args: (dir: string) => ['register', '--version', '1.0.0', '--parent', 'con@1.0.0', '--no-code', 'fresh', dir] },
  { what: 'rollback --to 1.x', args: () => ['rollback', 'sentiment', 'production', '--to', '1.x'] },
];

describe('names on the command line', () => {
  it(
    `the layout cannot hold (${BAD_NAMES.length} cases): exit 2 before anything is read, hashed or written, the work tree and the store as they were`,
    { timeout: 300_000 },
    async () => {
      const { repo } = fixtureRepo();
      const head = gitIn(repo, 'rev-parse', 'HEAD');
      const tree = treeState(repo);
      const store = join(tempDir(), 'store');
      const dir = artifacts();
      await pairwise(BAD_NAMES, async (c) => {
        const [command, ...rest] = c.args(dir);
        const r = await cliAsync(repo, [command!, '--json', ...rest], { MODELREG_STORE: `file://${store}` });
        expectNoLeak(r, c.what);
        expect(r.code, `${c.what}: ${r.stdout}${r.stderr}`).toBe(2);
        const error = r.json().error;
        expect(error.code, c.what).toMatch(/^(usage|ref-invalid)$/);
        expect(error.message, c.what).toMatch(/cannot be a|not a semantic|not a model reference/);
      });
      expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(head);
      expect(treeState(repo), 'the work tree after refused names').toEqual(tree);
      expect(storeState(store)).toEqual([]);
    },
  );

  it('a write whose commit a hook refuses leaves no directory it made behind', async () => {
    const { repo } = fixtureRepo();
    writeFileSync(join(repo, '.git/hooks/pre-commit'), '#!/bin/sh\necho "hook says no" >&2\nexit 1\n');
    chmodSync(join(repo, '.git/hooks/pre-commit'), 0o755);
    const tree = treeState(repo);
    const r = await cliAsync(repo, ['register', '--version', '1.0.0', '--no-code', 'brand-new', artifacts()], {
      MODELREG_STORE: `file://${join(tempDir(), 'store')}`,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('hook says no');
    expect(existsSync(join(repo, 'models/brand-new'))).toBe(false);
    expect(treeState(repo)).toEqual(tree);
  });
});

describe('the hostile-input catalogue through the write commands', () => {
  for (const group of ['yaml', 'names', 'values', 'tree', 'output'] as const) {
    it(
      `a registry holding a ${group} case: register, promote and deprecate refuse it, naming file and line, and change nothing`,
      { timeout: 300_000 },
      async () => {
        await pairwise(
          CATALOGUE.filter((c) => c.group === group),
          throughWrites,
        );
      },
    );
  }

  it(`hostile inputs to register (${INPUT_CASES.length} cases) are refused before any byte is stored`, { timeout: 300_000 }, async () => {
    expect(new Set(INPUT_CASES.map((c) => c.id)).size).toBe(INPUT_CASES.length);
    await pairwise(INPUT_CASES, throughRegister);
  });
});
