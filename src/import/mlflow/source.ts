/**
 * Reading an MLflow server over its REST API 2.0: registered models, their versions and aliases, and each
 * version's artifacts (through the server's mlflow-artifacts proxy, or a local file:// root). Every
 * failure is a ModelregError naming the server, the request and what it answered.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, copyFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { ModelregError } from '../../registry/errors.js';
import type { MlflowModelData, MlflowVersionData } from '../../mlflow/import-plan.js';

/** What an MLflow endpoint answered: read field by field, and checked, where it is used. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MlflowJson = Record<string, any>;

const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

export interface RemoteFile {
  /** Relative to the version's artifact root, / separated. */
  path: string;
  size: number;
}

type Location = { kind: 'http'; base: string; root: string } | { kind: 'file'; dir: string };

const tagsOf = (list: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const t of Array.isArray(list) ? list : [])
    if (t && typeof t.key === 'string') Object.defineProperty(out, t.key, { value: String(t.value ?? ''), enumerable: true });
  return out;
};

export class MlflowSource {
  readonly base: string;
  requests = 0;

  constructor(
    trackingUri: string,
    private readonly token?: string,
  ) {
    if (!/^https?:\/\/[^\s/]+/.test(trackingUri))
      throw new ModelregError('usage', `--tracking-uri must be the http(s) URL of an MLflow server, got "${trackingUri}"`, {
        hint: 'For example: --tracking-uri http://127.0.0.1:5000',
      });
    this.base = trackingUri.replace(/\/+$/, '');
  }

  private async request(path: string, params: Record<string, string | undefined> = {}, options: { stream?: boolean } = {}): Promise<Response> {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    this.requests++;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
        signal: AbortSignal.timeout(options.stream ? 3_600_000 : 60_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new ModelregError('source-unavailable', `cannot reach MLflow at ${this.base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, {
        hint: 'Check --tracking-uri and that the server is up; nothing more was written. Run the import again when it is: it continues where it stopped.',
        cause: e,
      });
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 300).replace(/\s+/g, ' ').trim();
      try {
        const body = JSON.parse(text) as { error_code?: string; message?: string };
        if (body.error_code) detail = `${body.error_code}: ${body.message ?? ''}`;
      } catch {
        // not JSON: keep the text
      }
      const retryable = res.status >= 500 || res.status === 429;
      throw new ModelregError(
        retryable ? 'source-unavailable' : 'source-invalid',
        `MLflow at ${this.base} answered ${res.status} to GET ${url.pathname}${url.search}: ${detail || res.statusText}`,
        {
          hint: retryable
            ? 'The server failed; nothing more was written. Run the import again: it continues where it stopped.'
            : res.status === 401 || res.status === 403
              ? 'Set MLFLOW_TRACKING_TOKEN to a token the server accepts.'
              : 'Check the model names and --tracking-uri.',
        },
      );
    }
    return res;
  }

  private async json(path: string, params: Record<string, string | undefined> = {}): Promise<MlflowJson> {
    const res = await this.request(path, params);
    try {
      return (await res.json()) as MlflowJson;
    } catch {
      throw new ModelregError('source-invalid', `MLflow at ${this.base} answered GET ${path} with something that is not JSON`, {
        hint: 'Is --tracking-uri an MLflow server?',
      });
    }
  }

  /** Every registered model's name (prompts excluded, as MLflow's own client does). */
  async modelNames(): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.json(`${API}/registered-models/search`, {
        max_results: '1000',
        filter: "tag.`mlflow.prompt.is_prompt` != 'true'",
        page_token: token,
      });
      for (const m of page.registered_models ?? []) names.push(String(m.name));
      token = page.next_page_token || undefined;
    } while (token);
    return names;
  }

  async model(name: string): Promise<MlflowModelData> {
    const rm = (await this.json(`${API}/registered-models/get`, { name })).registered_model;
    if (!rm || typeof rm.name !== 'string')
      throw new ModelregError('source-invalid', `MLflow at ${this.base} answered registered-models/get for ${JSON.stringify(name)} without a registered model`);
    const aliases: Record<string, string> = {};
    for (const a of rm.aliases ?? []) aliases[String(a.alias)] = String(a.version);
    if (name.includes("'") && name.includes('"'))
      throw new ModelregError('rejected', `the MLflow model name ${JSON.stringify(name)} holds both kinds of quote, so MLflow's search cannot name it`, {
        hint: 'Leave it out with --model.',
      });
    const quote = name.includes("'") ? '"' : "'";
    const versions: MlflowVersionData[] = [];
    let token: string | undefined;
    do {
      const page = await this.json(`${API}/model-versions/search`, { filter: `name = ${quote}${name}${quote}`, max_results: '10000', page_token: token });
      for (const v of page.model_versions ?? []) {
        if (v.name !== name) continue;
        // MLflow's own server records no user on a version: the user of its source run is who made it.
        const user = String(v.user_id ?? '') || (v.run_id ? ((await this.run(String(v.run_id)))?.user ?? '') : '');
        versions.push({
          version: String(v.version),
          creation_timestamp: Number(v.creation_timestamp ?? 0),
          last_updated_timestamp: Number(v.last_updated_timestamp ?? v.creation_timestamp ?? 0),
          user_id: user,
          current_stage: String(v.current_stage ?? 'None'),
          description: String(v.description ?? ''),
          tags: tagsOf(v.tags),
          run_id: String(v.run_id ?? ''),
          source: String(v.source ?? ''),
          status: String(v.status ?? 'READY'),
        });
      }
      token = page.next_page_token || undefined;
    } while (token);
    return {
      name: rm.name,
      description: String(rm.description ?? ''),
      tags: tagsOf(rm.tags),
      aliases,
      last_updated_timestamp: Number(rm.last_updated_timestamp ?? 0),
      versions,
    };
  }

