/**
 * `modelreg render <model>@<stage> --for <target>` (issue 21) on a real repository: the stage's split as
 * each serving tool's resource, every one validated against the target's published schema — the
 * `@kubernetes-models` validators for Argo Rollouts, the Gateway API, Istio and Knative, and KServe's own
 * CRD schema (test/fixtures/kserve/README.md says where it came from) — with each version's artifacts
 * as its model location, and a split a target cannot express refused with the target that can.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1/VirtualService';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { ROOT, cli, fixtureRepo, gitIn } from './helpers.js';

type Json = Record<string, any>;
const TARGETS = ['argo-rollouts', 'gateway-api', 'istio', 'knative', 'kserve'] as const;
type Target = (typeof TARGETS)[number];

/** KServe's schema, each object that lists its properties closed to others (kubectl's strict field validation). */
function kserveValidator(): (o: Json) => void {
  const schema = JSON.parse(gunzipSync(readFileSync(join(ROOT, 'test/fixtures/kserve/inferenceservice-v1beta1.schema.json.gz'))).toString('utf8'));
  const close = (s: any): void => {
    if (!s || typeof s !== 'object') return;
    if (s.type === 'object' && s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields'])
      s.additionalProperties = false;
    for (const v of Object.values(s)) close(v);
  };
  close(schema);
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of ['int32', 'int64', 'byte', 'date-time', 'quantity', 'int-or-string']) ajv.addFormat(f, true);
  const validate = ajv.compile(schema);
  return (o) => {
    if (!validate(o)) throw new Error(ajv.errorsText(validate.errors));
  };
}

const VALIDATE: Record<Target, (o: Json) => void> = {
  'argo-rollouts': (o) => new Rollout(o as never).validate(),
  'gateway-api': (o) => new HTTPRoute(o as never).validate(),
  istio: (o) => new VirtualService(o as never).validate(),
  knative: (o) => new Service(o as never).validate(),
  kserve: kserveValidator(),
};

const IMAGE = 'ghcr.io/acme/sentiment-server:3.1';

/** The fixture registry, production (held by 1.1.0) split by the CLI: `steps` are promote arguments for 1.2.0 or 2.0.0-rc.1. */
function repo(...steps: [string, string[]][]): string {
  const { repo } = fixtureRepo();
  for (const [version, args] of steps) {
    const r = cli(repo, ['promote', `sentiment@${version}`, 'production', ...args, '--no-verify']); // production needs approvals: a pull request's
    expect(r.code, r.stderr).toBe(0);
  }
  return repo;
}

/** The resource rendered for `target` (YAML; with `json`, --json too, which must say the same), accepted by the target's schema. */
function render(dir: string, target: Target, extra: string[] = [], options: { json?: boolean } = {}): Json {
  const args = ['render', 'sentiment@production', '--for', target, '--image', IMAGE, '--gateway', 'public', '--host', 'sentiment.example.com', ...extra];
  const r = cli(dir, args);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout.split('\n')[0]).toMatch(/^# sentiment@production rendered by modelreg for /);
  const resource = parse(r.stdout);
  if (options.json) expect(cli(dir, [...args, '--json']).json()).toEqual(resource);
  VALIDATE[target](resource);
  return resource;
}

/** Each version's artifacts, as resolve gives them. */
function artifacts(dir: string, version: string): { uri: string; sha256: string; role?: string }[] {
  return cli(dir, ['resolve', `sentiment@${version}`, '--json']).json().artifacts;
}
const weights = (dir: string, version: string) => artifacts(dir, version).find((a) => a.role === 'weights')!;
const env = (container: Json) => Object.fromEntries(container.env.map((e: Json) => [e.name, e.value]));

