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
import type { RegistryPolicy, StageManifest, VersionManifest } from '../registry/types.js';
import { findingAt } from './locate.js';
import { compareVersions, isValidVersion } from '../registry/versions.js';
import { evaluateGates, stagePolicy, type GateResult, type GateKind } from './gates.js';

export interface StageMove {
  model: string;
  stage: string;
  from: string | null;
  to: string;
  rollback: boolean;
  file: string;
  gates: GateResult[];
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
}

export function checkChange(base: Snapshot, head: Snapshot): { findings: Finding[]; summary: ChangeSummary } {
  const c: Comparison = { base, head, findings: [], summary: emptyChangeSummary(), touched: new Set() };
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
function compareStages({ base, head, findings, summary, touched }: Comparison): void {
  const policy = base.policy?.data;
  for (const hm of head.models.values()) {
    const bm = base.models.get(hm.name);
    for (const [stage, hs] of hm.stages) {
      const bs = bm?.stages.get(stage);
      if (bs && bs.data.version === hs.data.version) {
        // The record of a move cannot be rewritten: who moved it, when and why change only with the holder.
        if (!isDeepStrictEqual(bs.data, hs.data)) {
          touched.add(hm.name);
          findings.push(
            findingAt(
              'stage-rewritten',
              `${hm.name}@${stage} changed without a new holder: a stage file is written afresh by a promotion, a rollback or a removal, never edited`,
              hs,
              firstDifference(bs.data, hs.data),
              { hint: 'Restore the file as the base has it; to record something new, promote or roll back.' },
            ),
          );
        }
        continue;
      }
      touched.add(hm.name);
      summary.stageMoves.push(judgeMove(base, head, hm.name, stage, bs, hs, findings, policy));
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

function judgeMove(
  base: Snapshot,
  head: Snapshot,
  model: string,
  stage: string,
  bs: Loaded<StageManifest> | undefined,
  hs: Loaded<StageManifest>,
  findings: Finding[],
  policy: RegistryPolicy | undefined,
): StageMove {
  const rollback = !!bs && !!bs.data.previous && hs.data.version === bs.data.previous;
  const move: StageMove = { model, stage, from: bs?.data.version ?? null, to: hs.data.version, rollback, file: hs.file, gates: [] };
  const expectedPrev = bs?.data.version ?? null;
  if ((hs.data.previous ?? null) !== expectedPrev) {
    findings.push(
      findingAt(
        'stage-previous-mismatch',
        `previous is ${JSON.stringify(hs.data.previous ?? null)}; the base holder of ${model}@${stage} is ${JSON.stringify(expectedPrev)}`,
        hs,
        '/previous',
      ),
    );
  }
  if (!policy) {
    // Fail closed: without the base policy nobody can say which gates apply.
    findings.push(
      findingAt('policy-unavailable', `${model}@${hs.data.version} → ${stage} cannot be judged: the base has no valid ${POLICY_FILE}`, hs, '/version'),
    );
    return move;
  }
  if (!stagePolicy(policy, stage)) {
    findings.push(
      findingAt('stage-unknown', `"${stage}" is not a stage of the base ${POLICY_FILE}`, hs, '/stage', {
        hint: 'Add the stage to registry.yaml in its own pull request first.',
      }),
    );
    return move;
  }
  const candidate = head.models.get(model)?.versions.get(hs.data.version);
  if (!candidate) return move; // a dangling stage is reported by the consistency checks
  const holder = bs ? base.models.get(model)?.versions.get(bs.data.version) : undefined;
  const candidateStages = [...(base.models.get(model)?.stages.values() ?? [])].filter((s) => s.data.version === hs.data.version).map((s) => s.data.stage);
  move.gates = evaluateGates({ policy, stage, candidate: candidate.data, ...(holder ? { holder: holder.data } : {}), candidateStages, rollback });
  for (const g of move.gates) {
    if (!g.passed) findings.push(findingAt(GATE_CODE[g.gate], `${model}@${hs.data.version} → ${stage}: ${g.message}`, hs, '/version'));
  }
  return move;
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
