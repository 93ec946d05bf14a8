/**
 * A graph as Mermaid text, for every place that draws one (the pull-request summary's lineage, `modelreg
 * lineage --format mermaid`). Node ids are n0, n1, … (Mermaid ids cannot hold @ or .), every label is
 * quoted and escaped for hostile text (escape.ts), and the emphasised nodes are drawn thicker. Pure.
 */
import { mermaidLabel } from './escape.js';

export interface MermaidEdge {
  parent: string;
  child: string;
  relation?: string | null;
}

export function mermaidGraph(
  direction: 'LR' | 'TD',
  edges: readonly MermaidEdge[],
  options: { nodes?: readonly string[]; emphasised?: readonly string[] } = {},
): string[] {
  const ids = new Map<string, string>();
  const id = (ref: string): string => {
    if (!ids.has(ref)) ids.set(ref, `n${ids.size}`);
    return ids.get(ref)!;
  };
  const node = (ref: string) => `${id(ref)}["${mermaidLabel(ref)}"]`;
  const lines = [`graph ${direction}`];
  for (const e of edges) lines.push(`  ${node(e.parent)} -->${e.relation ? `|"${mermaidLabel(e.relation)}"|` : ''} ${node(e.child)}`);
  // Nodes on no edge are drawn alone.
  for (const n of options.nodes ?? []) if (!ids.has(n)) lines.push(`  ${node(n)}`);
  const emphasised = (options.emphasised ?? []).filter((r) => ids.has(r)).map(id);
  if (emphasised.length) lines.push('  classDef emphasis stroke-width:3px', `  class ${emphasised.join(',')} emphasis`);
  return lines;
}
