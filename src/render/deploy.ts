/**
 * Deploy manifests from the registry (issue 21): a stage's current split written as the serving tool's
 * own resource, so a deploy repository (Argo CD, Flux, Kargo) reads the split instead of restating it.
 * Pure — resolved arms in, a Kubernetes object out; the command prints it as YAML or JSON.
 *
 * Conventions, the same for every target: each version is served under the name `<name>-v<version>`
 * (dots and other marks as dashes: fraud-v1-3-0), the Service of a Deployment for the routing targets
 * (Gateway API, Istio) and the revision name for Knative; a pod-based target (Argo Rollouts, Knative)
 * gets the model's location in its container's environment (MODEL_URI and MODEL_SHA256 of the primary
 * artifact — the weights — and MODEL_ARTIFACTS with every artifact's path, URI, sha256 and size); every
 * resource carries the model, stage, revision and split in `modelreg.dev/*` annotations.
 */
import { ModelregError } from '../registry/errors.js';
import { describeSplit } from '../registry/split.js';
import type { ArtifactEntry, StageArm } from '../registry/types.js';

export const RENDER_TARGETS = ['argo-rollouts', 'gateway-api', 'istio', 'knative', 'kserve'] as const;
export type RenderTarget = (typeof RENDER_TARGETS)[number];

export interface RenderArtifact extends ArtifactEntry {
  uri: string;
}

/** A version in the stage: a weighted arm (the holder alone at 100 when the stage is not split) or a shadow. */
export interface RenderArm {
  version: string;
  weight: number | null;
  shadow: boolean;
  artifacts: RenderArtifact[];
  framework?: string;
}

export interface RenderInput {
  model: string;
  stage: string;
  /** The main holder: the stable side of a two-way split. */
  holder: string;
  /** In the split's order (docs/assignment.md). */
  arms: RenderArm[];
  /** The registry commit read, or null for the work tree. */
  revision: string | null;
  options: RenderOptions;
}

export interface RenderOptions {
  /** The resource's name and the prefix of each version's name (default: the model's name as a DNS label). */
  name?: string;
  namespace?: string;
  /** The serving container image (Argo Rollouts, Knative). */
  image?: string;
  /** The port each version's Service listens on (Gateway API, Istio). */
  port?: number;
  /** The Gateway the route attaches to (Gateway API parentRefs, Istio gateways). */
  gateway?: string;
  /** The host name routed (Gateway API hostnames, Istio hosts; default for Istio: the name). */
  host?: string;
  /** KServe's modelFormat (default: the version's framework). */
  modelFormat?: string;
}

type Json = Record<string, unknown>;

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

export function renderDeploy(target: RenderTarget, input: RenderInput): Json {
  const name = resourceName(input);
  const weighted = input.arms.filter((a) => !a.shadow);
  const shadows = input.arms.filter((a) => a.shadow);
  const ctx: Ctx = { input, name, weighted, shadows, backend: (v) => backendName(name, v) };
  switch (target) {
    case 'argo-rollouts':
      return rollout(ctx);
    case 'gateway-api':
      return httpRoute(ctx);
    case 'istio':
      return virtualService(ctx);
    case 'knative':
      return knativeService(ctx);
    case 'kserve':
      return inferenceService(ctx);
  }
}

interface Ctx {
  input: RenderInput;
  name: string;
  weighted: RenderArm[];
  shadows: RenderArm[];
  backend: (version: string) => string;
}

/** The resource's name: --name, else the model's name with dots and underscores as dashes; a DNS label either way. */
function resourceName(input: RenderInput): string {
  const name = input.options.name ?? input.model.replace(/[._]+/g, '-').replace(/-+$/, '');
  if (!DNS_LABEL.test(name) || name.length > 63)
    throw new ModelregError('usage', `"${name}" is not a Kubernetes name (a DNS label: a-z, 0-9 and -, starting with a letter, at most 63 characters)`, {
      hint: 'Give one with --name.',
    });
  return name;
}

