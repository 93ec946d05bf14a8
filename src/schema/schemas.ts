/**
 * Checking manifests against the JSON Schemas of schemas/ (draft 2020-12), with every error reported
 * (allErrors) and mapped back to YAML lines. The validators are ajv's standalone code, generated ahead
 * of time by scripts/compile-schemas.mjs into validators.generated.ts: compiling at run time cost
 * ~260 ms a process, more than a whole `resolve` may take.
 */
import type { ErrorObject } from 'ajv';
import registrySchema from '../../schemas/registry.schema.json' with { type: 'json' };
import modelSchema from '../../schemas/model.schema.json' with { type: 'json' };
import versionSchema from '../../schemas/version.schema.json' with { type: 'json' };
import stageSchema from '../../schemas/stage.schema.json' with { type: 'json' };
import { finding, type Finding } from '../registry/findings.js';
import type { ManifestKind } from '../registry/types.js';
import { escapePointer, positionOf, type ParsedYaml } from './parsed.js';
import * as compiled from './validators.generated.js';

export const SCHEMAS: Record<ManifestKind, object> = {
  registry: registrySchema,
  model: modelSchema,
  version: versionSchema,
  stage: stageSchema,
};

interface Validator {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

const VALIDATORS: Record<ManifestKind, Validator> = compiled as unknown as Record<ManifestKind, Validator>;

export function validateSchema(kind: ManifestKind, file: string, doc: ParsedYaml): Finding[] {
  const validate = VALIDATORS[kind];
  if (validate(doc.value)) return [];
  return collapse(validate.errors ?? []).map((e) => toFinding(e, file, doc));
}

/**
 * anyOf/oneOf produce one error per branch plus a summary; keep the summary for the field and drop the
 * branches, which only confuse ("must be string", "must be null", "must match anyOf").
 */
function collapse(errors: ErrorObject[]): ErrorObject[] {
  const unions = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  return (
    errors
      // An invalid key also fails the key's own schema (pattern, ...); the propertyNames error already says so, at the key.
      .filter((e) => e.keyword === 'propertyNames' || e.propertyName === undefined)
      .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf' || !unions.has(e.instancePath))
  );
}

function toFinding(e: ErrorObject, file: string, doc: ParsedYaml): Finding {
  const params = e.params as Record<string, unknown>;
  let field = e.instancePath;
  let message: string;
  let hint: string | undefined;
  let preferKey = false;
  switch (e.keyword) {
    case 'additionalProperties':
      field = `${e.instancePath}/${escapePointer(String(params.additionalProperty))}`;
      message = `unknown field ${JSON.stringify(params.additionalProperty)}${e.instancePath ? ` in ${e.instancePath}` : ''}`;
      hint = `Remove it, or check its spelling against schemas/${kindFromId(e.schemaPath)}.`;
      preferKey = true;
      break;
    case 'required':
      message = `missing required field ${JSON.stringify(params.missingProperty)}${e.instancePath ? ` in ${e.instancePath}` : ''}`;
      hint = `Add ${String(params.missingProperty)}; see docs/format.md.`;
      break;
    case 'propertyNames':
      field = `${e.instancePath}/${escapePointer(String(params.propertyName))}`;
      message = `invalid key ${JSON.stringify(params.propertyName)} in ${e.instancePath || 'the document'}`;
      hint = 'Keys use letters, digits, "_", ".", ":", "/" and "-", and start with a letter, digit or "_".';
      preferKey = true;
      break;
    case 'enum':
      message = `${e.instancePath || 'value'} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    case 'const':
      message = `${e.instancePath || 'value'} must be ${JSON.stringify(params.allowedValue)}`;
      break;
    case 'pattern':
      message = `${e.instancePath} has an invalid form`;
      hint = describePattern(e.instancePath);
      break;
    case 'format':
      message = `${e.instancePath} must be a ${String(params.format)}`;
      if (params.format === 'date-time') hint = 'Use RFC 3339, e.g. 2026-11-23T10:00:00Z.';
      break;
    default:
      message = `${e.instancePath || 'the document'} ${e.message ?? 'is invalid'}`;
  }
  const pos = positionOf(doc, field, preferKey);
  // A propertyNames error has no position of its own in ajv's eyes; the key does in ours.
  if (e.keyword === 'propertyNames' && !doc.keyAt.has(field)) field = e.instancePath;
  return finding('schema', message, { file, line: pos?.line, column: pos?.column, field, ...(hint ? { hint } : {}) });
}

function kindFromId(schemaPath: string): string {
  return schemaPath.includes('artifacts') ? 'version.schema.json' : 'the matching .schema.json';
}

function describePattern(pointer: string): string {
  const last = pointer.slice(pointer.lastIndexOf('/') + 1);
  if (last === 'version' || last === 'previous' || pointer.endsWith('/version')) return 'Use semantic versioning without build metadata: 1.2.0 or 2.0.0-rc.1.';
  if (last === 'sha256') return 'Use the 64 lowercase hex digits of the sha256.';
  if (last === 'name' || last === 'model') return 'Use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, without "..".';
  if (last === 'stage' || /\/stages\/\d+\/name$/.test(pointer)) return 'Stage names are lowercase letters, digits, "_" and "-", starting with a letter.';
  if (last === 'commit') return 'Use a hex commit id (7 to 64 digits).';
  if (last === 'path') return 'Use a relative path with / separators, without control characters, bidirectional marks, or a leading or trailing /.';
  return 'See the description of this field in schemas/ or docs/format.md.';
}
