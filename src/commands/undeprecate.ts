import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { describeWrite, writeFlags, writeOptions } from '../cli/write-flags.js';
import { applyIntent } from '../api/write.js';
import { parseRef } from '../registry/refs.js';
import { ModelregError } from '../registry/errors.js';
import { writeJson } from './promote.js';

export default class Undeprecate extends BaseCommand {
  static override summary = 'Remove the deprecation mark from a version.';
  static override examples = ['<%= config.bin %> undeprecate sentiment@1.0.0 --reason "tokenizer bug"'];
  static override args = { ref: Args.string({ required: true, description: 'name@version' }) };
  static override flags = { ...writeFlags, reason: Flags.string({ description: 'Why.' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Undeprecate);
    this.jsonMode = flags.json;
    const ref = parseRef(args.ref);
    if (ref.selector.kind !== 'version') throw new ModelregError('usage', 'undeprecate needs an exact version: name@1.2.0');
    const r = await applyIntent(
      { kind: 'undeprecate', model: ref.model, version: ref.selector.version, ...(flags.reason ? { reason: flags.reason } : {}), ...(flags.message ? { message: flags.message } : {}) },
      writeOptions(flags),
    );
    if (flags.json) return this.printJson(writeJson(r));
    process.stdout.write(describeWrite(r));
  }
}
