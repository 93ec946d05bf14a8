/**
 * The verdict on a pull request, as plain data: what changed, each promotion with its gates (approvals
 * included) and the candidate's metrics beside the current holder's, the lineage around what changed,
 * artifact presence, and every finding. Pure: the action fetches, this decides, render.ts writes it out.
 * The same object is the action's `report` output and report.json.
 */
import type { ChangeReport } from '../checks/validate.js';
import type { StageMove } from '../checks/change.js';
import type { GateResult } from '../checks/gates.js';
import { findingAt } from '../checks/locate.js';
import { finding, sortFindings, type Finding, type Severity } from '../registry/findings.js';
import { stagePolicy } from '../checks/gates.js';
import { compareMetrics } from '../registry/metrics.js';
import type { Loaded, Snapshot } from '../registry/snapshot.js';
import type { VersionManifest } from '../registry/types.js';
import type { ApprovalRequirement, ApprovalResult } from './approvals.js';

export type FailLevel = 'error' | 'warning' | 'none';

export const FAIL_LEVELS: readonly FailLevel[] = ['error', 'warning', 'none'];

/** A metric of the candidate beside the current holder's: delta = candidate − holder. */
export interface MetricRow {
  name: string;
  candidate: number | null;
  holder: number | null;
  delta: number | null;
}

/** A stage move as the change rules saw it, with the approval gate added and the metrics beside the holder's. */
export interface PromotionReport extends Omit<StageMove, 'gates'> {
  passed: boolean;
  gates: (GateResult | ApprovalGate)[];
  metrics: MetricRow[];
}

export interface ApprovalGate {
  gate: 'approvals';
  subject: string;
  passed: boolean;
  message: string;
  approvals: ApprovalResult;
}

export interface ArtifactCheck {
  /** The store checked (from the base policy), or null when there was none to check. */
  store: string | null;
  /** Artifacts looked up. */
  checked: number;
  /** Findings: artifact-missing, artifact-size, artifact-unchecked. */
  findings: Finding[];
}

export interface LineageEdgeReport {
  parent: string;
  child: string;
  relation: string | null;
}

export interface ActionReport {
  format: 'modelreg-report/v1';
  verdict: 'pass' | 'fail';
  failLevel: FailLevel;
  event: string;
  pullRequest: number | null;
  base: string;
  head: string;
  counts: Record<Severity, number>;
  /** Every model the change touches. */
  models: string[];
  change: Omit<ChangeReport['change'], 'stageMoves'>;
  promotions: PromotionReport[];
  artifacts: ArtifactCheck;
  lineage: { changed: string[]; edges: LineageEdgeReport[] };
  findings: Finding[];
}

export interface ReportInput {
  event: string;
  pullRequest: number | null;
  base: string;
  head: string;
  baseSnapshot: Snapshot;
  headSnapshot: Snapshot;
  change: ChangeReport;
  /** Approval verdicts by "model/stage", for the moves whose base stage policy requires approvals. */
  approvals: Map<string, ApprovalResult>;
  artifacts: ArtifactCheck;
  /** Findings of the edge itself (a merge conflict, approvals that could not be read, ...). */
  extraFindings?: Finding[];
  failLevel: FailLevel;
}

export const moveKey = (m: Pick<StageMove, 'model' | 'stage'>): string => `${m.model}/${m.stage}`;

/** The approval requirement of each stage move, from the base policy (never the head's). */
export function approvalRequirements(base: Snapshot, moves: StageMove[]): { move: StageMove; requirement: ApprovalRequirement }[] {
  const policy = base.policy?.data;
  if (!policy) return [];
  return moves.flatMap((move) => {
    const requirement = stagePolicy(policy, move.stage)?.gates?.approvals;
    return requirement ? [{ move, requirement }] : [];
  });
}

/** The artifacts a change must bring into the store: those of the versions it adds. */
export function artifactsToCheck(change: ChangeReport['change'], head: Snapshot): { ref: string; version: Loaded<VersionManifest>; index: number; sha256: string; size: number; path: string }[] {
  return change.versionsAdded.flatMap((ref) => {
    const at = ref.lastIndexOf('@');
    const version = head.models.get(ref.slice(0, at))?.versions.get(ref.slice(at + 1));
    return version ? version.data.artifacts.map((a, index) => ({ ref, version, index, sha256: a.sha256, size: a.size, path: a.path })) : [];
  });
}

export function buildReport(input: ReportInput): ActionReport {
  const { baseSnapshot: base, headSnapshot: head, change } = input;
  const findings: Finding[] = [...change.findings, ...input.artifacts.findings, ...(input.extraFindings ?? [])];
  const promotions = change.change.stageMoves.map((move): PromotionReport => {
    const gates: PromotionReport['gates'] = [...move.gates];
    const approvals = input.approvals.get(moveKey(move));
    if (approvals) {
      gates.push({ gate: 'approvals', subject: move.stage, passed: approvals.passed, message: approvals.message, approvals });
      if (!approvals.passed) {
        const stageFile = head.models.get(move.model)?.stages.get(move.stage);
        const message = `${move.model}@${move.to} → ${move.stage}: ${approvals.message}`;
        findings.push(stageFile ? findingAt('gate-approvals', message, stageFile, '/version') : finding('gate-approvals', message, { file: move.file }));
      }
    }
    const candidate = head.models.get(move.model)?.versions.get(move.to)?.data.metrics;
    const holder = move.from ? base.models.get(move.model)?.versions.get(move.from)?.data.metrics : undefined;
    const metrics = compareMetrics(holder, candidate).map((r) => ({ name: r.name, candidate: r.b, holder: r.a, delta: r.delta }));
    const passed = gates.every((g) => g.passed) && !findings.some((f) => f.severity === 'error' && f.file === move.file);
    return { model: move.model, stage: move.stage, from: move.from, to: move.to, rollback: move.rollback, file: move.file, passed, gates, metrics };
  });
  const sorted = sortFindings(findings);
  const counts = { error: 0, warning: 0, notice: 0 } satisfies Record<Severity, number>;
  for (const f of sorted) counts[f.severity]++;
  const failing = input.failLevel === 'none' ? false : input.failLevel === 'warning' ? counts.error + counts.warning > 0 : counts.error > 0;
  const { stageMoves: _moves, ...changeRest } = change.change;
  return {
    format: 'modelreg-report/v1',
    verdict: failing ? 'fail' : 'pass',
    failLevel: input.failLevel,
    event: input.event,
    pullRequest: input.pullRequest,
    base: input.base,
    head: input.head,
    counts,
    models: change.change.models,
    change: changeRest,
    promotions,
    artifacts: input.artifacts,
    lineage: lineageAround(head, [...change.change.versionsAdded, ...change.change.stageMoves.map((m) => `${m.model}@${m.to}`)]),
    findings: sorted,
  };
}

/** The changed versions with their parents and children, at most `limit` edges. */
function lineageAround(head: Snapshot, changed: string[], limit = 60): ActionReport['lineage'] {
  const set = new Set(changed);
  const edges: LineageEdgeReport[] = [];
  for (const m of head.models.values()) {
    for (const v of m.versions.values()) {
      const child = `${v.data.name}@${v.data.version}`;
      for (const p of v.data.lineage?.parents ?? []) {
        const parent = `${p.model}@${p.version}`;
        if ((set.has(child) || set.has(parent)) && edges.length < limit) edges.push({ parent, child, relation: p.relation ?? null });
      }
    }
  }
  return { changed: [...set].sort(), edges };
}
