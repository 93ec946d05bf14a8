/**
 * The names an intent carries, checked before anything is read, hashed, stored or written: by the same
 * rules as the schemas and the layout (registry/names.ts), so `register a/b` or `register 'x/.git/hooks'`
 * is refused as the wrong command line it is, instead of committing files outside the layout or leaving
 * directories behind.
 */
import { ModelregError } from '../registry/errors.js';
import { artifactPathProblem, modelNameProblem, stageNameProblem } from '../registry/names.js';
import { isValidVersion } from '../registry/versions.js';
import type { Intent } from './plan.js';

export function assertModelName(name: string, what = 'model'): void {
  const problem = modelNameProblem(name);
  if (problem)
    throw new ModelregError('usage', `"${name}" cannot be a ${what} name: ${problem}`, { hint: 'Choose a name such as fraud-detector or bert-base.' });
}

export function assertStageName(name: string): void {
  const problem = stageNameProblem(name);
  if (problem) throw new ModelregError('usage', `"${name}" cannot be a stage name: ${problem}`);
}

export function assertVersion(version: string, what = 'version'): void {
  if (!isValidVersion(version.replace(/^v/, '')))
    throw new ModelregError('usage', `"${version}" is not a semantic ${what}`, { hint: 'Use 1.2.0 or 2.0.0-rc.1 (no build metadata).' });
}

/** An artifact path is data (a file's name), not the command line: refused with exit 1. */
export function assertArtifactPath(path: string): void {
  const problem = artifactPathProblem(path);
  if (problem)
    throw new ModelregError('rejected', `the artifact path ${JSON.stringify(path)} ${problem}`, {
      hint: 'Rename the file, or register it from a directory whose layout every checkout can hold.',
    });
}

/** Every name of `intent` (model, version, stage, parents, artifact paths), or a usage error naming the first that is wrong. */
export function assertIntentNames(intent: Intent): void {
  assertModelName(intent.model);
  switch (intent.kind) {
    case 'register':
      if (intent.version !== undefined) assertVersion(intent.version);
      for (const p of intent.lineage?.parents ?? []) {
        assertModelName(p.model, 'lineage parent');
        assertVersion(p.version, 'version of a lineage parent');
      }
      for (const a of intent.artifacts) assertArtifactPath(a.path);
      return;
    case 'promote':
      assertVersion(intent.version);
      assertStageName(intent.stage);
      return;
    case 'rollback':
      assertStageName(intent.stage);
      if (intent.to !== undefined) assertVersion(intent.to);
      return;
    case 'keep-latest':
      return;
    case 'unassign':
      assertStageName(intent.stage);
      return;
    default:
      assertVersion(intent.version);
  }
}
