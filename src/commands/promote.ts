import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { describeRetired, describeWrite, writeFlags, writeJson, writeOptions } from '../cli/write-flags.js';
import { applyIntent } from '../api/write.js';
import { parseRef } from '../registry/refs.js';
import { assertStageName } from '../api/arguments.js';

export default class Promote extends BaseCommand {
  static override summary = "Move a version into a stage, if the stage's gates let it in.";
  static override description =
    "Writes models/<name>/stages/<stage>.yaml (recording the previous holder) and commits it. The gates of the target stage — order, metric thresholds, no regression, required tags and lineage — are checked with the policy of the branch written to; failing gates are listed and nothing is written, unless --no-verify. With --weight or --shadow the stage is split instead (a canary, an A/B test, a shadow; docs/assignment.md): the version receives that share beside the main holder, which gives or takes the difference, judged by the same gates (the holder is the no-regression baseline) and by the stage's split policy (max_step, soak).";
  static override examples = [
    '<%= config.bin %> promote sentiment@1.2.0 production --reason "beats 1.1.0 on the holdout"',
    '<%= config.bin %> promote sentiment@latest staging --push',
    '<%= config.bin %> promote sentiment@1.2.0 production --branch promote-1.2.0',
    '<%= config.bin %> promote fraud@1.3.0 production --weight 10 --pr   # a canary: 10% beside the holder',
    '<%= config.bin %> promote fraud@1.3.0 production --weight 100 --pr  # completes it: 1.3.0 holds production',
    '<%= config.bin %> promote fraud@1.4.0 production --shadow           # a mirrored copy of the traffic',
  ];
  static override args = {
    ref: Args.string({ required: true, description: 'name@version (or name@latest, name@<stage>)' }),
    stage: Args.string({ required: true, description: 'Target stage' }),
  };
  static override flags = {
    ...writeFlags,
    store: storeFlag,
    reason: Flags.string({ description: 'Why; recorded in the stage file, the commit and `history`.' }),
    weight: Flags.integer({
      description:
        "Split the stage: the version receives this whole percentage of its traffic beside the main holder (10 starts a canary, 50 shifts, 100 completes it, 0 takes it out). Keys are assigned by resolve --key's rule.",
      min: 0,
      max: 100,
      helpValue: '<0-100>',
      exclusive: ['shadow'],
    }),
    shadow: Flags.boolean({
      description: 'Split the stage: the version receives a mirrored copy of its traffic and answers no one.',
      default: false,
      exclusive: ['weight', 'deprecate-previous'],
    }),
    'deprecate-previous': Flags.boolean({
      description:
        'Deprecate the version this one replaces in the stage, in the same commit — unless it holds another stage or a stage holder descends from it.',
      default: false,
    }),
  };

  async run() {
    const { args, flags } = await this.parse(Promote);
    let version: string;
    const ref = parseRef(args.ref);
    assertStageName(args.stage); // before name@latest or name@<stage> is read
    if (ref.selector.kind === 'version') version = ref.selector.version;
    else {
      const reg = await this.openRegistry({ ...flags, at: 'HEAD' });
      version = (await reg.resolve(ref)).version;
    }
    const r = await applyIntent(
      {
        kind: 'promote',
        model: ref.model,
        version,
        stage: args.stage,
        ...(flags.reason ? { reason: flags.reason } : {}),
        ...(flags.message ? { message: flags.message } : {}),
        ...(flags['deprecate-previous'] ? { deprecatePrevious: true } : {}),
        ...(flags.weight !== undefined ? { weight: flags.weight } : {}),
        ...(flags.shadow ? { shadow: true } : {}),
      },
      writeOptions(flags),
    );
    this.print(describeWrite(r) + describeRetired(r.retired));
    return writeJson(r);
  }
}
