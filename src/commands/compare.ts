import { Args } from '@oclif/core';
import { BaseCommand, atFlag } from '../cli/base.js';
import { table } from '../cli/report.js';

export default class Compare extends BaseCommand {
  static override summary = 'Compare two versions: metrics and params side by side, with deltas.';
  static override examples = [
    '<%= config.bin %> compare sentiment@production sentiment@latest',
    '<%= config.bin %> compare sentiment@1.1.0 sentiment@1.2.0 --json',
  ];
  static override args = {
    a: Args.string({ required: true, description: 'First reference' }),
    b: Args.string({ required: true, description: 'Second reference' }),
  };
  static override flags = { at: atFlag };

  async run() {
    const { args, flags } = await this.parse(Compare);
    const c = await (await this.openRegistry(flags)).compare(args.a, args.b);
    const show = (x: unknown) => (x === undefined || x === null ? '-' : String(x));
    const sign = (d: number | null) => (d === null ? '-' : d > 0 ? `+${d}` : String(d));
    this.print(table([['METRIC', c.a.version, c.b.version, 'DELTA'], ...c.metrics.map((m) => [m.name, show(m.a), show(m.b), sign(m.delta)])]));
    if (c.params.length) {
      this.print('\n');
      this.print(table([['PARAM', c.a.version, c.b.version, ''], ...c.params.map((p) => [p.name, show(p.a), show(p.b), p.changed ? 'changed' : ''])]));
    }
    return c;
  }
}
