import { Args, Flags } from '@oclif/core';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BaseCommand } from '../cli/base.js';
import { ModelregError } from '../registry/errors.js';
import { POLICY_FILE } from '../registry/layout.js';
import { packageRoot } from '../api/package-root.js';
import { git } from '../git/run.js';

export default class Init extends BaseCommand {
  static override summary = 'Create a new registry from the template, with git init and a first commit.';
  static override description = 'Writes registry.yaml (development → staging → production with example gates), CODEOWNERS, the pull-request workflow, a README for the teams using it, and the JSON Schemas under .modelreg/schemas for editors.';
  static override examples = ['<%= config.bin %> init my-registry', '<%= config.bin %> init . --store s3://ml-artifacts/registry', '<%= config.bin %> init reg --no-commit'];
  static override args = { dir: Args.string({ description: 'Directory to create the registry in (default: the current directory).', default: '.' }) };
  static override flags = {
    store: Flags.string({ description: 'Artifact store to write into registry.yaml (default: file://.modelreg/store).', helpValue: '<uri>' }),
    commit: Flags.boolean({ description: 'Commit the new files.', default: true, allowNo: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Init);
    this.jsonMode = flags.json;
    const dir = resolve(args.dir);
    if (existsSync(join(dir, POLICY_FILE))) {
      throw new ModelregError('precondition', `${dir} already holds a registry`, { hint: 'Choose another directory, or use the registry that is there.' });
    }
    if (flags.store && !/^(file|s3):\/\/.+/.test(flags.store)) throw new ModelregError('usage', `--store must be file://… or s3://…, got "${flags.store}"`);
    const template = join(packageRoot(), 'registry-template');
    mkdirSync(dir, { recursive: true });
    const clashes = readdirSync(template).map((f) => (f === 'gitignore' ? '.gitignore' : f)).filter((f) => existsSync(join(dir, f)) && f !== '.github');
    if (clashes.length) throw new ModelregError('precondition', `${dir} already has ${clashes.join(', ')}`, { hint: 'Run init in an empty directory.' });
    cpSync(template, dir, { recursive: true, errorOnExist: false, force: false });
    // npm drops files named .gitignore from published packages, so the template ships it as `gitignore`.
    renameSync(join(dir, 'gitignore'), join(dir, '.gitignore'));
    cpSync(join(packageRoot(), 'schemas'), join(dir, '.modelreg', 'schemas'), { recursive: true });
    if (flags.store) {
      const p = join(dir, POLICY_FILE);
      writeFileSync(p, readFileSync(p, 'utf8').replace(/^(\s*store:\s*).*$/m, `$1${flags.store}`));
    }
    const inRepo = (await git(dir, ['rev-parse', '--is-inside-work-tree'], { allowFail: true })).code === 0;
    if (!inRepo) await git(dir, ['init', '-q', '-b', 'main']);
    let committed = false;
    let note = '';
    if (flags.commit) {
      await git(dir, ['add', '--', '.']);
      const c = await git(dir, ['commit', '-q', '-m', 'Initialize modelreg registry', '--', '.'], { allowFail: true });
      committed = c.code === 0;
      if (!committed) note = c.stderr.includes('identity') || c.stderr.includes('user.email') ? 'set git user.name and user.email, then commit' : c.stderr.trim().split('\n')[0] ?? '';
    }
    if (flags.json) return this.printJson({ dir, gitInit: !inRepo, committed, ...(note ? { note } : {}) });
    this.print(`Created a registry in ${dir}${inRepo ? '' : ' (git init)'}${committed ? ' and committed it' : ''}.\n`);
    if (note) this.print(`Not committed: ${note}.\n`);
    this.print(`Next: edit registry.yaml (stages and gates), then \`modelreg validate\`.\n`);
  }
}
