import { describe, expect, it } from 'vitest';
import { checkPlan, overlay } from '../../src/changes/check.js';
import { chooseVersion, planChange, type Intent, type Plan, type PlannedFile, type RegisterIntent } from '../../src/changes/plan.js';
import { manifestText } from '../../src/changes/serialize.js';
import { classifyPath, schemaModeline } from '../../src/registry/layout.js';
import type { TreeFile } from '../../src/registry/snapshot.js';
import type { ArtifactEntry, ManifestKind } from '../../src/registry/types.js';
import { validateSchema } from '../../src/schema/schemas.js';
import { parseManifestYaml } from '../../src/schema/yaml.js';
import { DEPRECATED, M, S, SHA_A, SHA_B, V, good, model, policy, snap, stage, tree, version, type Files } from './helpers.js';
import { thrown } from '../thrown.js';

const ctx = { now: '2026-03-01T12:00:00Z', actor: 'bob' };

/**
 * The base registry: model m with
 *   0.8.0 (deprecated), 0.9.0 (holds nothing), 1.0.0 (accuracy 0.9), 1.1.0 (accuracy 0.92);
 *   development and staging held by 1.1.0 (previous 1.0.0), production by 1.0.0 (previous null).
 * Model n has one version, 1.0.0, and holds no stage.
 */
function base(extra: Files = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '0.8.0')]: version('m', '0.8.0', { deprecated: DEPRECATED }),
    [V('m', '0.9.0')]: version('m', '0.9.0'),
    [V('m', '1.0.0')]: version('m', '1.0.0', good(0.9)),
    [V('m', '1.1.0')]: version('m', '1.1.0', good(0.92)),
    [S('m', 'development')]: stage('m', 'development', '1.1.0', { previous: '1.0.0' }),
    [S('m', 'staging')]: stage('m', 'staging', '1.1.0', { previous: '1.0.0' }),
    [S('m', 'production')]: stage('m', 'production', '1.0.0'),
    [M('n')]: model('n', { owners: ['carol'] }),
    [V('n', '1.0.0')]: version('n', '1.0.0', good(0.9)),
    ...extra,
  };
}

const plan = (intent: Intent, files: Files = base()): Plan => planChange(snap(files), intent, ctx);

/**
 * A planned file's data, after checking that it starts with its schema modeline, parses with the
 * manifest YAML reader without findings and passes the schema of its kind.
 */
function readBack(f: PlannedFile): Record<string, unknown> {
  const where = classifyPath(f.path);
  expect(['registry', 'model', 'version', 'stage']).toContain(where.kind);
  const kind = where.kind as ManifestKind;
  expect(f.text.startsWith('# yaml-language-server: $schema=')).toBe(true);
  expect(f.text.split('\n')[0]).toBe(schemaModeline(kind));
  const parsed = parseManifestYaml(f.path, f.text);
  expect(parsed.findings).toEqual([]);
  expect(validateSchema(kind, f.path, parsed.doc!)).toEqual([]);
  return parsed.doc!.value as Record<string, unknown>;
}

const weights: ArtifactEntry = { path: 'model.safetensors', sha256: SHA_A, size: 10, format: 'safetensors', role: 'weights' };
const tokenizer: ArtifactEntry = { path: 'tokenizer.json', sha256: SHA_B, size: 32, format: 'json', role: 'tokenizer' };

// ---------------------------------------------------------------------------------------------------

