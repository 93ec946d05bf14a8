import { describe, expect, it } from 'vitest';
import { buildLineage, findCycles, lineageNeighbourhood, lineageTree, nodeId, type LineageEdge, type LineageGraph } from '../../src/registry/lineage.js';
import { M, V, fixtureFiles, model, snap, version } from './helpers.js';

/** A graph from "child <- parent" pairs; `nodes` adds nodes without edges. */
function graph(edges: [child: string, parent: string, relation?: string][], nodes: string[] = []): LineageGraph {
  const g: LineageGraph = { nodes: new Set(nodes), edges: [], parentsOf: new Map(), childrenOf: new Map() };
  for (const [child, parent, relation] of edges) {
    g.nodes.add(child);
    const e: LineageEdge = { parent, child, ...(relation ? { relation } : {}) };
    g.edges.push(e);
    g.parentsOf.set(child, [...(g.parentsOf.get(child) ?? []), e]);
    g.childrenOf.set(parent, [...(g.childrenOf.get(parent) ?? []), e]);
  }
  return g;
}

/** A tree as nested [node, children] with `*` marking a repeated node, for readable assertions. */
type Shape = [string, Shape[]] | string;
function shape(t: ReturnType<typeof lineageTree>): Shape {
  if (t.repeated) return `${t.node}*`;
  return t.children.length ? [t.node, t.children.map(shape)] : t.node;
}

describe('buildLineage', () => {
  it('has every version as a node and every parent as an edge, with its relation', () => {
    const g = buildLineage(snap(fixtureFiles()));
    expect([...g.nodes].sort()).toEqual([
      'bert-base@1.0.0',
      'sentiment-int8@1.0.0',
      'sentiment@1.0.0',
      'sentiment@1.1.0',
      'sentiment@1.2.0',
      'sentiment@2.0.0-rc.1',
    ]);
    expect(g.edges).toHaveLength(5);
    expect(g.parentsOf.get('sentiment-int8@1.0.0')).toEqual([{ parent: 'sentiment@1.1.0', child: 'sentiment-int8@1.0.0', relation: 'quantized-from' }]);
    expect(
      g.childrenOf
        .get('bert-base@1.0.0')!
        .map((e) => e.child)
        .sort(),
    ).toEqual(['sentiment@1.0.0', 'sentiment@1.1.0', 'sentiment@1.2.0', 'sentiment@2.0.0-rc.1']);
    expect(g.parentsOf.has('bert-base@1.0.0')).toBe(false);
  });

  it('keeps edges to parents that do not exist, without making them nodes', () => {
    const g = buildLineage(
      snap({ [M('m')]: model('m'), [V('m', '1.0.0')]: version('m', '1.0.0', { lineage: { parents: [{ model: 'gone', version: '1.0.0' }] } }) }),
    );
    expect([...g.nodes]).toEqual(['m@1.0.0']);
    expect(g.edges).toEqual([{ parent: 'gone@1.0.0', child: 'm@1.0.0' }]);
    expect(g.childrenOf.get('gone@1.0.0')).toHaveLength(1);
  });

  it('nodeId', () => {
    expect(nodeId('m', '1.0.0')).toBe('m@1.0.0');
  });
});

