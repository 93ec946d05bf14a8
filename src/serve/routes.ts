/**
 * The endpoints `modelreg serve` answers: each maps a request's parameters to a function of the MLflow
 * view (src/mlflow/view.ts) of one revision. Writes answer MLflow's error format and say how a change to
 * this registry is made instead.
 */
import { MlflowApiError, notFound } from '../mlflow/errors.js';
import {
  downloadUri,
  getByAlias,
  getLatestVersions,
  getModelVersion,
  getRegisteredModel,
  listArtifacts,
  searchModelVersions,
  searchRegisteredModels,
  splitArtifactPath,
} from '../mlflow/view.js';
import { ARTIFACTS_PATH as ARTIFACTS, type ServedRevision } from './revision.js';

/** A request's parameters: the query string's, or a JSON body's; a repeated key is a list. */
export type Params = Record<string, string | string[] | undefined>;

export type JsonRoute = (rev: ServedRevision, p: Params) => unknown;

const one = (p: Params, key: string): string | undefined => {
  const v = p[key];
  return Array.isArray(v) ? v[0] : v;
};
const many = (p: Params, key: string): string[] | undefined => {
  const v = p[key];
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
};

const REG = '/api/2.0/mlflow/registered-models';
const MV = '/api/2.0/mlflow/model-versions';

/** Read endpoints, by path; `GET` unless listed in POST_READS too. */
export const READS: Record<string, JsonRoute> = {
  [`${REG}/get`]: (r, p) => getRegisteredModel(r.index, one(p, 'name')),
  [`${REG}/search`]: (r, p) => searchRegisteredModels(r.index, search(p)),
  [`${REG}/get-latest-versions`]: (r, p) => ({ model_versions: getLatestVersions(r.index, one(p, 'name'), many(p, 'stages'), r.stages) }),
  [`${REG}/alias`]: (r, p) => ({ model_version: getByAlias(r.index, one(p, 'name'), one(p, 'alias')) }),
  [`${MV}/get`]: (r, p) => ({ model_version: getModelVersion(r.index, one(p, 'name'), one(p, 'version')) }),
  [`${MV}/search`]: (r, p) => searchModelVersions(r.index, search(p)),
  [`${MV}/get-download-uri`]: (r, p) => downloadUri(r.index, one(p, 'name'), one(p, 'version')),
  [ARTIFACTS]: (r, p) => ({ files: listVersionArtifacts(r, one(p, 'path') ?? '') }),
};

/** MLflow's client asks for the latest versions with POST (the proto's first endpoint); it is a read. */
export const POST_READS = new Set([`${REG}/get-latest-versions`]);

function search(p: Params) {
  const filter = one(p, 'filter');
  const maxResults = one(p, 'max_results');
  const pageToken = one(p, 'page_token');
  const orderBy = many(p, 'order_by');
  return {
    ...(filter !== undefined ? { filter } : {}),
    ...(maxResults !== undefined ? { maxResults } : {}),
    ...(pageToken ? { pageToken } : {}),
    ...(orderBy ? { orderBy } : {}),
  };
}

function listVersionArtifacts(r: ServedRevision, path: string) {
  const where = splitArtifactPath(r.index, path);
  if (!where) throw notFound(`No artifacts at '${path}': modelreg serves <model>/<version>/… of the registry's versions only`);
  return listArtifacts(r.artifacts.get(`${where.model}/${where.semver}`) ?? [], where.rest);
}

/** The artifact a GET of `/api/2.0/mlflow-artifacts/artifacts/<model>/<semver>/<path>` names, confined to that version's own files. */
export function artifactOf(r: ServedRevision, path: string): { sha256: string; size: number; name: string } {
  const where = splitArtifactPath(r.index, path);
  const file = where && r.artifacts.get(`${where.model}/${where.semver}`)?.find((a) => a.path === where.rest);
  if (!where || !file) throw notFound(`Artifact '${path}' not found: modelreg serves the files of a version's manifest only`);
  return { sha256: file.sha256, size: file.size, name: where.rest.slice(where.rest.lastIndexOf('/') + 1) };
}

/** The registry's write endpoints (MLflow REST API 2.0) and the modelreg way of doing each. */
const WRITES: Record<string, string> = {
  [`${REG}/create`]: 'register a version with `modelreg register <name> <files…> --pr`',
  [`${REG}/rename`]: 'rename the model directory in a pull request',
  [`${REG}/update`]: 'edit models/<name>/model.yaml in a pull request',
  [`${REG}/delete`]: 'remove the model in a pull request',
  [`${REG}/set-tag`]: 'edit the tags of models/<name>/model.yaml in a pull request',
  [`${REG}/delete-tag`]: 'edit the tags of models/<name>/model.yaml in a pull request',
  [`${REG}/alias`]: 'move a stage with `modelreg promote <name>@<version> <stage> --pr`',
  [`${MV}/create`]: 'register a version with `modelreg register <name> <files…> --pr`',
  [`${MV}/update`]: 'versions are immutable; register a new one with `modelreg register … --pr`',
  [`${MV}/delete`]: 'deprecate it with `modelreg deprecate <name>@<version> --pr`',
  [`${MV}/transition-stage`]: 'move a stage with `modelreg promote <name>@<version> <stage> --pr`',
  [`${MV}/set-tag`]: 'versions are immutable; register a new one with `modelreg register … --pr`',
  [`${MV}/delete-tag`]: 'versions are immutable; register a new one with `modelreg register … --pr`',
};

/** The refusal of a write to the registry or an upload of artifacts; undefined when the request is neither. */
export function writeRefusal(method: string, path: string): MlflowApiError | undefined {
  if (method === 'GET' || method === 'HEAD') return undefined;
  const how =
    WRITES[path] ?? (path === ARTIFACTS || path.startsWith(`${ARTIFACTS}/`) ? 'register a version with `modelreg register <name> <files…> --pr`' : undefined);
  if (!how) return undefined;
  return new MlflowApiError(
    'PERMISSION_DENIED',
    `modelreg serve is read-only: this registry is a Git repository, and a change to it is a commit or a pull request. To do this, ${how}.`,
  );
}
