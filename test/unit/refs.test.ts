import { describe, expect, it } from 'vitest';
import { formatRef, latestVersion, orderStages, parseRef, resolveRef, type Ref } from '../../src/registry/refs.js';
import { compareVersions, isPrerelease, isValidVersion, sortVersions } from '../../src/registry/versions.js';
import { DEPRECATED, M, S, V, fixtureFiles, model, policy, snap, stage, version } from './helpers.js';
import { thrown } from '../thrown.js';

describe('parseRef', () => {
  it.each<[string, Ref]>([
    ['m', { model: 'm', selector: { kind: 'latest' } }],
    ['m@latest', { model: 'm', selector: { kind: 'latest' } }],
    ['m@1.2.0', { model: 'm', selector: { kind: 'version', version: '1.2.0' } }],
    ['m@v1.2.0', { model: 'm', selector: { kind: 'version', version: '1.2.0' } }],
    ['m@2.0.0-rc.1', { model: 'm', selector: { kind: 'version', version: '2.0.0-rc.1' } }],
    ['m@production', { model: 'm', selector: { kind: 'stage', stage: 'production' } }],
    ['m@canary_2', { model: 'm', selector: { kind: 'stage', stage: 'canary_2' } }],
    ['sentiment-int8.v2_x@staging', { model: 'sentiment-int8.v2_x', selector: { kind: 'stage', stage: 'staging' } }],
    ['0model@0.0.0', { model: '0model', selector: { kind: 'version', version: '0.0.0' } }],
  ])('%s', (text, ref) => {
    expect(parseRef(text)).toEqual(ref);
  });

  it.each([
    ['M@1.0.0', 'is not a model reference'],
    ['@1.0.0', 'is not a model reference'],
    ['', 'is not a model reference'],
    ['-m', 'is not a model reference'],
    ['m.', 'is not a model reference'],
    ['a..b@1.0.0', 'is not a model reference'],
    ['../etc@1.0.0', 'is not a model reference'],
    ['a/b@1.0.0', 'is not a model reference'],
    ['a@b@1.0.0', 'is not a model reference'],
    ['m@1.0', 'is not a semantic version'],
    ['m@v1', 'is not a semantic version'],
    ['m@1.0.0+build.5', 'is not a semantic version'],
    ['m@01.0.0', 'is not a semantic version'],
    ['m@Production', 'is neither a version, a stage nor latest'],
    ['m@', 'is neither a version, a stage nor latest'],
    ['m@_x', 'is neither a version, a stage nor latest'],
  ])('rejects %j', (text, message) => {
    const e = thrown(() => parseRef(text));
    expect(e.code).toBe('ref-invalid');
    expect(e.exitCode).toBe(2);
    expect(e.message).toContain(message);
    expect(e.hint).toBeTruthy();
  });

  it('formatRef writes what parseRef reads', () => {
    for (const text of ['m@latest', 'm@1.2.0', 'm@2.0.0-rc.1', 'm@production']) expect(formatRef(parseRef(text))).toBe(text);
    expect(formatRef(parseRef('m'))).toBe('m@latest');
    expect(formatRef(parseRef('m@v3.0.0'))).toBe('m@3.0.0');
  });
});

describe('resolveRef on the fixture registry', () => {
  const s = snap(fixtureFiles());
  const resolve = (text: string, prerelease?: boolean) => resolveRef(s, parseRef(text), prerelease === undefined ? {} : { prerelease });

  it('a version, with every stage it holds in policy order', () => {
    const r = resolve('sentiment@1.2.0');
    expect(r.model.name).toBe('sentiment');
    expect(r.version.file).toBe(V('sentiment', '1.2.0'));
    expect(r.version.data.version).toBe('1.2.0');
    expect(r.stages).toEqual(['development', 'staging']);
    expect(r.stage).toBeUndefined();
  });

  it('a stage, with its stage file', () => {
    const r = resolve('sentiment@production');
    expect(r.version.data.version).toBe('1.1.0');
    expect(r.stage?.file).toBe(S('sentiment', 'production'));
    expect(r.stages).toEqual(['production']);
  });

  it('latest skips deprecated versions and pre-releases', () => {
    // 2.0.0-rc.1 is a pre-release; 1.0.0 is deprecated; 1.2.0 is the greatest release.
    expect(resolve('sentiment').version.data.version).toBe('1.2.0');
    expect(resolve('sentiment@latest').version.data.version).toBe('1.2.0');
  });

  it('latest includes pre-releases when asked', () => {
    expect(resolve('sentiment@latest', true).version.data.version).toBe('2.0.0-rc.1');
  });

  it('a deprecated version can still be named exactly', () => {
    const r = resolve('sentiment@1.0.0');
    expect(r.version.data.deprecated).toBeDefined();
    expect(r.stages).toEqual([]);
  });
});

