import { Flags } from '@oclif/core';
import { BaseCommand, keyValues, storeFlag } from '../../cli/base.js';
import { table } from '../../cli/report.js';
import type { ImportedStep } from '../../import/mlflow/index.js';

export default class ImportMlflow extends BaseCommand {
  static override summary = 'Import an MLflow model registry, with its history, into this Git registry.';
  static override description = `Reads registered models, versions, tags, descriptions, aliases and legacy stages from an MLflow server; copies every version's artifacts into the store by content; writes one commit for each registration and each alias or stage move, in time order, authored by the MLflow user at the MLflow time (MLflow records no author for moves: those are by you, at MLflow's time).

MLflow version N becomes N.0.0 (--version-template); an alias or a legacy stage (Staging, Production) becomes the stage of the same name, which registry.yaml must hold; Archived becomes deprecated. A name modelreg cannot hold (capitals, spaces, slashes) is mapped to lowercase with "-" and said so, the original kept in the model's tag mlflow.name (--no-map-names refuses instead; --name-map chooses). Running it again imports only what is new; a version the registry already holds that is not the same MLflow version is a conflict. Interrupted, it continues where it stopped. docs/mlflow.md has the whole mapping.`;
  static override examples = [
    '<%= config.bin %> import mlflow --tracking-uri http://mlflow.internal:5000 --dry-run',
    '<%= config.bin %> import mlflow --tracking-uri http://127.0.0.1:5000 --model fraud --model "Churn Model"',
    '<%= config.bin %> import mlflow --tracking-uri http://127.0.0.1:5000 --name-map "Churn Model=churn" --version-template "1.{N}.0"',
  ];
  static override flags = {
    'tracking-uri': Flags.string({
      description: 'The MLflow server (MLFLOW_TRACKING_URI); MLFLOW_TRACKING_TOKEN is sent as a bearer token.',
      env: 'MLFLOW_TRACKING_URI',
      required: true,
      helpValue: '<url>',
    }),
    model: Flags.string({ description: 'Import only this MLflow model; repeatable.', multiple: true, helpValue: '<name>' }),
    'dry-run': Flags.boolean({ description: 'Say what would be imported; download and write nothing.', default: false }),
    'version-template': Flags.string({ description: 'How MLflow version N becomes a semver.', default: '{N}.0.0', helpValue: '<template>' }),
    'name-map': Flags.string({
      description: 'Import an MLflow model under another name, "<mlflow name>=<name>"; repeatable.',
      multiple: true,
      helpValue: '<from>=<to>',
    }),
    'no-map-names': Flags.boolean({ description: 'Refuse MLflow names modelreg cannot hold instead of mapping them.', default: false }),
    store: storeFlag,
  };

  async run() {
    const { flags } = await this.parse(ImportMlflow);
    const { importMlflow } = await import('../../import/mlflow/index.js');
    const result = await importMlflow({
      trackingUri: flags['tracking-uri'],
      ...(flags.model?.length ? { models: flags.model } : {}),
      dryRun: flags['dry-run'],
      ...(flags.registry ? { dir: flags.registry } : {}),
      versionTemplate: flags['version-template'],
      names: keyValues(flags['name-map'], 'name-map') ?? {},
      mapNames: !flags['no-map-names'],
      ...(process.env.MLFLOW_TRACKING_TOKEN ? { token: process.env.MLFLOW_TRACKING_TOKEN } : {}),
      ...(flags.store ? { store: flags.store } : {}),
      onStep: (s: ImportedStep, i: number, n: number) =>
        this.print(process.stderr, `[${i + 1}/${n}] ${describe(s)}${s.commit ? `  ${s.commit.slice(0, 10)}` : ''}\n`),
    });
    for (const n of result.names.filter((x) => x.mapped)) this.print(`name: MLflow ${JSON.stringify(n.mlflow)} is imported as ${n.modelreg}\n`);
    for (const note of result.notes) this.print(`note: ${note}\n`);
    if (result.dryRun) {
      this.print(
        result.steps.length
          ? table([['WHEN', 'STEP', 'BY'], ...result.steps.map((s) => [new Date(s.at).toISOString(), describe(s), s.user ?? '-'])])
          : 'nothing to import: the registry holds everything the MLflow server does\n',
      );
      this.print(`dry run: ${result.steps.length} commit(s) would be made; nothing was downloaded or written\n`);
      return result;
    }
    this.print(
      result.steps.length
        ? `imported ${result.steps.length} commit(s) from ${result.trackingUri}\n`
        : `nothing to import: the registry holds everything ${result.trackingUri} does\n`,
    );
    return result;
  }
}

function describe(s: ImportedStep): string {
  const from = `${JSON.stringify(s.mlflowName)}`;
  switch (s.kind) {
    case 'register':
      return `register ${s.model}@${s.version} (${from} version ${s.mlflowVersion})`;
    case 'promote':
      return `promote ${s.model}@${s.version} to ${s.stage} (${s.because})`;
    case 'unassign':
      return `unassign ${s.model} ${s.stage} (${s.because})`;
    default:
      return `${s.kind} ${s.model}@${s.version} (${s.because})`;
  }
}