describe('chooseVersion', () => {
  const choose = (existing: string[], over: Partial<RegisterIntent> = {}) => chooseVersion(existing, { model: 'm', ...over });

  it('takes an explicit version, with or without a leading v', () => {
    expect(choose(['1.0.0'], { version: '1.2.3' })).toBe('1.2.3');
    expect(choose(['1.0.0'], { version: 'v1.2.3' })).toBe('1.2.3');
    expect(choose([], { version: 'v0.1.0' })).toBe('0.1.0');
    expect(choose(['1.0.0'], { version: '2.0.0-rc.1' })).toBe('2.0.0-rc.1');
  });

  it('an explicit version wins over a bump', () => {
    expect(choose(['1.0.0'], { version: '3.0.0', bump: 'patch' })).toBe('3.0.0');
  });

  it('an existing version is a conflict, v prefix or not', () => {
    const e = thrown(() => choose(['0.9.0', '1.0.0'], { version: '1.0.0' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('m@1.0.0 already exists');
    expect(e.exitCode).toBe(1);
    expect(thrown(() => choose(['1.0.0'], { version: 'v1.0.0' })).code).toBe('conflict');
    // The conflict wins over "lower": the version is there, whatever allowLower says.
    expect(thrown(() => choose(['0.9.0', '1.0.0'], { version: '0.9.0', allowLower: true })).code).toBe('conflict');
  });

  it('a version lower than the greatest is refused unless allowLower', () => {
    const e = thrown(() => choose(['1.0.0', '2.0.0'], { version: '1.5.0' }));
    expect(e.code).toBe('precondition');
    expect(e.message).toBe("1.5.0 is lower than m's greatest version 2.0.0");
    expect(e.exitCode).toBe(1);
    expect(choose(['1.0.0', '2.0.0'], { version: '1.5.0', allowLower: true })).toBe('1.5.0');
    // A pre-release of the greatest version sorts below it.
    expect(thrown(() => choose(['2.0.0'], { version: '2.0.0-rc.1' })).code).toBe('precondition');
  });

  it('a version greater than the greatest needs no flag', () => {
    expect(choose(['1.0.0', '2.0.0'], { version: '2.0.1' })).toBe('2.0.1');
  });

  it('bumps the greatest version (by semantic order, not text order)', () => {
    const existing = ['1.9.0', '1.10.0', '0.9.0', '1.2.3'];
    expect(choose(existing, { bump: 'major' })).toBe('2.0.0');
    expect(choose(existing, { bump: 'minor' })).toBe('1.11.0');
    expect(choose(existing, { bump: 'patch' })).toBe('1.10.1');
    expect(choose(existing)).toBe('1.10.1');
    expect(choose(existing, { bump: 'prerelease' })).toBe('1.10.1-rc.0');
    expect(choose(existing, { bump: 'prerelease', preid: 'beta' })).toBe('1.10.1-beta.0');
  });

  it('bumps a pre-release', () => {
    expect(choose(['1.0.0', '2.0.0-rc.1'], { bump: 'prerelease' })).toBe('2.0.0-rc.2');
    expect(choose(['2.0.0-rc.1'], { bump: 'patch' })).toBe('2.0.0');
    expect(choose(['2.0.0-rc.1'], { bump: 'prerelease', preid: 'beta' })).toBe('2.0.0-beta.0');
  });

  it('ignores existing names that are not semantic versions', () => {
    expect(choose(['banana', '1.0.0', '9.9'], { bump: 'minor' })).toBe('1.1.0');
    expect(choose(['latest'])).toBe('1.0.0');
  });

  it('the first version is 1.0.0, or 1.0.0-<preid>.0 for a pre-release', () => {
    expect(choose([])).toBe('1.0.0');
    expect(choose([], { bump: 'patch' })).toBe('1.0.0');
    expect(choose([], { bump: 'minor' })).toBe('1.0.0');
    expect(choose([], { bump: 'major' })).toBe('1.0.0');
    expect(choose([], { bump: 'prerelease' })).toBe('1.0.0-rc.0');
    expect(choose([], { bump: 'prerelease', preid: 'alpha' })).toBe('1.0.0-alpha.0');
  });

  it.each([['1.2'], ['1'], ['01.2.3'], ['1.2.3+build.5'], ['vv1.2.3'], ['latest'], [''], [' 1.2.3']])('refuses %j as a usage error', (text) => {
    const e = thrown(() => choose(['1.0.0'], { version: text }));
    expect(e.code).toBe('usage');
    expect(e.message).toBe(`${JSON.stringify(text)} is not a semantic version`);
    expect(e.exitCode).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('planChange: register', () => {
  const registerIntent = (over: Partial<RegisterIntent> = {}): RegisterIntent => ({ kind: 'register', model: 'new-model', artifacts: [weights], ...over });

  it('needs a valid policy', () => {
    const e = thrown(() => planChange(snap({ [M('m')]: model('m') }), registerIntent(), ctx));
    expect(e.code).toBe('registry-invalid');
    expect(thrown(() => planChange(snap({ 'registry.yaml': 'apiVersion: 2\n' }), registerIntent(), ctx)).code).toBe('registry-invalid');
  });

  it('a first registration writes model.yaml (owned by the actor) and version 1.0.0', () => {
    const p = plan(registerIntent());
    expect(p.files.map((f) => [f.path, f.exists])).toEqual([
      [M('new-model'), false],
      [V('new-model', '1.0.0'), false],
    ]);
    expect(p.files[0]!.text).toBe(
      ['# yaml-language-server: $schema=../../.modelreg/schemas/model.schema.json', 'name: new-model', 'owners:', '  - bob', ''].join('\n'),
    );
    expect(p.files[1]!.text).toBe(
      [
        '# yaml-language-server: $schema=../../../.modelreg/schemas/version.schema.json',
        'name: new-model',
        'version: 1.0.0',
        'artifacts:',
        '  - path: model.safetensors',
        `    sha256: ${SHA_A}`,
        '    size: 10',
        '    format: safetensors',
        '    role: weights',
        'created_by: bob',
        'created_at: "2026-03-01T12:00:00Z"',
        '',
      ].join('\n'),
    );
    expect(readBack(p.files[0]!)).toEqual({ name: 'new-model', owners: ['bob'] });
    expect(readBack(p.files[1]!)).toEqual({ name: 'new-model', version: '1.0.0', artifacts: [weights], created_by: 'bob', created_at: ctx.now });
    expect(p.ref).toBe('new-model@1.0.0');
    expect(p.message).toBe('Register new-model@1.0.0\n\n1 artifact(s), 10 bytes\n\nModelreg-Change: register new-model@1.0.0');
    expect(p.intent).toEqual(registerIntent());
    expect(p.previous).toBeUndefined();
  });

  it('re-planning the returned intent on a newer snapshot re-applies a bump but keeps an explicit version', () => {
    const bumped = plan({ kind: 'register', model: 'm', artifacts: [weights], bump: 'minor' });
    expect(bumped.ref).toBe('m@1.2.0');
    const newer = base({ [V('m', '1.2.0')]: version('m', '1.2.0') });
    expect(plan(bumped.intent, newer).ref).toBe('m@1.3.0');

    const explicit = plan({ kind: 'register', model: 'm', artifacts: [weights], version: '2.0.0' });
    expect(explicit.ref).toBe('m@2.0.0');
    const raced = base({ [V('m', '2.0.0')]: version('m', '2.0.0') });
    expect(thrown(() => plan(explicit.intent, raced)).code).toBe('conflict');
  });

  it('newModel overrides the defaults of model.yaml, but never its name', () => {
    const p = plan(
      registerIntent({
        newModel: { name: 'other', owners: ['@org/ml', 'dana@example.com'], description: 'Sentiment', license: 'apache-2.0', task: 'text-classification' },
      }),
    );
    const data = readBack(p.files[0]!);
    expect(data).toEqual({
      name: 'new-model',
      description: 'Sentiment',
      owners: ['@org/ml', 'dana@example.com'],
      task: 'text-classification',
      license: 'apache-2.0',
    });
    expect(Object.keys(data)).toEqual(['name', 'description', 'owners', 'task', 'license']);
    expect(p.files[0]!.path).toBe(M('new-model'));
  });

  it('a model that exists gets no model.yaml, and the next patch version', () => {
    const p = plan({ kind: 'register', model: 'm', artifacts: [weights], newModel: { owners: ['zed'] } });
    expect(p.files.map((f) => f.path)).toEqual([V('m', '1.1.1')]);
    expect(p.files[0]!.exists).toBe(false);
    expect(readBack(p.files[0]!).version).toBe('1.1.1');
    expect(p.ref).toBe('m@1.1.1');
  });

  it('bump and explicit versions apply against the versions in the snapshot', () => {
    expect(plan({ kind: 'register', model: 'm', artifacts: [weights], bump: 'minor' }).ref).toBe('m@1.2.0');
    expect(plan({ kind: 'register', model: 'm', artifacts: [weights], bump: 'prerelease', preid: 'beta' }).ref).toBe('m@1.1.1-beta.0');
    expect(thrown(() => plan({ kind: 'register', model: 'm', artifacts: [weights], version: 'v0.9.0' })).code).toBe('conflict');
    expect(thrown(() => plan({ kind: 'register', model: 'm', artifacts: [weights], version: '0.9.5' })).code).toBe('precondition');
    expect(plan({ kind: 'register', model: 'm', artifacts: [weights], version: '0.9.5', allowLower: true }).ref).toBe('m@0.9.5');
  });

  it('every field, in schema order, and it reads back as given', () => {
    const intent = registerIntent({
      // Given in an order unlike the schema's.
      lineage: { datasets: [{ uri: 's3://data/train.parquet', split: 'train' }], parents: [{ model: 'm', version: '1.0.0', relation: 'fine-tuned-from' }] },
      tags: { team: 'nlp', license: 'apache-2.0' },
      metrics: { accuracy: 0.9, f1: 0.875 },
      signature: { inputs: [{ name: 'text', dtype: 'string', shape: [null] }], outputs: [{ name: 'label', dtype: 'int64', shape: [null, 2] }] },
      params: { lr: 0.001, layers: 12, optimizer: 'adamw', frozen: false, seed: null },
      description: 'A sentiment classifier',
      type: 'fine-tuned',
      framework: 'pytorch',
      artifacts: [weights, tokenizer],
    });
    const p = plan(intent);
    const data = readBack(p.files[1]!);
    expect(Object.keys(data)).toEqual([
      'name',
      'version',
      'framework',
      'type',
      'description',
      'artifacts',
      'metrics',
      'params',
      'tags',
      'signature',
      'lineage',
      'created_by',
      'created_at',
    ]);
    expect(data).toEqual({
      name: 'new-model',
      version: '1.0.0',
      framework: 'pytorch',
      type: 'fine-tuned',
      description: 'A sentiment classifier',
      artifacts: [weights, tokenizer],
      metrics: { accuracy: 0.9, f1: 0.875 },
      params: { lr: 0.001, layers: 12, optimizer: 'adamw', frozen: false, seed: null },
      tags: { team: 'nlp', license: 'apache-2.0' },
      signature: intent.signature,
      lineage: intent.lineage,
      created_by: 'bob',
      created_at: ctx.now,
    });
    expect(p.message).toBe('Register new-model@1.0.0\n\n2 artifact(s), 42 bytes\nmetrics: accuracy=0.9, f1=0.875\n\nModelreg-Change: register new-model@1.0.0');
  });

  it('empty metrics, params, tags and lineage are left out', () => {
    const p = plan(registerIntent({ metrics: {}, params: {}, tags: {}, lineage: {}, description: '' }));
    expect(Object.keys(readBack(p.files[1]!))).toEqual(['name', 'version', 'artifacts', 'created_by', 'created_at']);
  });

  it('strings that look like other YAML types read back as the same strings', () => {
    const tags = {
      a: '1.0',
      b: 'true',
      c: 'null',
      d: '0x1F',
      e: '1e3',
      f: ' padded ',
      g: 'key: value',
      h: '#not-a-comment',
      i: '~',
      j: 'yes',
      k: '2026-01-01',
      l: '',
      m: '- item',
      n: "it's",
      o: '"quoted"',
      p: 'naïve ünïcode',
    };
    const description = 'line one\nline two: with colon\n  indented\n';
    const p = plan(registerIntent({ tags, description, params: { s: '12', t: 'false' } }));
    const data = readBack(p.files[1]!);
    expect(data.tags).toEqual(tags);
    expect(data.description).toBe(description);
    expect(data.params).toEqual({ s: '12', t: 'false' });
  });

  it('a pre-release says so in the message; a given message follows the descriptive subject; the trailer always ends it', () => {
    const p = plan(registerIntent({ bump: 'prerelease', message: 'Add the first candidate', artifacts: [weights, tokenizer] }));
    expect(p.ref).toBe('new-model@1.0.0-rc.0');
    expect(p.files[1]!.path).toBe(V('new-model', '1.0.0-rc.0'));
    expect(p.message).toBe(
      'Register new-model@1.0.0-rc.0\n\nAdd the first candidate\n\n2 artifact(s), 42 bytes\npre-release\n\nModelreg-Change: register new-model@1.0.0-rc.0',
    );
  });

  it('the plan passes checkPlan against its base', () => {
    const files = base();
    const p = plan(registerIntent({ metrics: { accuracy: 0.9 } }), files);
    const check = checkPlan(tree(files), p);
    expect(check.ok).toBe(true);
    expect(check.blocking).toEqual([]);
    expect(check.change.modelsAdded).toEqual(['new-model']);
    expect(check.change.versionsAdded).toEqual(['new-model@1.0.0']);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('manifestText', () => {
  it('writes the modeline of each kind, relative to where that kind lives', () => {
    expect(manifestText('registry', { apiVersion: 'modelreg/v1' }).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=.modelreg/schemas/registry.schema.json',
    );
    expect(manifestText('model', { name: 'm', owners: ['a'] }).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../../.modelreg/schemas/model.schema.json',
    );
    expect(manifestText('version', { name: 'm' }).split('\n')[0]).toBe('# yaml-language-server: $schema=../../../.modelreg/schemas/version.schema.json');
    expect(manifestText('stage', { model: 'm' }).split('\n')[0]).toBe('# yaml-language-server: $schema=../../../.modelreg/schemas/stage.schema.json');
  });

  it('orders keys as the schema does, unknown keys last in their given order, undefined dropped', () => {
    const text = manifestText('stage', {
      previous: null,
      zeta: 1,
      reason: 'why',
      version: '1.0.0',
      alpha: 2,
      moved_at: ctx.now,
      stage: 's',
      moved_by: 'x',
      model: 'm',
      skipped: undefined,
    });
    expect(text).toBe(
      [
        '# yaml-language-server: $schema=../../../.modelreg/schemas/stage.schema.json',
        'model: m',
        'stage: s',
        'version: 1.0.0',
        'moved_by: x',
        'moved_at: "2026-03-01T12:00:00Z"',
        'reason: why',
        'previous: null',
        'zeta: 1',
        'alpha: 2',
        '',
      ].join('\n'),
    );
  });

  it('does not wrap long strings nor alias repeated objects', () => {
    const long = 'word '.repeat(60).trim();
    const shared = { uri: 's3://d' };
    const text = manifestText('version', { name: 'm', description: long, lineage: { datasets: [shared, shared] } });
    expect(text).toContain(`description: ${long}\n`);
    expect(text).not.toMatch(/[&*]a\d/);
    const parsed = parseManifestYaml('v.yaml', text);
    expect(parsed.findings).toEqual([]);
    expect(parsed.doc!.value).toEqual({ name: 'm', description: long, lineage: { datasets: [shared, shared] } });
  });
});

// ---------------------------------------------------------------------------------------------------

describe('planChange: promote', () => {
  it('writes the stage file with previous = the current holder', () => {
    const p = plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', reason: 'Beats 1.0.0' });
    expect(p.files).toHaveLength(1);
    const f = p.files[0]!;
    expect(f.path).toBe(S('m', 'production'));
    expect(f.exists).toBe(true);
    expect(f.text).toBe(
      [
        '# yaml-language-server: $schema=../../../.modelreg/schemas/stage.schema.json',
        'model: m',
        'stage: production',
        'version: 1.1.0',
        'moved_by: bob',
        'moved_at: "2026-03-01T12:00:00Z"',
        'reason: Beats 1.0.0',
        'previous: 1.0.0',
        '',
      ].join('\n'),
    );
    expect(readBack(f)).toEqual({
      model: 'm',
      stage: 'production',
      version: '1.1.0',
      moved_by: 'bob',
      moved_at: ctx.now,
      reason: 'Beats 1.0.0',
      previous: '1.0.0',
    });
    expect(p.previous).toBe('1.0.0');
    expect(p.ref).toBe('m@1.1.0');
    expect(p.message).toBe('Promote m@1.1.0 to production\n\nBeats 1.0.0\n\nModelreg-Change: promote m@1.1.0');
    expect(p.intent).toEqual({
      kind: 'promote',
      model: 'm',
      version: '1.1.0',
      stage: 'production',
      reason: 'Beats 1.0.0',
      expectedHolder: '1.0.0',
      expectedArms: null,
    });
  });

  it('an unheld stage: previous null, a new file, no reason field', () => {
    const p = plan({ kind: 'promote', model: 'n', version: '1.0.0', stage: 'development' });
    const f = p.files[0]!;
    expect(f.path).toBe(S('n', 'development'));
    expect(f.exists).toBe(false);
    expect(f.text.split('\n').slice(1)).toEqual([
      'model: "n"', // n is false to YAML 1.1
      'stage: development',
      'version: 1.0.0',
      'moved_by: bob',
      'moved_at: "2026-03-01T12:00:00Z"',
      'previous: null',
      '',
    ]);
    expect(readBack(f)).toEqual({ model: 'n', stage: 'development', version: '1.0.0', moved_by: 'bob', moved_at: ctx.now, previous: null });
    expect(p.previous).toBeNull();
    expect(p.intent).toMatchObject({ expectedHolder: null });
    expect(p.message).toBe('Promote n@1.0.0 to development\n\nModelreg-Change: promote n@1.0.0');
  });

  it('the subject stays descriptive: a given message is the recorded reason when there is none, else a paragraph after it', () => {
    expect(plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', reason: 'r', message: 'Ship it' }).message).toBe(
      'Promote m@1.1.0 to production\n\nr\n\nShip it\n\nModelreg-Change: promote m@1.1.0',
    );
    const p = plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', message: 'Passed all validation tests' });
    expect(p.message).toBe('Promote m@1.1.0 to production\n\nPassed all validation tests\n\nModelreg-Change: promote m@1.1.0');
    expect(readBack(p.files[0]!)).toMatchObject({ reason: 'Passed all validation tests' });
  });

  it('a deprecated version is rejected', () => {
    const e = thrown(() => plan({ kind: 'promote', model: 'm', version: '0.8.0', stage: 'development' }));
    expect(e.code).toBe('rejected');
    expect(e.message).toBe('m@0.8.0 is deprecated and cannot be promoted');
    expect(e.hint).toBe('Undeprecate it first: modelreg undeprecate m@0.8.0');
  });

  it('an unknown stage is an error naming the stages (exit 1: the command line is well formed)', () => {
    const e = thrown(() => plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'qa' }));
    expect(e.code).toBe('stage-not-found');
    expect(e.exitCode).toBe(1);
    expect(e.message).toBe('"qa" is not a stage of this registry');
    expect(e.hint).toBe('Stages: development, staging, production.');
    expect(e.exitCode).toBe(1);
  });

  it('an unknown model or version', () => {
    expect(thrown(() => plan({ kind: 'promote', model: 'zz', version: '1.0.0', stage: 'staging' })).code).toBe('model-not-found');
    expect(thrown(() => plan({ kind: 'promote', model: 'm', version: '7.0.0', stage: 'staging' })).code).toBe('version-not-found');
  });

  it('a version already holding the stage is a conflict', () => {
    const e = thrown(() => plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'staging' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('m@1.1.0 already holds staging');
  });

  it('expectedHolder: a match plans, a mismatch is a conflict naming both holders', () => {
    expect(plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', expectedHolder: '1.0.0' }).previous).toBe('1.0.0');
    expect(plan({ kind: 'promote', model: 'n', version: '1.0.0', stage: 'development', expectedHolder: null }).previous).toBeNull();

    const e = thrown(() => plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', expectedHolder: '0.9.0' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('m@production moved meanwhile: it was 0.9.0, it is now 1.0.0');

    const e2 = thrown(() => plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', expectedHolder: null }));
    expect(e2.code).toBe('conflict');
    expect(e2.message).toBe('m@production moved meanwhile: it was unassigned, it is now 1.0.0');

    const e3 = thrown(() => plan({ kind: 'promote', model: 'n', version: '1.0.0', stage: 'development', expectedHolder: '0.5.0' }));
    expect(e3.code).toBe('conflict');
    expect(e3.message).toBe('n@development moved meanwhile: it was 0.5.0, it is now unassigned');
  });

  it('re-planning the returned intent on the same snapshot gives the same plan', () => {
    const first = plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production' });
    const again = plan(first.intent);
    expect(again.files).toEqual(first.files);
    // On a snapshot where someone else moved production, the same intent is a conflict.
    const moved = base({ [S('m', 'production')]: stage('m', 'production', '0.9.0', { previous: '1.0.0' }) });
    expect(thrown(() => plan(first.intent, moved)).code).toBe('conflict');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('planChange: rollback', () => {
  it('goes back to the recorded previous holder by default', () => {
    const p = plan({ kind: 'rollback', model: 'm', stage: 'staging', reason: 'latency' });
    const f = p.files[0]!;
    expect(f.path).toBe(S('m', 'staging'));
    expect(f.exists).toBe(true);
    expect(readBack(f)).toEqual({ model: 'm', stage: 'staging', version: '1.0.0', moved_by: 'bob', moved_at: ctx.now, reason: 'latency', previous: '1.1.0' });
    expect(p.ref).toBe('m@1.0.0');
    expect(p.previous).toBe('1.1.0');
    expect(p.message).toBe('Rollback m staging to 1.0.0 (from 1.1.0)\n\nlatency\n\nModelreg-Change: rollback m@1.0.0');
    expect(p.intent).toEqual({ kind: 'rollback', model: 'm', stage: 'staging', reason: 'latency', expectedHolder: '1.1.0', expectedArms: null });
  });

  it('--to names the target, with or without v', () => {
    const p = plan({ kind: 'rollback', model: 'm', stage: 'staging', to: 'v0.9.0' });
    expect(readBack(p.files[0]!)).toMatchObject({ version: '0.9.0', previous: '1.1.0' });
    expect(p.message).toBe('Rollback m staging to 0.9.0 (from 1.1.0)\n\nModelreg-Change: rollback m@0.9.0');
    // production records no previous holder, but --to is enough.
    expect(plan({ kind: 'rollback', model: 'm', stage: 'production', to: '0.9.0' }).ref).toBe('m@0.9.0');
  });

  it('a stage nobody holds cannot be rolled back', () => {
    const e = thrown(() => plan({ kind: 'rollback', model: 'n', stage: 'development' }));
    expect(e.code).toBe('stage-not-held');
    expect(e.message).toBe('no version of n holds development; there is nothing to roll back');
  });

  it('without a previous holder, --to is required', () => {
    const e = thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'production' }));
    expect(e.code).toBe('precondition');
    expect(e.message).toBe('m@production records no previous holder');
    expect(e.hint).toBe('Name the version: --to <version>.');
    expect(e.exitCode).toBe(1);
  });

  it('a deprecated target is rejected, whether named or recorded', () => {
    const e = thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'staging', to: '0.8.0' }));
    expect(e.code).toBe('rejected');
    expect(e.message).toBe('m@0.8.0 is deprecated; a stage cannot go back to it');
    const files = base({ [S('m', 'development')]: stage('m', 'development', '1.1.0', { previous: '0.8.0' }) });
    expect(thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'development' }, files)).code).toBe('rejected');
  });

  it('an unknown target, the current holder, an unknown stage, a moved stage', () => {
    expect(thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'staging', to: '5.0.0' })).code).toBe('version-not-found');
    const same = thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'staging', to: '1.1.0' }));
    expect(same.code).toBe('conflict');
    expect(same.message).toBe('m@1.1.0 already holds staging');
    expect(thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'qa' })).code).toBe('stage-not-found');
    const moved = thrown(() => plan({ kind: 'rollback', model: 'm', stage: 'staging', expectedHolder: '1.0.0' }));
    expect(moved.code).toBe('conflict');
    expect(moved.message).toBe('m@staging moved meanwhile: it was 1.0.0, it is now 1.1.0');
  });
});

