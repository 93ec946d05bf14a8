import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { initRegistry } from '../api/init.js';

export default class Init extends BaseCommand {
  static override summary = 'Create a registry from the template: in a new directory, at the top of an existing repository, or inside one.';
  static override description = `Writes registry.yaml (development → staging → production with example gates), the JSON Schemas under .modelreg/schemas for editors, a README for the teams using it, the pull-request workflow and the code-owner lines; runs git init when the directory is in no repository, and commits.
GitHub runs workflows only from the repository's top .github/workflows/ and reads CODEOWNERS only from .github/, the top or docs/: the workflow and the code-owner lines go there, with the registry's path, whatever directory the registry is in. Existing files are never overwritten: CODEOWNERS, .gitignore and README.md get what they lack, and what was added is listed.`;
  static override examples = [
    '<%= config.bin %> init my-registry',
    '<%= config.bin %> init . --store s3://ml-artifacts/registry',
    '<%= config.bin %> init ml/registry   # inside a monorepo',
    '<%= config.bin %> init reg --no-commit',
  ];
  static override args = { dir: Args.string({ description: 'Directory to create the registry in (default: the current directory).', default: '.' }) };
  static override flags = {
    store: Flags.string({ description: 'Artifact store to write into registry.yaml (default: file://.modelreg/store).', helpValue: '<uri>' }),
    commit: Flags.boolean({ description: 'Commit the new files.', default: true, allowNo: true }),
  };

  async run() {
    const { args, flags } = await this.parse(Init);
    const r = await initRegistry({ dir: args.dir, ...(flags.store ? { store: flags.store } : {}), commit: flags.commit });
    this.print(
      `Created a registry in ${r.dir}${r.registryPath !== '.' ? ` (${r.registryPath} of its repository)` : ''}${r.gitInit ? ' (git init)' : ''}${r.committed ? ' and committed it' : ''}.\n`,
    );
    for (const f of r.files.filter((f) => f.action !== 'created' || !/^(\S+\/)?(registry\.yaml|models\/\.gitkeep|\.modelreg\/schemas\/)$/.test(f.path)))
      this.print(`  ${f.action.padEnd(9)} ${f.path}\n`);
    for (const t of r.todo) this.print(process.stderr, `To do: ${t}\n`);
    if (r.note) this.print(`Not committed: ${r.note}.\n`);
    this.print(`Next: edit registry.yaml (stages and gates) and the code owners, then \`modelreg validate\`.\n`);
    return r;
  }
}
