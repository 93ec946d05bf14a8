/** Manifests as modelreg writes them: the schema modeline first, keys in schema order, block style. */
import { stringify } from 'yaml';
import { schemaModeline } from '../registry/layout.js';
import type { ManifestKind } from '../registry/types.js';

const KEY_ORDER: Record<ManifestKind, string[]> = {
  registry: ['apiVersion', 'description', 'artifacts', 'stages'],
  model: ['name', 'description', 'owners', 'task', 'tags', 'intended_use', 'limitations', 'license'],
  version: ['name', 'version', 'framework', 'type', 'description', 'artifacts', 'metrics', 'params', 'tags', 'signature', 'lineage', 'created_by', 'created_at', 'deprecated'],
  stage: ['model', 'stage', 'version', 'moved_by', 'moved_at', 'reason', 'previous'],
};

export function manifestText(kind: ManifestKind, data: object): string {
  const ordered: Record<string, unknown> = {};
  const src = data as Record<string, unknown>;
  for (const k of KEY_ORDER[kind]) if (src[k] !== undefined) ordered[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in ordered) && src[k] !== undefined) ordered[k] = src[k];
  return `${schemaModeline(kind)}\n${stringify(ordered, { lineWidth: 0, aliasDuplicateObjects: false, version: '1.2' })}`;
}
