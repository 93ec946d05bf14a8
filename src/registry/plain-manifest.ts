/**
 * A manifest read the fast way: the plain-form reader (schema/canonical-yaml.ts), then its schema. This
 * module does not load the `yaml` package, so a command whose files are all in the plain form never
 * pays for loading the full parser (~90 ms), which a deploy's `resolve` would notice.
 */
import { readPlainYaml } from '../schema/canonical-yaml.js';
import { beyondLimits } from '../schema/limits.js';
import type { YamlLimits } from '../schema/parsed.js';
import { validateSchema } from '../schema/schemas.js';
import type { ManifestKind } from './types.js';

const NO_POSITIONS = new Map<never, never>();

/**
 * The value of a manifest that reads without a single finding — within the limits, in the plain form,
 * valid by its schema — or undefined: the full parser (snapshot.ts parseManifest) then reads it and
 * reports what it finds, with lines.
 */
export function readPlainManifest(kind: ManifestKind, file: string, text: string, limits: YamlLimits): { value: unknown } | undefined {
  if (beyondLimits(file, text, limits)) return undefined;
  const plain = readPlainYaml(text, limits);
  if (!plain) return undefined;
  return validateSchema(kind, file, { value: plain.value, valueAt: NO_POSITIONS, keyAt: NO_POSITIONS }).length === 0 ? plain : undefined;
}
