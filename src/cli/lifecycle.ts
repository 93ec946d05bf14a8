/** deprecate and undeprecate: one command shape, two directions. */
import { Args, Flags } from '@oclif/core';
import { BaseCommand } from './base.js';
import { describeWrite, writeFlags, writeJson, writeOptions } from './write-flags.js';
import { applyIntent } from '../api/write.js';
import { parseRef } from '../registry/refs.js';
import { ModelregError } from '../registry/errors.js';

export abstract class LifecycleCommand extends BaseCommand {
  static override args = { ref: Args.string({ required: true, description: 'name@version' }) };
  static override flags = { ...writeFlags, reason: Flags.string({ description: 'Why; recorded in the mark and the commit.' }) };
  protected abstract readonly kind: 'deprecate' | 'undeprecate';

  async run(): Promise<Record<string, unknown>> {
    const { args, flags } = await this.parse(LifecycleCommand);
    return this.markOne(args.ref, flags);
  }

  /** Mark (or unmark) the one version `ref` names. */
  protected async markOne(
    reference: string,
    flags: { json: boolean; reason?: string | undefined; message?: string | undefined } & Parameters<typeof writeOptions>[0],
  ): Promise<Record<string, unknown>> {
    const ref = parseRef(reference);
    if (ref.selector.kind !== 'version')
      throw new ModelregError(
        'usage',
        `${this.kind} needs an exact version: name@1.2.0${this.kind === 'deprecate' ? ' (or a model with --keep-latest N)' : ''}`,
      );
    const r = await applyIntent(
      {
        kind: this.kind,
        model: ref.model,
        version: ref.selector.version,
        ...(flags.reason ? { reason: flags.reason } : {}),
        ...(flags.message ? { message: flags.message } : {}),
      },
      writeOptions(flags),
    );
    this.print(describeWrite(r));
    return writeJson(r);
  }
}
