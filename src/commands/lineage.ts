import { Args, Flags } from '@oclif/core';
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
    if (flags.format === 'mermaid') return void this.print(mermaid(l.root, l.nodes, l.edges));
    this.print(`${l.root}\n`);
    this.print('ancestors:\n' + (renderTree(l.ancestors) || '  (none)\n'));
    this.print('descendants:\n' + (renderTree(l.descendants) || '  (none)\n'));
  }
}

function renderTree(t: LineageTree, depth = 1): string {
  return t.children.map((c) => `${'  '.repeat(depth)}${c.node}${c.relation ? `  (${c.relation})` : ''}${c.repeated ? '  …' : ''}\n${c.repeated ? '' : renderTree(c, depth + 1)}`).join('');
}

/** Node ids are sanitised (Mermaid ids cannot hold @ or .) and labels quoted. */
export function mermaid(root: string, nodes: string[], edges: { parent: string; child: string; relation?: string }[]): string {
  const id = new Map(nodes.map((n, i) => [n, `n${i}`]));
  const label = (s: string) => s.replace(/["<>&]/g, (c) => `#${c.charCodeAt(0)};`);
  const lines = ['graph TD'];
  for (const n of nodes) lines.push(`  ${id.get(n)}["${label(n)}"]`);
  for (const e of edges) lines.push(`  ${id.get(e.parent)} -->${e.relation ? `|${label(e.relation)}|` : ''} ${id.get(e.child)}`);
  lines.push(`  style ${id.get(root)} stroke-width:3px`);
  return lines.join('\n') + '\n';
}
