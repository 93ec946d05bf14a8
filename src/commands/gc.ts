import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { table } from '../cli/report.js';
import { bytes } from '../cli/progress.js';
import { collectGarbage } from '../api/artifacts.js';

export default class Gc extends BaseCommand {
  static override summary = 'Delete store objects that no version references on any branch or tag.';
  static override description = 'Looks at every revision reachable from branches, tags and remote-tracking branches. Objects stored in the last --grace minutes are kept, since a registration in progress stores bytes before it commits.';
  static override examples = ['<%= config.bin %> gc --dry-run', '<%= config.bin %> gc --grace 0'];
  static override flags = {
    'dry-run': Flags.boolean({ description: 'Only say what would be deleted.', default: false }),
    grace: Flags.integer({ description: 'Spare objects younger than this many minutes.', default: 60, min: 0 }),
    store: storeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Gc);
    this.jsonMode = flags.json;
    const reg = await this.openRegistry(flags);
    const store = await reg.openStore();
    const r = await collectGarbage(reg.root, store, { dryRun: flags['dry-run'], graceMs: flags.grace * 60_000 });
    if (flags.json) return this.printJson({ dryRun: flags['dry-run'], ...r });
    if (r.deleted.length) this.print(table([['SHA256', 'SIZE'], ...r.deleted.map((d) => [d.sha256, bytes(d.size)])]));
    this.print(`${flags['dry-run'] ? 'would delete' : 'deleted'} ${r.deleted.length} object(s), ${bytes(r.bytes)}; ${r.referenced} referenced${r.spared ? `, ${r.spared} spared as recent` : ''}\n`);
  }
}
