/**
 * Rules between a base and a head snapshot — what a pull request is judged by. The policy always comes
 * from the base: a change that edits registry.yaml and promotes in the same diff is judged by the old
 * policy, and the policy change itself is reported.
 */
import { isDeepStrictEqual } from 'node:util';
import { escapePointer } from '../schema/parsed.js';
import { finding, type Finding } from '../registry/findings.js';
import { POLICY_FILE, paths } from '../registry/layout.js';
import type { Loaded, Snapshot } from '../registry/snapshot.js';
import type { RegistryPolicy, StageArm, StageManifest, VersionManifest } from '../registry/types.js';
import { findingAt } from './locate.js';
import { compareVersions, isValidVersion } from '../registry/versions.js';
import { describeSplit, splitGains, splitOf, splitRules } from '../registry/split.js';
import { evaluateGates, evaluateSplitGates, stagePolicy, type GateResult, type GateKind } from './gates.js';

export interface StageMove {
  model: string;
  stage: string;
  /** The main holder in the base (null: the stage was not held). */
  from: string | null;
  /** The version the move is about, judged by the gates: the one gaining weight (the new holder of a plain move), else the holder. */
  to: string;
  /** A move back: to the previous holder, or weight going back to the main holder (order and no-regression do not apply). */
  rollback: boolean;
  file: string;
  gates: GateResult[];
  /** When either side is split: the arms before and after (a stage without arms is its holder at 100; none when unheld). */
  split?: { before: StageArm[]; after: StageArm[] };
}

/** The times a change is judged at: now, and when each base stage file was written (by path), for soak times. */
export interface ChangeTiming {
  now: string;
  /** The commit time of the base's last change to each stage file (first-parent), RFC 3339. */
  written: ReadonlyMap<string, string>;
}

export interface ChangeSummary {
  policyChanged: boolean;
  modelsAdded: string[];
  modelsChanged: string[];
  versionsAdded: string[];
  versionsModified: string[];
  versionsDeleted: string[];
  deprecated: string[];
  undeprecated: string[];
  stageMoves: StageMove[];
  stagesRemoved: { model: string; stage: string; version: string }[];
  /** Every model the change touches, sorted. */
  models: string[];
}

const GATE_CODE: Record<GateKind, Finding['code']> = {
  order: 'stage-order',
  deprecated: 'gate-deprecated',
  metric: 'gate-metric',
  regression: 'gate-regression',
  tag: 'gate-tag',
  lineage: 'gate-lineage',
  step: 'split-step',
  soak: 'split-soak',
};

const withoutMark = (v: VersionManifest): Omit<VersionManifest, 'deprecated'> => {
  const { deprecated: _ignored, ...rest } = v;
  return rest;
};

/** A change that changes nothing: where every comparison starts. */
export function emptyChangeSummary(): ChangeSummary {
  return {
    policyChanged: false,
    modelsAdded: [],
    modelsChanged: [],
    versionsAdded: [],
    versionsModified: [],
    versionsDeleted: [],
    deprecated: [],
    undeprecated: [],
    stageMoves: [],
    stagesRemoved: [],
    models: [],
  };
}

/** What the steps of checkChange add to: the findings, the summary, and the models the change touches. */
interface Comparison {
  readonly base: Snapshot;
  readonly head: Snapshot;
  readonly findings: Finding[];
  readonly summary: ChangeSummary;
  readonly touched: Set<string>;
  readonly timing: ChangeTiming | undefined;
}

export function checkChange(base: Snapshot, head: Snapshot, timing?: ChangeTiming): { findings: Finding[]; summary: ChangeSummary } {
  const c: Comparison = { base, head, findings: [], summary: emptyChangeSummary(), touched: new Set(), timing };
  comparePolicy(c);
  compareModels(c);
  compareVersionFiles(c);
  compareStages(c);
  for (const bm of base.models.values()) if (!head.models.has(bm.name)) c.touched.add(bm.name);
  const { summary } = c;
  summary.models = [...c.touched].sort();
  for (const list of [summary.versionsAdded, summary.versionsModified, summary.versionsDeleted, summary.deprecated, summary.undeprecated])
    list.sort(compareRefs);
  summary.modelsAdded.sort();
  summary.modelsChanged.sort();
  return { findings: c.findings, summary };
}

