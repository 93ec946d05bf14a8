import { Args, Flags } from '@oclif/core';
import { mermaidGraph } from '../review/mermaid.js';
import { BaseCommand, atFlag } from '../cli/base.js';
import type { LineageTree } from '../registry/lineage.js';

export default class Lineage extends BaseCommand {
  static override summary = 'Ancestors and descendants of a version, as a tree, JSON or Mermaid.';
  static override examples = ['<%= config.bin %> lineage sentiment@production', '<%= config.bin %> lineage sentiment@1.2.0 --format mermaid'];
  static override args = { ref: Args.string({ required: true, description: 'The version' }) };
  static override flags = { at: atFlag, format: Flags.string({ description: 'Output format.', options: ['tree', 'mermaid', 'json'], default: 'tree' }) };

  /** `--format json` is --json by another name. */
  private formatJson = false;

  override jsonEnabled(): boolean {
    return this.formatJson || super.jsonEnabled();
  }

  async run() {
    const { args, flags } = await this.parse(Lineage);
    this.formatJson = flags.format === 'json';
    const l = await (await this.openRegistry(flags)).lineage(args.ref);
    if (flags.format === 'mermaid') this.print(`${mermaidGraph('TD', l.edges, { nodes: l.nodes, emphasised: [l.root] }).join('\n')}\n`);
    else this.print(`${l.root}\nancestors:\n${renderTree(l.ancestors) || '  (none)\n'}descendants:\n${renderTree(l.descendants) || '  (none)\n'}`);
    return l;
  }
}

function renderTree(t: LineageTree, depth = 1): string {
  return t.children
    .map(
      (c) => `${'  '.repeat(depth)}${c.node}${c.relation ? `  (${c.relation})` : ''}${c.repeated ? '  …' : ''}\n${c.repeated ? '' : renderTree(c, depth + 1)}`,
    )
    .join('');
}
