/**
 * The data that spans models, from every model's facts (model-data.ts) and the registry's history:
 * the overview rows, each model's lineage neighbourhood, the history grouped by model and cut into
 * chunks for the audit log, and links to the repository's web pages. Pure.
 */
import { selectEvents, type CompactHistory } from '../registry/history.js';
import { nodeId } from '../registry/lineage.js';
import type { RegistryPolicy } from '../registry/types.js';
import { stringHash, unpackLineage, type ModelMeta } from './model-data.js';
import { HISTORY_CHUNK, LINEAGE_NODE_LIMIT, type HistoryChunkInfo, type LineageUnion, type OverviewData, type SiteHistory, type WebLinks } from './types.js';

export interface NamedMeta {
  name: string;
  value: ModelMeta;
}

/** One row per model the site shows, by name, with its last activity from the history. */
export function overviewData(metas: NamedMeta[], activity: Map<string, string>): OverviewData {
  const rows = metas
    .filter((m) => m.value.shown)
    .map((m) => ({ ...m.value.row, activity: activity.get(m.name) ?? null }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { rows };
}

/**
 * For each model, the versions reachable from any of its versions through parents or through children,
 * with the edges walked (see LineageUnion). Walks stop at `limit` nodes per model. Versions are numbered
 * once and each walk marks what it saw with its own stamp, so 10k models' walks allocate no sets.
 */
export function lineageUnions(metas: NamedMeta[], limit = LINEAGE_NODE_LIMIT): Map<string, LineageUnion> {
  const index = lineageIndex(metas, limit);
  return new Map(metas.filter((m) => m.value.shown).map((m) => [m.name, index.union(m.name)]));
}

export interface LineageIndex {
  /** The model's union (LineageUnion); for a model the index does not hold, its versions alone. */
  union(model: string): LineageUnion;
}

/** The lineage graph of every shown model, numbered for fast walks; each union is walked when asked for. */
export function lineageIndex(metas: NamedMeta[], limit = LINEAGE_NODE_LIMIT): LineageIndex {
  // Versions are numbered model by model: a model's are offset…offset+n-1, in its own order.
  const shown = metas.filter((m) => m.value.shown).map((m) => ({ name: m.name, value: unpackLineage(m.value.lineage) }));
  const offset = new Map<string, number>();
  const versionAt = new Map<string, Map<string, number>>();
  let count = 0;
  for (const { name, value } of shown) {
    offset.set(name, count);
    versionAt.set(name, new Map(value.versions.map((v, i) => [v, i])));
    count += value.versions.length;
  }
  const extra = new Map<string, number>(); // parents the registry does not hold (a dangling reference)
  const idOf = (model: string, version: string) => {
    const i = versionAt.get(model)?.get(version);
    if (i !== undefined) return offset.get(model)! + i;
    const key = nodeId(model, version);
    let x = extra.get(key);
    if (x === undefined) extra.set(key, (x = count + extra.size));
    return x;
  };
  const edgeParent: number[] = [];
  const edgeChild: number[] = [];
  const edgeRelation: (string | null)[] = [];
  const deprecated = new Set<number>();
  for (const { name, value } of shown) {
    const base = offset.get(name)!;
    const at = versionAt.get(name)!;
    for (const v of value.deprecated) deprecated.add(base + at.get(v)!);
    for (const [v, model, version, relation] of value.parents) {
      edgeParent.push(idOf(model, version));
      edgeChild.push(base + at.get(v)!);
      edgeRelation.push(relation);
    }
  }
  const total = count + extra.size;
  const names: string[] = new Array(total);
  for (const [key, i] of extra) names[i] = key;
  const nameOf = (n: number): string => {
    const known = names[n];
    if (known !== undefined) return known;
    let lo = 0;
    let hi = shown.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offset.get(shown[mid]!.name)! <= n) lo = mid;
      else hi = mid - 1;
    }
    const m = shown[lo]!;
    return (names[n] = nodeId(m.name, m.value.versions[n - offset.get(m.name)!]!));
  };
  // Adjacency as compressed rows: the edges of node n are edges[start[n]…start[n+1]).
  const rows = (key: number[]) => {
    const start = new Int32Array(total + 1);
    for (const n of key) start[n + 1]!++;
    for (let i = 0; i < total; i++) start[i + 1]! += start[i]!;
    const fill = start.slice(0, total);
    const list = new Int32Array(key.length);
    key.forEach((n, e) => (list[fill[n]!++] = e));
    return { start, list };
  };
  const up = rows(edgeChild);
  const down = rows(edgeParent);

  const nodeStamp = new Int32Array(total);
  const edgeStamp = new Int32Array(edgeParent.length);
  const walkStamp = new Int32Array(total);
  const position = new Int32Array(total);
  let stamp = 0;
  let walk = 0;
  const byName = new Map(shown.map((m) => [m.name, m.value]));
  const union = (name: string): LineageUnion => {
    const value = byName.get(name);
    if (!value) return { nodes: [], deprecated: [], edges: [], truncated: false };
    stamp++;
    const base = offset.get(name)!;
    const start = value.versions.map((_, i) => base + i);
    const nodes: number[] = [...start];
    for (const n of start) nodeStamp[n] = stamp;
    const edges: number[] = [];
    let truncated = false;
    for (const [adjacent, toward] of [
      [up, edgeParent],
      [down, edgeChild],
    ] as const) {
      walk++;
      const queue = [...start];
      for (const n of start) walkStamp[n] = walk;
      for (let q = 0; q < queue.length; q++) {
        const n = queue[q]!;
        for (let k = adjacent.start[n]!; k < adjacent.start[n + 1]!; k++) {
          const e = adjacent.list[k]!;
          const next = toward[e]!;
          if (nodeStamp[next] !== stamp) {
            if (nodes.length >= limit) {
              truncated = true;
              continue;
            }
            nodeStamp[next] = stamp;
            nodes.push(next);
          }
          if (edgeStamp[e] !== stamp) {
            edgeStamp[e] = stamp;
            edges.push(e);
          }
          if (walkStamp[next] !== walk) {
            walkStamp[next] = walk;
            queue.push(next);
          }
        }
      }
    }
    nodes.forEach((n, i) => (position[n] = i));
    return {
      nodes: nodes.map(nameOf),
      deprecated: nodes.flatMap((n, i) => (deprecated.has(n) ? [i] : [])),
      edges: edges.map((e) => [position[edgeParent[e]!]!, position[edgeChild[e]!]!, edgeRelation[e]!]),
      truncated,
    };
  };
  return { union };
}