/** `<name>-v<version>`, dots and other marks as dashes: the Service (or Knative revision) of one version. */
export function backendName(name: string, version: string): string {
  const out = `${name}-v${version.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`.replace(/-+$/, '');
  if (out.length > 63) throw new ModelregError('usage', `${out} is longer than the 63 characters of a Kubernetes name`, { hint: 'Give a shorter --name.' });
  return out;
}

function metadata(ctx: Ctx, extra: Record<string, string> = {}): Json {
  const { input, name } = ctx;
  return {
    name,
    ...(input.options.namespace ? { namespace: input.options.namespace } : {}),
    labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/managed-by': 'modelreg' },
    annotations: {
      'modelreg.dev/model': input.model,
      'modelreg.dev/stage': input.stage,
      ...(input.revision ? { 'modelreg.dev/revision': input.revision } : {}),
      'modelreg.dev/split': describeSplit(input.arms.map(toStageArm)),
      ...extra,
    },
  };
}

const toStageArm = (a: RenderArm): StageArm => (a.shadow ? { version: a.version, shadow: true } : { version: a.version, weight: a.weight ?? 0 });

/** The primary artifact: the weights, else the first. */
function primary(arm: RenderArm): RenderArtifact {
  const a = arm.artifacts.find((x) => x.role === 'weights') ?? arm.artifacts[0];
  if (!a) throw new ModelregError('precondition', `${arm.version} has no artifacts to serve`);
  return a;
}

/** Where each version's bytes are, for the routing targets' annotation. */
function locations(ctx: Ctx): string {
  return JSON.stringify(
    ctx.input.arms.map((a) => ({
      version: a.version,
      service: ctx.backend(a.version),
      ...(a.shadow ? { shadow: true } : { weight: a.weight }),
      uri: primary(a).uri,
      sha256: primary(a).sha256,
    })),
  );
}

/** The container environment that tells a model server what to load, and how to check it. */
function modelEnv(arm: RenderArm, model: string): Json[] {
  const p = primary(arm);
  return [
    { name: 'MODEL_NAME', value: model },
    { name: 'MODEL_VERSION', value: arm.version },
    { name: 'MODEL_URI', value: p.uri },
    { name: 'MODEL_SHA256', value: p.sha256 },
    { name: 'MODEL_ARTIFACTS', value: JSON.stringify(arm.artifacts.map((a) => ({ path: a.path, uri: a.uri, sha256: a.sha256, size: a.size }))) },
  ];
}

/** Targets that split two ways only: the holder and one other arm, no shadows. */
function twoWay(ctx: Ctx, target: string): { stable: RenderArm; canary?: RenderArm } {
  const { input, weighted, shadows } = ctx;
  if (shadows.length)
    throw new ModelregError(
      'usage',
      `${target} has no mirrored traffic for the shadow ${shadows.map((s) => s.version).join(', ')} of ${input.model}@${input.stage}`,
      {
        hint: 'Render --for istio or --for gateway-api, which mirror traffic, or take the shadow out (promote --weight 0).',
      },
    );
  if (weighted.length > 2)
    throw new ModelregError(
      'usage',
      `${target} splits traffic two ways; ${input.model}@${input.stage} is split ${weighted.length} ways (${describeSplit(input.arms.map(toStageArm))})`,
      {
        hint: 'Render --for istio, --for gateway-api or --for knative, which split any number of ways.',
      },
    );
  const stable = weighted.find((a) => a.version === input.holder)!;
  const canary = weighted.find((a) => a.version !== input.holder);
  return canary ? { stable, canary } : { stable };
}

function requireImage(ctx: Ctx, target: string): string {
  if (!ctx.input.options.image) throw new ModelregError('usage', `--for ${target} needs the serving container's image: --image <image>`);
  return ctx.input.options.image;
}

/** Argo Rollouts: the pod template serves the canary (or the holder), and the steps hold it at its weight. */
function rollout(ctx: Ctx): Json {
  const { stable, canary } = twoWay(ctx, 'Argo Rollouts');
  const serving = canary ?? stable;
  const selector = { 'app.kubernetes.io/name': ctx.name };
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: metadata(ctx),
    spec: {
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: selector, annotations: { 'modelreg.dev/version': serving.version } },
        spec: { containers: [{ name: 'model', image: requireImage(ctx, 'argo-rollouts'), env: modelEnv(serving, ctx.input.model) }] },
      },
      // A canary holds at its weight until the registry's next step; no split is a full promotion.
      strategy: { canary: { steps: canary ? [{ setWeight: canary.weight }, { pause: {} }] : [] } },
    },
  };
}

