/**
 * Checking a plan with the same engine the pull-request action runs: the planned files laid over the
 * base tree, then validateChange(base, head). Nothing is written before this passes.
 */
import { validateChange, validateTree, type ChangeReport } from '../checks/validate.js';
import type { Finding } from '../registry/findings.js';
import { POLICY_FILE, modelDirOf } from '../registry/layout.js';
import { buildSnapshot, type LoadOptions, type Snapshot, type TreeFile } from '../registry/snapshot.js';
import type { Plan } from './plan.js';
import type { ChangeTiming } from '../checks/change.js';

/** Findings that --no-verify may waive: the gates and the stage order. Schema and consistency never are. */
const GATE_CODES = new Set<Finding['code']>([
  'stage-order',
  'gate-metric',
  'gate-regression',
  'gate-tag',
  'gate-lineage',
  'stage-emptied',
  'split-step',
  'split-soak',
]);

export interface PlanCheck extends ChangeReport {
  /** The errors that stop the write. */
  blocking: Finding[];
  /** Gate failures waived by --no-verify (the action will still report them). */
  waived: Finding[];
}

export function overlay(files: readonly TreeFile[], plan: Plan): TreeFile[] {
  const planned = new Map(plan.files.map((f) => [f.path, f]));
  const out = files.filter((f) => !planned.has(f.path));
  for (const f of plan.files) if (!f.delete) out.push({ path: f.path, type: 'file', text: f.text, size: Buffer.byteLength(f.text) });
  return out;
}

export function checkPlan(
  baseFiles: readonly TreeFile[],
  plan: Plan,
  options: { noVerify?: boolean; load?: LoadOptions; timing?: ChangeTiming } = {},
): PlanCheck {
  const report = validateChange(buildSnapshot(baseFiles, options.load), buildSnapshot(overlay(baseFiles, plan), options.load), options.timing);
  const errors = report.findings.filter((f) => f.severity === 'error');
  const waived = options.noVerify ? errors.filter((f) => GATE_CODES.has(f.code)) : [];
  const blocking = errors.filter((f) => !waived.includes(f));
  return { ...report, ok: blocking.length === 0, blocking, waived };
}

/**
 * The errors a write to `model` must not build on: those in the policy and in the model's own directory
 * (or one whose name differs from it only by case), whether or not the write would touch the file. The
 * pull-request check lets errors already on the base pass as warnings, so one broken model does not block
 * everyone's reviews; a write command is narrower — it adds to this model, so this model must be sound.
 */
export function scopeErrors(snap: Snapshot, model: string): Finding[] {
  const folded = model.toLowerCase();
  const own = (file: string | undefined) => file === POLICY_FILE || (file !== undefined && modelDirOf(file)?.toLowerCase() === folded);
  return validateTree(snap).findings.filter((f) => f.severity === 'error' && own(f.file));
}
