import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { storeFlag, repeatable } from '../cli/flags.js';
import { describeWrite, writeFlags, writeOptions } from '../cli/write-flags.js';
import { register } from '../api/register.js';
import { ModelregError } from '../registry/errors.js';
import { parseRegisterText } from '../api/register-input.js';

export default class Register extends BaseCommand {
  static override summary = 'Register a new version of a model: store its artifacts, then commit its manifest.';
  static override description = `Each file becomes an artifact with its path relative to the directory given; role and format are guessed from the name (*.safetensors, *.gguf, *.onnx, config.json, tokenizer*.json, adapter_*, *.pt, *.joblib, …) and can be overridden.
Order: hash and store the artifacts, plan the manifest, check it with the same engine as the pull-request action, commit. The model is created on its first registration.
A file of 8 MiB or more that was registered before and has not changed since (same device, inode, size, modification and change times) is not read again: its sha256 is remembered in MODELREG_DIGEST_CACHE (default ~/.cache/modelreg/digests; "off" turns it off), as git's index does; the store still checks every byte it receives.`;
  static override examples = [
    '<%= config.bin %> register sentiment ./out --bump minor --metric accuracy=0.91 --dataset s3://data/train.parquet',
    '<%= config.bin %> register sentiment model.safetensors tokenizer.json --version 1.3.0 --metrics-file eval.json --push',
    '<%= config.bin %> register llama-ft ./adapter --type adapter --parent llama@3.1.0:adapter-of --framework peft',
  ];
  static override strict = false;
  static override args = {
    model: Args.string({ required: true, description: 'Model name' }),
    paths: Args.string({ required: true, description: 'Files or directories of artifacts (one or more)' }),
  };
  static override flags = {
    ...writeFlags,
    version: Flags.string({ description: 'The version to register (semver).', exclusive: ['bump'] }),
    bump: Flags.string({
      description: 'Bump from the greatest existing version (default patch; the first version is 1.0.0).',
      options: ['major', 'minor', 'patch', 'prerelease'],
    }),
    preid: Flags.string({ description: 'Pre-release identifier for --bump prerelease (default rc).' }),
    'allow-lower': Flags.boolean({ description: 'Allow a version lower than the greatest (hotfix lines).', default: false }),
    metric: repeatable({ description: 'A metric, k=v (v a number); repeatable.', helpValue: 'k=v' }),
    'metrics-file': Flags.string({ description: 'Metrics from a JSON or YAML file (nested keys joined with /).', helpValue: '<file>' }),
    param: repeatable({ description: 'A parameter, k=v; repeatable.', helpValue: 'k=v' }),
    'params-file': Flags.string({ description: 'Parameters from a JSON or YAML file.', helpValue: '<file>' }),
    tag: repeatable({ description: 'A tag, k=v; repeatable.', helpValue: 'k=v' }),
    framework: Flags.string({ description: 'Framework, e.g. pytorch, transformers, sklearn.' }),
    type: Flags.string({
      description: 'Model type.',
      options: ['base', 'fine-tuned', 'adapter', 'quantized', 'distilled', 'merged', 'pruned', 'converted', 'other'],
    }),
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
    'no-follow-symlinks': Flags.boolean({
      description:
        'Refuse symbolic links inside the directories registered, instead of following them (a link whose target lies outside its directory is listed either way).',
      default: false,
    }),
  };

  async run() {
    const { args, argv, flags } = await this.parse(Register);
    const paths = (argv as string[]).slice(1);
    if (paths.length === 0) throw new ModelregError('usage', 'name at least one file or directory to register');
    const text = parseRegisterText({
      ...pick(flags, ['metric', 'param', 'tag', 'parent', 'dataset', 'code', 'role', 'format']),
      ...(flags['metrics-file'] ? { metricsFile: flags['metrics-file'] } : {}),
      ...(flags['params-file'] ? { paramsFile: flags['params-file'] } : {}),
    });
    const { lineage, notes } = text;
    if (flags['no-code']) delete lineage.code;
    for (const n of notes) this.notice(`note: ${n}\n`);
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
        metrics: text.metrics,
        params: text.params,
        ...(text.tags ? { tags: text.tags } : {}),
        lineage,
        newModel: { ...(flags.owner?.length ? { owners: flags.owner } : {}), ...(flags.task ? { task: flags.task } : {}) },
        ...(flags.message ? { message: flags.message } : {}),
        ...(text.roles ? { roles: text.roles } : {}),
        ...(text.formats ? { formats: text.formats } : {}),
      },
      {
        ...writeOptions(flags),
        codeOfCwd: !flags['no-code'] && !flags.code,
        progress: this.progress(),
        ...(flags['no-follow-symlinks'] ? { followSymlinks: false } : {}),
      },
    );
    this.print(describeWrite(result));
    const fresh = result.artifacts.filter((a) => a.stored).length;
    this.print(`  ${result.artifacts.length} artifact(s): ${fresh} stored, ${result.artifacts.length - fresh} already in ${result.store}\n`);
    const outside = result.links.filter((l) => l.outside);
    if (outside.length)
      this.print(
        `  followed ${outside.length} symbolic link(s) whose target lies outside the directory registered:\n${outside.map((l) => `    ${l.link} -> ${l.target}\n`).join('')}`,
      );
    return {
      ref: result.ref,
      version: result.version,
      commit: result.commit,
      branch: result.branch,
      pushed: result.pushed,
      attempts: result.attempts,
      pullRequest: result.pullRequest ?? null,
      store: result.store,
      artifacts: result.artifacts,
      files: result.files,
      links: result.links,
      notes: [...notes, ...result.notes],
    };
  }
}

/** The flags that are set, of those named. */
function pick<T extends object, K extends keyof T>(flags: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (flags[k] !== undefined) out[k] = flags[k];
  return out;
}