/** Gateway API: one rule whose backends carry the weights, mirroring each shadow. */
function httpRoute(ctx: Ctx): Json {
  const { input } = ctx;
  const port = input.options.port ?? 80;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: metadata(ctx, { 'modelreg.dev/backends': locations(ctx) }),
    spec: {
      ...(input.options.gateway ? { parentRefs: [{ name: input.options.gateway }] } : {}),
      ...(input.options.host ? { hostnames: [input.options.host] } : {}),
      rules: [
        {
          backendRefs: ctx.weighted.map((a) => ({ name: ctx.backend(a.version), port, weight: a.weight })),
          ...(ctx.shadows.length
            ? { filters: ctx.shadows.map((s) => ({ type: 'RequestMirror', requestMirror: { backendRef: { name: ctx.backend(s.version), port } } })) }
            : {}),
        },
      ],
    },
  };
}

/** Istio: one HTTP route with a weighted destination per arm, and a mirror per shadow. */
function virtualService(ctx: Ctx): Json {
  const { input } = ctx;
  const port = { number: input.options.port ?? 80 };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: metadata(ctx, { 'modelreg.dev/backends': locations(ctx) }),
    spec: {
      hosts: [input.options.host ?? ctx.name],
      ...(input.options.gateway ? { gateways: [input.options.gateway] } : {}),
      http: [
        {
          route: ctx.weighted.map((a) => ({ destination: { host: ctx.backend(a.version), port }, weight: a.weight })),
          ...(ctx.shadows.length
            ? { mirrors: ctx.shadows.map((s) => ({ destination: { host: ctx.backend(s.version), port }, percentage: { value: 100 } })) }
            : {}),
        },
      ],
    },
  };
}

/** Knative: the template is the newest arm's revision, and the traffic names every arm's revision. */
function knativeService(ctx: Ctx): Json {
  const { input } = ctx;
  if (ctx.shadows.length)
    throw new ModelregError(
      'usage',
      `Knative has no mirrored traffic for the shadow ${ctx.shadows.map((s) => s.version).join(', ')} of ${input.model}@${input.stage}`,
      {
        hint: 'Render --for istio or --for gateway-api, which mirror traffic, or take the shadow out (promote --weight 0).',
      },
    );
  // The arm that joined last stands just before the holder; without a split, the holder itself.
  const newest = ctx.weighted.length > 1 ? ctx.weighted[ctx.weighted.length - 2]! : ctx.weighted[0]!;
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: metadata(ctx),
    spec: {
      template: {
        metadata: { name: ctx.backend(newest.version), annotations: { 'modelreg.dev/version': newest.version } },
        spec: { containers: [{ name: 'model', image: requireImage(ctx, 'knative'), env: modelEnv(newest, input.model) }] },
      },
      traffic: ctx.weighted.map((a) => ({ revisionName: ctx.backend(a.version), percent: a.weight, latestRevision: false })),
    },
  };
}

/** KServe: the predictor loads the canary (or the holder) and canaryTrafficPercent gives it its weight. */
function inferenceService(ctx: Ctx): Json {
  const { stable, canary } = twoWay(ctx, 'KServe');
  const serving = canary ?? stable;
  const format = ctx.input.options.modelFormat ?? serving.framework;
  if (!format)
    throw new ModelregError('usage', `${ctx.input.model}@${serving.version} records no framework, and KServe needs a model format`, {
      hint: 'Give one with --model-format (sklearn, xgboost, pytorch, onnx, huggingface, ...).',
    });
  const p = primary(serving);
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: metadata(ctx, { 'modelreg.dev/version': serving.version, 'modelreg.dev/sha256': p.sha256 }),
    spec: {
      predictor: {
        model: { modelFormat: { name: format }, storageUri: p.uri },
        ...(canary ? { canaryTrafficPercent: canary.weight } : {}),
      },
    },
  };
}