export interface LineageMemo {
  /** Each model's lineageKey, its union's hash, the models its union holds, and the models its versions name as parents, as the last build saw them. */
  keys: Record<string, string>;
  hashes: Record<string, string>;
  members: Record<string, string[]>;
  parents: Record<string, string[]>;
  truncated: string[];
}

/**
 * Each model's lineage union (as JSON, when asked for) and its hash, walking only the unions that can
 * have changed since the last build. A model's union holds another's versions exactly when that
 * other's holds its own (an ancestor's descendant is its descendant), so when the models whose
 * versions, deprecations or parents changed are known, the unions to walk are theirs, and those of
 * every model in their unions, before and after; truncated unions are walked every time.
 *
 * A walk needs the graph only of the models it can reach: those its models name as parents, and those
 * that name its models (kept per model, so no other model's facts are unpacked). At 10k models a
 * rebuild after a few changes numbers a few dozen versions, not 100k.
 */
export function lineageHashes(
  metas: NamedMeta[],
  kept: LineageMemo | undefined,
): { memo: LineageMemo; hash(name: string): string; json(name: string): string } {
  const shown = metas.filter((m) => m.value.shown);
  const byName = new Map(shown.map((m) => [m.name, m]));
  const keys = Object.fromEntries(shown.map((m) => [m.name, m.value.lineageKey]));
  const changed = kept
    ? [...shown.filter((m) => kept.keys[m.name] !== m.value.lineageKey).map((m) => m.name), ...Object.keys(kept.keys).filter((n) => !byName.has(n))]
    : shown.map((m) => m.name);
  const changedSet = new Set(changed);
  const parents: Record<string, string[]> = {};
  for (const { name, value } of shown)
    parents[name] = kept && !changedSet.has(name) ? (kept.parents[name] ?? []) : [...new Set(unpackLineage(value.lineage).parents.map((p) => p[1]))];
  // Who names a model as a parent: now, and (for edges a change removed) before.
  const namedBy = new Map<string, Set<string>>();
  for (const source of kept ? [parents, kept.parents] : [parents]) {
    for (const [child, ps] of Object.entries(source)) for (const p of ps) (namedBy.get(p) ?? namedBy.set(p, new Set()).get(p)!).add(child);
  }
  /** The models a walk from `start` can reach through parents and children. */
  const reach = (start: Iterable<string>) => {
    const seen = new Set(start);
    const queue = [...seen];
    for (let q = 0; q < queue.length; q++) {
      for (const next of [...(parents[queue[q]!] ?? []), ...(namedBy.get(queue[q]!) ?? [])]) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return seen;
  };
  const unions = new Map<string, LineageUnion>();
  const union = (name: string) => {
    let u = unions.get(name);
    if (!u) {
      const around = reach([name]);
      // In the order of `metas`, as a whole-registry index numbers them: the walks then meet edges in the same order.
      const index = lineageIndex(around.size === byName.size ? metas : metas.filter((m) => around.has(m.name)));
      for (const n of around) if (byName.has(n) && !unions.has(n)) unions.set(n, index.union(n));
      u = unions.get(name)!;
    }
    return u;
  };
  const membersOf = (u: LineageUnion) => [...new Set(u.nodes.map((n) => n.slice(0, n.lastIndexOf('@'))))];
  let walk: (name: string) => boolean = () => true;
  if (kept) {
    const affected = new Set([...changed, ...kept.truncated]);
    for (const x of changed) {
      for (const y of kept.members[x] ?? []) affected.add(y);
      if (byName.has(x)) for (const y of membersOf(union(x))) affected.add(y);
    }
    walk = (name) => affected.has(name) || !Object.hasOwn(kept.hashes, name);
  }
  const json = new Map<string, string>();
  const jsonOf = (name: string) => {
    let j = json.get(name);
    if (j === undefined) json.set(name, (j = JSON.stringify(union(name))));
    return j;
  };
  const memo: LineageMemo = { keys, hashes: {}, members: {}, parents, truncated: [] };
  for (const { name } of shown) {
    if (walk(name)) {
      const u = union(name);
      memo.hashes[name] = stringHash(jsonOf(name));
      memo.members[name] = membersOf(u);
      if (u.truncated) memo.truncated.push(name);
    } else {
      memo.hashes[name] = kept!.hashes[name]!;
      memo.members[name] = kept!.members[name] ?? [];
      if (kept!.truncated.includes(name)) memo.truncated.push(name);
    }
  }
  return { memo, hash: (name: string) => memo.hashes[name]!, json: jsonOf };
}

/** The positions of each model's events in the registry's history (newest first), and the date of its newest commit. */
export function eventsByModel(history: CompactHistory): { events: Map<string, number[]>; activity: Map<string, string> } {
  const events = new Map<string, number[]>();
  const activity = new Map<string, string>();
  history.events.forEach((e, i) => {
    const list = events.get(e.model);
    if (list) list.push(i);
    else {
      events.set(e.model, [i]);
      activity.set(e.model, history.commits[e.c]!.date);
    }
  });
  return { events, activity };
}

/**
 * A key for a model's history that needs no serialising: its newest commit and how many events it has.
 * A commit id fixes every commit before it on the first-parent line, hence every earlier event.
 */
export function historyKey(history: CompactHistory, positions: number[] | undefined): string {
  if (!positions?.length) return 'none';
  return `${history.commits[history.events[positions[0]!]!.c]!.id}:${positions.length}`;
}

export interface HistoryChunk {
  info: HistoryChunkInfo;
  /** Changes exactly when the chunk's content does (see historyKey); content() builds it. */
  key: string;
  content(): SiteHistory;
}

/**
 * The audit log in chunks of `size` events, oldest chunk first, each chunk newest first. Counted from the
 * oldest event, so new commits only change the last chunk (and add chunks): a rebuild rewrites little.
 */
export function historyChunks(history: CompactHistory, size = HISTORY_CHUNK): HistoryChunk[] {
  // Oldest first: the commits reversed, each commit's own events kept in their order (model, versions, stages).
  const order: number[] = [];
  let end = history.events.length;
  for (let i = history.events.length - 1; i >= 0; i--) {
    if (i === 0 || history.events[i - 1]!.c !== history.events[i]!.c) {
      for (let j = i; j < end; j++) order.push(j);
      end = i;
    }
  }
  const chunks: HistoryChunk[] = [];
  for (let a = 0; a < order.length; a += size) {
    const part = order.slice(a, a + size);
    const date = (i: number) => history.commits[history.events[i]!.c]!.date;
    const last = history.events[part[part.length - 1]!]!;
    // Newest first inside the chunk: commits reversed back, events within a commit in their order.
    const newestFirst = () => {
      const groups: number[][] = [];
      for (const i of part) {
        const g = groups[groups.length - 1];
        if (g && history.events[g[0]!]!.c === history.events[i]!.c) g.push(i);
        else groups.push([i]);
      }
      return groups.reverse().flat();
    };
    chunks.push({
      info: { from: date(part[0]!), to: date(part[part.length - 1]!), events: part.length },
      key: `${a}:${part.length}:${history.commits[last.c]!.id}:${part.filter((i) => history.events[i]!.c === last.c).length}`,
      content: () => selectEvents(history, newestFirst()),
    });
  }
  return chunks;
}

/**
 * Web pages for commits and pull requests when the remote is on GitHub (github.com, or the host of
 * GITHUB_SERVER_URL on GitHub Enterprise). Owner and repository must be plain names, so a link can
 * never carry anything else; credentials in the URL are dropped.
 */
export function webLinks(remote: string | null, serverUrl?: string): WebLinks | null {
  if (!remote) return null;
  const m = /^(?:https?:\/\/(?:[^@/]*@)?|ssh:\/\/(?:[^@/]*@)?|[^@/\s]+@)([A-Za-z0-9.-]+)(?::\d+)?[:/]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(?:\.git)?\/?$/.exec(
    remote.trim(),
  );
  if (!m) return null;
  const [, host, owner, repo] = m as unknown as [string, string, string, string];
  let server: string | undefined;
  if (host.toLowerCase() === 'github.com') server = 'https://github.com';
  else if (serverUrl) {
    try {
      const u = new URL(serverUrl);
      if (u.protocol === 'https:' && u.host.toLowerCase() === host.toLowerCase()) server = `https://${u.host}`;
    } catch {
      // not a URL: no links
    }
  }
  if (!server || owner === '.' || owner === '..' || repo === '.' || repo === '..') return null;
  const base = `${server}/${owner}/${repo}`;
  return { commit: `${base}/commit/`, pr: `${base}/pull/` };
}

/** The store as the policy names it, without a trailing slash (file:// paths stay relative to the registry, as written). */
export function siteStore(policy: RegistryPolicy | undefined): string | null {
  const raw = policy?.artifacts.store;
  return raw ? raw.replace(/\/+$/, '') : null;
}
