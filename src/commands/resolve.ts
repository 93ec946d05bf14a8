import { Args, Flags } from '@oclif/core';
import { BaseCommand, atFlag, remoteFlag } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { resolveResult, resolveText } from '../cli/resolve-output.js';

export default class Resolve extends BaseCommand {
  static override summary = 'Resolve a reference to a version and its artifacts: what a deploy pipeline needs.';
  static override description =
    'Prints the version, the stages it holds, and each artifact with its store URI, sha256 and size; for a stage split between versions (canary, A/B, shadow), every arm with its weight, and with --key the arm that key gets. Reads only the named model.';
  static override examples = [
    '<%= config.bin %> resolve sentiment@production',
    '<%= config.bin %> resolve sentiment@1.2.0 --json',
    '<%= config.bin %> resolve sentiment --prerelease',
    '<%= config.bin %> resolve sentiment@production --at v2026.11.01',
    '<%= config.bin %> resolve sentiment@production --key user-4711 --json',
    '<%= config.bin %> resolve sentiment@production --remote https://github.com/acme/registry.git --json',
  ];
  static override args = { ref: Args.string({ required: true, description: 'name@1.2.0, name@<stage>, name@latest or name (= latest)' }) };
  static override flags = {
    at: atFlag,
    remote: remoteFlag,
    prerelease: Flags.boolean({ description: 'Let latest include pre-releases.', default: false }),
    store: storeFlag,
    presign: Flags.boolean({
      description: 'Add a presigned HTTPS URL to each artifact (S3 stores), so a deploy can fetch without credentials.',
      default: false,
    }),
    key: Flags.string({
      description:
        "The arm of the stage's split this key (a user id, an account, a session) gets, by the assignment rule every service shares (docs/assignment.md); a stage without a split gives every key its holder.",
      helpValue: '<key>',
    }),
    expires: Flags.integer({ description: 'Lifetime of presigned URLs in seconds.', default: 3600, min: 1, max: 604800, dependsOn: ['presign'] }),
  };

  async run() {
    const { args, flags } = await this.parse(Resolve);
    // The same code answers the fast path (cli/fast-path.ts), which bin/run.js tries before oclif.
    const r = await resolveResult(args.ref, flags);
    this.print(resolveText(r));
    return r;
  }
}
