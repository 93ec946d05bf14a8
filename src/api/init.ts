/**
 * `modelreg init`: a registry from registry-template/, in a new directory, at the top of an existing
 * repository, or in a directory inside one (a monorepo).
 *
 * GitHub runs workflows only from the repository's top `.github/workflows/` and reads CODEOWNERS only
 * from `.github/`, the top or `docs/`, with paths from the top. So the gate's workflow and the code-owner
 * lines always go where GitHub reads them, with the registry's path in `registry-path`, in the workflow's
 * `paths` filter and in every code-owner pattern; a registry in a subdirectory that kept them beside
 * itself would be silently unguarded. Files that exist are never overwritten: CODEOWNERS and .gitignore
 * get the lines they lack, a README gets a short section, and a workflow of that name that says
 * something else is left alone with exactly what to add printed instead.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ModelregError } from '../registry/errors.js';
import { POLICY_FILE } from '../registry/layout.js';
import { storeUriProblem } from '../registry/store-uri.js';
import { git } from '../git/run.js';
import { packageRoot } from './package-root.js';

export interface InitOptions {
  dir: string;
  /** The artifact store to write into registry.yaml (default: the template's file://.modelreg/store). */
  store?: string;
  /** Commit the new files (default true). */
  commit?: boolean;
}

export interface InitResult {
  dir: string;
  /** The registry's path inside its repository ('' at the top). */
  registryPath: string;
  gitInit: boolean;
  committed: boolean;
  /** Every file written or added to, relative to the repository's top, with what was done. */
  files: { path: string; action: 'created' | 'appended' | 'unchanged' }[];
  /** What the user must do by hand, and why (a workflow that could not be written without overwriting). */
  todo: string[];
  note?: string;
}

