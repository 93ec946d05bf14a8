/**
 * A stage's split as plain data (issue 21): who receives its traffic and how much. A stage file without
 * `arms` is a split of one — its holder at 100 — so every reader (the change check, the report, history,
 * the renderers) reads one shape whether or not the stage is split.
 */
import type { SplitPolicy, StageArm, StageManifest, StagePolicy } from './types.js';

/** The arms of a stage file: its split's, its holder alone at 100, or none for a stage no one holds. */
export function splitOf(stage: Pick<StageManifest, 'version' | 'arms'> | undefined): StageArm[] {
  if (!stage) return [];
  return stage.arms ? stage.arms.map((a) => ({ ...a })) : [{ version: stage.version, weight: 100 }];
}

/** The weight `version` receives in `arms`: 0 for a shadow or a version outside the split. */
export function weightIn(arms: readonly StageArm[], version: string): number {
  const arm = arms.find((a) => a.version === version);
  return arm && !arm.shadow ? (arm.weight ?? 0) : 0;
}

/** A version whose share of a stage grows in a change: more weight, or a new shadow. */
export interface SplitGain {
  version: string;
  /** Its weight before and after (0 for a shadow and for a version outside the split). */
  from: number;
  to: number;
  /** It enters as a shadow (a mirrored copy of the traffic, no weight). */
  shadow: boolean;
}

/** The versions that gain in going from `before` to `after`, in `after`'s order. */
export function splitGains(before: readonly StageArm[], after: readonly StageArm[]): SplitGain[] {
  const gains: SplitGain[] = [];
  for (const arm of after) {
    const was = before.find((a) => a.version === arm.version);
    const from = weightIn(before, arm.version);
    const to = weightIn(after, arm.version);
    if (to > from) gains.push({ version: arm.version, from, to, shadow: false });
    else if (arm.shadow && !was) gains.push({ version: arm.version, from: 0, to: 0, shadow: true });
  }
  return gains;
}

/** "1.3.0 10% · 1.2.0 90% · 1.4.0 shadow", in the split's order. */
export function describeSplit(arms: readonly StageArm[]): string {
  return arms.length ? arms.map((a) => (a.shadow ? `${a.version} shadow` : `${a.version} ${a.weight ?? 0}%`)).join(' · ') : 'unheld';
}

/** The split rules of a stage's policy: undefined when splits are forbidden (`split: false`). */
export function splitRules(stage: Pick<StagePolicy, 'split'> | undefined): SplitPolicy | undefined {
  const s = stage?.split;
  return s === false ? undefined : s === true || s === undefined ? {} : s;
}

/** A soak time as the policy writes it (30m, 24h, 2d, 1d12h) in milliseconds; undefined when it is not one. */
export function soakMillis(text: string): number | undefined {
  const m = /^(?=\d)(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text);
  if (!m) return undefined;
  const [d, h, min] = [m[1], m[2], m[3]].map((x) => Number(x ?? 0)) as [number, number, number];
  return ((d * 24 + h) * 60 + min) * 60_000;
}

/** A span of time as people read it: 2d 3h, 5h 12m, 40m (rounded down to the minute). */
export function humanDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const parts = [d ? `${d}d` : '', h ? `${h}h` : '', m || (!d && !h) ? `${m}m` : ''].filter(Boolean);
  return parts.slice(0, 2).join(' ');
}
