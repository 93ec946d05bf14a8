import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_NAME, STAGE_NAME, artifactPathProblem, modelNameProblem, stageNameProblem } from '../../src/registry/names.js';
import { storeUriProblem } from '../../src/registry/store-uri.js';
import { isReflogForm, parseMoment } from '../../src/registry/moments.js';
import { assertIntentNames } from '../../src/changes/names.js';
import { thrown } from '../thrown.js';

const schema = (kind: string) => JSON.parse(readFileSync(join(__dirname, '../../schemas', `${kind}.schema.json`), 'utf8'));

describe('names every checkout can hold', () => {
  it('the code and the schemas use one rule', () => {
    expect(schema('model').properties.name.pattern).toBe(MODEL_NAME.source);
    expect(schema('stage').properties.model.pattern).toBe(MODEL_NAME.source);
    expect(schema('version').$defs.name.pattern).toBe(MODEL_NAME.source);
    expect(schema('stage').properties.stage.pattern).toBe(STAGE_NAME.source);
  });

  it.each(['fraud', 'bert-base', 'llama-3.1-8b', 'con-x', 'console', 'com10', 'nulls', 'a', 'x_'])('accepts the model name %j', (name) => {
    expect(modelNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['a/b', 'one path segment'],
    ['x/./y', 'one path segment'],
    ['x/.git/hooks', 'one path segment'],
    ['con', 'Windows device name (CON)'],
    ['nul.txt', 'Windows device name (NUL)'],
    ['com1', 'Windows device name (COM1)'],
    ['lpt9.tar.gz', 'Windows device name (LPT9)'],
    ['a.', 'do not end with "."'],
    ['a b', 'lowercase letters'],
    ['Fraud', 'lowercase letters'],
    ['a..b', 'no ".."'],
  ])('refuses the model name %j, saying why', (name, why) => {
    expect(modelNameProblem(name)).toContain(why);
  });

  it('stage names: the rule, and device names', () => {
    expect(stageNameProblem('canary-eu')).toBeUndefined();
    expect(stageNameProblem('aux')).toBe('"aux" is a Windows device name (AUX)');
    expect(stageNameProblem('Prod')).toContain('lowercase letters');
  });

  it('artifact paths: safe, and portable', () => {
    expect(artifactPathProblem('weights/model.safetensors')).toBeUndefined();
    expect(artifactPathProblem('../x')).toBe('has an empty, "." or ".." segment');
    expect(artifactPathProblem('w/aux.bin')).toContain('Windows device name (AUX)');
    expect(artifactPathProblem('w/x?.bin')).toContain('"?"');
  });

  it('an intent is checked whole before anything is read', () => {
    expect(thrown(() => assertIntentNames({ kind: 'register', model: 'a/b', artifacts: [] })).code).toBe('usage');
    expect(thrown(() => assertIntentNames({ kind: 'register', model: 'm', version: '1.0', artifacts: [] })).message).toBe('"1.0" is not a semantic version');
    expect(
      thrown(() => assertIntentNames({ kind: 'register', model: 'm', artifacts: [], lineage: { parents: [{ model: 'con', version: '1.0.0' }] } })).message,
    ).toContain('lineage parent');
    expect(thrown(() => assertIntentNames({ kind: 'promote', model: 'm', version: '1.0.0', stage: 'com3' })).message).toContain('cannot be a stage name');
    expect(thrown(() => assertIntentNames({ kind: 'rollback', model: 'm', stage: 'production', to: 'x' })).code).toBe('usage');
    expect(thrown(() => assertIntentNames({ kind: 'register', model: 'm', artifacts: [{ path: 'a/con', sha256: 'a'.repeat(64), size: 1 }] })).code).toBe(
      'rejected',
    );
    expect(() => assertIntentNames({ kind: 'deprecate', model: 'm', version: '1.0.0' })).not.toThrow();
  });
});

describe('store locations', () => {
  it.each(['file://.modelreg/store', 'file:///srv/store', 's3://bucket', 's3://bucket/prefix', 's3://bucket/a/b/', 's3://b/p', 'file://../shared'])(
    'accepts %j',
    (uri) => {
      expect(storeUriProblem(uri)).toBeUndefined();
    },
  );

  it.each([
    ['s3://b/p/../../x', '"." or ".." segments'],
    ['s3://b/./x', '"." or ".." segments'],
    ['s3://b/p?x=1', 'query or fragment'],
    ['file:///srv/store#x', 'query or fragment'],
    ['s3:///p', 'not a bucket name'],
    ['s3://b//p', 'empty segment'],
    ['http://x', 'file://<dir> or s3://'],
    ['file://', 'names no directory'],
  ])('refuses %j, saying why', (uri, why) => {
    expect(storeUriProblem(uri)).toContain(why);
  });
});

describe('moments for --at', () => {
  it.each([
    ['2026-11-01', '2026-11-01T23:59:59Z'],
    ['2026-11-01T12:00', '2026-11-01T12:00:00Z'],
    ['2026-11-01T12:00:05', '2026-11-01T12:00:05Z'],
    ['2026-11-01 12:00:05.75Z', '2026-11-01T12:00:05Z'],
    ['2026-11-01T12:00:00+02:00', '2026-11-01T10:00:00Z'],
    ['2026-11-01T12:00:00-0530', '2026-11-01T17:30:00Z'],
  ])('%j is the moment %s (a date alone: its end; no zone: UTC)', (text, iso) => {
    expect(parseMoment(text)).toBe(iso);
  });

  it.each(['main', 'v1.2.0', '2026-11', '2026-02-30', '2026-13-01', '2026-11-01T25:00', 'HEAD~1', '1a2b3c4'])('%j is not a moment', (text) => {
    expect(parseMoment(text)).toBeUndefined();
  });

  it('reflog forms are told apart', () => {
    expect(isReflogForm('main@{2026-11-01}')).toBe(true);
    expect(isReflogForm('@{1}')).toBe(true);
    expect(isReflogForm('fraud@production')).toBe(false);
  });
});
