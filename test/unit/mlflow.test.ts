/** The MLflow mapping (src/mlflow) on plain data: numbering, legacy stages, aliases, search filters, listing. */
import { describe, expect, it } from 'vitest';
import { MlflowApiError } from '../../src/mlflow/errors.js';
import { likeToRegExp, matches, parseFilter } from '../../src/mlflow/filter.js';
import {
  buildIndex,
  decodeToken,
  encodeToken,
  getByAlias,
  getLatestVersions,
  getModelVersion,
  getRegisteredModel,
  legacyStage,
  listArtifacts,
  numberVersions,
  searchModelVersions,
  searchRegisteredModels,
  splitArtifactPath,
  type ModelInput,
} from '../../src/mlflow/view.js';
import type { StageManifest, VersionManifest } from '../../src/registry/types.js';

const version = (v: string, extra: Partial<VersionManifest> = {}): VersionManifest => ({
  name: 'fraud',
  version: v,
  artifacts: [],
  created_by: 'alice@example.com',
  created_at: `2026-0${Number(v[0])}-01T00:00:00Z`,
  ...extra,
});
const stage = (s: string, v: string, at = '2026-09-01T00:00:00Z'): StageManifest => ({
  model: 'fraud',
  stage: s,
  version: v,
  moved_by: 'bob',
  moved_at: at,
  previous: null,
});

function fraud(): ModelInput {
  return {
    name: 'fraud',
    manifest: { name: 'fraud', owners: ['risk'], description: 'Card fraud.', tags: { team: 'risk' } },
    // Registration order: 1.0.0, 2.0.0, then the hotfix 1.0.1.
    versions: [
      version('1.0.0', { deprecated: { at: '2026-08-01T00:00:00Z', by: 'bob' } }),
      version('2.0.0', { tags: { 'mlflow.run_id': 'r2', team: 'risk' }, description: 'Bigger.' }),
      version('1.0.1', { created_by: 'carol' }),
    ],
    stages: [stage('production', '2.0.0'), stage('staging', '1.0.1'), stage('canary', '1.0.1', '2026-10-01T00:00:00Z')],
  };
}

const index = () =>
  buildIndex(
    [fraud(), { name: 'ads', manifest: { name: 'ads', owners: ['x'], tags: { team: 'ads' } }, versions: [{ ...version('1.0.0'), name: 'ads' }], stages: [] }],
    { artifactUri: (m, v) => `http://h/a/${m}/${v}` },
  );
const STAGES = ['development', 'staging', 'production', 'canary'];

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof MlflowApiError ? `${e.status} ${e.errorCode}` : String(e);
  }
  return 'no error';
};

