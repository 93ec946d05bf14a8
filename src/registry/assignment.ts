/**
 * The assignment rule of a weighted stage (issue 21): which arm of a split a key — a user id, a session,
 * a request id — gets, so that every service, in any language, sends the same key to the same version as
 * modelreg says it would. docs/assignment.md publishes the rule with test vectors; this is the reference.
 *
 *   bucket = the first 8 bytes of SHA-256(model "\n" stage "\n" key), big-endian, modulo 10000
 *   arm    = the first arm, in the split's order, whose cumulative weight × 100 exceeds the bucket
 *
 * Weights are whole percentages summing to 100. Moving weight between two arms next to each other in the
 * order moves only keys of the arm that lost weight, and only to the arm that gained it; the split's order
 * puts the newest arm next to the main holder, so the usual moves (a canary ramping up, completing, or
 * being rolled back) are of that kind.
 *
 * SHA-256 because every language has it in its standard library (a faster non-cryptographic hash would
 * need a port in each); computed by @noble/hashes, which is pure and synchronous, so the rule runs the same
 * in Node and in the registry browser's page (node:crypto would tie this core module to Node).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { ModelregError } from './errors.js';
import { splitOf } from './split.js';
import type { StageManifest } from './types.js';

/** An arm of a split: a version and the whole percentage of keys it receives. */
export interface Arm {
  version: string;
  weight: number;
}

/** How many buckets keys fall into: a weight of 1% is 100 of them. */
export const BUCKETS = 10_000;

/** The bucket (0–9999) of `key` for `model`'s `stage`: the same key falls elsewhere in another stage or model. */
export function assignmentBucket(model: string, stage: string, key: string): number {
  const digest = sha256(new TextEncoder().encode(`${model}\n${stage}\n${key}`));
  return Number(new DataView(digest.buffer, digest.byteOffset, 8).getBigUint64(0, false) % BigInt(BUCKETS));
}

/** The arm `key` gets, arms in the split's order (see the module's comment). */
export function assignArm<A extends Arm>(model: string, stage: string, key: string, arms: readonly A[]): A {
  assertWeights(arms);
  const bucket = assignmentBucket(model, stage, key);
  let upper = 0;
  for (const arm of arms) {
    upper += arm.weight * (BUCKETS / 100);
    if (bucket < upper) return arm;
  }
  throw new Error('unreachable: the weights sum to 100'); // assertWeights made sure
}

/** The weighted arms of a stage, in the assignment order: its split's, or its holder alone at 100. */
export function weightedArms(stage: Pick<StageManifest, 'version' | 'arms'>): Arm[] {
  return splitOf(stage).flatMap((a) => (!a.shadow && a.weight !== undefined ? [{ version: a.version, weight: a.weight }] : []));
}

/** The assignment rule as resolveRef takes it: passed in, so that resolving without a key never loads SHA-256 (~23 ms, on every deploy's resolve). */
export type Assigner = (model: string, stage: string, key: string, file: Pick<StageManifest, 'version' | 'arms'>) => Arm & { bucket: number };

/** The arm a key gets of a stage file's split (its holder when it has none), with the key's bucket. */
export const assigner: Assigner = (model, stage, key, file) => ({
  ...assignArm(model, stage, key, weightedArms(file)),
  bucket: assignmentBucket(model, stage, key),
});

/** Weights a split may have: whole percentages from 0 to 100, summing to 100, at least one arm. */
export function assertWeights(arms: readonly Arm[]): void {
  const bad = arms.find((a) => !Number.isInteger(a.weight) || a.weight < 0 || a.weight > 100);
  if (bad) throw new ModelregError('usage', `the weight of ${bad.version} is ${bad.weight}: a weight is a whole percentage from 0 to 100`);
  const sum = arms.reduce((n, a) => n + a.weight, 0);
  if (arms.length === 0 || sum !== 100) {
    throw new ModelregError(
      'usage',
      `the weights of a split sum to 100; these sum to ${sum}${arms.length ? ` (${arms.map((a) => `${a.version} ${a.weight}`).join(', ')})` : ''}`,
    );
  }
}
