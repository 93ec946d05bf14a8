import { Args, Flags } from '@oclif/core';
import { writeFileSync, renameSync } from 'node:fs';
import { BaseCommand, atFlag } from '../cli/base.js';

export default class Card extends BaseCommand {
  static override summary = 'Write a model card in Markdown from the manifests.';
  static override examples = ['<%= config.bin %> card sentiment@production', '<%= config.bin %> card sentiment@1.2.0 -o MODEL_CARD.md'];
  static override args = { ref: Args.string({ required: true, description: 'The version to describe' }) };
  static override flags = {
    at: atFlag,
    output: Flags.string({ char: 'o', description: 'Write to this file instead of standard output.', helpValue: '<file>' }),
  };

  async run() {
    const { args, flags } = await this.parse(Card);
    const md = await (await this.openRegistry(flags)).card(args.ref);
    if (flags.output) {
      const tmp = `${flags.output}.tmp-${process.pid}`;
      writeFileSync(tmp, md);
      renameSync(tmp, flags.output);
    } else this.print(md);
    return { ref: args.ref, markdown: md };
  }
}
