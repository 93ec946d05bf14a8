import { Args, Flags } from '@oclif/core';
import { mermaidGraph } from '../review/mermaid.js';
import { BaseCommand, atFlag } from '../cli/base.js';
import type { LineageTree } from '../registry/lineage.js';

export default class Lineage extends BaseCommand {
  static override summary = 'Ancestors and descendants of a version, as a tree, JSON or Mermaid.';
  static override examples = ['<%= config.bin %> lineage sentiment@production', '<%= config.bin %> lineage sentiment@1.2.0 --format mermaid'];
  static override args = { ref: Args.string({ required: true, description: 'The version' }) };
  static override flags = { at: atFlag, format: Flags.string({ description: 'Output format.', options: ['tree', 'mermaid', 'json'], default: 'tree' }) };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Lineage);
    this.jsonMode = flags.json || flags.format === 'json';
    const l = await (await this.openRegistry(flags)).lineage(args.ref);
    if (this.jsonMode) return this.printJson(l);
    if (flags.format === 'mermaid') return void this.print(`${mermaidGraph('TD', l.edges, { nodes: l.nodes, emphasised: [l.root] }).join('\n')}\n`);
    this.print(`${l.root}\n`);
    this.print('ancestors:\n' + (renderTree(l.ancestors) || '  (none)\n'));
    this.print('descendants:\n' + (renderTree(l.descendants) || '  (none)\n'));
  }
}

function renderTree(t: LineageTree, depth = 1): string {
  return t.children.map((c) => `${'  '.repeat(depth)}${c.node}${c.relation ? `  (${c.relation})` : ''}${c.repeated ? '  …' : ''}\n${c.repeated ? '' : renderTree(c, depth + 1)}`).join('');
}