// ---------------------------------------------------------------------------------------------------

describe('planChange: unassign', () => {
  it('deletes the stage file, recording the holder it took the stage from', () => {
    const p = plan({ kind: 'unassign', model: 'm', stage: 'production', reason: 'archived in MLflow' });
    expect(p.files).toEqual([{ path: S('m', 'production'), text: '', exists: true, delete: true }]);
    expect(p.previous).toBe('1.0.0');
    expect(p.message).toBe('Unassign m production (held by 1.0.0)\n\narchived in MLflow\n\nModelreg-Change: unassign m@1.0.0');
    expect(p.intent).toMatchObject({ expectedHolder: '1.0.0' });
    // The check sees the stage gone (a notice, not an error) and lets it through.
    const check = checkPlan(tree(base()), p);
    expect(check.ok).toBe(true);
    expect(check.change.stagesRemoved).toEqual([{ model: 'm', stage: 'production', version: '1.0.0' }]);
    expect(overlay(tree(base()), p).some((f) => f.path === S('m', 'production'))).toBe(false);
  });

  it('a stage nobody holds, an unknown stage, a holder that moved meanwhile', () => {
    expect(thrown(() => plan({ kind: 'unassign', model: 'n', stage: 'production' })).code).toBe('stage-not-held');
    expect(thrown(() => plan({ kind: 'unassign', model: 'm', stage: 'canary' })).code).toBe('stage-not-found');
    expect(thrown(() => plan({ kind: 'unassign', model: 'm', stage: 'production', expectedHolder: '0.9.0' })).code).toBe('conflict');
  });
});