describe('render --for', () => {
  it("the validators are live: each rejects what its target's schema forbids", () => {
    const dir = repo();
    for (const target of TARGETS) {
      const typed = render(dir, target, [], { json: true });
      if (target === 'kserve') {
        // Closed objects: a misspelt field is refused, not pruned.
        const misspelt = structuredClone(typed);
        misspelt.spec.predictor.model.storageURI = misspelt.spec.predictor.model.storageUri;
        expect(() => VALIDATE[target](misspelt)).toThrow(/must NOT have additional properties/);
      }
      const wrong: Record<Target, (o: Json) => void> = {
        'argo-rollouts': (o) => (o.spec.strategy.canary.steps = [{ setWeight: 'ten' }]),
        'gateway-api': (o) => (o.spec.rules[0].backendRefs[0].weight = 'ten'),
        istio: (o) => (o.spec.http[0].route[0].weight = 'ten'),
        knative: (o) => (o.spec.traffic[0].percent = 'ten'),
        kserve: (o) => (o.spec.predictor.canaryTrafficPercent = 'ten'),
      };
      wrong[target](typed);
      expect(() => VALIDATE[target](typed), target).toThrow();
    }
  });

  it('a stage with one holder: everything to it, its artifacts as the model location', () => {
    const dir = repo();
    const holder = weights(dir, '1.1.0');
    const rollout = render(dir, 'argo-rollouts');
    expect(rollout.spec.strategy.canary.steps).toEqual([]);
    expect(env(rollout.spec.template.spec.containers[0])).toMatchObject({ MODEL_VERSION: '1.1.0', MODEL_URI: holder.uri, MODEL_SHA256: holder.sha256 });
    expect(JSON.parse(env(rollout.spec.template.spec.containers[0]).MODEL_ARTIFACTS)).toHaveLength(artifacts(dir, '1.1.0').length);
    expect(render(dir, 'gateway-api').spec.rules[0].backendRefs).toEqual([{ name: 'sentiment-v1-1-0', port: 80, weight: 100 }]);
    expect(render(dir, 'istio').spec.http[0].route).toEqual([{ destination: { host: 'sentiment-v1-1-0', port: { number: 80 } }, weight: 100 }]);
    expect(render(dir, 'knative').spec.traffic).toEqual([{ revisionName: 'sentiment-v1-1-0', percent: 100, latestRevision: false }]);
    const isvc = render(dir, 'kserve');
    expect(isvc.spec.predictor).toEqual({ model: { modelFormat: { name: 'transformers' }, storageUri: holder.uri } });
    expect(isvc.metadata.annotations).toMatchObject({
      'modelreg.dev/model': 'sentiment',
      'modelreg.dev/stage': 'production',
      'modelreg.dev/sha256': holder.sha256,
    });
  });

  it('a canary: its weight in each tool’s own terms, and its own bytes where a pod loads one version', () => {
    const dir = repo(['1.2.0', ['--weight', '10']]);
    const canary = weights(dir, '1.2.0');
    const rollout = render(dir, 'argo-rollouts');
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 10 }, { pause: {} }]);
    expect(env(rollout.spec.template.spec.containers[0])).toMatchObject({ MODEL_VERSION: '1.2.0', MODEL_URI: canary.uri, MODEL_SHA256: canary.sha256 });
    expect(rollout.spec.template.spec.containers[0].image).toBe(IMAGE);
    const route = render(dir, 'gateway-api');
    expect(route.spec.parentRefs).toEqual([{ name: 'public' }]);
    expect(route.spec.hostnames).toEqual(['sentiment.example.com']);
    expect(route.spec.rules[0].backendRefs).toEqual([
      { name: 'sentiment-v1-2-0', port: 80, weight: 10 },
      { name: 'sentiment-v1-1-0', port: 80, weight: 90 },
    ]);
    expect(JSON.parse(route.metadata.annotations['modelreg.dev/backends'])).toEqual([
      { version: '1.2.0', service: 'sentiment-v1-2-0', weight: 10, uri: canary.uri, sha256: canary.sha256 },
      { version: '1.1.0', service: 'sentiment-v1-1-0', weight: 90, uri: weights(dir, '1.1.0').uri, sha256: weights(dir, '1.1.0').sha256 },
    ]);
    expect(render(dir, 'istio').spec.http[0].route.map((r: Json) => [r.destination.host, r.weight])).toEqual([
      ['sentiment-v1-2-0', 10],
      ['sentiment-v1-1-0', 90],
    ]);
    const ksvc = render(dir, 'knative');
    expect(ksvc.spec.template.metadata.name).toBe('sentiment-v1-2-0');
    expect(ksvc.spec.traffic.map((t: Json) => [t.revisionName, t.percent])).toEqual([
      ['sentiment-v1-2-0', 10],
      ['sentiment-v1-1-0', 90],
    ]);
    expect(render(dir, 'kserve').spec.predictor).toEqual({
      model: { modelFormat: { name: 'transformers' }, storageUri: canary.uri },
      canaryTrafficPercent: 10,
    });
    // At a revision before the split, the holder alone.
    expect(render(dir, 'kserve', ['--at', 'HEAD~1']).spec.predictor.canaryTrafficPercent).toBeUndefined();
  });

  it('shadows are mirrored where the tool mirrors; a split a tool cannot express is refused, naming the one that can', () => {
    const dir = repo(['1.2.0', ['--weight', '10']], ['2.0.0-rc.1', ['--shadow']]);
    const mirror = { name: 'sentiment-v2-0-0-rc-1', port: 80 };
    expect(render(dir, 'gateway-api').spec.rules[0].filters).toEqual([{ type: 'RequestMirror', requestMirror: { backendRef: mirror } }]);
    expect(render(dir, 'istio').spec.http[0].mirrors).toEqual([{ destination: { host: mirror.name, port: { number: 80 } }, percentage: { value: 100 } }]);
    for (const target of ['argo-rollouts', 'knative', 'kserve'] as const) {
      const r = cli(dir, ['render', 'sentiment@production', '--for', target, '--image', IMAGE]);
      expect(r.code, target).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain('no mirrored traffic for the shadow 2.0.0-rc.1 of sentiment@production');
      expect(r.stderr).toContain('--for istio');
    }

    const threeWay = repo(['1.2.0', ['--weight', '10']], ['2.0.0-rc.1', ['--weight', '20']]);
    expect(render(threeWay, 'knative').spec.traffic.map((t: Json) => t.percent)).toEqual([10, 20, 70]);
    expect(render(threeWay, 'istio').spec.http[0].route.map((t: Json) => t.weight)).toEqual([10, 20, 70]);
    for (const target of ['argo-rollouts', 'kserve'] as const) {
      const r = cli(threeWay, ['render', 'sentiment@production', '--for', target, '--image', IMAGE]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/splits traffic two ways; sentiment@production is split 3 ways \(1\.2\.0 10% · 2\.0\.0-rc\.1 20% · 1\.1\.0 70%\)/);
    }
  });

  it('bad input: a version instead of a stage, a missing image, a name that is not a Kubernetes name', () => {
    const dir = repo();
    const head = gitIn(dir, 'rev-parse', 'HEAD');
    const cases: [string[], RegExp][] = [
      [['render', 'sentiment@1.1.0', '--for', 'istio'], /render takes <model>@<stage>, not sentiment@1\.1\.0/],
      [['render', 'sentiment@production', '--for', 'knative'], /--for knative needs the serving container's image: --image <image>/],
      [['render', 'sentiment@production', '--for', 'istio', '--name', 'Not_A_Name'], /"Not_A_Name" is not a Kubernetes name/],
      [['render', 'sentiment@production', '--for', 'nomad'], /Expected --for=nomad to be one of: argo-rollouts, gateway-api, istio, knative, kserve/],
    ];
    for (const [args, message] of cases) {
      const r = cli(dir, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
    expect(gitIn(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(gitIn(dir, 'status', '--porcelain')).toBe('');
  });
});
