/**
 * `modelreg import mlflow`: read the MLflow server, plan (src/mlflow/import-plan.ts, pure), then carry
 * out each step through the write path (src/api): a registration downloads the version's artifacts into a
 * staging directory (kept across runs, so an interrupted import resumes where it stopped), stores them by
 * content and commits the manifest; a stage move or lifecycle mark commits one file. Every step is one
 * whole commit, authored by the MLflow user at the MLflow time where MLflow records them, so a crash or a
 * server failing halfway leaves a valid registry that the next run continues.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from '../../api/registry.js';
import { register } from '../../api/register.js';
import { applyIntent, type WriteOptions } from '../../api/write.js';
import {
  DEFAULT_VERSION_TEMPLATE,
  MLFLOW_NAME_TAG,
  planImport,
  type ExistingModel,
  type ImportPlan,
  type ImportStep,
  type MlflowModelData,
} from '../../mlflow/import-plan.js';
import { MLFLOW_VERSION_TAG } from '../../mlflow/view.js';
import { ModelregError } from '../../registry/errors.js';
import { MlflowSource } from './source.js';

export interface ImportOptions {
  trackingUri: string;
  /** MLflow model names to import (default: all). */
  models?: string[];
  dryRun?: boolean;
  dir?: string;
  versionTemplate?: string;
  names?: Record<string, string>;
  mapNames?: boolean;
  /** MLFLOW_TRACKING_TOKEN: sent as a bearer token. */
  token?: string;
  store?: string;
  /** Where downloads wait for their commit (default: a directory under the system's temp dir, per server and registry). */
  staging?: string;
  /** Called after each step with what it did. */
  onStep?: (step: ImportedStep, index: number, total: number) => void;
}

export type ImportedStep = ImportStep & { commit?: string; files?: number; bytes?: number; downloaded?: number };