describe('the MLflow view of a registry', () => {
  it('numbers versions by registration order, keeping a number an import recorded', () => {
    expect([...numberVersions([{ version: '1.0.0' }, { version: '2.0.0' }, { version: '1.0.1' }])]).toEqual([
      ['1.0.0', 1],
      ['2.0.0', 2],
      ['1.0.1', 3],
    ]);
    // Imported 1 and 3 (MLflow deleted 2), then a native registration: 1, 3, 4.
    expect([
      ...numberVersions([
        { version: '1.0.0', tags: { 'mlflow.version': '1' } },
        { version: '3.0.0', tags: { 'mlflow.version': '3' } },
        { version: '3.1.0' },
      ]).values(),
    ]).toEqual([1, 3, 4]);
    // A recorded number that would go backwards is not kept.
    expect([...numberVersions([{ version: '1.0.0' }, { version: '2.0.0' }, { version: '9.0.0', tags: { 'mlflow.version': '1' } }]).values()]).toEqual([
      1, 2, 3,
    ]);
  });

  it('derives the legacy stage: Production over Staging, Archived for deprecated, else None', () => {
    expect(legacyStage(['staging', 'production'], false)).toBe('Production');
    expect(legacyStage(['canary', 'staging'], false)).toBe('Staging');
    expect(legacyStage(['canary'], false)).toBe('None');
    expect(legacyStage([], true)).toBe('Archived');
  });

  it('maps a model and its versions to MLflow shapes', () => {
    const rm = getRegisteredModel(index(), 'fraud').registered_model;
    expect(rm).toMatchObject({ name: 'fraud', description: 'Card fraud.', user_id: 'alice@example.com', tags: [{ key: 'team', value: 'risk' }] });
    expect(rm.aliases).toEqual([
      { alias: 'canary', version: '3' },
      { alias: 'production', version: '2' },
      { alias: 'staging', version: '3' },
    ]);
    expect(rm.creation_timestamp).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(rm.last_updated_timestamp).toBe(Date.parse('2026-10-01T00:00:00Z'));
    expect(rm.latest_versions.map((v) => [v.current_stage, v.version])).toEqual([
      ['Staging', '3'],
      ['Production', '2'],
      ['Archived', '1'],
    ]);
    const v2 = getModelVersion(index(), 'fraud', '2');
    expect(v2).toMatchObject({
      version: '2',
      run_id: 'r2',
      description: 'Bigger.',
      current_stage: 'Production',
      aliases: ['production'],
      source: 'http://h/a/fraud/2.0.0',
      status: 'READY',
    });
    // mlflow.run_id is the run_id field, not a tag; the semver is a tag.
    expect(v2.tags).toEqual([
      { key: 'modelreg.version', value: '2.0.0' },
      { key: 'team', value: 'risk' },
    ]);
    expect(getModelVersion(index(), 'fraud', '1.0.1').version).toBe('3');
    expect(code(() => getModelVersion(index(), 'fraud', '9'))).toBe('404 RESOURCE_DOES_NOT_EXIST');
    expect(code(() => getModelVersion(index(), 'fraud', 'abc'))).toBe('400 INVALID_PARAMETER_VALUE');
    expect(code(() => getRegisteredModel(index(), 'nope'))).toBe('404 RESOURCE_DOES_NOT_EXIST');
    expect(code(() => getRegisteredModel(index(), undefined))).toBe('400 INVALID_PARAMETER_VALUE');
  });

  it('answers get-latest-versions for registry stages and legacy names, case-insensitively', () => {
    const ask = (stages?: string[]) => getLatestVersions(index(), 'fraud', stages, STAGES).map((v) => v.version);
    expect(ask(['Production'])).toEqual(['2']);
    expect(ask(['STAGING', 'production'])).toEqual(['2', '3']);
    expect(ask(['Canary'])).toEqual(['3']);
    expect(ask(['development'])).toEqual([]);
    expect(ask(['Archived'])).toEqual(['1']);
    expect(ask(['None'])).toEqual([]);
    expect(ask()).toEqual(['3', '2', '1']);
    expect(code(() => ask(['Prod']))).toBe('400 INVALID_PARAMETER_VALUE');
  });

  it('answers aliases: stages by name, and latest as MLflow does (the highest number)', () => {
    expect(getByAlias(index(), 'fraud', 'canary').version).toBe('3');
    expect(getByAlias(index(), 'fraud', 'latest').version).toBe('3');
    expect(code(() => getByAlias(index(), 'fraud', 'development'))).toBe('404 RESOURCE_DOES_NOT_EXIST');
  });

  it('searches with filters, order and pages', () => {
    const names = (filter?: string, extra = {}) =>
      searchRegisteredModels(index(), { ...(filter ? { filter } : {}), ...extra }).registered_models.map((m) => m.name);
    expect(names()).toEqual(['ads', 'fraud']);
    expect(names("name LIKE 'fr%'")).toEqual(['fraud']);
    expect(names("name ILIKE '%RAU%'")).toEqual(['fraud']);
    expect(names("tags.team = 'ads'")).toEqual(['ads']);
    expect(names("tag.`mlflow.prompt.is_prompt` != 'true'")).toEqual(['ads', 'fraud']);
    expect(names(undefined, { orderBy: ['name DESC'] })).toEqual(['fraud', 'ads']);
    const first = searchRegisteredModels(index(), { maxResults: 1 });
    expect(first.registered_models.map((m) => m.name)).toEqual(['ads']);
    expect(searchRegisteredModels(index(), { maxResults: 1, pageToken: first.next_page_token! }).registered_models.map((m) => m.name)).toEqual(['fraud']);
    const mv = (filter: string) => searchModelVersions(index(), { filter }).model_versions.map((v) => `${v.name}/${v.version}`);
    // MLflow's default order: newest registration first (2.0.0 in February), ties by number, highest first.
    expect(mv("name = 'fraud'")).toEqual(['fraud/2', 'fraud/3', 'fraud/1']);
    expect(mv("name='fraud' AND run_id = 'r2'")).toEqual(['fraud/2']);
    expect(mv("run_id IN ('r2', 'zz')")).toEqual(['fraud/2']);
    expect(mv("tags.`modelreg.version` = '1.0.1'")).toEqual(['fraud/3']);
    expect(mv("name = 'fraud' AND version_number >= 2").sort()).toEqual(['fraud/2', 'fraud/3']);
    expect(code(() => searchRegisteredModels(index(), { maxResults: 0 }))).toBe('400 INVALID_PARAMETER_VALUE');
    expect(code(() => searchRegisteredModels(index(), { orderBy: ['owner'] }))).toBe('400 INVALID_PARAMETER_VALUE');
    expect(decodeToken(encodeToken(40))).toBe(40);
    expect(code(() => decodeToken('!!'))).toBe('400 INVALID_PARAMETER_VALUE');
  });

  it('lists and confines artifact paths', () => {
    const files = [
      { path: 'model.pkl', sha256: 'a', size: 3 },
      { path: 'tok/vocab.txt', sha256: 'b', size: 5 },
      { path: 'tok/sub/x', sha256: 'c', size: 1 },
    ];
    expect(listArtifacts(files, '')).toEqual([
      { path: 'model.pkl', is_dir: false, file_size: 3 },
      { path: 'tok', is_dir: true },
    ]);
    expect(listArtifacts(files, 'tok')).toEqual([
      { path: 'sub', is_dir: true },
      { path: 'vocab.txt', is_dir: false, file_size: 5 },
    ]);
    expect(listArtifacts(files, 'model.pkl')).toEqual([]); // a file lists as nothing, as on MLflow's server
    expect(listArtifacts(files, 'nope')).toEqual([]);
    expect(splitArtifactPath(index(), 'fraud/2.0.0/tok/vocab.txt')).toEqual({ model: 'fraud', semver: '2.0.0', rest: 'tok/vocab.txt' });
    expect(splitArtifactPath(index(), 'fraud/2.0.0/../../x')).toBeUndefined();
    expect(splitArtifactPath(index(), 'fraud/9.9.9/x')).toBeUndefined();
    expect(splitArtifactPath(index(), '../fraud/2.0.0')).toBeUndefined();
  });
});