describe('findCycles', () => {
  it('finds none in a DAG, diamonds included', () => {
    expect(
      findCycles(
        graph([
          ['b', 'a'],
          ['c', 'a'],
          ['d', 'b'],
          ['d', 'c'],
        ]),
      ),
    ).toEqual([]);
    expect(findCycles(buildLineage(snap(fixtureFiles())))).toEqual([]);
  });

  it('finds a → b → a once', () => {
    expect(
      findCycles(
        graph([
          ['a', 'b'],
          ['b', 'a'],
        ]),
      ),
    ).toEqual([['a', 'b']]);
  });

  it('finds a self-loop', () => {
    expect(findCycles(graph([['a', 'a']]))).toEqual([['a']]);
  });

  it('finds a longer cycle reached from outside it, without the lead-in', () => {
    // 0's parent is a; a → b → c → a. Nodes are visited in sorted order, so the walk starts at 0.
    expect(
      findCycles(
        graph([
          ['0', 'a'],
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
  });

  it('finds separate cycles', () => {
    expect(
      findCycles(
        graph([
          ['a', 'b'],
          ['b', 'a'],
          ['p', 'q'],
          ['q', 'p'],
        ]),
      ),
    ).toEqual([
      ['a', 'b'],
      ['p', 'q'],
    ]);
  });

  it('walks a very long chain without overflowing the stack', () => {
    const n = 20_000;
    const edges: [string, string][] = [];
    for (let i = 1; i < n; i++) edges.push([`v${i}`, `v${i - 1}`]);
    expect(findCycles(graph(edges))).toEqual([]);
    edges.push(['v0', `v${n - 1}`]);
    const cycles = findCycles(graph(edges));
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n);
  });
});

describe('lineageTree', () => {
  // A diamond: d derives from b and c, both from a.
  const diamond = graph([
    ['b', 'a', 'fine-tuned-from'],
    ['c', 'a', 'distilled-from'],
    ['d', 'b', 'merged-from'],
    ['d', 'c', 'merged-from'],
  ]);

  it('ancestors of a diamond show the shared ancestor once, then as repeated', () => {
    const t = lineageTree(diamond, 'd', 'up');
    expect(shape(t)).toEqual([
      'd',
      [
        ['b', ['a']],
        ['c', ['a*']],
      ],
    ]);
    expect(t.relation).toBeUndefined();
    expect(t.children.map((c) => c.relation)).toEqual(['merged-from', 'merged-from']);
    expect(t.children[0]!.children[0]).toEqual({ node: 'a', relation: 'fine-tuned-from', children: [] });
    expect(t.children[1]!.children[0]).toEqual({ node: 'a', relation: 'distilled-from', children: [], repeated: true });
  });

  it('descendants of a diamond', () => {
    expect(shape(lineageTree(diamond, 'a', 'down'))).toEqual([
      'a',
      [
        ['b', ['d']],
        ['c', ['d*']],
      ],
    ]);
  });

  it('a node without relatives is a leaf', () => {
    expect(lineageTree(diamond, 'a', 'up')).toEqual({ node: 'a', children: [] });
    expect(lineageTree(diamond, 'unknown', 'down')).toEqual({ node: 'unknown', children: [] });
  });

  it('stops at a cycle', () => {
    expect(
      shape(
        lineageTree(
          graph([
            ['a', 'b'],
            ['b', 'a'],
          ]),
          'a',
          'up',
        ),
      ),
    ).toEqual(['a', [['b', ['a*']]]]);
  });

  it('stops at the depth limit, marking the cut', () => {
    const chain = graph([
      ['d', 'c'],
      ['c', 'b'],
      ['b', 'a'],
    ]);
    expect(shape(lineageTree(chain, 'd', 'up', 2))).toEqual(['d', [['c', ['b*']]]]);
    expect(shape(lineageTree(chain, 'd', 'up'))).toEqual(['d', [['c', [['b', ['a']]]]]]);
  });
});

describe('lineageNeighbourhood', () => {
  // a → b → d, a → c, e → d; and an unrelated x → y.
  const g = graph([
    ['b', 'a'],
    ['c', 'a'],
    ['d', 'b'],
    ['d', 'e'],
    ['y', 'x'],
  ]);
  const names = (edges: LineageEdge[]) => edges.map((e) => `${e.parent}>${e.child}`).sort();

  it('holds the ancestors and descendants of a node, not its siblings or cousins', () => {
    const n = lineageNeighbourhood(g, 'b');
    expect(n.nodes).toEqual(['a', 'b', 'd']);
    expect(names(n.edges)).toEqual(['a>b', 'b>d']);
  });

  it('a descendant’s other parents are not followed', () => {
    const n = lineageNeighbourhood(g, 'a');
    expect(n.nodes).toEqual(['a', 'b', 'c', 'd']);
    expect(names(n.edges)).toEqual(['a>b', 'a>c', 'b>d']);
  });

  it('a diamond: every edge once', () => {
    const d = graph([
      ['b', 'a'],
      ['c', 'a'],
      ['d', 'b'],
      ['d', 'c'],
    ]);
    const n = lineageNeighbourhood(d, 'd');
    expect(n.nodes).toEqual(['a', 'b', 'c', 'd']);
    expect(names(n.edges)).toEqual(['a>b', 'a>c', 'b>d', 'c>d']);
  });

  it('terminates on a cycle', () => {
    const n = lineageNeighbourhood(
      graph([
        ['a', 'b'],
        ['b', 'a'],
      ]),
      'a',
    );
    expect(n.nodes).toEqual(['a', 'b']);
    expect(names(n.edges)).toEqual(['a>b', 'b>a']);
  });

  it('a lone node', () => {
    expect(lineageNeighbourhood(g, 'zzz')).toEqual({ nodes: ['zzz'], edges: [] });
  });
});
