/** Planning an MLflow import (src/mlflow/import-plan.ts) on plain data: names, versions, the story, re-runs, conflicts. */
import { describe, expect, it } from 'vitest';
import { modelregName, planImport, semverFor, type ExistingModel, type MlflowModelData, type MlflowVersionData } from '../../src/mlflow/import-plan.js';
import { ModelregError } from '../../src/registry/errors.js';

const v = (n: number, extra: Partial<MlflowVersionData> = {}): MlflowVersionData => ({
  version: String(n),
  creation_timestamp: n * 1000,
  last_updated_timestamp: n * 1000,
  user_id: `u${n}`,
  current_stage: 'None',
  description: '',
  tags: {},
  run_id: `r${n}`,
  source: `runs:/r${n}/model`,
  status: 'READY',
  ...extra,
});
const model = (name: string, versions: MlflowVersionData[], extra: Partial<MlflowModelData> = {}): MlflowModelData => ({
  name,
  description: 'd',
  tags: {},
  aliases: {},
  last_updated_timestamp: 0,
  versions,
  ...extra,
});
const settings = { versionTemplate: '{N}.0.0', names: {}, mapNames: true, stages: ['development', 'staging', 'production', 'champion'] };
const brief = (steps: ReturnType<typeof planImport>['steps']) =>
  steps.map((s) => `${s.kind} ${s.model}${'version' in s ? `@${s.version}` : ''}${'stage' in s ? ` ${s.stage}` : ''}`);

const fail = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return e instanceof ModelregError ? `${e.code}: ${e.message}` : String(e);
  }
  return 'no error';
};

