import { Flags } from '@oclif/core';
import { BaseCommand, atFlag, keyValues } from '../cli/base.js';
import { repeatable } from '../cli/flags.js';
import { table } from '../cli/report.js';

export default class List extends BaseCommand {
  static override summary = 'List models with the version holding each stage.';
  static override examples = [
    '<%= config.bin %> list',
    '<%= config.bin %> list --stage production --json',
    '<%= config.bin %> list --tag team=nlp --owner alice',
  ];
  static override flags = {
    at: atFlag,
    stage: Flags.string({ description: 'Only models with a version in this stage.' }),
    tag: repeatable({ description: 'Only models with this tag (model.yaml or latest version); repeatable.', helpValue: 'k=v' }),
    framework: Flags.string({ description: 'Only models with a version in this framework.' }),
    owner: Flags.string({ description: 'Only models with this owner.' }),
  };

  async run() {
    const { flags } = await this.parse(List);
    const tags = keyValues(flags.tag, 'tag');
    const reg = await this.openRegistry(flags);
    const {
      models,
      stages: policy,
      broken,
    } = await reg.listing({
      ...(flags.stage ? { stage: flags.stage } : {}),
      ...(tags ? { tags } : {}),
      ...(flags.framework ? { framework: flags.framework } : {}),
      ...(flags.owner ? { owner: flags.owner } : {}),
    });
    if (broken > 0) this.notice(`warning: ${broken} manifest(s) could not be read and are left out; run \`modelreg validate\`\n`);
    this.print(
      models.length === 0
        ? 'no models\n'
        : table([
            ['MODEL', 'LATEST', ...policy.map((s) => s.toUpperCase()), 'VERSIONS', 'OWNERS'],
            ...models.map((m) => [m.name, m.latest ?? '-', ...policy.map((s) => m.stages[s] ?? '-'), String(m.versions), m.owners.join(',')]),
          ]),
    );
    return { models };
  }
}
