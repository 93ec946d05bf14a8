import { Args, Flags } from '@oclif/core';
import { stringify } from 'yaml';
import { BaseCommand, atFlag, remoteFlag } from '../cli/base.js';
import { table } from '../cli/report.js';

export default class Show extends BaseCommand {
  static override summary = 'Show a model (all its versions and stages) or one version in full.';
  static override examples = [
    '<%= config.bin %> show sentiment',
    '<%= config.bin %> show sentiment@production',
    '<%= config.bin %> show sentiment@1.2.0 --json',
    '<%= config.bin %> show sentiment@production --remote https://github.com/acme/registry.git',
  ];
  static override args = { ref: Args.string({ required: true, description: 'A model name, or name@version / name@stage / name@latest' }) };
  static override flags = {
    at: atFlag,
    remote: remoteFlag,
    prerelease: Flags.boolean({ description: 'Let latest include pre-releases.', default: false }),
  };

  async run() {
    const { args, flags } = await this.parse(Show);
    const reg = await this.openRegistry(flags);
    if (!args.ref.includes('@')) {
      const m = await reg.showModel(args.ref);
      const d = m.model;
      this.print(`${args.ref}${d?.task ? ` — ${d.task}` : ''}\n`);
      if (d?.description) this.print(`${d.description.trim()}\n`);
      if (d) this.print(`owners: ${d.owners.join(', ')}\n`);
      this.print('\n');
      this.print(
        table([
          ['VERSION', 'STAGES', 'CREATED', 'BY', 'METRICS'],
          ...m.versions.map((v) => [
            v.version + (v.deprecated ? ' (deprecated)' : ''),
            v.stages.join(',') || '-',
            v.created_at,
            v.created_by,
            Object.entries(v.metrics)
              .map(([k, x]) => `${k}=${x}`)
              .join(' '),
          ]),
        ]),
      );
      return { name: args.ref, ...m };
    }
    const v = await reg.showVersion(args.ref, { prerelease: flags.prerelease });
    this.print(`# ${v.file}${v.stages.length ? `  (holds ${v.stages.join(', ')})` : ''}\n`);
    this.print(stringify(v.manifest, { lineWidth: 0 }));
    return v;
  }
}