/** registry.yaml: a change to it is judged by the base's (and said so). */
function comparePolicy({ base, head, findings, summary }: Comparison): void {
  if (base.policy && head.policy && !isDeepStrictEqual(base.policy.data, head.policy.data)) {
    summary.policyChanged = true;
    findings.push(finding('policy-changed', `${POLICY_FILE} changed; this change is judged by the policy of the base`, { file: POLICY_FILE, line: 1 }));
  } else if (!!base.policy !== !!head.policy) summary.policyChanged = true;
}

/** model.yaml: added or changed. */
function compareModels({ base, head, summary, touched }: Comparison): void {
  for (const m of head.models.values()) {
    const b = base.models.get(m.name);
    if (m.manifest && !b?.manifest) {
      summary.modelsAdded.push(m.name);
      touched.add(m.name);
    } else if (m.manifest && b?.manifest && !isDeepStrictEqual(m.manifest.data, b.manifest.data)) {
      summary.modelsChanged.push(m.name);
      touched.add(m.name);
    }
  }
}

/** Versions: added, or immutable once merged (the deprecation mark excepted). */
function compareVersionFiles({ base, head, findings, summary, touched }: Comparison): void {
  for (const bm of base.models.values()) {
    for (const [id, bv] of bm.versions) {
      const hv = head.models.get(bm.name)?.versions.get(id);
      const ref = `${bm.name}@${id}`;
      if (!hv) {
        if (head.brokenFiles.has(bv.file)) continue; // reported as a parse or schema error already
        touched.add(bm.name);
        summary.versionsDeleted.push(ref);
        findings.push(
          finding('version-immutable', `${ref} was deleted; merged versions are never removed`, {
            file: bv.file,
            hint: 'Restore the file; deprecate the version instead: modelreg deprecate ' + ref,
          }),
        );
        continue;
      }
      if (!isDeepStrictEqual(withoutMark(bv.data), withoutMark(hv.data))) {
        touched.add(bm.name);
        summary.versionsModified.push(ref);
        findings.push(
          findingAt('version-immutable', `${ref} was modified; merged versions are immutable`, hv, firstDifference(withoutMark(bv.data), withoutMark(hv.data))),
        );
      }
      if (!bv.data.deprecated && hv.data.deprecated) summary.deprecated.push(ref);
      if (bv.data.deprecated && !hv.data.deprecated) summary.undeprecated.push(ref);
      if (!!bv.data.deprecated !== !!hv.data.deprecated) touched.add(bm.name);
    }
  }
  for (const hm of head.models.values()) {
    for (const id of hm.versions.keys()) {
      if (!base.models.get(hm.name)?.versions.has(id) && !base.brokenFiles.has(paths.version(hm.name, id))) {
        summary.versionsAdded.push(`${hm.name}@${id}`);
        touched.add(hm.name);
      }
    }
  }
}

