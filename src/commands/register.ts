import { Args, Flags } from '@oclif/core';
import { readFileSync } from 'node:fs';
import { BaseCommand, keyValues } from '../cli/base.js';
import { storeFlag, repeatable } from '../cli/flags.js';
import { progressReporter } from '../cli/progress.js';
import { describeWrite, writeFlags, writeOptions } from '../cli/write-flags.js';
import { codeOfDirectory, register } from '../api/register.js';
import { findRegistryRoot } from '../git/open.js';
import { ModelregError } from '../registry/errors.js';
import { parseManifestYaml } from '../schema/yaml.js';
import type { Lineage, Scalar } from '../registry/types.js';

export default class Register extends BaseCommand {
  static override summary = 'Register a new version of a model: store its artifacts, then commit its manifest.';
  static override description = `Each file becomes an artifact with its path relative to the directory given; role and format are guessed from the name (*.safetensors, *.gguf, *.onnx, config.json, tokenizer*.json, adapter_*, *.pt, *.joblib, …) and can be overridden.
Order: hash and store the artifacts, plan the manifest, check it with the same engine as the pull-request action, commit. The model is created on its first registration.`;
  static override examples = [
    '<%= config.bin %> register sentiment ./out --bump minor --metric accuracy=0.91 --dataset s3://data/train.parquet',
    '<%= config.bin %> register sentiment model.safetensors tokenizer.json --version 1.3.0 --metrics-file eval.json --push',
    '<%= config.bin %> register llama-ft ./adapter --type adapter --parent llama@3.1.0:adapter-of --framework peft',
  ];
  static override strict = false;
  static override args = { model: Args.string({ required: true, description: 'Model name' }), paths: Args.string({ required: true, description: 'Files or directories of artifacts (one or more)' }) };
  static override flags = {
    ...writeFlags,
    version: Flags.string({ description: 'The version to register (semver).', exclusive: ['bump'] }),
    bump: Flags.string({ description: 'Bump from the greatest existing version (default patch; the first version is 1.0.0).', options: ['major', 'minor', 'patch', 'prerelease'] }),
    preid: Flags.string({ description: 'Pre-release identifier for --bump prerelease (default rc).' }),
    'allow-lower': Flags.boolean({ description: 'Allow a version lower than the greatest (hotfix lines).', default: false }),
    metric: repeatable({ description: 'A metric, k=v (v a number); repeatable.', helpValue: 'k=v' }),
    'metrics-file': Flags.string({ description: 'Metrics from a JSON or YAML file (nested keys joined with /).', helpValue: '<file>' }),
    param: repeatable({ description: 'A parameter, k=v; repeatable.', helpValue: 'k=v' }),
    'params-file': Flags.string({ description: 'Parameters from a JSON or YAML file.', helpValue: '<file>' }),
    tag: repeatable({ description: 'A tag, k=v; repeatable.', helpValue: 'k=v' }),
    framework: Flags.string({ description: 'Framework, e.g. pytorch, transformers, sklearn.' }),
    type: Flags.string({ description: 'Model type.', options: ['base', 'fine-tuned', 'adapter', 'quantized', 'distilled', 'merged', 'pruned', 'converted', 'other'] }),
    parent: repeatable({ description: 'A lineage parent, name@version[:relation]; repeatable.' }),
    dataset: repeatable({ description: 'A dataset, uri[#sha256]; repeatable.' }),
    code: Flags.string({ description: 'The training code, <repo>@<commit> (default: the Git repository and HEAD of the current directory).' }),
    'no-code': Flags.boolean({ description: 'Record no code lineage.', default: false }),
    description: Flags.string({ description: 'What changed in this version.' }),
    role: repeatable({ description: 'Override a role, <glob>=<role>; repeatable.' }),
    format: repeatable({ description: 'Override a format, <glob>=<format>; repeatable.' }),
    owner: repeatable({ description: 'Owner of a new model (default: you); repeatable.' }),
    task: Flags.string({ description: 'Task of a new model, e.g. text-classification.' }),
    store: storeFlag,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(Register);
    this.jsonMode = flags.json;
    const paths = (argv as string[]).slice(1);
    if (paths.length === 0) throw new ModelregError('usage', 'name at least one file or directory to register');
    const root = findRegistryRoot(flags.registry);
    const metrics = { ...(flags['metrics-file'] ? numbersFrom(flags['metrics-file']) : {}), ...numbers(keyValues(flags.metric, 'metric')) };
    const params = { ...(flags['params-file'] ? scalarsFrom(flags['params-file']) : {}), ...scalars(keyValues(flags.param, 'param')) };
    const lineage: Lineage = {};
    if (flags.parent?.length) lineage.parents = flags.parent.map(parseParent);
    if (flags.dataset?.length) lineage.datasets = flags.dataset.map(parseDataset);
    const code = flags['no-code'] ? undefined : flags.code ? parseCode(flags.code) : await codeOfDirectory(process.cwd(), root);
    if (code) lineage.code = code;
    const result = await register(
      {
        model: args.model,
        files: paths,
        ...(flags.version ? { version: flags.version } : {}),
        ...(flags.bump ? { bump: flags.bump as 'patch' } : {}),
        ...(flags.preid ? { preid: flags.preid } : {}),
        allowLower: flags['allow-lower'],
        ...(flags.framework ? { framework: flags.framework } : {}),
        ...(flags.type ? { type: flags.type } : {}),
        ...(flags.description ? { description: flags.description } : {}),
        metrics,
        params,
        ...(flags.tag ? { tags: keyValues(flags.tag, 'tag')! } : {}),
        lineage,
        newModel: { ...(flags.owner?.length ? { owners: flags.owner } : {}), ...(flags.task ? { task: flags.task } : {}) },
        ...(flags.message ? { message: flags.message } : {}),
        ...(flags.role ? { roles: keyValues(flags.role, 'role')! } : {}),
        ...(flags.format ? { formats: keyValues(flags.format, 'format')! } : {}),
      },
      { ...writeOptions(flags), dir: root, ...(flags.store ? { store: flags.store } : {}), progress: progressReporter(!flags.json) },
    );
    if (flags.json) return this.printJson({ ref: result.ref, version: result.version, commit: result.commit, branch: result.branch, pushed: result.pushed, attempts: result.attempts, pullRequest: result.pullRequest ?? null, store: result.store, artifacts: result.artifacts, files: result.files });
    this.print(describeWrite(result));
    const fresh = result.artifacts.filter((a) => a.stored).length;
    this.print(`  ${result.artifacts.length} artifact(s): ${fresh} stored, ${result.artifacts.length - fresh} already in ${result.store}\n`);
  }
}

