/**
 * The verdict on a pull request, as plain data: what changed, each promotion with its gates (approvals
 * included) and the candidate's metrics beside the current holder's, the lineage around what changed,
 * artifact presence, and every finding. Pure: the action fetches, this decides, render.ts writes it out.
 * The same object is the action's `report` output and report.json.
 */
import type { ChangeReport } from '../checks/validate.js';
import type { ChangeSummary, StageMove } from '../checks/change.js';
import type { GateResult } from '../checks/gates.js';
import { findingAt } from '../checks/locate.js';
import { finding, sortFindings, type Finding, type Severity } from '../registry/findings.js';
import { stagePolicy } from '../checks/gates.js';
import { compareMetrics } from '../registry/metrics.js';
import type { Loaded, Snapshot } from '../registry/snapshot.js';
import type { StageManifest, VersionManifest } from '../registry/types.js';
import { paths } from '../registry/layout.js';
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
/** An approval gate a change faces: entering a stage, or removing its holder (which needs the same). */
export interface ApprovalNeed {
  key: string;
  model: string;
  stage: string;
  /** What needs approving, for messages: "sentiment@1.2.0 → production" or "removing sentiment@1.1.0 from production". */
  what: string;
  file: string;
  requirement: ApprovalRequirement;
}

export function approvalRequirements(base: Snapshot, change: Pick<ChangeSummary, 'stageMoves' | 'stagesRemoved'>): ApprovalNeed[] {
  const policy = base.policy?.data;
  if (!policy) return [];
  const need = (model: string, stage: string, what: string, file: string): ApprovalNeed[] => {
    const requirement = stagePolicy(policy, stage)?.gates?.approvals;
    return requirement ? [{ key: moveKey({ model, stage }), model, stage, what, file, requirement }] : [];
  };
  return [
    ...change.stageMoves.flatMap((m) => need(m.model, m.stage, `${m.model}@${m.to} → ${m.stage}`, m.file)),
    ...change.stagesRemoved.flatMap((r) => need(r.model, r.stage, `removing ${r.model}@${r.version} from ${r.stage}`, paths.stage(r.model, r.stage))),
  ];
}

/**
 * The artifacts a change must have in the store: those of the versions it adds, and of every version
 * it moves into a stage (an existing version's bytes may be gone — never uploaded from a local store,
 * or collected — and production must not name weights that do not exist). A stage's findings point at
 * the stage file.
 */
export function artifactsToCheck(change: ChangeReport['change'], head: Snapshot): ArtifactToCheck[] {
  const added = change.versionsAdded.flatMap((ref) => {
    const at = ref.lastIndexOf('@');
    const version = head.models.get(ref.slice(0, at))?.versions.get(ref.slice(at + 1));
    return version ? version.data.artifacts.map((a, index) => ({ ref, version, index, sha256: a.sha256, size: a.size, path: a.path })) : [];
  });
  const entering = change.stageMoves.flatMap((m) => {
    const version = head.models.get(m.model)?.versions.get(m.to);
    const stage = head.models.get(m.model)?.stages.get(m.stage);
    if (!version || !stage) return [];
    const ref = `${m.model}@${m.to}`;
    return version.data.artifacts.map((a, index) => ({ ref, version, index, sha256: a.sha256, size: a.size, path: a.path, stage }));
  });
  return [...added, ...entering];
}

export interface ArtifactToCheck {
  ref: string;
  /** The version manifest that names the artifact (its lines locate the findings). */
  version: Loaded<VersionManifest>;
  index: number;
  path: string;
  sha256: string;
  size: number;
  /** When the version enters a stage: the stage file, where the finding points. */
  stage?: Loaded<StageManifest>;
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
    return {
      model: move.model,
      stage: move.stage,
      from: move.from,
      to: move.to,
      rollback: move.rollback,
      file: move.file,
      passed,
      gates,
      metrics,
      ...(move.split ? { split: move.split } : {}),
    };
  });
  // Removing a stage's holder needs the approvals of that stage, as entering it does.
  for (const r of change.change.stagesRemoved) {
    const approvals = input.approvals.get(moveKey(r));
    if (approvals && !approvals.passed)
      findings.push(
        finding('gate-approvals', `removing ${r.model}@${r.version} from ${r.stage}: ${approvals.message}`, { file: paths.stage(r.model, r.stage) }),
      );
  }
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
