/**
 * Manifests as modelreg writes them: the schema modeline first, keys in schema order, block style — and
 * the same data to every YAML reader. Python pipelines read manifests with YAML 1.1 readers (PyYAML), so
 * every string a 1.1 reader would take for a timestamp, a boolean or a number is quoted, and every number
 * is written in a form both 1.1 and 1.2 read as that number (1.1 wants `1.0e-7`, not `1e-7`).
 */
import { Document, visit, type Scalar } from 'yaml';
import { schemaModeline } from '../registry/layout.js';
import type { ManifestKind } from '../registry/types.js';
import { notAStringIn11 } from '../schema/yaml11.js';

const KEY_ORDER: Record<ManifestKind, string[]> = {
  registry: ['apiVersion', 'description', 'artifacts', 'stages'],
  model: ['name', 'description', 'owners', 'task', 'tags', 'intended_use', 'limitations', 'license'],
  version: [
    'name',
    'version',
    'framework',
    'type',
    'description',
    'artifacts',
    'metrics',
    'params',
    'tags',
    'signature',
    'lineage',
    'created_by',
    'created_at',
    'deprecated',
  ],
  stage: ['model', 'stage', 'version', 'moved_by', 'moved_at', 'reason', 'previous', 'arms'],
};

/** Numbers in exponent form, written as both YAML 1.1 and 1.2 read them: a mantissa with a dot, a signed exponent. */
const portableExponent = {
  identify: (v: unknown) => typeof v === 'number' && Number.isFinite(v) && JSON.stringify(v).includes('e'),
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^\b$/, // used only for writing; reading is the loader's (schema/yaml.ts)
  resolve: (s: string) => Number(s),
  stringify: ({ value }: Scalar) => {
    const [mantissa, exponent] = JSON.stringify(value).split('e') as [string, string];
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${/^[-+]/.test(exponent) ? exponent : `+${exponent}`}`;
  },
};

export function manifestText(kind: ManifestKind, data: object): string {
  const ordered: Record<string, unknown> = {};
  const src = data as Record<string, unknown>;
  for (const k of KEY_ORDER[kind]) if (src[k] !== undefined) ordered[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in ordered) && src[k] !== undefined) ordered[k] = src[k];
  return `${schemaModeline(kind)}\n${portableYaml(ordered)}`;
}

/** YAML 1.2 text that a YAML 1.1 reader reads as the same data (keys included). */
export function portableYaml(value: unknown): string {
  const doc = new Document(value, { version: '1.2', aliasDuplicateObjects: false, customTags: (tags) => [portableExponent, ...tags] });
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && notAStringIn11(node.value) && node.type !== 'QUOTE_SINGLE') node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}