/** Code-owner patterns for a registry at `prefix` ('' or 'ml/registry/'), and the workflow file guarding them. */
export function codeOwnerLines(template: string, prefix: string, workflow: string): string[] {
  return template
    .split('\n')
    .map((line) => {
      const m = /^\/(\S+)(\s+.*)$/.exec(line);
      if (!m) return line;
      const [, pattern, owners] = m as unknown as [string, string, string];
      // A registry of its own repository guards all of .github/ (another workflow could post a status
      // named modelreg); inside a monorepo, .github/ is everyone's: guard the gate's own workflow.
      if (pattern === '.github/') return prefix ? `/${workflow}${owners}` : line;
      return `/${prefix}${pattern}${owners}`;
    })
    .filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** The template's workflow for a registry at `prefix`: its registry-path, and a paths filter when it is not at the top. */
export function workflowText(template: string, prefix: string): string {
  if (!prefix) return template;
  const path = prefix.replace(/\/$/, '');
  return template
    .replace(/^(\s*registry-path:\s*).*$/m, `$1${path}`)
    .replace(
      /^on:\n {2}pull_request:\n/m,
      `on:\n  pull_request:\n    # Only pull requests that touch the registry (or this workflow) are judged.\n    paths: ['${path}/**', '.github/workflows/${workflowName(prefix)}']\n`,
    )
    .replace(/^(\s*group:\s*modelreg-)/m, `$1${slug(prefix)}-`);
}

/**
 * The template's site workflow for a registry at `prefix`: the build runs `modelreg site -r <path>` and
 * the push trigger is limited to the registry's files (GitHub Pages holds one site per repository).
 */
export function siteWorkflowText(template: string, prefix: string): string {
  if (!prefix) return template;
  const path = prefix.replace(/\/$/, '');
  return template
    .replace(/ site -o _site /, ` site -r ${path} -o _site `)
    .replace(
      /^( {2}push:\n {4}branches: \[main\]\n)/m,
      `$1    # Only pushes that touch the registry (or this workflow) rebuild it.\n    paths: ['${path}/**', '.github/workflows/${siteWorkflowName(prefix)}']\n`,
    );
}

export function siteWorkflowName(prefix: string): string {
  return prefix ? `site-${slug(prefix)}.yml` : 'site.yml';
}

export function workflowName(prefix: string): string {
  return prefix ? `modelreg-${slug(prefix)}.yml` : 'modelreg.yml';
}

function slug(prefix: string): string {
  return prefix.replace(/\/$/, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Where GitHub will read CODEOWNERS from in this repository: the first that exists, else the top. */
function codeOwnersFile(top: string): string {
  for (const p of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) if (existsSync(join(top, p))) return p;
  return 'CODEOWNERS';
}

export async function initRegistry(options: InitOptions): Promise<InitResult> {
  const dir = resolve(options.dir);
  if (existsSync(join(dir, POLICY_FILE)))
    throw new ModelregError('precondition', `${dir} already holds a registry`, { hint: 'Choose another directory, or use the registry that is there.' });
  if (options.store) {
    const problem = storeUriProblem(options.store);
    if (problem) throw new ModelregError('usage', `--store "${options.store}" cannot be used: ${problem}`);
  }
  const template = join(packageRoot(), 'registry-template');
  mkdirSync(dir, { recursive: true });
  const topRun = await git(dir, ['rev-parse', '--show-toplevel'], { allowFail: true });
  const inRepo = topRun.code === 0;
  const top = inRepo ? topRun.stdout.toString('utf8').trim() : dir;
  const rel = relative(top, dir);
  const prefix = rel ? `${rel.split(sep).join('/')}/` : '';
  const files: InitResult['files'] = [];
  const todo: string[] = [];
  const record = (path: string, action: InitResult['files'][number]['action']) => files.push({ path, action });

  // The registry itself: registry.yaml, models/, the schemas for editors. Nothing of these may exist yet.
  for (const name of [POLICY_FILE, 'models']) {
    if (existsSync(join(dir, name)) && !(name === 'models' && readdirSync(join(dir, name)).length === 0)) {
      throw new ModelregError('precondition', `${join(dir, name)} already exists`, {
        hint: 'Run init where no registry.yaml or models/ is yet, or move them aside.',
      });
    }
  }
  const policy = readFileSync(join(template, POLICY_FILE), 'utf8');
  writeFileSync(join(dir, POLICY_FILE), options.store ? policy.replace(/^(\s*store:\s*).*$/m, `$1${options.store}`) : policy);
  record(`${prefix}${POLICY_FILE}`, 'created');
  cpSync(join(template, 'models'), join(dir, 'models'), { recursive: true });
  record(`${prefix}models/.gitkeep`, 'created');
  cpSync(join(packageRoot(), 'schemas'), join(dir, '.modelreg', 'schemas'), { recursive: true });
  record(`${prefix}.modelreg/schemas/`, 'created');

  // Files people may already have: add what is missing, never overwrite.
  // (npm drops files named .gitignore from published packages, so the template ships it as `gitignore`.)
  record(`${prefix}.gitignore`, addLines(join(dir, '.gitignore'), readFileSync(join(template, 'gitignore'), 'utf8')));
  const readme = readFileSync(join(template, 'README.md'), 'utf8');
  if (!existsSync(join(dir, 'README.md'))) {
    writeFileSync(join(dir, 'README.md'), readme);
    record(`${prefix}README.md`, 'created');
  } else {
    writeFileSync(join(dir, 'MODEL-REGISTRY.md'), readme);
    record(`${prefix}MODEL-REGISTRY.md`, 'created');
    record(
      `${prefix}README.md`,
      addSection(
        join(dir, 'README.md'),
        `## Model registry\n\nThis directory holds a model registry kept by [modelreg](https://www.npmjs.com/package/modelreg): how to use it and how changes are approved is in [MODEL-REGISTRY.md](MODEL-REGISTRY.md).\n`,
      ),
    );
  }

  // Governance, where GitHub reads it: the top of the repository. Each workflow is written when it is
  // missing and left as it is, with a note of what it would need, when it says something else.
  const workflow = `.github/workflows/${workflowName(prefix)}`;
  const placeWorkflow = (path: string, wanted: string, needs: string, source: string) => {
    const at = join(top, path);
    if (!existsSync(at)) {
      mkdirSync(dirname(at), { recursive: true });
      writeFileSync(at, wanted);
      record(path, 'created');
    } else if (readFileSync(at, 'utf8') === wanted) record(path, 'unchanged');
    else
      todo.push(
        `${path} exists and says something else; it was left as it is. ${needs}: the whole workflow modelreg would write is in ${join(template, source)}.`,
      );
  };
  const registryPath = prefix.replace(/\/$/, '') || '.';
  placeWorkflow(
    workflow,
    workflowText(readFileSync(join(template, '.github/workflows/modelreg.yml'), 'utf8'), prefix),
    `For this registry, the gate's step needs \`registry-path: ${registryPath}\`${prefix ? ` and the pull_request trigger \`paths: ['${prefix}**']\`` : ''}`,
    '.github/workflows/modelreg.yml',
  );
  const site = `.github/workflows/${siteWorkflowName(prefix)}`;
  placeWorkflow(
    site,
    siteWorkflowText(readFileSync(join(template, '.github/workflows/site.yml'), 'utf8'), prefix),
    `For this registry, the site's build step needs \`modelreg site -r ${registryPath}\``,
    '.github/workflows/site.yml',
  );
  const owners = codeOwnersFile(top);
  const ownerLines = codeOwnerLines(readFileSync(join(template, 'CODEOWNERS'), 'utf8'), prefix, workflow).join('\n');
  record(owners, addLines(join(top, owners), `${ownerLines}\n`));

  if (!inRepo) await git(dir, ['init', '-q', '-b', 'main']);
  let committed = false;
  let note: string | undefined;
  if (options.commit !== false) {
    const paths = files.filter((f) => f.action !== 'unchanged').map((f) => f.path);
    await git(top, ['add', '--', ...paths]);
    const c = await git(top, ['commit', '-q', '-m', 'Initialize modelreg registry', '--', ...paths], { allowFail: true });
    committed = c.code === 0;
    if (!committed)
      note =
        c.stderr.includes('identity') || c.stderr.includes('user.email')
          ? 'set git user.name and user.email, then commit'
          : (c.stderr.trim().split('\n')[0] ?? '');
  }
  return { dir, registryPath: prefix.replace(/\/$/, '') || '.', gitInit: !inRepo, committed, files, todo, ...(note ? { note } : {}) };
}

/** Append a section to a Markdown file unless its heading is there already. */
function addSection(file: string, section: string): 'appended' | 'unchanged' {
  const have = readFileSync(file, 'utf8');
  if (have.split('\n').includes(section.split('\n')[0]!)) return 'unchanged';
  writeFileSync(file, `${have}${have.endsWith('\n') ? '' : '\n'}\n${section}`);
  return 'appended';
}

/**
 * Append to `file` the lines of `text` it does not have yet (creating it if need be); a file that has
 * them all is left byte for byte as it was.
 */
function addLines(file: string, text: string): 'created' | 'appended' | 'unchanged' {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text.replace(/^\n+/, ''));
    return 'created';
  }
  const have = readFileSync(file, 'utf8');
  const present = new Set(have.split('\n').map((l) => l.trim()));
  const lines = text.split('\n');
  const meaningful = lines.filter((l) => l.trim() && !l.trim().startsWith('#'));
  if (meaningful.every((l) => present.has(l.trim()))) return 'unchanged';
  // Lines it lacks, in order; a comment or blank line goes along only when it is not there already.
  const missing = lines.filter((l) => l.trim() !== '' && !present.has(l.trim()));
  writeFileSync(file, `${have}${have === '' || have.endsWith('\n') ? '' : '\n'}${have.trim() ? '\n' : ''}${missing.join('\n')}\n`);
  return 'appended';
}
