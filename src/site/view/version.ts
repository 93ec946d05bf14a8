/**
 * A version page as data: its artifacts with their store URIs, its lineage neighbourhood, and what each
 * stage's gates would say of a promotion — the same evaluateGates the write commands and the pull-request
 * check run, against the stage's current holder. Pure.
 */
import { entryStages, evaluateGates, type GateResult } from '../../checks/gates.js';
import { lineageGraph, lineageNeighbourhood, type LineageEdge } from '../../registry/lineage.js';
import { objectUri } from '../../registry/objects.js';
import type { ArtifactEntry, RegistryPolicy, VersionManifest } from '../../registry/types.js';
import type { LineageUnion, ModelLocal } from '../types.js';

export interface StageGates {
  stage: string;
  /** The version holding it now, if any. */
  holder: string | null;
  /** The version holds this stage already. */
  holds: boolean;
  /** Stages it must hold first. */
  from: string[];
  results: GateResult[];
  passed: boolean;
  /** Approvals are counted on the pull request, not here. */
  approvals?: { count: number; from?: string[] };
}

/** For each stage of the policy, in order: the gates a promotion of this version would face now. */
export function versionGates(policy: RegistryPolicy, local: ModelLocal, candidate: VersionManifest): StageGates[] {
  const byVersion = new Map(local.versions.map((v) => [v.version, v]));
  const holds = local.stages.filter((s) => s.version === candidate.version).map((s) => s.stage);
  return policy.stages.map((s) => {
    const holderId = local.stages.find((x) => x.stage === s.name)?.version ?? null;
    const holder = holderId ? byVersion.get(holderId) : undefined;
    const results = evaluateGates({ policy, stage: s.name, candidate, ...(holder ? { holder } : {}), candidateStages: holds });
    return {
      stage: s.name,
      holder: holderId,
      holds: holds.includes(s.name),
      from: entryStages(policy, s.name),
      results,
      passed: results.every((r) => r.passed),
      ...(s.gates?.approvals ? { approvals: s.gates.approvals } : {}),
    };
  });
}

export interface ArtifactRow extends ArtifactEntry {
  /** Where the store keeps it, or null when the policy names no store. */
  uri: string | null;
}

export function artifactRows(v: VersionManifest, store: string | null): ArtifactRow[] {
  return v.artifacts.map((a) => ({ ...a, uri: store ? objectUri(store, a.sha256) : null }));
}

export interface Neighbourhood {
  root: string;
  nodes: { id: string; model: string; version: string; deprecated: boolean; root: boolean }[];
  edges: LineageEdge[];
  truncated: boolean;
}

/** The union's edges by name@version. */
export function unionEdges(union: LineageUnion): LineageEdge[] {
  return union.edges.map(([p, c, relation]) => ({ parent: union.nodes[p]!, child: union.nodes[c]!, ...(relation ? { relation } : {}) }));
}

/** The version's ancestors and descendants within its model's lineage union (the walk `modelreg lineage` makes). */
export function neighbourhood(union: LineageUnion, root: string): Neighbourhood {
  const g = lineageGraph(union.nodes, unionEdges(union));
  const { nodes, edges } = lineageNeighbourhood(g, root);
  const deprecated = new Set(union.deprecated.map((i) => union.nodes[i]!));
  return {
    root,
    nodes: nodes.map((id) => {
      const at = id.lastIndexOf('@');
      return { id, model: id.slice(0, at), version: id.slice(at + 1), deprecated: deprecated.has(id), root: id === root };
    }),
    edges,
    truncated: union.truncated,
  };
}
