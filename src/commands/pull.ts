import { Args, Flags } from '@oclif/core';
import { BaseCommand, atFlag, remoteFlag } from '../cli/base.js';
import { storeFlag, repeatable } from '../cli/flags.js';
import { pull } from '../api/artifacts.js';

export default class Pull extends BaseCommand {
  static override summary = "Download a version's artifacts, verifying sha256 and size, placing each file atomically.";
  static override description =
    'Every object is checked for presence and size before anything is written; each file is hashed on the way and moved into place only when its sha256 matches.';
  static override examples = [
    '<%= config.bin %> pull sentiment@production',
    '<%= config.bin %> pull sentiment@1.2.0 -o /models/sentiment --only "*.safetensors" --only config.json',
    '<%= config.bin %> pull sentiment@production --remote https://github.com/acme/registry.git -o /models/sentiment',
  ];
  static override args = { ref: Args.string({ required: true, description: 'The version to pull' }) };
  static override flags = {
    at: atFlag,
    remote: remoteFlag,
    output: Flags.string({ char: 'o', description: 'Directory to write into (default ./<model>-<version>).', helpValue: '<dir>' }),
    only: repeatable({ description: 'Only artifacts whose path matches this glob; repeatable.', helpValue: '<glob>' }),
    store: storeFlag,
  };

  async run() {
    const { args, flags } = await this.parse(Pull);
    const reg = await this.openRegistry(flags);
    const r = await pull(reg, args.ref, {
      ...(flags.output ? { out: flags.output } : {}),
      ...(flags.only ? { only: flags.only } : {}),
      progress: this.progress(),
    });
    this.print(`${r.ref} → ${r.version}: ${r.files.length} file(s) in ${r.dir}\n`);
    return r;
  }
}
