import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { describeWrite, writeFlags, writeJson, writeOptions } from '../cli/write-flags.js';
import { applyIntent } from '../api/write.js';

export default class Rollback extends BaseCommand {
  static override summary = 'Put a stage back to its previous holder (or --to a version).';
  static override description =
    'A rollback to the recorded previous holder skips the stage-order and no-regression gates (that version held the stage before); thresholds, required tags and lineage still apply. On a split stage (a canary, an A/B test, shadows) it ends the split: the main holder receives everything again, with no soak time to wait.';
  static override examples = [
    '<%= config.bin %> rollback sentiment production',
    '<%= config.bin %> rollback sentiment production --to 1.0.3 --reason "latency regression" --push',
    '<%= config.bin %> rollback fraud production --reason "canary error rate"   # ends the split',
  ];
  static override args = { model: Args.string({ required: true, description: 'Model name' }), stage: Args.string({ required: true, description: 'Stage' }) };
  static override flags = {
    ...writeFlags,
    store: storeFlag,
    to: Flags.string({ description: 'The version to go back to (default: the previous holder).' }),
    reason: Flags.string({ description: 'Why; recorded in the stage file, the commit and `history`.' }),
  };

  async run() {
    const { args, flags } = await this.parse(Rollback);
    const r = await applyIntent(
      {
        kind: 'rollback',
        model: args.model,
        stage: args.stage,
        ...(flags.to ? { to: flags.to } : {}),
        ...(flags.reason ? { reason: flags.reason } : {}),
        ...(flags.message ? { message: flags.message } : {}),
      },
      writeOptions(flags),
    );
    this.print(describeWrite(r));
    return writeJson(r);
  }
}
