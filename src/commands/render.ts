import { Args, Flags } from '@oclif/core';
import { stringify } from 'yaml';
import { BaseCommand, atFlag } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { renderStage } from '../api/render.js';
import { RENDER_TARGETS, type RenderTarget } from '../render/deploy.js';

export default class Render extends BaseCommand {
  static override summary = "Write a serving tool's resource for a stage's current split: Argo Rollouts, Gateway API, Istio, Knative or KServe.";
  static override description =
    "Prints the resource as YAML (or --json) for a deploy repository to apply or commit: the stage's weighted arms as the tool's own weights, its shadows as mirrored traffic (Istio, Gateway API), and each version's artifacts — store URI and sha256 — as the model's location. Each version is served under <name>-v<version> (a Service, or a Knative revision). Argo Rollouts and KServe split two ways and Knative mirrors nothing: a split they cannot express is refused, with the target that can. docs/render.md shows each.";
  static override examples = [
    '<%= config.bin %> render fraud@production --for istio --host fraud.example.com',
    '<%= config.bin %> render fraud@production --for gateway-api --gateway public',
    '<%= config.bin %> render fraud@production --for argo-rollouts --image ghcr.io/acme/fraud-server:3.1',
    '<%= config.bin %> render fraud@production --for knative --image ghcr.io/acme/fraud-server:3.1',
    '<%= config.bin %> render fraud@production --for kserve --at main > deploy/fraud.yaml',
  ];
  static override args = { ref: Args.string({ required: true, description: '<model>@<stage>' }) };
  static override flags = {
    for: Flags.string({ required: true, options: [...RENDER_TARGETS], description: 'The serving tool whose resource to write.' }),
    name: Flags.string({ description: "The resource's name and each version's prefix (default: the model's name as a DNS label)." }),
    namespace: Flags.string({ description: 'metadata.namespace of the resource.' }),
    image: Flags.string({ description: 'The serving container image (Argo Rollouts, Knative).' }),
    port: Flags.integer({ description: "The port of each version's Service (Gateway API, Istio).", default: 80, min: 1, max: 65535 }),
    gateway: Flags.string({ description: 'The Gateway the route attaches to (Gateway API, Istio).' }),
    host: Flags.string({ description: 'The host name routed (Gateway API, Istio; Istio defaults to the name).' }),
    'model-format': Flags.string({ description: "KServe's modelFormat (default: the version's framework)." }),
    at: atFlag,
    store: storeFlag,
  };

  async run() {
    const { args, flags } = await this.parse(Render);
    const reg = await this.openRegistry(flags);
    const resource = await renderStage(reg, args.ref, flags.for as RenderTarget, {
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.namespace ? { namespace: flags.namespace } : {}),
      ...(flags.image ? { image: flags.image } : {}),
      port: flags.port,
      ...(flags.gateway ? { gateway: flags.gateway } : {}),
      ...(flags.host ? { host: flags.host } : {}),
      ...(flags['model-format'] ? { modelFormat: flags['model-format'] } : {}),
    });
    const annotations = (resource.metadata as { annotations: Record<string, string> }).annotations;
    this.print(
      `# ${args.ref} rendered by modelreg for ${flags.for}: ${annotations['modelreg.dev/split']}\n${stringify(resource, { lineWidth: 0, aliasDuplicateObjects: false })}`,
    );
    return resource;
  }
}