describe('planChange: deprecate and undeprecate', () => {
  it('deprecate adds the mark and nothing else', () => {
    const files = base();
    const before = snap(files).models.get('m')!.versions.get('0.9.0')!.data;
    const p = plan({ kind: 'deprecate', model: 'm', version: '0.9.0', reason: 'data leak' }, files);
    expect(p.files.map((f) => [f.path, f.exists])).toEqual([[V('m', '0.9.0'), true]]);
    const after = readBack(p.files[0]!);
    expect(after).toEqual({ ...before, deprecated: { at: ctx.now, by: 'bob', reason: 'data leak' } });
    expect(Object.keys(after)).toEqual(['name', 'version', 'artifacts', 'created_by', 'created_at', 'deprecated']);
    expect(p.ref).toBe('m@0.9.0');
    expect(p.message).toBe('Deprecate m@0.9.0\n\ndata leak\n\nModelreg-Change: deprecate m@0.9.0');
    expect(p.intent).toEqual({ kind: 'deprecate', model: 'm', version: '0.9.0', reason: 'data leak' });

    const check = checkPlan(tree(files), p);
    expect(check.ok).toBe(true);
    expect(check.findings).toEqual([]);
    expect(check.change.deprecated).toEqual(['m@0.9.0']);
    expect(check.change.versionsModified).toEqual([]);
  });

  it('deprecate keeps every field of a full version intact', () => {
    const full = version('m', '1.2.0', good(0.95, { framework: 'pytorch', params: { lr: 0.1, tag: '1.0' }, description: 'x: y' }));
    const files = base({ [V('m', '1.2.0')]: full });
    const before = snap(files).models.get('m')!.versions.get('1.2.0')!.data;
    const p = plan({ kind: 'deprecate', model: 'm', version: '1.2.0' }, files);
    const { deprecated, ...rest } = readBack(p.files[0]!);
    expect(rest).toEqual(before);
    expect(deprecated).toEqual({ at: ctx.now, by: 'bob' });
    expect(p.message).toBe('Deprecate m@1.2.0\n\nModelreg-Change: deprecate m@1.2.0');
  });

  it('a version holding a stage cannot be deprecated', () => {
    const e = thrown(() => plan({ kind: 'deprecate', model: 'm', version: '1.1.0' }));
    expect(e.code).toBe('rejected');
    expect(e.message).toBe('m@1.1.0 holds development, staging and cannot be deprecated');
    expect(e.hint).toBe('Promote another version to development, staging (or roll back) first.');
    expect(thrown(() => plan({ kind: 'deprecate', model: 'm', version: '1.0.0' })).message).toBe('m@1.0.0 holds production and cannot be deprecated');
  });

  it('deprecating twice is a conflict', () => {
    const e = thrown(() => plan({ kind: 'deprecate', model: 'm', version: '0.8.0' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('m@0.8.0 is already deprecated');
  });

  it('undeprecate removes the mark and nothing else', () => {
    const files = base();
    const { deprecated: _mark, ...before } = snap(files).models.get('m')!.versions.get('0.8.0')!.data;
    const p = plan({ kind: 'undeprecate', model: 'm', version: '0.8.0', reason: 'false alarm' }, files);
    expect(p.files.map((f) => [f.path, f.exists])).toEqual([[V('m', '0.8.0'), true]]);
    expect(readBack(p.files[0]!)).toEqual(before);
    expect(p.files[0]!.text).not.toContain('deprecated');
    expect(p.message).toBe('Undeprecate m@0.8.0\n\nfalse alarm\n\nModelreg-Change: undeprecate m@0.8.0');
    const check = checkPlan(tree(files), p);
    expect(check.ok).toBe(true);
    expect(check.change.undeprecated).toEqual(['m@0.8.0']);
    expect(check.change.versionsModified).toEqual([]);
  });

  it('undeprecating a version that is not deprecated is a conflict', () => {
    const e = thrown(() => plan({ kind: 'undeprecate', model: 'm', version: '0.9.0' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toBe('m@0.9.0 is not deprecated');
  });

  it('unknown model or version', () => {
    expect(thrown(() => plan({ kind: 'deprecate', model: 'zz', version: '1.0.0' })).code).toBe('model-not-found');
    expect(thrown(() => plan({ kind: 'undeprecate', model: 'm', version: '3.0.0' })).code).toBe('version-not-found');
  });

  it('does not change the snapshot it planned from', () => {
    const s = snap(base());
    planChange(s, { kind: 'deprecate', model: 'm', version: '0.9.0' }, ctx);
    planChange(s, { kind: 'undeprecate', model: 'm', version: '0.8.0' }, ctx);
    expect(s.models.get('m')!.versions.get('0.9.0')!.data.deprecated).toBeUndefined();
    expect(s.models.get('m')!.versions.get('0.8.0')!.data.deprecated).toEqual(DEPRECATED);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('checkPlan and overlay', () => {
  /** The base plus 1.2.0 (accuracy 0.95), which holds no stage. */
  const withCandidate = () => base({ [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95)) });

  it('a promotion skipping the stage order blocks', () => {
    const files = withCandidate();
    const p = plan({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'staging' }, files);
    const check = checkPlan(tree(files), p);
    expect(check.ok).toBe(false);
    expect(check.blocking.map((f) => [f.code, f.file, f.field])).toEqual([['stage-order', S('m', 'staging'), '/version']]);
    expect(check.blocking[0]!.message).toBe('m@1.2.0 → staging: m@1.2.0 must hold development before entering staging');
    expect(check.waived).toEqual([]);
  });

  it('noVerify waives it: listed in waived, ok true', () => {
    const files = withCandidate();
    const p = plan({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'staging' }, files);
    const check = checkPlan(tree(files), p, { noVerify: true });
    expect(check.ok).toBe(true);
    expect(check.blocking).toEqual([]);
    expect(check.waived.map((f) => f.code)).toEqual(['stage-order']);
    // The report still carries it, for the action to show.
    expect(check.findings.map((f) => f.code)).toEqual(['stage-order']);
  });

  it('noVerify waives gate failures but never a schema error in a planned file', () => {
    const files = withCandidate();
    const p = plan({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'staging' }, files);
    const broken: Plan = { ...p, files: [...p.files, { path: M('m'), text: `${model('m')}colour: blue\n`, exists: true }] };
    const check = checkPlan(tree(files), broken, { noVerify: true });
    expect(check.ok).toBe(false);
    expect(check.blocking.map((f) => [f.code, f.file, f.line])).toEqual([['schema', M('m'), 4]]);
    expect(check.waived.map((f) => f.code)).toEqual(['stage-order']);
  });

  it('a schema error in the planned stage file itself blocks under noVerify', () => {
    const files = base();
    const p = plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production' }, files);
    const bad: Plan = { ...p, files: p.files.map((f) => ({ ...f, text: f.text.replace('moved_at: "2026-03-01T12:00:00Z"', 'moved_at: yesterday') })) };
    const check = checkPlan(tree(files), bad, { noVerify: true });
    expect(check.ok).toBe(false);
    expect(check.blocking.map((f) => [f.code, f.field])).toEqual([['schema', '/moved_at']]);
    expect(check.waived).toEqual([]);
  });

  it('noVerify does not waive other rules: a promotion with the wrong previous', () => {
    const files = base();
    const p = plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production' }, files);
    const wrong: Plan = { ...p, files: p.files.map((f) => ({ ...f, text: f.text.replace('previous: 1.0.0', 'previous: 0.9.0') })) };
    const check = checkPlan(tree(files), wrong, { noVerify: true });
    expect(check.ok).toBe(false);
    expect(check.blocking.map((f) => f.code)).toEqual(['stage-previous-mismatch']);
  });

  it('a valid promotion passes with no findings', () => {
    const files = base();
    const check = checkPlan(tree(files), plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production' }, files));
    expect(check).toMatchObject({ ok: true, findings: [], blocking: [], waived: [] });
    expect(check.change.stageMoves.map((m) => [m.model, m.stage, m.from, m.to, m.rollback])).toEqual([['m', 'production', '1.0.0', '1.1.0', false]]);
  });

  it('a rollback plan is judged as a rollback', () => {
    const files = base();
    const check = checkPlan(tree(files), plan({ kind: 'rollback', model: 'm', stage: 'staging' }, files));
    expect(check.ok).toBe(true);
    expect(check.change.stageMoves.map((m) => [m.stage, m.from, m.to, m.rollback])).toEqual([['staging', '1.1.0', '1.0.0', true]]);
  });

  it('overlay replaces planned paths and adds new ones, leaving the rest alone', () => {
    const files: TreeFile[] = [
      { path: 'a.yaml', type: 'file', text: 'old a', size: 5, oid: 'oid-a' },
      { path: 'b.yaml', type: 'file', text: 'b', size: 1, oid: 'oid-b' },
      { path: 'link', type: 'symlink' },
    ];
    const p: Plan = {
      intent: { kind: 'deprecate', model: 'm', version: '1.0.0' },
      message: 'x',
      ref: 'm@1.0.0',
      files: [
        { path: 'a.yaml', text: 'new a, longer', exists: true },
        { path: 'c.yaml', text: 'ünï', exists: false },
      ],
    };
    const out = overlay(files, p);
    expect(out).toEqual([
      { path: 'b.yaml', type: 'file', text: 'b', size: 1, oid: 'oid-b' },
      { path: 'link', type: 'symlink' },
      { path: 'a.yaml', type: 'file', text: 'new a, longer', size: 13 },
      { path: 'c.yaml', type: 'file', text: 'ünï', size: 5 },
    ]);
    // The base is not modified.
    expect(files).toHaveLength(3);
    expect(files[0]!.text).toBe('old a');
  });
});

describe('planChange: keep-latest and deprecate-previous', () => {
  // m: 0.8.0 (deprecated), 0.9.0, 1.0.0 (production), 1.1.0 (development, staging); with more releases and a child model.
  const many = (extra: Files = {}) =>
    base({
      [V('m', '1.2.0')]: version('m', '1.2.0'),
      [V('m', '1.3.0-rc.1')]: version('m', '1.3.0-rc.1'),
      [V('m', '1.3.0')]: version('m', '1.3.0'),
      ...extra,
    });

  it('deprecates every release older than the N greatest, keeping stage holders and their ancestors, with why', () => {
    const files = many({
      [V('n', '1.0.0')]: version('n', '1.0.0', { ...good(0.9), lineage: { parents: [{ model: 'm', version: '0.9.0' }] } }),
      [S('n', 'production')]: stage('n', 'production', '1.0.0'),
    });
    const p = plan({ kind: 'keep-latest', model: 'm', keepLatest: 2 }, files);
    expect(p.retired).toEqual({
      deprecated: [],
      kept: [
        { version: '1.1.0', reason: 'holds development' },
        { version: '1.0.0', reason: 'holds production' },
        { version: '0.9.0', reason: 'is a lineage ancestor of n@1.0.0, which holds production' },
      ],
    });
    expect(p.files).toEqual([]);
    const q = plan({ kind: 'keep-latest', model: 'm', keepLatest: 1, reason: 'spring cleaning' }, many());
    expect(q.retired!.deprecated).toEqual(['1.2.0', '0.9.0']); // 1.3.0-rc.1 is a pre-release: left alone; 0.8.0 already deprecated
    expect(q.files.map((f) => f.path)).toEqual([V('m', '1.2.0'), V('m', '0.9.0')]);
    expect(readBack(q.files[0]!).deprecated).toEqual({ at: ctx.now, by: 'bob', reason: 'spring cleaning' });
    expect(q.message).toBe(
      'Deprecate 2 version(s) of m, keeping the latest 1\n\nspring cleaning\n\ndeprecated: 1.2.0, 0.9.0\nkept 1.1.0: it holds development\nkept 1.0.0: it holds production\n\nModelreg-Change: keep-latest m',
    );
    const check = checkPlan(tree(many()), q);
    expect(check.blocking).toEqual([]);
  });

  it('a count below 1 is a usage error', () => {
    expect(thrown(() => plan({ kind: 'keep-latest', model: 'm', keepLatest: 0 })).code).toBe('usage');
  });

  it('promote --deprecate-previous deprecates the holder it replaces, in the same commit, unless it is needed', () => {
    const p = plan({ kind: 'promote', model: 'm', version: '1.1.0', stage: 'production', deprecatePrevious: true });
    expect(p.files.map((f) => f.path)).toEqual([S('m', 'production'), V('m', '1.0.0')]);
    expect(readBack(p.files[1]!).deprecated).toEqual({ at: ctx.now, by: 'bob', reason: 'replaced in production by 1.1.0' });
    expect(p.message).toBe('Promote m@1.1.0 to production\n\nDeprecates m@1.0.0, which it replaces.\n\nModelreg-Change: promote m@1.1.0');
    expect(checkPlan(tree(base()), p).blocking).toEqual([]);
    // 1.1.0 leaves development but still holds staging: kept.
    const q = plan({ kind: 'promote', model: 'm', version: '1.0.0', stage: 'development', deprecatePrevious: true });
    expect(q.files.map((f) => f.path)).toEqual([S('m', 'development')]);
    expect(q.retired).toEqual({ deprecated: [], kept: [{ version: '1.1.0', reason: 'holds staging' }] });
  });
});
