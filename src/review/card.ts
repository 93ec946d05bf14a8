/**
 * A model card in Markdown, from the manifests alone: details, intended use and limitations (model.yaml),
 * training data and lineage, metrics and parameters (the version). Prose fields are the owners' own
 * Markdown and pass through; values put in tables are escaped so they cannot break the table.
 */
import type { LineageTree } from '../registry/lineage.js';
import type { ModelManifest, VersionManifest } from '../registry/types.js';
import { objectUri } from '../registry/objects.js';
import { cell } from './escape.js';
import { attribute, attributionText, type Attribution } from '../registry/provenance.js';

export interface CardInput {
  model: ModelManifest | undefined;
  version: VersionManifest;
  stages: string[];
  ancestors: LineageTree;
  store: string;
  /** Who registered and deprecated it, from the commits (else the manifest's own fields are shown). */
  registered?: Attribution;
  deprecated?: Attribution;
}

export function renderCard({ model, version: v, stages, ancestors, store, registered, deprecated }: CardInput): string {
  const reg = registered ?? attribute(undefined, { by: v.created_by, at: v.created_at });
  const lines: string[] = [];
  lines.push(`# ${v.name} ${v.version}`, '');
  if (model?.description) lines.push(model.description.trim(), '');
  lines.push('## Model details', '', '| | |', '|---|---|');
  const details: [string, unknown][] = [
    ['Version', v.version],
    ['Stages', stages.length ? stages.join(', ') : 'none'],
    ['Task', model?.task],
    ['Type', v.type],
    ['Framework', v.framework],
    ['Owners', model?.owners.join(', ')],
    ['License', model?.license],
    ['Registered', `${reg.at} by ${attributionText(reg)}`],
  ];
  if (v.deprecated) {
    const dep = deprecated ?? attribute(undefined, { by: v.deprecated.by, at: v.deprecated.at });
    details.push(['Deprecated', `${dep.at} by ${attributionText(dep)}${v.deprecated.reason ? `: ${v.deprecated.reason}` : ''}`]);
  }
  for (const [k, val] of details) if (val !== undefined) lines.push(`| ${k} | ${cell(val)} |`);
  lines.push('');
  if (v.description) lines.push(v.description.trim(), '');
  lines.push('## Intended use', '', model?.intended_use?.trim() || '_Not stated in model.yaml (intended_use)._', '');
  lines.push('## Limitations', '', model?.limitations?.trim() || '_Not stated in model.yaml (limitations)._', '');

  lines.push('## Training data and lineage', '');
  const datasets = v.lineage?.datasets ?? [];
  if (datasets.length) {
    lines.push('| Dataset | Split | sha256 |', '|---|---|---|');
    for (const d of datasets) lines.push(`| ${cell(d.name ? `${d.name} (${d.uri})` : d.uri)} | ${cell(d.split)} | ${cell(d.sha256)} |`);
    lines.push('');
  } else lines.push('_No datasets recorded._', '');
  if (v.lineage?.code)
    lines.push(`Code: ${cell(v.lineage.code.repository)} at \`${v.lineage.code.commit}\`${v.lineage.code.path ? ` (${cell(v.lineage.code.path)})` : ''}`, '');
  if (ancestors.children.length) {
    lines.push('Derived from:', '');
    const walk = (t: LineageTree, depth: number) => {
      for (const c of t.children) {
        lines.push(`${'  '.repeat(depth)}- ${c.node}${c.relation ? ` (${c.relation})` : ''}`);
        if (!c.repeated) walk(c, depth + 1);
      }
    };
    walk(ancestors, 0);
    lines.push('');
  }
  if (v.lineage?.environment) {
    const e = v.lineage.environment;
    const parts = [e.python && `Python ${e.python}`, e.image && `image ${e.image}`, e.hardware].filter(Boolean);
    if (parts.length) lines.push(`Environment: ${cell(parts.join(', '))}`, '');
  }

  lines.push('## Metrics', '');
  const metrics = Object.entries(v.metrics ?? {});
  if (metrics.length) {
    lines.push('| Metric | Value |', '|---|---|');
    for (const [k, val] of metrics) lines.push(`| ${cell(k)} | ${val} |`);
  } else lines.push('_No metrics recorded._');
  lines.push('');
  const params = Object.entries(v.params ?? {});
  if (params.length) {
    lines.push('## Parameters', '', '| Parameter | Value |', '|---|---|');
    for (const [k, val] of params) lines.push(`| ${cell(k)} | ${cell(val)} |`);
    lines.push('');
  }
  if (v.signature?.inputs?.length || v.signature?.outputs?.length) {
    lines.push('## Signature', '', '| | Name | Type | Shape |', '|---|---|---|---|');
    for (const [dir, list] of [
      ['input', v.signature.inputs],
      ['output', v.signature.outputs],
    ] as const) {
      for (const t of list ?? []) lines.push(`| ${dir} | ${cell(t.name)} | ${cell(t.dtype)} | ${cell(t.shape)} |`);
    }
    lines.push('');
  }
  lines.push('## Artifacts', '', '| Path | Role | Size | sha256 |', '|---|---|---|---|');
  for (const a of v.artifacts) lines.push(`| ${cell(a.path)} | ${cell(a.role)} | ${a.size} | \`${a.sha256}\` |`);
  const example = v.artifacts[0] ? objectUri(store, v.artifacts[0].sha256) : `${store}/sha256/<aa>/<sha256>`;
  lines.push('', `Store: ${cell(store)} (for example ${cell(example)})`, '');
  return lines.join('\n');
}
