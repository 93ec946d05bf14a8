/**
 * Rules within one snapshot: every path matches what its file says, names are path-safe, stages and
 * lineage point at versions that exist, the lineage graph has no cycle, and registry.yaml is coherent.
 */
import { storeUriProblem } from '../registry/store-uri.js';
import { finding, type Finding } from '../registry/findings.js';
import { findCycles, lineageGraph, nodeId, type LineageEdge } from '../registry/lineage.js';
import { POLICY_FILE, paths } from '../registry/layout.js';
import type { Loaded, ModelEntry, Snapshot } from '../registry/assemble.js';
import { escapePointer, positionOf, type Position } from '../schema/parsed.js';
import { credentialsInText } from '../registry/urls.js';
import type { StageManifest, VersionManifest } from '../registry/types.js';
import { isValidVersion } from '../registry/versions.js';
import { findingAt } from './locate.js';
import { stagePolicy } from './gates.js';
import { splitRules } from '../registry/split.js';
import { MODEL_NAME as NAME, STAGE_NAME as STAGE, artifactPathProblem, modelNameProblem, stageNameProblem } from '../registry/names.js';

export function checkConsistency(snap: Snapshot): Finding[] {
  const models = [...snap.models.values()].map((m) => checkModel(snap, m));
  return [
    ...checkTreeNames(snap.paths),
    ...checkPolicy(snap),
    ...models.flatMap((m) => m.findings),
    ...checkLineage(models, (path) => snap.brokenFiles.has(path)),
  ];
}

/**
 * What one model's own files say, checked against the policy's stage names: its findings, and the
 * facts the checks that span models need (its versions, their lineage parents, with the positions a
 * finding about them would point at). Plain data, so it can be kept for a model whose files have not
 * changed (see src/api/tree-check.ts) and the checks across models run without reading it again.
 */
export interface ModelCheck {
  model: string;
  findings: Finding[];
  /** The version ids whose files were usable. */
  versions: string[];
  /** The versions that name lineage parents. */
  lineage: VersionLineage[];
}

export interface VersionLineage {
  /** The version as its manifest names it (the lineage node), and its file. */
  version: string;
  file: string;
  parents: { model: string; version: string }[];
  /**
   * Where `/lineage/parents` or `/lineage/parents/<i>` is in the file, asked only when a finding needs
   * it: a document from the parse cache re-parses its file to answer.
   */
  at: (field: string) => Position | undefined;
}