function numbers(kv: Record<string, string> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(kv ?? {})) {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new ModelregError('usage', `--metric ${k}=${v}: the value must be a finite number`);
    out[k] = n;
  }
  return out;
}

function scalars(kv: Record<string, string> | undefined): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(kv ?? {})) {
    const n = Number(v);
    out[k] = v === 'true' ? true : v === 'false' ? false : v === 'null' ? null : v.trim() !== '' && Number.isFinite(n) ? n : v;
  }
  return out;
}

/** A JSON or YAML file, read with the same safe parser as manifests; nested mappings are flattened with /. */
function readFlat(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelregError('rejected', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code}`);
  }
  const parsed = parseManifestYaml(file, text);
  if (!parsed.doc) {
    const f = parsed.findings[0]!;
    throw new ModelregError('rejected', `${f.message}`, { file, ...(f.line ? { line: f.line } : {}) });
  }
  const value = parsed.doc.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ModelregError('rejected', `${file} must hold a mapping of names to values`, { file, line: 1 });
  const out: Record<string, unknown> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${prefix}${k}/`);
      else out[`${prefix}${k}`] = v;
    }
  };
  walk(value as Record<string, unknown>, '');
  return out;
}

function numbersFrom(file: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(readFlat(file))) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ModelregError('rejected', `${file}: metric ${k} is ${JSON.stringify(v)}, not a finite number`, { file });
    out[k] = v;
  }
  return out;
}

function scalarsFrom(file: string): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  for (const [k, v] of Object.entries(readFlat(file))) {
    if (Array.isArray(v)) out[k] = JSON.stringify(v);
    else out[k] = v as Scalar;
  }
  return out;
}

function parseParent(s: string): NonNullable<Lineage['parents']>[number] {
  const m = /^([^@:]+)@([^:]+)(?::(.+))?$/.exec(s);
  if (!m) throw new ModelregError('usage', `--parent expects name@version[:relation], got "${s}"`);
  return { model: m[1]!, version: m[2]!.replace(/^v/, ''), ...(m[3] ? { relation: m[3] } : {}) };
}

function parseDataset(s: string): NonNullable<Lineage['datasets']>[number] {
  const hash = s.lastIndexOf('#');
  if (hash > 0 && /^[0-9a-f]{64}$/.test(s.slice(hash + 1))) return { uri: s.slice(0, hash), sha256: s.slice(hash + 1) };
  return { uri: s };
}

function parseCode(s: string): { repository: string; commit: string } {
  const at = s.lastIndexOf('@');
  if (at <= 0) throw new ModelregError('usage', `--code expects <repo>@<commit>, got "${s}"`);
  return { repository: s.slice(0, at), commit: s.slice(at + 1) };
}