describe('MLflow filter strings', () => {
  it('parses the comparisons MLflow accepts', () => {
    expect(parseFilter('name = \'a\' and tags.`my key` != "b"', 'model-versions')).toEqual([
      { field: { kind: 'name' }, op: '=', values: ['a'] },
      { field: { kind: 'tag', key: 'my key' }, op: '!=', values: ['b'] },
    ]);
    expect(parseFilter("run_id NOT IN ('x','y')", 'model-versions')).toEqual([{ field: { kind: 'run_id' }, op: 'NOT IN', values: ['x', 'y'] }]);
    expect(parseFilter('  ', 'registered-models')).toEqual([]);
    expect(parseFilter("tags.team LIKE 'r%'", 'registered-models')[0]!.field).toEqual({ kind: 'tag', key: 'team' });
  });

  it("refuses what it cannot answer, with MLflow's error code", () => {
    for (const bad of [
      "name = 'a' OR name = 'b'",
      "owner = 'x'",
      "name = 'unterminated",
      "name IN ('a')",
      "run_id = 'x'",
      'name = 3',
      'name LIKE',
      "(name = 'a')",
    ]) {
      expect(
        code(() => parseFilter(bad, 'registered-models')),
        bad,
      ).toBe('400 INVALID_PARAMETER_VALUE');
    }
    expect(code(() => parseFilter("version_number LIKE '1%'", 'model-versions'))).toBe('400 INVALID_PARAMETER_VALUE');
  });

  it('evaluates LIKE and ILIKE as SQL does, literal everywhere but % and _', () => {
    expect(likeToRegExp('a.b%', false).test('a.bcd')).toBe(true);
    expect(likeToRegExp('a.b%', false).test('axbcd')).toBe(false);
    expect(likeToRegExp('a_c', false).test('abc')).toBe(true);
    expect(likeToRegExp('ABC', true).test('abc')).toBe(true);
    expect(likeToRegExp('(x)[y]', false).test('(x)[y]')).toBe(true);
    const subject = { name: 'fraud', tags: { team: 'risk' } };
    expect(matches(parseFilter("tags.team = 'risk' AND name LIKE 'f%'", 'registered-models'), subject)).toBe(true);
    expect(matches(parseFilter("tags.missing = 'x'", 'registered-models'), subject)).toBe(false);
    expect(matches(parseFilter("tags.missing != 'x'", 'registered-models'), subject)).toBe(true);
  });
});
