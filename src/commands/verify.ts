import { Args, Flags } from '@oclif/core';
import { BaseCommand, atFlag } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { table } from '../cli/report.js';
import { bytes } from '../cli/progress.js';
import { verifyArtifacts } from '../api/artifacts.js';

export default class Verify extends BaseCommand {
  static override summary = 'Check that every referenced artifact is in the store with its size and hash.';
  static override description =
    'Reads every object once (shared objects once) with bounded concurrency. Lists missing and corrupt objects with the versions that name them; exits 1 if there are any.';
  static override examples = ['<%= config.bin %> verify', '<%= config.bin %> verify sentiment@production --json'];
  static override args = { ref: Args.string({ description: 'Only this version (default: every version)' }) };
  static override flags = {
    at: atFlag,
    store: storeFlag,
    concurrency: Flags.integer({ description: 'Objects checked at once.', default: 4, min: 1, max: 64 }),
  };

  async run() {
    const { args, flags } = await this.parse(Verify);
    const reg = await this.openRegistry(flags);
    const r = await verifyArtifacts(reg, args.ref, { concurrency: flags.concurrency });
    if (r.problems.length) this.print(table([['PROBLEM', 'SHA256', 'NAMED BY'], ...r.problems.map((p) => [p.problem, p.sha256, p.refs.join(', ')])]));
    this.print(
      r.ok ? `✓ ${r.objects} object(s), ${bytes(r.bytes)}, all present and intact\n` : `✗ ${r.problems.length} of ${r.objects} object(s) missing or corrupt\n`,
    );
    if (!r.ok) this.failWith(1);
    return r;
  }
}