export function checkModel(snap: Snapshot, m: ModelEntry): ModelCheck {
  const out: Finding[] = [];
  const stageNames = new Set((snap.policy?.data.stages ?? []).map((s) => s.name));
  if (!m.manifest && !snap.brokenFiles.has(paths.model(m.name))) {
    const first = [...m.versions.values(), ...m.stages.values()][0];
    out.push(
      finding('model-missing', `model "${m.name}" has no ${paths.model(m.name)}`, {
        file: first?.file ?? paths.model(m.name),
        hint: `Create ${paths.model(m.name)} with name and owners.`,
      }),
    );
  }
  if (m.manifest && m.manifest.data.name !== m.name) {
    out.push(
      findingAt('name-mismatch', `name "${m.manifest.data.name}" does not match the directory models/${m.name}`, m.manifest, '/name', {
        hint: `Set name: ${m.name}, or move the directory.`,
      }),
    );
  }
  if (m.manifest) out.push(...checkUrls(m.manifest));
  const lineage: VersionLineage[] = [];
  for (const [id, v] of m.versions) {
    out.push(...checkUrls(v), ...checkDuplicateParents(v));
    if (v.data.name !== m.name)
      out.push(findingAt('name-mismatch', `name "${v.data.name}" does not match the directory models/${m.name}`, v, '/name', { hint: `Set name: ${m.name}.` }));
    if (v.data.version !== id)
      out.push(
        findingAt('name-mismatch', `version "${v.data.version}" does not match the file name ${id}.yaml`, v, '/version', {
          hint: `Set version: ${id}, or rename the file to ${v.data.version}.yaml.`,
        }),
      );
    out.push(...checkArtifactPaths(v));
    const parents = v.data.lineage?.parents ?? [];
    if (parents.length)
      lineage.push({
        version: v.data.version,
        file: v.file,
        parents: parents.map((p) => ({ model: p.model, version: p.version })),
        at: (field) => positionOf(v.doc, field),
      });
  }
  for (const [id, s] of m.stages) {
    out.push(...checkUrls(s));
    if (s.data.model !== m.name)
      out.push(
        findingAt('name-mismatch', `model "${s.data.model}" does not match the directory models/${m.name}`, s, '/model', { hint: `Set model: ${m.name}.` }),
      );
    if (s.data.stage !== id)
      out.push(findingAt('name-mismatch', `stage "${s.data.stage}" does not match the file name ${id}.yaml`, s, '/stage', { hint: `Set stage: ${id}.` }));
    if (snap.policy && !stageNames.has(id)) {
      out.push(findingAt('stage-unknown', `"${id}" is not a stage of ${POLICY_FILE}`, s, '/stage', { hint: `Stages: ${[...stageNames].join(', ')}.` }));
    }
    const holder = m.versions.get(s.data.version);
    const holderPath = paths.version(m.name, s.data.version);
    if (!holder && !snap.brokenFiles.has(holderPath)) {
      out.push(
        findingAt('stage-dangling', `${m.name}@${id} names version ${s.data.version}, which does not exist`, s, '/version', {
          hint: `Register ${m.name}@${s.data.version} first, or name an existing version.`,
        }),
      );
    } else if (holder?.data.deprecated) {
      out.push(findingAt('stage-deprecated', `${m.name}@${id} is held by ${s.data.version}, which is deprecated`, s, '/version'));
    }
    const prev = s.data.previous;
    if (prev && !m.versions.has(prev) && !snap.brokenFiles.has(paths.version(m.name, prev))) {
      out.push(findingAt('stage-previous-dangling', `previous holder ${prev} of ${m.name}@${id} does not exist`, s, '/previous'));
    }
    if (s.data.arms) out.push(...checkSplit(snap, m, id, s));
  }
  return { model: m.name, findings: out, versions: [...m.versions.keys()], lineage };
}

/**
 * A split stage: weighted arms summing to 100 with the main holder last (the assignment rule's order,
 * docs/assignment.md), shadows without weight, each version once, and every arm a version that exists
 * and is not deprecated. The holder itself is checked above, as in any stage.
 */
function checkSplit(snap: Snapshot, m: ModelEntry, id: string, s: Loaded<StageManifest>): Finding[] {
  const out: Finding[] = [];
  const arms = s.data.arms ?? [];
  const ref = `${m.name}@${id}`;
  const seen = new Set<string>();
  arms.forEach((arm, i) => {
    const at = `/arms/${i}`;
    if (seen.has(arm.version)) out.push(findingAt('split-arm', `${ref} names ${arm.version} twice among its arms`, s, `${at}/version`));
    seen.add(arm.version);
    if (arm.shadow && arm.weight !== undefined)
      out.push(findingAt('split-arm', `${ref}: the shadow ${arm.version} has a weight; a shadow answers no one`, s, `${at}/weight`));
    if (!arm.shadow && arm.weight === undefined)
      out.push(findingAt('split-arm', `${ref}: the arm ${arm.version} has no weight (a shadow says shadow: true)`, s, at));
    if (arm.version === s.data.version) return; // the holder's existence and deprecation are the stage's own findings
    const v = m.versions.get(arm.version);
    if (!v && !snap.brokenFiles.has(paths.version(m.name, arm.version))) {
      out.push(
        findingAt('stage-dangling', `${ref} splits its traffic with version ${arm.version}, which does not exist`, s, `${at}/version`, {
          hint: `Register ${m.name}@${arm.version} first, or remove the arm.`,
        }),
      );
    } else if (v?.data.deprecated) {
      out.push(findingAt('stage-deprecated', `${ref} splits its traffic with ${arm.version}, which is deprecated`, s, `${at}/version`));
    }
  });
  const policy = snap.policy ? stagePolicy(snap.policy.data, s.data.stage) : undefined;
  if (policy && !splitRules(policy))
    out.push(findingAt('split-forbidden', `${ref} is split, and ${POLICY_FILE} says ${s.data.stage} is never split`, s, '/arms'));
  const weighted = arms.filter((a) => !a.shadow && a.weight !== undefined);
  const sum = weighted.reduce((n, a) => n + a.weight!, 0);
  if (sum !== 100) {
    out.push(
      findingAt(
        'split-weights',
        `the weights of ${ref} sum to ${sum}: ${weighted.map((a) => `${a.version} ${a.weight}`).join(', ') || 'no weighted arm'}`,
        s,
        '/arms',
      ),
    );
  }
  const last = weighted[weighted.length - 1];
  if (last?.version !== s.data.version) {
    const shadowHolder = arms.some((a) => a.shadow && a.version === s.data.version);
    out.push(
      findingAt(
        'split-holder',
        `${ref} is held by ${s.data.version}, ${shadowHolder ? 'which is a shadow of its split' : `but its last weighted arm is ${last?.version ?? 'missing'}`}`,
        s,
        last ? `/arms/${arms.indexOf(last)}/version` : '/arms',
      ),
    );
  }
  return out;
}