/** Stage files: moves judged by the base policy, records that cannot be rewritten, removals. */
function compareStages(c: Comparison): void {
  const { base, head, findings, summary, touched } = c;
  const policy = base.policy?.data;
  for (const hm of head.models.values()) {
    const bm = base.models.get(hm.name);
    for (const [stage, hs] of hm.stages) {
      const bs = bm?.stages.get(stage);
      if (bs && bs.data.version === hs.data.version && isDeepStrictEqual(bs.data.arms, hs.data.arms)) {
        // The record of a move cannot be rewritten: who moved it, when and why change only with the holder.
        if (!isDeepStrictEqual(bs.data, hs.data)) {
          touched.add(hm.name);
          findings.push(
            findingAt(
              'stage-rewritten',
              `${hm.name}@${stage} changed without a new holder or split: a stage file is written afresh by a promotion, a rollback or a removal, never edited`,
              hs,
              firstDifference(bs.data, hs.data),
              { hint: 'Restore the file as the base has it; to record something new, promote or roll back.' },
            ),
          );
        }
        continue;
      }
      touched.add(hm.name);
      summary.stageMoves.push(judgeMove(c, hm.name, stage, bs, hs, policy));
    }
    for (const [stage, bs] of bm?.stages ?? []) {
      if (!hm.stages.has(stage) && !head.brokenFiles.has(bs.file)) {
        touched.add(hm.name);
        summary.stagesRemoved.push({ model: hm.name, stage, version: bs.data.version });
        findings.push(finding('stage-removed', `${hm.name} no longer holds ${stage} (was ${bs.data.version})`, { file: bs.file }));
        if (policy && stagePolicy(policy, stage)?.never_empty) {
          findings.push(
            finding('stage-emptied', `${hm.name}@${stage} would be left empty: the base ${POLICY_FILE} says ${stage} is never emptied`, {
              file: bs.file,
              hint: `Promote another version to ${stage}, or roll back (modelreg rollback ${hm.name} ${stage}); a deploy resolving ${hm.name}@${stage} must always find one.`,
            }),
          );
        }
      }
    }
  }
}

/**
 * A move of a stage: a new holder, or a new split. The version judged is the one that gains — more
 * weight, or a place as a shadow — with the base's main holder as the no-regression baseline; weight
 * going back to the main holder is judged as a rollback is. One version gains at a time, so each is
 * judged on its own.
 */
function judgeMove(
  c: Comparison,
  model: string,
  stage: string,
  bs: Loaded<StageManifest> | undefined,
  hs: Loaded<StageManifest>,
  policy: RegistryPolicy | undefined,
): StageMove {
  const { base, head, findings } = c;
  const before = splitOf(bs?.data);
  const after = splitOf(hs.data);
  const gains = splitGains(before, after);
  const baseHolder = bs?.data.version ?? null;
  const gain = gains[0];
  const to = gain?.version ?? hs.data.version;
  const rollback = (!!bs?.data.previous && hs.data.version === bs.data.previous && !hs.data.arms) || to === baseHolder;
  const move: StageMove = {
    model,
    stage,
    from: baseHolder,
    to,
    rollback,
    file: hs.file,
    gates: [],
    ...(bs?.data.arms || hs.data.arms ? { split: { before, after } } : {}),
  };
  checkPrevious(findings, model, stage, bs, hs);
  if (gains.length > 1)
    findings.push(
      findingAt(
        'split-move',
        `${model}@${stage}: ${gains.map((g) => g.version).join(' and ')} all gain in one change (${describeSplit(before)} → ${describeSplit(after)})`,
        hs,
        '/arms',
        {
          hint: 'Move one version at a time (modelreg promote <model>@<version> <stage> --weight N), so that each is judged by the gates.',
        },
      ),
    );
  if (!policy) {
    // Fail closed: without the base policy nobody can say which gates apply.
    findings.push(
      findingAt('policy-unavailable', `${model}@${hs.data.version} → ${stage} cannot be judged: the base has no valid ${POLICY_FILE}`, hs, '/version'),
    );
    return move;
  }
  const rules = stagePolicy(policy, stage);
  if (!rules) {
    findings.push(
      findingAt('stage-unknown', `"${stage}" is not a stage of the base ${POLICY_FILE}`, hs, '/stage', {
        hint: 'Add the stage to registry.yaml in its own pull request first.',
      }),
    );
    return move;
  }
  const split = splitRules(rules);
  // The head's own policy forbidding it too is the consistency check's finding; this one is the base's.
  if (hs.data.arms && !split && splitRules(head.policy ? stagePolicy(head.policy.data, stage) : undefined))
    findings.push(findingAt('split-forbidden', `${model}@${stage} is split, and the base ${POLICY_FILE} says ${stage} is never split`, hs, '/arms'));
  const candidate = head.models.get(model)?.versions.get(to);
  if (!candidate) return move; // a dangling stage is reported by the consistency checks
  const holder = bs ? base.models.get(model)?.versions.get(bs.data.version) : undefined;
  const candidateStages = [...(base.models.get(model)?.stages.values() ?? [])].filter((s) => s.data.version === to).map((s) => s.data.stage);
  const inSplit = before.some((a) => a.version === to);
  move.gates = evaluateGates({ policy, stage, candidate: candidate.data, ...(holder ? { holder: holder.data } : {}), candidateStages, rollback, inSplit });
  if (split && gain && !rollback && bs) {
    const written = c.timing?.written.get(bs.file);
    // The later of the commit and what the file claims: a back-dated commit cannot shorten a soak.
    const since = written && Date.parse(bs.data.moved_at) > Date.parse(written) ? bs.data.moved_at : written;
    move.gates.push(
      ...evaluateSplitGates({ rules: split, stage, ref: `${model}@${to}`, gain, ...(since ? { since } : {}), ...(c.timing ? { now: c.timing.now } : {}) }),
    );
  }
  for (const g of move.gates) {
    if (!g.passed)
      findings.push(findingAt(GATE_CODE[g.gate], `${model}@${to} → ${stage}: ${g.message}`, hs, g.gate === 'step' || g.gate === 'soak' ? '/arms' : '/version'));
  }
  return move;
}

