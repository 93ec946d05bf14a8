import { describe, expect, it } from 'vitest';
import { listModels, modelFacts } from '../../src/registry/summary.js';
import { DEPRECATED, M, S, V, model, policy, snap, stage, version } from './helpers.js';

function registry() {
  return snap({
    'registry.yaml': policy(),
    [M('b')]: model('b', { description: 'B', tags: { team: 'nlp' } }),
    [V('b', '1.0.0')]: version('b', '1.0.0', { framework: 'onnx' }),
    [V('b', '1.1.0')]: version('b', '1.1.0', { framework: 'pytorch', tags: { lang: 'de' } }),
    [V('b', '2.0.0-rc.1')]: version('b', '2.0.0-rc.1', { framework: 'pytorch' }),
    [S('b', 'production')]: stage('b', 'production', '1.0.0'),
    [S('b', 'development')]: stage('b', 'development', '1.1.0'),
    [M('a')]: model('a', { owners: ['carol'] }),
    [V('a', '0.1.0-rc.1')]: version('a', '0.1.0-rc.1'),
    [V('a', '0.2.0')]: version('a', '0.2.0', { deprecated: DEPRECATED }),
  });
}

describe('modelFacts and listModels', () => {
  it('sum a model up: latest skips pre-releases and deprecated versions unless nothing else is left', () => {
    const s = registry();
    expect(modelFacts(s.models.get('b')!)).toEqual({
      name: 'b',
      description: 'B',
      owners: ['alice'],
      task: null,
      tags: { team: 'nlp' },
      versions: 3,
      latest: '1.1.0',
      latestTags: { lang: 'de' },
      frameworks: ['onnx', 'pytorch'],
      stages: { production: '1.0.0', development: '1.1.0' },
    });
    expect(modelFacts(s.models.get('a')!)).toMatchObject({ latest: '0.1.0-rc.1', versions: 2, frameworks: [] });
  });

  it('list by name, stages in the policy order, filters on stage, owner, framework and tags (the latest version counts)', () => {
    const s = registry();
    const facts = [...s.models.values()].map(modelFacts);
    const all = listModels(facts, s);
    expect(all.map((m) => m.name)).toEqual(['a', 'b']);
    expect(Object.keys(all[1]!.stages)).toEqual(['development', 'production']);
    expect(all[1]).not.toHaveProperty('latestTags');
    expect(listModels(facts, s, { stage: 'production' }).map((m) => m.name)).toEqual(['b']);
    expect(listModels(facts, s, { stage: 'constructor' })).toEqual([]);
    expect(listModels(facts, s, { owner: 'carol' }).map((m) => m.name)).toEqual(['a']);
    expect(listModels(facts, s, { framework: 'onnx' }).map((m) => m.name)).toEqual(['b']);
    expect(listModels(facts, s, { tags: { lang: 'de', team: 'nlp' } }).map((m) => m.name)).toEqual(['b']);
    expect(listModels(facts, s, { tags: { lang: 'fr' } })).toEqual([]);
  });
});