  private readonly runs = new Map<string, Promise<{ user: string; artifactUri: string } | null>>();

  /** A run's user and artifact root (memoised); null when MLflow no longer has the run. */
  run(runId: string): Promise<{ user: string; artifactUri: string } | null> {
    let r = this.runs.get(runId);
    if (!r) {
      r = this.json(`${API}/runs/get`, { run_id: runId }).then(
        (body) => ({ user: String(body.run?.info?.user_id ?? ''), artifactUri: String(body.run?.info?.artifact_uri ?? '') }),
        (e) => {
          if (e instanceof ModelregError && / 404 /.test(e.message)) return null;
          throw e;
        },
      );
      this.runs.set(runId, r);
    }
    return r;
  }

  /**
   * Where a version's artifacts are: get-download-uri, with MLflow's indirections resolved as its client
   * resolves them — `runs:/<run>/<path>` under the run's artifact root, `models:/m-<id>` at the logged
   * model's — down to the server's artifact proxy or a local directory.
   */
  private async location(name: string, version: string): Promise<Location> {
    let uri = String((await this.json(`${API}/model-versions/get-download-uri`, { name, version })).artifact_uri ?? '');
    const viaRun = /^runs:\/+([^/]+)\/?(.*)$/.exec(uri);
    if (viaRun) {
      const run = await this.run(viaRun[1]!);
      if (!run?.artifactUri)
        throw new ModelregError(
          'source-invalid',
          `MLflow's ${JSON.stringify(name)} version ${version} comes from run ${viaRun[1]}, which MLflow no longer has`,
          { hint: 'Its artifacts are gone with the run; leave the model out with --model. Nothing of this version was written.' },
        );
      uri = `${run.artifactUri.replace(/\/+$/, '')}${viaRun[2] ? `/${viaRun[2]}` : ''}`;
    }
    const viaModel = /^models:\/+(m-[0-9a-f]+)\/?$/.exec(uri);
    if (viaModel) uri = String((await this.json(`${API}/logged-models/${viaModel[1]}`)).model?.info?.artifact_uri ?? '');
    const proxied = /^mlflow-artifacts:(?:\/\/([^/]+))?\/*(.*)$/.exec(uri);
    if (proxied) return { kind: 'http', base: proxied[1] ? `${new URL(this.base).protocol}//${proxied[1]}` : this.base, root: proxied[2]!.replace(/\/+$/, '') };
    const http = /^(https?:\/\/[^/]+(?:\/[^?#]*?)?)\/api\/2\.0\/mlflow-artifacts\/artifacts\/*(.*)$/.exec(uri);
    if (http) return { kind: 'http', base: http[1]!, root: http[2]!.replace(/\/+$/, '') };
    if (uri.startsWith('file:')) return { kind: 'file', dir: fileURLToPath(uri) };
    if (uri.startsWith('/')) return { kind: 'file', dir: uri };
    throw new ModelregError(
      'rejected',
      `MLflow's ${JSON.stringify(name)} version ${version} keeps its artifacts at ${JSON.stringify(uri)}, which the importer cannot read`,
      {
        hint: 'Run the MLflow server with artifact proxying (mlflow server --serve-artifacts, the default) so they are read through it, or from a local file:// root.',
      },
    );
  }

  /** A version's files, every level. An empty listing is an error: a version's artifacts are gone. */
  async files(name: string, version: string): Promise<{ location: Location; files: RemoteFile[] }> {
    const location = await this.location(name, version);
    const files: RemoteFile[] = [];
    const walk = async (dir: string): Promise<void> => {
      if (location.kind === 'file') {
        let entries;
        try {
          entries = await readdir(join(location.dir, dir), { withFileTypes: true });
        } catch (e) {
          throw new ModelregError(
            'source-invalid',
            `MLflow's ${JSON.stringify(name)} version ${version}: its artifacts at ${location.dir} cannot be read (${(e as NodeJS.ErrnoException).code})`,
            { hint: "The version's artifacts are gone or unreadable; restore them, or leave the model out with --model." },
          );
        }
        for (const e of entries) {
          const rel = dir ? `${dir}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(rel);
          else if (e.isFile()) files.push({ path: rel, size: (await stat(join(location.dir, rel))).size });
        }
        return;
      }
      const page = (await (await this.request(ARTIFACTS, { path: dir ? `${location.root}/${dir}` : location.root })).json()) as {
        files?: { path: string; is_dir: boolean; file_size?: number | string }[];
      };
      for (const f of page.files ?? []) {
        const leaf = String(f.path).split('/').pop()!;
        if (!leaf || leaf === '.' || leaf === '..')
          throw new ModelregError('source-invalid', `MLflow listed an artifact named ${JSON.stringify(f.path)} for ${JSON.stringify(name)} version ${version}`);
        const rel = dir ? `${dir}/${leaf}` : leaf;
        if (f.is_dir) await walk(rel);
        else files.push({ path: rel, size: Number(f.file_size ?? -1) });
      }
    };
    await walk('');
    if (files.length === 0) {
      throw new ModelregError(
        'source-invalid',
        `MLflow's ${JSON.stringify(name)} version ${version} has no artifacts left (${location.kind === 'http' ? `mlflow-artifacts:/${location.root}` : location.dir} lists nothing)`,
        { hint: 'Its files were deleted from the artifact store; restore them, or leave the model out with --model. Nothing of this version was written.' },
      );
    }
    return { location, files: files.sort((a, b) => (a.path < b.path ? -1 : 1)) };
  }

  /** Download one file to `dest` (via a temporary file renamed into place); a file already there with the listed size is kept (resuming). */
  async download(location: Location, file: RemoteFile, dest: string): Promise<boolean> {
    const have = await stat(dest).catch(() => undefined);
    if (have?.isFile() && have.size === file.size) return false;
    await mkdir(dirname(dest), { recursive: true });
    const tmp = `${dest}.part`;
    try {
      if (location.kind === 'file') await copyFile(join(location.dir, file.path), tmp);
      else {
        const path = `${ARTIFACTS}/${[...location.root.split('/'), ...file.path.split('/')].filter(Boolean).map(encodeURIComponent).join('/')}`;
        const from = location.base === this.base ? this : new MlflowSource(location.base, this.token);
        const res = await from.request(path, {}, { stream: true });
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>), createWriteStream(tmp));
      }
      const got = (await stat(tmp)).size;
      if (file.size >= 0 && got !== file.size)
        throw new ModelregError('source-invalid', `${file.path} came from MLflow as ${got} bytes; MLflow listed ${file.size}`, {
          hint: 'Run the import again; if it repeats, the artifact store is inconsistent.',
        });
      await rename(tmp, dest);
      return true;
    } catch (e) {
      await unlink(tmp).catch(() => {});
      if (e instanceof ModelregError) throw e;
      throw new ModelregError('source-unavailable', `downloading ${file.path} from MLflow at ${this.base} failed: ${(e as Error).message}`, {
        hint: 'Run the import again: it continues where it stopped.',
        cause: e,
      });
    }
  }
}
