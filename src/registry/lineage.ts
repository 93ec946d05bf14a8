/** The lineage graph: model versions as nodes, "child was derived from parent" as edges. */
import type { Snapshot } from './assemble.js';

export interface LineageEdge {
  parent: string;
  child: string;
  relation?: string;
}

export interface LineageGraph {
  /** Every version in the snapshot, as name@version. */
  nodes: Set<string>;
  edges: LineageEdge[];
  parentsOf: Map<string, LineageEdge[]>;
  childrenOf: Map<string, LineageEdge[]>;
}

export const nodeId = (model: string, version: string) => `${model}@${version}`;

/**
 * The models that the versions of `models` (default: every model in the snapshot) name as lineage
 * parents: how far a read scoped to some models must widen so that a dangling parent can be told apart
 * from one that was not read.
 */
export function parentModels(snap: Snapshot, models?: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const entries = models ? [...models].map((m) => snap.models.get(m)) : [...snap.models.values()];
  for (const entry of entries) for (const v of entry?.versions.values() ?? []) for (const p of v.data.lineage?.parents ?? []) out.add(p.model);
  return out;
}

export function buildLineage(snap: Snapshot): LineageGraph {
  const nodes: string[] = [];
  const edges: LineageEdge[] = [];
  for (const m of snap.models.values()) {
    for (const v of m.versions.values()) {
      const child = nodeId(m.name, v.data.version);
      nodes.push(child);
      for (const p of v.data.lineage?.parents ?? []) edges.push({ parent: nodeId(p.model, p.version), child, ...(p.relation ? { relation: p.relation } : {}) });
    }
  }
  return lineageGraph(nodes, edges);
}

/** The graph of these nodes and edges (edges keep their order: it decides the order cycles are found in). */
export function lineageGraph(nodes: Iterable<string>, edges: LineageEdge[]): LineageGraph {
  const g: LineageGraph = { nodes: new Set(nodes), edges, parentsOf: new Map(), childrenOf: new Map() };
  for (const edge of edges) {
    push(g.parentsOf, edge.child, edge);
    push(g.childrenOf, edge.parent, edge);
  }
  return g;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Each cycle once, as the list of nodes around it (iterative DFS with colours, so a deep chain of
 * fine-tunes cannot overflow the stack).
 */
export function findCycles(g: LineageGraph): string[][] {
  const colour = new Map<string, 1 | 2>();
  const cycles: string[][] = [];
  const nodes = [...new Set([...g.nodes, ...g.parentsOf.keys()])].sort();
  for (const start of nodes) {
    if (colour.has(start)) continue;
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    const path: string[] = [start];
    colour.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const parents = g.parentsOf.get(top.node) ?? [];
      if (top.next >= parents.length) {
        colour.set(top.node, 2);
        stack.pop();
        path.pop();
        continue;
      }
      const next = parents[top.next++]!.parent;
      const c = colour.get(next);
      if (c === 1) cycles.push(path.slice(path.indexOf(next)));
      else if (c === undefined) {
        colour.set(next, 1);
        stack.push({ node: next, next: 0 });
        path.push(next);
      }
    }
  }
  return cycles;
}

export interface LineageTree {
  node: string;
  relation?: string;
  /** True when this node was already shown higher up (a diamond or a cycle). */
  repeated?: boolean;
  children: LineageTree[];
}

/** Ancestors (direction 'up') or descendants ('down') of a node, as a tree. */
export function lineageTree(g: LineageGraph, root: string, direction: 'up' | 'down', maxDepth = 64): LineageTree {
  const seen = new Set<string>();
  const walk = (node: string, relation: string | undefined, depth: number): LineageTree => {
    const t: LineageTree = { node, ...(relation ? { relation } : {}), children: [] };
    if (seen.has(node) || depth >= maxDepth) {
      t.repeated = true;
      return t;
    }
    seen.add(node);
    const edges = (direction === 'up' ? g.parentsOf.get(node) : g.childrenOf.get(node)) ?? [];
    for (const e of edges) t.children.push(walk(direction === 'up' ? e.parent : e.child, e.relation, depth + 1));
    return t;
  };
  return walk(root, undefined, 0);
}

/** The nodes and edges reachable from a node in both directions, for Mermaid and JSON output. */
export function lineageNeighbourhood(g: LineageGraph, root: string): { nodes: string[]; edges: LineageEdge[] } {
  const nodes = new Set<string>([root]);
  const edges = new Set<LineageEdge>();
  for (const dir of ['up', 'down'] as const) {
    const queue = [root];
    const seen = new Set([root]);
    while (queue.length > 0) {
      const n = queue.shift()!;
      for (const e of (dir === 'up' ? g.parentsOf.get(n) : g.childrenOf.get(n)) ?? []) {
        edges.add(e);
        const next = dir === 'up' ? e.parent : e.child;
        nodes.add(next);
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  }
  return { nodes: [...nodes].sort(), edges: [...edges] };
}