describe('resolveRef errors', () => {
  const files = {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '1.0.0')]: version('m', '1.0.0', { deprecated: DEPRECATED }),
    [V('m', '1.1.0-rc.1')]: version('m', '1.1.0-rc.1'),
    [S('m', 'staging')]: stage('m', 'staging', '9.9.9'),
    [M('empty')]: model('empty'),
    [V('orphan', '1.0.0')]: version('orphan', '1.0.0'),
    [S('ghost', 'development')]: stage('ghost', 'development', '1.0.0'),
  };
  const s = snap(files);
  const fails = (text: string, options = {}) => thrown(() => resolveRef(s, parseRef(text), options));

  it('an unknown model', () => {
    const e = fails('nope@1.0.0');
    expect([e.code, e.message, e.exitCode]).toEqual(['model-not-found', 'no model named "nope"', 1]);
  });

  it('a model with only stage files is not a model', () => {
    expect(fails('ghost@development').code).toBe('model-not-found');
  });

  it('a model without model.yaml but with versions resolves', () => {
    expect(resolveRef(s, parseRef('orphan')).version.data.version).toBe('1.0.0');
  });

  it('an unknown version', () => {
    const e = fails('m@2.0.0');
    expect([e.code, e.message]).toEqual(['version-not-found', 'm has no version 2.0.0']);
  });

  it('a stage of the policy that no version holds', () => {
    const e = fails('m@production');
    expect([e.code, e.message]).toEqual(['stage-not-held', 'no version of m holds production']);
    expect(e.hint).toBe('Promote one with `modelreg promote m@<version> production`.');
  });

  it('a stage the policy does not define', () => {
    const e = fails('m@canary');
    expect([e.code, e.message]).toEqual(['stage-not-held', '"canary" is not a stage of this registry']);
    expect(e.hint).toBe('Stages: development, staging, production.');
  });

  it('a stage naming a missing version', () => {
    const e = fails('m@staging');
    expect([e.code, e.message, e.file]).toEqual(['version-not-found', 'm@staging names version 9.9.9, which does not exist', S('m', 'staging')]);
  });

  it('no released, non-deprecated version', () => {
    const e = fails('m');
    expect([e.code, e.message]).toEqual(['no-latest', 'm has no released, non-deprecated version']);
    expect(e.hint).toBe('Pass --prerelease to include pre-releases.');
    expect(resolveRef(s, parseRef('m'), { prerelease: true }).version.data.version).toBe('1.1.0-rc.1');
  });

  it('a model without versions has no latest', () => {
    const e = fails('empty', { prerelease: true });
    expect([e.code, e.message]).toEqual(['no-latest', 'empty has no non-deprecated version']);
    expect(e.hint).toBeUndefined();
  });

  it('ModelregError serialises its fields', () => {
    expect(fails('m@staging').toJSON()).toEqual({
      code: 'version-not-found',
      message: 'm@staging names version 9.9.9, which does not exist',
      hint: 'Run `modelreg validate`.',
      file: S('m', 'staging'),
      line: undefined,
    });
  });
});

describe('latestVersion, orderStages and version helpers', () => {
  it('latest compares by semver precedence, not by text', () => {
    const s = snap({
      [M('m')]: model('m'),
      [V('m', '1.9.0')]: version('m', '1.9.0'),
      [V('m', '1.10.0')]: version('m', '1.10.0'),
      [V('m', '1.10.1-rc.1')]: version('m', '1.10.1-rc.1'),
      [V('m', '1.10.0-rc.2')]: version('m', '1.10.0-rc.2'),
    });
    const m = s.models.get('m')!;
    expect(latestVersion(m, false)?.data.version).toBe('1.10.0');
    expect(latestVersion(m, true)?.data.version).toBe('1.10.1-rc.1');
  });

  it('latest ignores a version whose field is not valid semver', () => {
    // A version entry whose field is not semver (the schema would refuse it; here forced in): latest must not pick it.
    const s = snap({ [M('m')]: model('m'), [V('m', '1.0.0')]: version('m', '1.0.0') });
    const m = s.models.get('m')!;
    const bad = { ...m.versions.get('1.0.0')!, data: { ...m.versions.get('1.0.0')!.data, version: '99.0' } };
    m.versions.set('99.0', bad);
    expect(latestVersion(m, true)?.data.version).toBe('1.0.0');
  });

  it('orderStages: policy order, unknown stages last in alphabetical order', () => {
    const s = snap({ 'registry.yaml': policy() });
    expect(orderStages(s, ['zeta', 'production', 'alpha', 'development', 'staging'])).toEqual(['development', 'staging', 'production', 'alpha', 'zeta']);
    expect(orderStages(snap({}), ['b', 'a'])).toEqual(['a', 'b']);
  });

  it('versions: validity, pre-releases, order', () => {
    expect(['1.0.0', '0.0.1', '2.0.0-rc.1', '1.0.0-alpha.beta.1'].every(isValidVersion)).toBe(true);
    expect(['1.0', 'v1.0.0', '1.0.0+b', '1.0.0-01', ' 1.0.0', '01.0.0'].some(isValidVersion)).toBe(false);
    expect(isPrerelease('2.0.0-rc.1')).toBe(true);
    expect(isPrerelease('2.0.0')).toBe(false);
    expect(compareVersions('1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(sortVersions(['1.10.0', 'bad', '1.2.0', '1.2.0-rc.1', '0.9.0'])).toEqual(['0.9.0', '1.2.0-rc.1', '1.2.0', '1.10.0']);
  });
});
