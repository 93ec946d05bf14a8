/**
 * Promotion gates: what a version must satisfy to enter a stage, under a given policy. Pure, and shared
 * by `validate --base --head`, the write commands (which refuse before committing) and the action (which
 * reports each gate in the pull request's summary).
 */
import { humanDuration, soakMillis, type SplitGain } from '../registry/split.js';
import type { RegistryPolicy, SplitPolicy, StagePolicy, VersionManifest } from '../registry/types.js';

export type GateKind = 'order' | 'deprecated' | 'metric' | 'regression' | 'tag' | 'lineage' | 'step' | 'soak';

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
  /** The candidate is in the stage's split already (it met the order when it joined). */
  inSplit?: boolean;
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
  if (!input.rollback && from.length > 0 && input.inSplit) {
    out.push({ gate: 'order', subject: stage, passed: true, message: `${ref} is in ${stage}'s split already` });
  } else if (!input.rollback && from.length > 0) {
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

export interface SplitGateInput {
  /** The stage's split rules (its policy's `split`). */
  rules: SplitPolicy;
  stage: string;
  /** model@version of the version gaining. */
  ref: string;
  gain: SplitGain;
  /** When the base's stage file was written (the later of its commit time and its moved_at); undefined: not known. */
  since?: string;
  /** The time the change is judged at. */
  now?: string;
}

/**
 * How weight may grow in a stage that has a holder: by at most `max_step` points in one change (a new
 * shadow gains none), and, for a version that already had weight, only after it held it for `soak` —
 * counted from the base's last change of the stage file, so a canary is watched at each weight before it
 * grows. Without the times the soak cannot be judged, and fails closed.
 */
export function evaluateSplitGates(input: SplitGateInput): GateResult[] {
  const { rules, stage, ref, gain } = input;
  const out: GateResult[] = [];
  if (rules.max_step !== undefined && !gain.shadow) {
    const growth = gain.to - gain.from;
    out.push({
      gate: 'step',
      subject: stage,
      passed: growth <= rules.max_step,
      message: `${ref} grows by ${growth} points (${gain.from}% → ${gain.to}%); ${stage} lets a weight grow by at most ${rules.max_step} at a time`,
      candidate: growth,
      reference: rules.max_step,
    });
  }
  const soak = rules.soak !== undefined ? soakMillis(rules.soak) : undefined;
  if (soak !== undefined && gain.from > 0) {
    const since = input.since ? Date.parse(input.since) : NaN;
    const now = input.now ? Date.parse(input.now) : NaN;
    if (Number.isNaN(since) || Number.isNaN(now)) {
      out.push({
        gate: 'soak',
        subject: stage,
        passed: false,
        message: `${ref}'s time at ${gain.from}% cannot be judged: the time the base's split was set is not known; ${stage} needs ${rules.soak} at each weight`,
        reference: rules.soak!,
      });
    } else {
      const held = now - since;
      out.push({
        gate: 'soak',
        subject: stage,
        passed: held >= soak,
        message: `${ref} has held ${gain.from}% for ${humanDuration(held)} (since ${input.since}); ${stage} needs ${rules.soak} at each weight${held < soak ? `: ${humanDuration(soak - held + 59_999)} to go` : ''}`,
        candidate: humanDuration(held),
        reference: rules.soak!,
      });
    }
  }
  return out;
}