describe('planning an MLflow import', () => {
  it('keeps names modelreg can hold, maps the others (said so), refuses what cannot be mapped', () => {
    expect(modelregName('fraud', settings)).toEqual({ name: 'fraud', mapped: false });
    expect(modelregName('Churn Model', settings)).toEqual({ name: 'churn-model', mapped: true });
    expect(modelregName('team/NLP  Sentiment', settings)).toEqual({ name: 'team-nlp-sentiment', mapped: true });
    expect(modelregName('Churn Model', { ...settings, names: { 'Churn Model': 'churn' } })).toEqual({ name: 'churn', mapped: true });
    expect(fail(() => modelregName('Churn Model', { ...settings, mapNames: false }))).toMatch(/^rejected: .*"Churn Model" has a name modelreg cannot hold/);
    expect(fail(() => modelregName('___', settings))).toMatch(/^rejected: .*no name can be made of it/);
    expect(fail(() => modelregName('x', { ...settings, names: { x: 'Bad Name' } }))).toMatch(/^usage:/);
    expect(fail(() => planImport([model('A b', [v(1)]), model('a-b', [v(1)])], new Map(), settings))).toMatch(
      /^conflict: .*"A b" and "a-b" would both be imported as "a-b"/,
    );
  });

  it('maps version N by the template', () => {
    expect(semverFor('3', '{N}.0.0')).toBe('3.0.0');
    expect(semverFor('3', '1.{N}.0')).toBe('1.3.0');
    expect(fail(() => semverFor('3', 'v{N}'))).toMatch(/^usage: .*not a semantic version/);
  });

  it("tells a new model's whole story in time order, across models", () => {
    const fraud = model(
      'fraud',
      [
        v(1, { current_stage: 'Archived', last_updated_timestamp: 5000 }),
        v(2, { current_stage: 'Production', last_updated_timestamp: 4000 }),
        v(3, { status: 'PENDING_REGISTRATION' }),
      ],
      { aliases: { champion: '2' }, last_updated_timestamp: 6000 },
    );
    const churn = model('churn', [v(2.5 as never)]);
    const plan = planImport([fraud, { ...churn, versions: [{ ...v(1), creation_timestamp: 2500 }] }], new Map(), settings);
    expect(brief(plan.steps)).toEqual([
      'register fraud@1.0.0',
      'register fraud@2.0.0',
      'register churn@1.0.0',
      'promote fraud@2.0.0 production',
      'deprecate fraud@1.0.0',
      'promote fraud@2.0.0 champion',
    ]);
    expect(plan.steps[0]).toMatchObject({
      user: 'u1',
      at: 1000,
      tags: { 'mlflow.version': '1', 'mlflow.run_id': 'r1', 'mlflow.source': 'runs:/r1/model' },
      newModel: { owners: ['u1'] },
    });
    expect(plan.steps[1]).not.toHaveProperty('newModel');
    expect(plan.notes).toEqual(['fraud version 3 is PENDING_REGISTRATION in MLflow: not imported']);
  });

  it('an archived stage holder gives its stage up first; an alias on an archived version is said, not imported', () => {
    const existing = new Map<string, ExistingModel>();
    const m = model('m', [v(1, { current_stage: 'Production', last_updated_timestamp: 1500 }), v(2)], { aliases: { champion: '1' } });
    // Imported before: 1 holds production and champion. Now MLflow archived version 1.
    existing.set('m', {
      versions: new Map([
        ['1.0.0', { mlflowVersion: '1', deprecated: false }],
        ['2.0.0', { mlflowVersion: '2', deprecated: false }],
      ]),
      stages: new Map([
        ['production', '1.0.0'],
        ['champion', '1.0.0'],
      ]),
    });
    const archived = planImport([{ ...m, versions: [v(1, { current_stage: 'Archived', last_updated_timestamp: 9000 }), v(2)] }], existing, settings);
    expect(brief(archived.steps)).toEqual(['unassign m production', 'unassign m champion', 'deprecate m@1.0.0']);
    expect(archived.notes).toEqual(['m: alias champion names version 1, which is Archived; a deprecated version holds no stage, so it is not imported']);
  });

  it('a re-run plans only what changed in MLflow since', () => {
    const m = model('m', [v(1, { current_stage: 'Production' }), v(2)], { aliases: { champion: '1' } });
    const first = planImport([m], new Map(), settings);
    // Version 1 went to Production at its registration time, before version 2 came; aliases come last.
    expect(brief(first.steps)).toEqual(['register m@1.0.0', 'promote m@1.0.0 production', 'register m@2.0.0', 'promote m@1.0.0 champion']);
    const state: ExistingModel = {
      versions: new Map([
        ['1.0.0', { mlflowVersion: '1', deprecated: false }],
        ['2.0.0', { mlflowVersion: '2', deprecated: false }],
      ]),
      stages: new Map([
        ['production', '1.0.0'],
        ['champion', '1.0.0'],
      ]),
    };
    expect(planImport([m], new Map([['m', state]]), settings).steps).toEqual([]);
    const moved = { ...m, aliases: { champion: '2' }, versions: [...m.versions, v(3)] };
    expect(brief(planImport([moved], new Map([['m', state]]), settings).steps)).toEqual(['register m@3.0.0', 'promote m@2.0.0 champion']);
  });

  it('refuses a version the registry holds from elsewhere, an alias with no stage, and tags a manifest cannot hold', () => {
    const native: ExistingModel = { versions: new Map([['1.0.0', { deprecated: false }]]), stages: new Map() };
    expect(fail(() => planImport([model('m', [v(1)])], new Map([['m', native]]), settings))).toMatch(
      /^conflict: m@1\.0\.0 is already in the registry, and it is not MLflow's "m" version 1 \(it was registered in modelreg\)/,
    );
    expect(fail(() => planImport([model('m', [v(1)], { aliases: { Winner: '1' } })], new Map(), settings))).toMatch(
      /^rejected: the MLflow alias "Winner" of "m" has no stage "winner" in registry\.yaml/,
    );
    expect(fail(() => planImport([model('m', [v(1, { tags: { 'my key': 'x' } })])], new Map(), settings))).toMatch(
      /^rejected: the tag "my key" of MLflow's "m" version 1 is not a key/,
    );
    expect(fail(() => planImport([model('m', [v(1, { tags: { k: 'a\u001b[31m' } })])], new Map(), settings))).toMatch(/holds U\+001B/);
  });
});
