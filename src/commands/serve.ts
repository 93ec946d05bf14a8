import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { BaseCommand, atFlag, storeFlag } from '../cli/base.js';
import { ModelregError } from '../registry/errors.js';
import { safeJson } from '../registry/text.js';

export default class Serve extends BaseCommand {
  static override summary = 'Answer MLflow clients: a read-only MLflow model-registry endpoint computed from a Git revision.';
  static override description = `MLflow clients (MlflowClient, mlflow.pyfunc.load_model("models:/<name>@<stage>"), mlflow.artifacts.download_artifacts) pointed at it with MLFLOW_TRACKING_URI or mlflow.set_registry_uri read this registry as an MLflow model registry: models are registered models, versions are numbered in registration order, stages are aliases (and MLflow's legacy stages), artifacts stream from the store with their sha256 checked on the way. Every answer carries the Git commit it was read from in the X-Modelreg-Commit header. Writes are refused in MLflow's error format: a change is a commit or a pull request. The mapping: docs/mlflow.md.

The access log is one JSON object a line on standard output. GET /health says which commit is served and, with --follow, whether the last fetch failed.`;
  static override examples = [
    '<%= config.bin %> serve',
    '<%= config.bin %> serve --follow origin/main --interval 10',
    'MODELREG_SERVE_TOKEN=s3cret <%= config.bin %> serve --host 0.0.0.0 --public-url https://models.example.com',
  ];
  static override flags = {
    at: atFlag,
    follow: Flags.string({
      description: 'Serve the tip of this remote branch, fetching it every --interval seconds and moving to a new tip atomically.',
      helpValue: '<remote>/<branch>',
      exclusive: ['at'],
    }),
    interval: Flags.integer({ description: 'Seconds between fetches with --follow.', default: 30, min: 1 }),
    host: Flags.string({ description: 'Address to listen on; loopback unless you say otherwise.', default: '127.0.0.1' }),
    port: Flags.integer({ char: 'p', description: 'Port to listen on (0: any free port).', default: 5000, min: 0, max: 65535 }),
    'public-url': Flags.string({
      description: 'The URL clients reach this server by, for the artifact URIs it hands out (default: the address listened on).',
      helpValue: '<url>',
    }),
    'token-file': Flags.string({
      description: 'Require `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN) with the token in this file; MODELREG_SERVE_TOKEN does the same.',
      helpValue: '<file>',
    }),
    store: storeFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const token = flags['token-file'] ? readToken(flags['token-file']) : process.env.MODELREG_SERVE_TOKEN || undefined;
    if (flags['public-url'] && !/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(flags['public-url']))
      throw new ModelregError('usage', `--public-url must be an http(s) URL, got "${flags['public-url']}"`);
    const { startServe } = await import('../serve/index.js');
    const log = (record: Record<string, unknown>) => process.stdout.write(safeJson(record) + '\n');
    const running = await startServe({
      ...(flags.registry ? { dir: flags.registry } : {}),
      ...(flags.at ? { at: flags.at } : {}),
      ...(flags.follow ? { follow: flags.follow, intervalSeconds: flags.interval } : {}),
      host: flags.host,
      port: flags.port,
      ...(token ? { token } : {}),
      ...(flags.store ? { store: flags.store } : {}),
      ...(flags['public-url'] ? { publicUrl: flags['public-url'] } : {}),
      log,
    });
    if (!token && !isLoopback(flags.host))
      log({
        time: new Date().toISOString(),
        event: 'warning',
        message: `listening on ${flags.host} without a token: anyone who can reach it can read the registry and its artifacts`,
      });
    await new Promise<void>((resolve) => {
      const stop = () => void running.close().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  }
}

function readToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new ModelregError('usage', `cannot read --token-file ${file}: ${(e as NodeJS.ErrnoException).code}`, { exitCode: 1 });
  }
  if (text.length < 16)
    throw new ModelregError('usage', `the token in ${file} is shorter than 16 characters`, {
      hint: 'Use a long random token, e.g. `openssl rand -hex 32`.',
      exitCode: 1,
    });
  return text;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