/** A URL with a token, a password or a signature in a manifest: once merged it is in Git forever. */
function checkUrls(item: Loaded<unknown>): Finding[] {
  const out: Finding[] = [];
  const walk = (value: unknown, pointer: string) => {
    if (typeof value === 'string') {
      for (const c of credentialsInText(value))
        out.push(
          findingAt('url-credentials', `${pointer.slice(1) || 'a value'} holds a URL carrying ${c.found.join(', ')}`, item, pointer, {
            hint: `Record it without them: ${c.url} — and revoke the secret: it is in this branch's history.`,
          }),
        );
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${pointer}/${i}`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${pointer}/${escapePointer(k)}`);
  };
  walk(item.data, '');
  return out;
}

/** The same parent named twice is one parent recorded twice: the lineage graph would show a double edge. */
function checkDuplicateParents(v: Loaded<VersionManifest>): Finding[] {
  const seen = new Map<string, number>();
  const out: Finding[] = [];
  (v.data.lineage?.parents ?? []).forEach((p, i) => {
    const key = `${p.model}@${p.version}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else
      out.push(
        findingAt('lineage-duplicate', `lineage parent ${key} is named twice (parents ${first} and ${i})`, v, `/lineage/parents/${i}`, {
          hint: 'Name each parent once.',
        }),
      );
  });
  return out;
}

/** Path-safety of the names that come from the tree itself, and case collisions between paths. */
export function checkTreeNames(treePaths: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const folded = new Map<string, string>();
  const reportedModels = new Set<string>();
  for (const p of treePaths) {
    const lower = p.toLowerCase();
    const other = folded.get(lower);
    if (other !== undefined && other !== p) {
      out.push(finding('name-case-collision', `${p} and ${other} differ only by letter case`, { file: p }));
    } else folded.set(lower, p);
    const parts = p.split('/');
    if (parts[0] !== 'models' || parts.length < 3) continue;
    const model = parts[1]!;
    if (!NAME.test(model) && !reportedModels.has(model)) {
      reportedModels.add(model);
      out.push(finding('name-invalid', `model name ${JSON.stringify(model)} is not path-safe: ${modelNameProblem(model)}`, { file: p }));
    }
    if (parts.length === 4 && parts[3]!.endsWith('.yaml')) {
      const id = parts[3]!.slice(0, -5);
      if (parts[2] === 'versions' && !isValidVersion(id)) {
        out.push(
          finding('version-invalid', `${JSON.stringify(id)} is not a semantic version (build metadata is not allowed)`, {
            file: p,
            hint: 'Name version files like 1.2.0.yaml or 2.0.0-rc.1.yaml.',
          }),
        );
      }
      if (parts[2] === 'stages' && !STAGE.test(id)) {
        out.push(
          finding('name-invalid', `stage name ${JSON.stringify(id)} is not valid: ${stageNameProblem(id)}`, {
            file: p,
            hint: 'Stage names are lowercase letters, digits, "_" and "-", starting with a letter.',
          }),
        );
      }
    }
  }
  return out;
}

function checkArtifactPaths(v: Loaded<VersionManifest>): Finding[] {
  const out: Finding[] = [];
  const seen = new Map<string, number>();
  v.data.artifacts.forEach((a, i) => {
    const field = `/artifacts/${i}/path`;
    const problem = artifactPathProblem(a.path);
    if (problem) {
      out.push(
        findingAt('artifact-path', `artifact path ${JSON.stringify(a.path)} ${problem}`, v, field, {
          hint: 'Use a plain relative path such as weights/model.safetensors, one every checkout can hold.',
        }),
      );
    }
    const key = a.path.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      out.push(
        findingAt('artifact-path', `artifact path ${JSON.stringify(a.path)} repeats artifact ${first} (letter case ignored)`, v, field, {
          hint: 'Each file of a version appears once.',
        }),
      );
    } else seen.set(key, i);
  });
  return out;
}

export function checkPolicy(snap: Pick<Snapshot, 'policy' | 'brokenFiles'>): Finding[] {
  const policy = snap.policy;
  if (!policy) {
    return snap.brokenFiles.has(POLICY_FILE) ? [] : [finding('tree-missing-policy', `${POLICY_FILE} is missing`, { file: POLICY_FILE })];
  }
  const out: Finding[] = [];
  const seen = new Set<string>();
  policy.data.stages.forEach((s, i) => {
    if (seen.has(s.name)) out.push(findingAt('policy-invalid', `stage "${s.name}" is defined twice`, policy, `/stages/${i}/name`));
    seen.add(s.name);
  });
  out.push(...checkUrls(policy));
  const storeProblem = storeUriProblem(policy.data.artifacts.store);
  if (storeProblem)
    out.push(findingAt('policy-invalid', `artifacts.store "${policy.data.artifacts.store}" cannot be used: ${storeProblem}`, policy, '/artifacts/store'));
  policy.data.stages.forEach((s, i) => {
    (s.from ?? []).forEach((f, j) => {
      if (f === s.name) out.push(findingAt('policy-invalid', `stage "${s.name}" lists itself in from`, policy, `/stages/${i}/from/${j}`));
      else if (!seen.has(f))
        out.push(findingAt('policy-invalid', `stage "${s.name}" may be entered from "${f}", which is not a stage`, policy, `/stages/${i}/from/${j}`));
    });
  });
  return out;
}

/** Lineage across models: every parent exists (or its file is broken, reported already), and no cycle. */
export function checkLineage(models: readonly ModelCheck[], isBroken: (path: string) => boolean): Finding[] {
  const out: Finding[] = [];
  const versions = new Map(models.map((m) => [m.model, new Set(m.versions)]));
  const byNode = new Map<string, VersionLineage>();
  const edges: LineageEdge[] = [];
  for (const m of models) {
    for (const v of m.lineage) {
      const child = nodeId(m.model, v.version);
      byNode.set(child, v);
      v.parents.forEach((p, i) => {
        edges.push({ parent: nodeId(p.model, p.version), child });
        if (!versions.get(p.model)?.has(p.version) && !isBroken(paths.version(p.model, p.version))) {
          const field = `/lineage/parents/${i}`;
          out.push(
            finding('lineage-dangling', `parent ${p.model}@${p.version} does not exist`, {
              file: v.file,
              ...v.at(field),
              field,
              hint: 'Register the parent first, or correct the reference.',
            }),
          );
        }
      });
    }
  }
  const nodes = models.flatMap((m) => m.lineage.map((v) => nodeId(m.model, v.version)));
  for (const cycle of findCycles(lineageGraph(nodes, edges))) {
    const [name, version] = cycle[0]!.split('@') as [string, string];
    const item = byNode.get(cycle[0]!);
    const text = [...cycle, cycle[0]].join(' → ');
    out.push(
      item
        ? finding('lineage-cycle', `lineage cycle: ${text}`, { file: item.file, ...item.at('/lineage/parents'), field: '/lineage/parents' })
        : finding('lineage-cycle', `lineage cycle: ${text}`, { file: paths.version(name, version) }),
    );
  }
  return out;
}