/**
 * `previous` names the holder before the last change of holder: the base's holder when the move changes
 * it, else what the base's file says (the steps of a split keep it).
 */
function checkPrevious(findings: Finding[], model: string, stage: string, bs: Loaded<StageManifest> | undefined, hs: Loaded<StageManifest>): void {
  const baseHolder = bs?.data.version ?? null;
  const sameHolder = baseHolder === hs.data.version;
  const expected = sameHolder ? (bs?.data.previous ?? null) : baseHolder;
  if ((hs.data.previous ?? null) === expected) return;
  findings.push(
    findingAt(
      'stage-previous-mismatch',
      sameHolder
        ? `previous is ${JSON.stringify(hs.data.previous ?? null)}; ${model}@${stage} keeps its holder ${baseHolder}, so previous stays ${JSON.stringify(expected)} as the base has it`
        : `previous is ${JSON.stringify(hs.data.previous ?? null)}; the base holder of ${model}@${stage} is ${JSON.stringify(expected)}`,
      hs,
      '/previous',
    ),
  );
}

/** The base stage files whose change a soak time judges: those the head changes, in stages whose base policy sets one. */
export function soakedStageFiles(base: Snapshot, head: Snapshot): string[] {
  const policy = base.policy?.data;
  if (!policy) return [];
  const out: string[] = [];
  for (const bm of base.models.values()) {
    for (const [stage, bs] of bm.stages) {
      if (splitRules(stagePolicy(policy, stage))?.soak === undefined) continue;
      const hs = head.models.get(bm.name)?.stages.get(stage);
      if (hs && !isDeepStrictEqual(bs.data, hs.data)) out.push(bs.file);
    }
  }
  return out;
}

/** The JSON pointer of the first field that differs, so the finding points at a line. */
function firstDifference(a: unknown, b: unknown, pointer = ''): string {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return pointer;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const av = (a as Record<string, unknown>)[k];
    const bv = (b as Record<string, unknown>)[k];
    if (!isDeepStrictEqual(av, bv)) return bv === undefined ? pointer : firstDifference(av, bv, `${pointer}/${escapePointer(k)}`);
  }
  return pointer;
}

/** name@version references: by name, then by semantic version (1.2.0 before 1.10.0). */
function compareRefs(a: string, b: string): number {
  const [an, av] = a.split('@') as [string, string];
  const [bn, bv] = b.split('@') as [string, string];
  if (an !== bn) return an < bn ? -1 : 1;
  return isValidVersion(av) && isValidVersion(bv) ? compareVersions(av, bv) : av.localeCompare(bv);
}
