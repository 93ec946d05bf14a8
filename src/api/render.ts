/**
 * `render`: a stage's split as a serving tool's resource (render/deploy.ts), from the registry as read.
 * What the renderer needs of each arm — its artifacts' store URIs and its framework — is read here.
 */
import { ModelregError } from '../registry/errors.js';
import { parseRef } from '../registry/refs.js';
import { renderDeploy, type RenderArm, type RenderOptions, type RenderTarget } from '../render/deploy.js';
import type { Registry } from './registry.js';

export async function renderStage(reg: Registry, reference: string, target: RenderTarget, options: RenderOptions = {}): Promise<Record<string, unknown>> {
  const ref = parseRef(reference);
  if (ref.selector.kind !== 'stage')
    throw new ModelregError('usage', `render takes <model>@<stage>, not ${reference}: it writes the split of a stage`, {
      hint: `For example: modelreg render ${ref.model}@production --for ${target}`,
    });
  const resolved = await reg.resolve(ref);
  // The same (memoised) snapshot resolve read: each arm's framework without resolving each arm again.
  const versions = (await reg.snapshot({ models: [ref.model] })).models.get(ref.model)?.versions;
  const arms: RenderArm[] = (resolved.arms ?? [{ version: resolved.version, weight: 100, shadow: false, artifacts: resolved.artifacts }]).map((a) => {
    const f = versions?.get(a.version)?.data.framework;
    return { version: a.version, weight: a.weight, shadow: a.shadow, artifacts: a.artifacts, ...(f ? { framework: f } : {}) };
  });
  return renderDeploy(target, { model: ref.model, stage: ref.selector.stage, holder: resolved.version, arms, revision: resolved.revision, options });
}
