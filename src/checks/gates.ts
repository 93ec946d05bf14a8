/**
 * Promotion gates: what a version must satisfy to enter a stage, under a given policy. Pure, and shared
 * by `validate --base --head`, the write commands (which refuse before committing) and the action (which
 * reports each gate in the pull request's summary).
 */
import type { RegistryPolicy, StagePolicy, VersionManifest } from '../registry/types.js';

export type GateKind = 'order' | 'deprecated' | 'metric' | 'regression' | 'tag' | 'lineage';

export interface GateResult {
  gate: GateKind;
  /** The metric, tag or lineage field concerned; the stage for order. */
  subject: string;
  passed: boolean;
  message: string;
  candidate?: number | string | null;
  /** The threshold, the holder's value, or the expected tag value. */
  reference?: number | string | null;
}

export interface GateInput {
  policy: RegistryPolicy;
  stage: string;
  candidate: VersionManifest;
  /** The version holding the stage now (in the base), if any. */
  holder?: VersionManifest;
  /** Stages the candidate holds now (in the base). */
  candidateStages: string[];
  /** A rollback to the stage's previous holder is exempt from order and regression. */
  rollback?: boolean;
}

export function stagePolicy(policy: RegistryPolicy, stage: string): StagePolicy | undefined {
  return policy.stages.find((s) => s.name === stage);
}

/** The stages a version must hold before entering `stage`: explicit `from`, else the one listed before it. */
export function entryStages(policy: RegistryPolicy, stage: string): string[] {
  const i = policy.stages.findIndex((s) => s.name === stage);
  if (i < 0) return [];
  const s = policy.stages[i]!;
  if (s.from) return s.from;
  return i === 0 ? [] : [policy.stages[i - 1]!.name];
}

export function evaluateGates(input: GateInput): GateResult[] {
  const { policy, stage, candidate, holder } = input;
  const out: GateResult[] = [];
  const ref = `${candidate.name}@${candidate.version}`;
  if (candidate.deprecated) {
    out.push({ gate: 'deprecated', subject: stage, passed: false, message: `${ref} is deprecated and cannot be promoted` });
  }
  const from = entryStages(policy, stage);
  if (!input.rollback && from.length > 0) {
    const ok = from.some((f) => input.candidateStages.includes(f));
    out.push({
      gate: 'order',
      subject: stage,
      passed: ok,
      message: ok
        ? `${ref} holds ${from.filter((f) => input.candidateStages.includes(f)).join(', ')}`
        : `${ref} must hold ${from.join(' or ')} before entering ${stage}`,
    });
  }
  const gates = stagePolicy(policy, stage)?.gates ?? {};
  const metrics = candidate.metrics ?? {};
  for (const [name, t] of Object.entries(gates.metrics ?? {})) {
    const value = Object.hasOwn(metrics, name) ? metrics[name]! : undefined;
    const bounds = [t.min !== undefined ? `≥ ${t.min}` : '', t.max !== undefined ? `≤ ${t.max}` : ''].filter(Boolean).join(' and ');
    if (value === undefined) {
      out.push({
        gate: 'metric',
        subject: name,
        passed: false,
        message: `metric ${name} is missing; ${stage} needs ${name} ${bounds}`,
        candidate: null,
        reference: bounds,
      });
      continue;
    }
    const passed = (t.min === undefined || value >= t.min) && (t.max === undefined || value <= t.max);
    out.push({ gate: 'metric', subject: name, passed, message: `${name} = ${value}; ${stage} needs ${bounds}`, candidate: value, reference: bounds });
  }
  if (!input.rollback && holder && holder.version !== candidate.version) {
    const held = holder.metrics ?? {};
    for (const [name, r] of Object.entries(gates.no_regression ?? {})) {
      const before = Object.hasOwn(held, name) ? held[name]! : undefined;
      const after = Object.hasOwn(metrics, name) ? metrics[name]! : undefined;
      const tol = r.tolerance ?? 0;
      if (before === undefined) {
        out.push({
          gate: 'regression',
          subject: name,
          passed: true,
          message: `${holder.version} has no ${name} to compare with`,
          candidate: after ?? null,
          reference: null,
        });
        continue;
      }
      if (after === undefined) {
        out.push({
          gate: 'regression',
          subject: name,
          passed: false,
          message: `metric ${name} is missing; ${holder.version} has ${before}`,
          candidate: null,
          reference: before,
        });
        continue;
      }
      const worse = r.better === 'higher' ? before - after : after - before;
      const passed = worse <= tol + 1e-12;
      out.push({
        gate: 'regression',
        subject: name,
        passed,
        message: `${name} ${after} against ${before} held by ${holder.version} (${r.better} is better${tol ? `, tolerance ${tol}` : ''})`,
        candidate: after,
        reference: before,
      });
    }
  }
  const tags = candidate.tags ?? {};
  for (const req of gates.required_tags ?? []) {
    const eq = req.indexOf('=');
    const key = eq < 0 ? req : req.slice(0, eq);
    const want = eq < 0 ? undefined : req.slice(eq + 1);
    const have = Object.hasOwn(tags, key) ? tags[key] : undefined;
    const passed = have !== undefined && (want === undefined || have === want);
    out.push({
      gate: 'tag',
      subject: key,
      passed,
      message: passed
        ? `tag ${key} = ${have}`
        : have === undefined
          ? `tag ${key} is required by ${stage}`
          : `tag ${key} is ${JSON.stringify(have)}; ${stage} requires ${JSON.stringify(want)}`,
      candidate: have ?? null,
      reference: want ?? null,
    });
  }
  const lineage = candidate.lineage ?? {};
  for (const field of gates.required_lineage ?? []) {
    const v = lineage[field];
    const passed = v !== undefined && (!Array.isArray(v) || v.length > 0);
    out.push({ gate: 'lineage', subject: field, passed, message: passed ? `lineage.${field} is recorded` : `lineage.${field} is required by ${stage}` });
  }
  return out;
}
