/**
 * The next split of a stage when one version's share changes (`promote --weight N`, `--shadow`): pure,
 * so planning it and re-planning it on a newer stage file after a push race are the same step. The
 * weight a version gains comes from the main holder, and what it gives back goes to the main holder,
 * so the other arms keep theirs; a new arm joins just before the main holder, where the assignment rule
 * (docs/assignment.md) moves only keys between the two of them.
 */
import { ModelregError } from '../registry/errors.js';
import { describeSplit, splitOf, weightIn } from '../registry/split.js';
import type { StageArm, StageManifest } from '../registry/types.js';

/** What a version's share becomes: a whole percentage from 0 (out of the split) to 100 (the sole holder), or a shadow. */
export type ShareChange = { weight: number } | { shadow: true };

/** The stage file's holder and arms after the change (no arms: the holder receives everything). */
export interface NextSplit {
  holder: string;
  arms?: StageArm[];
}

export function nextSplit(model: string, stageName: string, stage: Pick<StageManifest, 'version' | 'arms'>, version: string, change: ShareChange): NextSplit {
  const ref = `${model}@${version}`;
  const holder = stage.version;
  const arms = splitOf(stage);
  const now = describeSplit(arms);
  const existing = arms.find((a) => a.version === version);
  if (version === holder) {
    throw new ModelregError('usage', `${ref} is the main holder of ${stageName} (${now}); its share is what the other arms leave`, {
      hint: `Change the weight of another arm, or end the split: modelreg rollback ${model} ${stageName}`,
    });
  }
  const others = arms.filter((a) => a.version !== version && a.version !== holder);
  const holderWeight = weightIn(arms, holder);
  if ('shadow' in change) {
    if (existing?.shadow) throw new ModelregError('conflict', `${ref} is already a shadow in ${stageName} (${now})`);
    if (existing)
      throw new ModelregError('usage', `${ref} receives ${existing.weight}% of ${stageName} (${now}); a shadow receives none`, {
        hint: `Take it out of the split first (--weight 0), then add it as a shadow.`,
      });
    return withHolder(holder, [...others, { version, shadow: true }], holderWeight);
  }
  const { weight } = change;
  if (!Number.isInteger(weight) || weight < 0 || weight > 100)
    throw new ModelregError('usage', `--weight is a whole percentage from 0 to 100, not ${weight}`, {
      hint: '10 starts a canary, 50 shifts half, 100 completes it, 0 takes the version out of the split.',
    });
  const had = weightIn(arms, version);
  if (existing && !existing.shadow && had === weight) throw new ModelregError('conflict', `${ref} already receives ${weight}% of ${stageName} (${now})`);
  if (weight === 100) {
    // Completing: the version holds the stage alone; the shadows stay beside it.
    return withHolder(
      version,
      arms.filter((a) => a.shadow && a.version !== version),
      100,
    );
  }
  if (weight === 0) {
    if (!existing) throw new ModelregError('usage', `${ref} is not in ${stageName}'s split (${now}); there is nothing to take out`);
    return withHolder(holder, others, holderWeight + had);
  }
  const left = holderWeight - (weight - had);
  if (left <= 0)
    throw new ModelregError('usage', `${ref} cannot receive ${weight}% of ${stageName} (${now}): the main holder ${holder} has only ${holderWeight}% to give`, {
      hint: `Complete it with --weight 100, or lower another arm first.`,
    });
  // A weighted arm keeps its place; a new one (or a shadow turning into a canary) joins next to the holder.
  const arm: StageArm = { version, weight };
  const placed = [...others];
  // (others are the arms without this one and the holder, which stands last: its index in arms is its place in others)
  if (existing && !existing.shadow) placed.splice(arms.indexOf(existing), 0, arm);
  else placed.push(arm);
  return withHolder(holder, placed, left);
}

/** `arms` with the holder last at `weight`; no arms at all when the holder is alone at 100. */
function withHolder(holder: string, arms: StageArm[], weight: number): NextSplit {
  if (arms.length === 0 && weight === 100) return { holder };
  return { holder, arms: [...arms, { version: holder, weight }] };
}

/** The arms of a next split: its own, or its holder alone at 100. */
export function armsOf(next: NextSplit): StageArm[] {
  return next.arms ?? [{ version: next.holder, weight: 100 }];
}

/** The split a plain promotion leaves: the version holds the stage alone, the shadows stay beside it. */
export function promotedSplit(stage: Pick<StageManifest, 'version' | 'arms'> | undefined, version: string): NextSplit {
  return stage
    ? withHolder(
        version,
        splitOf(stage).filter((a) => a.shadow && a.version !== version),
        100,
      )
    : { holder: version };
}