export interface ImportResult {
  trackingUri: string;
  dryRun: boolean;
  names: ImportPlan['names'];
  notes: string[];
  steps: ImportedStep[];
  /** Requests made to the MLflow server. */
  requests: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** An MLflow user id as a Git author: an e-mail address stays one; a bare name gets the reserved domain .invalid. */
export function authorOf(user: string | null): { name: string; email: string } | undefined {
  if (!user) return undefined;
  const at = user.indexOf('@');
  return at > 0 ? { name: user.slice(0, at), email: user } : { name: user, email: `${user.replace(/[^A-Za-z0-9._-]/g, '-')}@mlflow.invalid` };
}

export async function importMlflow(options: ImportOptions): Promise<ImportResult> {
  const source = new MlflowSource(options.trackingUri, options.token);
  const reg = await Registry.open({ ...(options.dir ? { dir: options.dir } : {}), at: 'HEAD', ...(options.store ? { store: options.store } : {}) });
  const snap = await reg.snapshot();
  if (!snap.policy)
    throw new ModelregError('registry-invalid', 'registry.yaml is missing or invalid at HEAD', { file: 'registry.yaml', hint: 'Run `modelreg validate`.' });

  const names = options.models?.length ? options.models : await source.modelNames();
  const models: MlflowModelData[] = [];
  for (const name of names) models.push(await source.model(name));

  const existing = new Map<string, ExistingModel>();
  for (const m of snap.models.values()) {
    existing.set(m.name, {
      versions: new Map(
        [...m.versions.values()].map((v) => [
          v.data.version,
          { ...(v.data.tags?.[MLFLOW_VERSION_TAG] ? { mlflowVersion: v.data.tags[MLFLOW_VERSION_TAG] } : {}), deprecated: !!v.data.deprecated },
        ]),
      ),
      stages: new Map([...m.stages.values()].map((s) => [s.data.stage, s.data.version])),
      ...(m.manifest?.data.tags?.[MLFLOW_NAME_TAG] ? { mlflowName: m.manifest.data.tags[MLFLOW_NAME_TAG] } : {}),
    });
  }
  const plan = planImport(models, existing, {
    versionTemplate: options.versionTemplate ?? DEFAULT_VERSION_TEMPLATE,
    names: options.names ?? {},
    mapNames: options.mapNames ?? true,
    stages: snap.policy.data.stages.map((s) => s.name),
  });
  const result: ImportResult = { trackingUri: source.base, dryRun: !!options.dryRun, names: plan.names, notes: plan.notes, steps: [], requests: 0 };
  if (options.dryRun) {
    result.steps = plan.steps;
    result.requests = source.requests;
    return result;
  }

  const staging =
    options.staging ?? join(tmpdir(), `modelreg-mlflow-import-${createHash('sha256').update(`${source.base}\n${reg.root}`).digest('hex').slice(0, 16)}`);
  for (const [i, step] of plan.steps.entries()) {
    const done = await apply(step, reg.root, source, staging, options);
    result.steps.push(done);
    options.onStep?.(done, i, plan.steps.length);
  }
  result.requests = source.requests;
  return result;
}

async function apply(step: ImportStep, root: string, source: MlflowSource, staging: string, options: ImportOptions): Promise<ImportedStep> {
  const author = authorOf(step.user);
  const write: WriteOptions = { dir: root, noVerify: true, as: { date: iso(step.at), ...(step.user ? { actor: step.user } : {}), ...author } };
  const origin = `Imported from MLflow at ${source.base}: ${JSON.stringify(step.mlflowName)}`;
  if (step.kind === 'register') {
    const { location, files } = await source.files(step.mlflowName, step.mlflowVersion);
    const dir = join(staging, step.model, step.version);
    let downloaded = 0;
    for (const f of files) if (await source.download(location, f, join(dir, ...f.path.split('/')))) downloaded++;
    const r = await register(
      {
        model: step.model,
        files: [dir],
        everything: true,
        version: step.version,
        allowLower: true,
        ...(step.description ? { description: step.description } : {}),
        tags: step.tags,
        ...(step.newModel
          ? {
              newModel: {
                owners: step.newModel.owners,
                ...(step.newModel.description ? { description: step.newModel.description } : {}),
                ...(Object.keys(step.newModel.tags).length ? { tags: step.newModel.tags } : {}),
              },
            }
          : {}),
        message: `Register ${step.model}@${step.version}\n\n${origin} version ${step.mlflowVersion}, registered by ${step.user ?? 'an unknown user'}.`,
      },
      { ...write, ...(options.store ? { store: options.store } : {}) },
    );
    if (r.artifacts.length !== files.length)
      throw new ModelregError(
        'source-invalid',
        `${step.model}@${step.version} was registered with ${r.artifacts.length} of the ${files.length} files MLflow lists`,
        { hint: 'Compare `modelreg show` with the MLflow version; the staging copy is kept for a look.' },
      );
    await rm(dir, { recursive: true, force: true });
    return { ...step, commit: r.commit, files: r.artifacts.length, bytes: r.artifacts.reduce((n, a) => n + a.size, 0), downloaded };
  }
  const why = `${step.because}. ${origin}; MLflow records no author for stage and alias moves.`;
  const intent =
    step.kind === 'promote'
      ? {
          kind: 'promote' as const,
          model: step.model,
          version: step.version,
          stage: step.stage,
          reason: why,
          message: `Promote ${step.model}@${step.version} to ${step.stage} (${step.because})`,
        }
      : step.kind === 'unassign'
        ? { kind: 'unassign' as const, model: step.model, stage: step.stage, reason: why, message: `Unassign ${step.model} ${step.stage} (${step.because})` }
        : {
            kind: step.kind,
            model: step.model,
            version: step.version,
            reason: why,
            message: `${step.kind === 'deprecate' ? 'Deprecate' : 'Undeprecate'} ${step.model}@${step.version} (${step.because})`,
          };
  const r = await applyIntent(intent, write);
  return { ...step, commit: r.commit };
}
