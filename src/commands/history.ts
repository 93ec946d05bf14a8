import { Args, Flags } from '@oclif/core';
import { BaseCommand, atFlag } from '../cli/base.js';
import { table } from '../cli/report.js';
import { attributionText } from '../registry/provenance.js';
import { describeEvent } from '../registry/history.js';

export default class History extends BaseCommand {
  static override summary = "A model's registrations, promotions, rollbacks and deprecations, from git log.";
  static override description = 'Newest first: what happened, who did it, when, in which commit, and the pull request when the merge message names one.';
  static override examples = ['<%= config.bin %> history sentiment', '<%= config.bin %> history sentiment --limit 20 --json'];
  static override args = { model: Args.string({ required: true, description: 'Model name' }) };
  static override flags = { at: atFlag, limit: Flags.integer({ char: 'n', description: 'At most this many commits.', min: 1 }) };

  async run() {
    const { args, flags } = await this.parse(History);
    const reg = await this.openRegistry(flags);
    const events = await reg.history(args.model, flags.limit ? { limit: flags.limit } : {});
    const result = { model: args.model, events };
    if (events.length === 0) {
      this.print(`no history for ${args.model}\n`);
      return result;
    }
    // The reason is the last column: it is free text of any length, and nothing after it needs aligning.
    const why = (e: (typeof events)[number]) => (e.reason ?? '').replace(/\s+/g, ' ');
    // Who and when are the commit's; what the file says is beside, only where it differs.
    const who = (e: (typeof events)[number]) =>
      attributionText({
        by: e.author,
        at: e.date,
        ...(e.claimedBy !== undefined ? { claimedBy: e.claimedBy } : {}),
        ...(e.claimedAt !== undefined ? { claimedAt: e.claimedAt } : {}),
        fromGit: true,
      });
    this.print(
      table([
        ['DATE', 'EVENT', 'AUTHOR', 'COMMIT', 'PR', 'REASON'],
        ...events.map((e) => [e.date, describeEvent(e), who(e), e.commit.slice(0, 10), e.pr ? `#${e.pr}` : '', why(e)]),
      ]),
    );
    return result;
  }
}
