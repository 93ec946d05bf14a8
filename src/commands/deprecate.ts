import { Args, Flags } from '@oclif/core';
import { LifecycleCommand } from '../cli/lifecycle.js';
import { describeRetired, describeWrite, writeFlags, writeJson, writeOptions } from '../cli/write-flags.js';
import { applyIntent, previewIntent } from '../api/write.js';
import type { KeepLatestIntent } from '../changes/plan.js';
import { ModelregError } from '../registry/errors.js';

export default class Deprecate extends LifecycleCommand {
  static override summary = 'Mark a version deprecated (hidden from latest, never promoted), or every old one at once with --keep-latest.';
  static override description = `Adds the \`deprecated\` mark (who, when, why) to the version file — the one change a merged version file allows. A version holding a stage cannot be deprecated; move the stage first.
With --keep-latest N, the argument is a model: every non-deprecated release older than its N greatest is deprecated in one commit, except a version that holds a stage or is a lineage ancestor of one that does (in any model), which is kept and listed with the reason. Pre-releases are left as they are.`;
  static override examples = [
    '<%= config.bin %> deprecate sentiment@1.0.0 --reason "tokenizer bug on emoji"',
    '<%= config.bin %> deprecate sentiment --keep-latest 3 --dry-run',
    '<%= config.bin %> deprecate sentiment --keep-latest 3 --push',
  ];
  static override args = { ref: Args.string({ required: true, description: 'name@version (or, with --keep-latest, a model name)' }) };
  static override flags = {
    ...writeFlags,
    reason: Flags.string({ description: 'Why; recorded in the mark and the commit.' }),
    'keep-latest': Flags.integer({ description: 'Deprecate every release older than the N greatest (the argument is a model).', min: 1, helpValue: '<n>' }),
    'dry-run': Flags.boolean({ description: 'With --keep-latest: list what would be deprecated and kept, write nothing.', default: false }),
  };
  protected readonly kind = 'deprecate';

  override async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(Deprecate);
    if (flags['keep-latest'] === undefined) {
      if (flags['dry-run']) throw new ModelregError('usage', '--dry-run goes with --keep-latest (it previews which versions that would deprecate)');
      return this.markOne(args.ref, flags);
    }
    const intent: KeepLatestIntent = {
      kind: 'keep-latest',
      model: args.ref,
      keepLatest: flags['keep-latest'],
      ...(flags.reason ? { reason: flags.reason } : {}),
      ...(flags.message ? { message: flags.message } : {}),
    };
    if (flags['dry-run']) {
      const { plan } = await previewIntent(intent, writeOptions(flags));
      this.print(`${plan.message.split('\n')[0]} (dry run: nothing written)\n${describeRetired(plan.retired)}`);
      return { model: args.ref, dryRun: true, ...plan.retired };
    }
    const r = await applyIntent(intent, writeOptions(flags));
    this.print(
      r.unchanged
        ? `nothing to deprecate: ${args.ref} has no release older than its latest ${flags['keep-latest']} that nothing needs\n${describeRetired(r.retired)}`
        : `${describeWrite(r)}${describeRetired(r.retired)}`,
    );
    return { ...writeJson(r), ...r.retired, unchanged: !!r.unchanged };
  }
}
