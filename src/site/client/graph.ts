/**
 * The lineage graph of a version: laid out by dagre (layered, parents above children), drawn as SVG.
 * Every node is a link to its version's page — reachable with Tab, opened with Enter — and every edge
 * carries its relation. Past GRAPH_NODES nodes the layout would take seconds: the lists beside the
 * graph say it all in text anyway.
 */
import dagre from '@dagrejs/dagre';
import type { Neighbourhood } from '../view/version.js';
import { versionHref } from '../view/routes.js';
import { h, svg } from './dom.js';

export const GRAPH_NODES = 300;

export function lineageGraph(n: Neighbourhood): HTMLElement {
  if (n.nodes.length > GRAPH_NODES)
    return h('p', { class: 'note' }, `${n.nodes.length} versions are related to this one: too many to draw; they are listed below.`);
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of n.nodes) g.setNode(node.id, { width: Math.max(90, node.id.length * 7.2 + 24), height: 34 });
  for (const e of n.edges)
    g.setEdge(e.parent, e.child, { label: e.relation ?? '', width: (e.relation?.length ?? 0) * 6.5, height: e.relation ? 16 : 0, labelpos: 'c' });
  dagre.layout(g);
  const { width = 200, height = 80 } = g.graph();
  const edges = n.edges.map((e) => {
    const info = g.edge(e.parent, e.child) as { points: { x: number; y: number }[]; x?: number; y?: number } | undefined;
    const pts = info?.points ?? [];
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    return svg(
      'g',
      { class: 'edge' },
      svg('path', { d, 'marker-end': 'url(#arrow)' }),
      e.relation && info?.x !== undefined ? svg('text', { x: info.x, y: (info.y ?? 0) + 4, 'text-anchor': 'middle', class: 'edge-label' }, e.relation) : null,
    );
  });
  const nodes = n.nodes.map((node) => {
    const p = g.node(node.id) as { x: number; y: number; width: number; height: number };
    const cls = `node${node.root ? ' root' : ''}${node.deprecated ? ' deprecated' : ''}`;
    return svg(
      'a',
      {
        href: versionHref(node.model, node.version),
        class: cls,
        'aria-label': `${node.id}${node.root ? ' (this version)' : ''}${node.deprecated ? ' (deprecated)' : ''}`,
      },
      svg('rect', { x: p.x - p.width / 2, y: p.y - p.height / 2, width: p.width, height: p.height, rx: 6 }),
      svg('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle' }, node.id),
    );
  });
  const defs = svg(
    'defs',
    {},
    svg(
      'marker',
      { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' },
      svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
    ),
  );
  const picture = svg(
    'svg',
    {
      class: 'lineage',
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`,
      width: Math.ceil(width),
      height: Math.ceil(height),
      role: 'group',
      'aria-label': `Lineage graph: ${n.nodes.length} versions, ${n.edges.length} relations`,
    },
    defs,
    ...edges,
    ...nodes,
  );
  return h('div', { class: 'graph-scroll' }, picture);
}
