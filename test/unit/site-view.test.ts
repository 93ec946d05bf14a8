/**
 * What the pages compute from the data files, on plain data: routes, the overview's search, filters and
 * sort, a model's versions, metric series and stage timeline with the holders on a day, a version's
 * gates and artifacts, the compare table, the history filters, and Markdown made safe.
 */
import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../src/checks/gates.js';
import { compareMetrics } from '../../src/registry/metrics.js';
import { parseRef } from '../../src/registry/refs.js';
import { compactHistory, type HistoryEvent } from '../../src/registry/history.js';
import { modelSiteData } from '../../src/site/model-data.js';
import { overviewData } from '../../src/site/site-data.js';
import type { ModelLocal, OverviewRow } from '../../src/site/types.js';
import { compareTable, metricDirections, relativeChanges, resolveIn } from '../../src/site/view/compare.js';
import { httpUrl, num, visible, when } from '../../src/site/view/format.js';
import { describeEvent, filterHistory } from '../../src/site/view/history.js';
import { renderMarkdown } from '../../src/site/view/markdown.js';
import { gitFacts, holderAttribution, holdersOn, latestOf, metricSeries, moveAttribution, stageTimeline, versionRows } from '../../src/site/view/model.js';
import { facets, overviewTable, PAGE_SIZE, searchIndex, searchIndexInSteps, sortRows } from '../../src/site/view/overview.js';
import { formatRoute, parseRoute, type Route } from '../../src/site/view/routes.js';
import { artifactRows, versionGates } from '../../src/site/view/version.js';
import { fixtureFiles, snap } from './helpers.js';

const s = snap(fixtureFiles());
const policy = s.policy!.data;
const stages = policy.stages.map((x) => x.name);
const local = (name: string) => JSON.parse(modelSiteData(s, name).text) as ModelLocal;
const rows = (): OverviewRow[] =>
  overviewData(
    [...s.models.keys()].map((name) => ({ name, value: modelSiteData(s, name).value })),
    new Map(),
  ).rows;

describe('routes', () => {
  it('every page has an address that reads back as the same page', () => {
    const routes: Route[] = [
      { page: 'overview', query: {} },
      {
        page: 'overview',
        query: {
          q: 'bert base',
          tag: 'team=nlp',
          framework: 'onnx',
          owner: '@acme/ml-leads',
          stage: 'production',
          sort: 'stage:production',
          dir: 'desc',
          page: 3,
        },
      },
      { page: 'model', model: 'sentiment' },
      { page: 'model', model: 'sentiment', on: '2026-03-15', vpage: 2 },
      { page: 'version', model: 'sentiment', version: '2.0.0-rc.1' },
      { page: 'compare', refs: ['sentiment@1.1.0', 'bert-base@1.0.0', 'sentiment@production'] },
      {
        page: 'history',
        filters: { model: 'sentiment', stage: 'production', author: 'alice', kind: 'promoted', from: '2026-01-01', to: '2026-12-31', commit: 'abc123' },
      },
      { page: 'problems' },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r)), formatRoute(r)).toEqual(r);
    expect(formatRoute({ page: 'version', model: 'a.b_c-d', version: '1.0.0-rc.1' })).toBe('#/m/a.b_c-d/v/1.0.0-rc.1');
  });

  it('an address that is not a page is not found, and never throws', () => {
    for (const h of ['#/nope', '#/m', '#/m/a/b', '#/m/%E0%A4%A', '#/m/a/v/1.0.0/x']) expect(parseRoute(h).page, h).toBe('not-found');
    expect(parseRoute('')).toEqual({ page: 'overview', query: {} });
    expect(parseRoute('#/m/x?on=yesterday')).toEqual({ page: 'model', model: 'x' });
  });
});

describe('the overview', () => {
  it('filters as `modelreg list` does: stage held, owner, framework, a tag of the model or of its latest version', () => {
    const all = rows();
    const names = (q: Parameters<typeof overviewTable>[1]) => overviewTable(all, q, undefined, stages).rows.map((r) => r.name);
    expect(names({ stage: 'production' })).toEqual(['sentiment']);
    expect(names({ owner: 'alice' })).toEqual(['sentiment', 'sentiment-int8']);
    expect(names({ framework: 'onnx' })).toEqual(['sentiment-int8']);
    expect(names({ tag: 'team=nlp' })).toEqual(['sentiment']);
    expect(names({ tag: 'team=vision' })).toEqual([]);
    expect(names({ tag: 'domain' })).toEqual(['sentiment']);
    expect(facets(all)).toEqual({
      frameworks: ['onnx', 'transformers'],
      owners: ['@acme/ml-leads', 'alice', 'research-team'],
      tags: ['domain=reviews', 'team=nlp'],
      tasks: ['feature-extraction', 'text-classification'],
    });
  });

  it('searches names (whole, by prefix and in parts), descriptions and tasks; built in steps it answers the same', async () => {
    const all = rows();
    const search = searchIndex(all);
    expect(search.search('int8')).toEqual(['sentiment-int8']);
    expect(search.search('sent').sort()).toEqual(['sentiment', 'sentiment-int8']);
    expect(search.search('encoder')).toEqual(['bert-base']);
    expect(search.search('sentiment-int')).toEqual(['sentiment-int8']);
    expect(search.search('product reviews')).toEqual(['sentiment']);
    expect(search.search('feature-extraction')).toEqual(['bert-base']);
    expect(search.search('encodr')).toEqual(['bert-base']);
    expect(search.search('')).toEqual([]);
    const stepped = await searchIndexInSteps(all);
    for (const q of ['int8', 'sent', 'encoder', 'product reviews']) expect(stepped.search(q)).toEqual(search.search(q));
    const t = overviewTable(all, { q: 'int8' }, search.search('int8'), stages);
    expect(t.rows.map((r) => r.name)).toEqual(['sentiment-int8']);
    expect(t.sort).toBe('relevance');
  });

  it('sorts by any column either way, versions by precedence, missing values last; pages of PAGE_SIZE', () => {
    const all = rows();
    const by = (sort: string, dir: 'asc' | 'desc') => sortRows(all, sort, dir, stages).map((r) => r.name);
    expect(by('versions', 'desc')[0]).toBe('sentiment');
    expect(by('name', 'desc')).toEqual(['sentiment-int8', 'sentiment', 'bert-base']);
    expect(by('stage:development', 'asc')).toEqual(['sentiment-int8', 'sentiment', 'bert-base']);
    expect(by('stage:development', 'desc')).toEqual(['sentiment', 'sentiment-int8', 'bert-base']);
    expect(by('tags', 'asc')).toEqual(['sentiment', 'bert-base', 'sentiment-int8']);
    const many = Array.from({ length: 250 }, (_, i) => ({ ...all[0]!, name: `m${String(i).padStart(3, '0')}`, latest: `1.${i % 12}.0` }));
    const t = overviewTable(many, { page: 3, sort: 'latest', dir: 'desc' }, undefined, stages);
    expect(t).toMatchObject({ matched: 250, page: 3, pages: 3 });
    expect(t.rows).toHaveLength(250 - 2 * PAGE_SIZE);
    const versions = sortRows(many, 'latest', 'asc', stages).map((r) => r.latest);
    expect(versions.indexOf('1.10.0')).toBeGreaterThan(versions.lastIndexOf('1.9.0'));
  });
});

describe('a model page', () => {
  it('a series per metric, oldest version first, with each stage holder marked where it sits', () => {
    const series = metricSeries(local('sentiment'), stages);
    const acc = series.find((x) => x.metric === 'accuracy')!;
    expect(acc.versions).toEqual(['1.0.0', '1.1.0', '1.2.0', '2.0.0-rc.1']);
    expect(acc.values).toEqual([0.86, 0.89, 0.91, 0.93]);
    expect(acc.holders).toEqual([
      { stage: 'development', version: '1.2.0', index: 2, value: 0.91 },
      { stage: 'staging', version: '1.2.0', index: 2, value: 0.91 },
      { stage: 'production', version: '1.1.0', index: 1, value: 0.89 },
    ]);
  });

  const ev = (over: Partial<HistoryEvent> & Pick<HistoryEvent, 'kind' | 'commit' | 'date'>): HistoryEvent => ({
    model: 'sentiment',
    author: 'A',
    email: 'a@x',
    subject: 's',
    ...over,
  });
  const history = compactHistory([
    ev({ kind: 'stage-removed', stage: 'staging', previous: '1.2.0', commit: 'c5', date: '2026-05-01T00:00:00Z' }),
    ev({ kind: 'rolled-back', stage: 'production', version: '1.1.0', previous: '1.2.0', commit: 'c4', date: '2026-04-01T12:00:00Z', pr: 43 }),
    ev({
      kind: 'promoted',
      stage: 'production',
      version: '1.2.0',
      previous: '1.1.0',
      commit: 'c3',
      date: '2026-03-01T12:00:00Z',
      pr: 42,
      claimedBy: 'lead@x',
      reason: 'better',
    }),
    ev({ kind: 'promoted', stage: 'staging', version: '1.2.0', previous: null, commit: 'c2', date: '2026-02-01T00:00:00Z' }),
    ev({ kind: 'promoted', stage: 'production', version: '1.1.0', previous: null, commit: 'c1', date: '2026-01-01T00:00:00Z' }),
    ev({ kind: 'registered', version: '1.1.0', commit: 'c1', date: '2026-01-01T00:00:00Z' }),
  ]);

  it('versions with the stages each holds, in policy order; the latest as `list` reports it', () => {
    const r = versionRows(local('sentiment'), stages, gitFacts(history).registered);
    expect(r.map((v) => [v.version, v.stages, v.deprecated, v.prerelease])).toEqual([
      ['2.0.0-rc.1', [], false, true],
      ['1.2.0', ['development', 'staging'], false, false],
      ['1.1.0', ['production'], false, false],
      ['1.0.0', [], true, false],
    ]);
    expect(latestOf(local('sentiment'))!.version).toBe('1.2.0');
  });

  it("who registered a version and when are the commit's; the manifest's created_by/created_at only beside, where they differ", () => {
    const r = versionRows(local('sentiment'), stages, gitFacts(history).registered);
    const v110 = local('sentiment').versions.find((v) => v.version === '1.1.0')!;
    const row = r.find((x) => x.version === '1.1.0')!.registered;
    expect(row).toMatchObject({ by: 'A', email: 'a@x', at: '2026-01-01T00:00:00Z', fromGit: true });
    // The fixture's created_by is not the commit's author here: it is shown beside.
    expect(row.claimedBy).toBe(v110.created_by);
    // A version the history does not show (not committed): the manifest's own fields, marked as such.
    expect(r.find((x) => x.version === '1.2.0')!.registered).toEqual({
      by: local('sentiment').versions.find((v) => v.version === '1.2.0')!.created_by,
      at: local('sentiment').versions.find((v) => v.version === '1.2.0')!.created_at,
      fromGit: false,
    });
  });

  it('the stage timeline: each stay from the commit that moved it there to the one that moved it on', () => {
    const t = stageTimeline(history, stages);
    expect(t.intervals.map((i) => [i.stage, i.version, i.from.slice(0, 10), i.to?.slice(0, 10) ?? null, i.kind])).toEqual([
      ['staging', '1.2.0', '2026-02-01', '2026-05-01', 'promoted'],
      ['production', '1.1.0', '2026-01-01', '2026-03-01', 'promoted'],
      ['production', '1.2.0', '2026-03-01', '2026-04-01', 'promoted'],
      ['production', '1.1.0', '2026-04-01', null, 'rolled-back'],
    ]);
    expect(t.moves).toHaveLength(5);
    expect(t.intervals[2]).toMatchObject({ claimedBy: 'lead@x', reason: 'better', commit: { id: 'c3', pr: 42 } });
    // Who moved it is the commit's author; the stage file's claim is beside it, as it differs.
    expect(moveAttribution(t.intervals[2]!)).toEqual({ by: 'A', email: 'a@x', at: '2026-03-01T12:00:00Z', claimedBy: 'lead@x', fromGit: true });
    expect(moveAttribution(t.intervals[3]!)).toEqual({ by: 'A', email: 'a@x', at: '2026-04-01T12:00:00Z', fromGit: true });
    // The current holder: its last move's commit; a holder the history has not seen (uncommitted): the file's own fields.
    expect(holderAttribution(t, { stage: 'production', version: '1.1.0', moved_by: 'a@x', moved_at: '2026-04-01T11:59:00Z' })).toEqual({
      by: 'A',
      email: 'a@x',
      at: '2026-04-01T12:00:00Z',
      fromGit: true,
    });
    expect(holderAttribution(t, { stage: 'development', version: '1.2.0', moved_by: 'me@x', moved_at: '2026-06-01T00:00:00Z' })).toEqual({
      by: 'me@x',
      at: '2026-06-01T00:00:00Z',
      fromGit: false,
    });
  });

  it('what held each stage on a day: the holder at its end, and the moves during it', () => {
    const t = stageTimeline(history, stages);
    const on = (day: string) => Object.fromEntries(holdersOn(t, day).map((h) => [h.stage, h.version]));
    expect(on('2025-12-31')).toEqual({ development: null, staging: null, production: null });
    expect(on('2026-01-15')).toEqual({ development: null, staging: null, production: '1.1.0' });
    expect(on('2026-03-15')).toEqual({ development: null, staging: '1.2.0', production: '1.2.0' });
    expect(on('2026-04-15')).toEqual({ development: null, staging: '1.2.0', production: '1.1.0' });
    expect(on('2026-06-01')).toEqual({ development: null, staging: null, production: '1.1.0' });
    const day = holdersOn(t, '2026-03-01').find((h) => h.stage === 'production')!;
    expect(day).toMatchObject({ version: '1.2.0', since: '2026-03-01T12:00:00Z' });
    expect(day.changes.map((c) => c.version)).toEqual(['1.2.0']);
  });
});

describe('a version page', () => {
  it("each stage's gates, exactly as evaluateGates judges a promotion against the current holder", () => {
    const l = local('sentiment');
    const v = l.versions.find((x) => x.version === '1.2.0')!;
    const gates = versionGates(policy, l, v);
    expect(gates.map((g) => [g.stage, g.holder, g.holds])).toEqual([
      ['development', '1.2.0', true],
      ['staging', '1.2.0', true],
      ['production', '1.1.0', false],
    ]);
    const holder = l.versions.find((x) => x.version === '1.1.0')!;
    expect(gates[2]!.results).toEqual(evaluateGates({ policy, stage: 'production', candidate: v, holder, candidateStages: ['development', 'staging'] }));
    expect(gates[2]!.passed).toBe(true);
    expect(gates[2]!.approvals).toEqual({ count: 1 });
    const rc = versionGates(
      policy,
      l,
      l.versions.find((x) => x.version === '2.0.0-rc.1')!,
    );
    expect(rc[1]!.passed).toBe(false);
    expect(rc[1]!.results.find((r) => r.gate === 'order')).toMatchObject({ passed: false });
    expect(
      versionGates(
        policy,
        l,
        l.versions.find((x) => x.version === '1.0.0')!,
      )[0]!.results[0],
    ).toMatchObject({ gate: 'deprecated', passed: false });
  });

  it('artifacts with their store URIs, as content addresses', () => {
    const v = local('bert-base').versions[0]!;
    const [a] = artifactRows(v, 's3://bucket/reg');
    expect(a!.uri).toBe(`s3://bucket/reg/sha256/${a!.sha256.slice(0, 2)}/${a!.sha256}`);
    expect(artifactRows(v, null)[0]!.uri).toBeNull();
  });
});

describe('compare', () => {
  it("deltas against the first version, with `modelreg compare`'s rounding, and which is better by the policy", () => {
    const l = local('sentiment');
    const col = (v: string) => ({ ref: `sentiment@${v}`, version: l.versions.find((x) => x.version === v)! });
    const t = compareTable([col('1.1.0'), col('1.2.0'), col('1.0.0')], policy);
    expect(t.columns).toEqual(['sentiment@1.1.0', 'sentiment@1.2.0', 'sentiment@1.0.0']);
    const acc = t.metrics.find((m) => m.name === 'accuracy')!;
    expect(acc.values).toEqual([0.89, 0.91, 0.86]);
    expect(acc.deltas).toEqual([
      null,
      compareMetrics(col('1.1.0').version.metrics, col('1.2.0').version.metrics).find((m) => m.name === 'accuracy')!.delta,
      -0.03,
    ]);
    expect(acc.deltas[1]).toBe(0.02);
    expect(acc.better).toBe('higher');
    expect(acc.verdicts).toEqual([null, 'better', 'worse']);
    expect(t.metrics.find((m) => m.name === 'latency_ms')!.verdicts).toEqual([null, null, null]);
    expect(t.artifacts.map((a) => a.path)).toEqual(['model.safetensors']);
    expect(relativeChanges(t).series[0]!.values[relativeChanges(t).metrics.indexOf('accuracy')]).toBeCloseTo(2.24719, 4);
  });

  it('across models (a fine-tune against its base): params and tags that differ, the metric directions of the policy', () => {
    const a = { ref: 'bert-base@1.0.0', version: local('bert-base').versions[0]! };
    const b = { ref: 'sentiment@1.1.0', version: local('sentiment').versions.find((x) => x.version === '1.1.0')! };
    const t = compareTable([a, b], policy);
    expect(t.metrics.map((m) => m.name)).toEqual(['accuracy', 'latency_ms', 'mlm_loss']);
    expect(t.metrics[0]!.values).toEqual([null, 0.89]);
    expect(t.fields.map((f) => [f.name, f.values])).toEqual([['type', ['base', 'fine-tuned']]]);
    expect(metricDirections(policy)).toEqual(new Map([['accuracy', 'higher']]));
  });

  it('resolves references as everywhere: a version, a stage, latest', () => {
    const l = local('sentiment');
    expect((resolveIn(l, parseRef('sentiment@production').selector) as { version: string }).version).toBe('1.1.0');
    expect((resolveIn(l, parseRef('sentiment').selector) as { version: string }).version).toBe('1.2.0');
    expect(resolveIn(l, parseRef('sentiment@9.9.9').selector)).toBe('sentiment has no version 9.9.9');
    expect(resolveIn(l, parseRef('sentiment@shadow').selector)).toBe('no version of sentiment holds shadow');
  });
});

describe('the history page', () => {
  const history = compactHistory([
    {
      kind: 'promoted',
      model: 'a',
      stage: 'production',
      version: '2.0.0',
      previous: '1.0.0',
      commit: 'beef01',
      date: '2026-03-01T23:30:00-02:00',
      author: 'Alice',
      email: 'alice@x',
      subject: 'Merge pull request #3',
      pr: 3,
    },
    { kind: 'registered', model: 'b', version: '1.0.0', commit: 'cafe02', date: '2026-02-01T00:00:00Z', author: 'Bob', email: 'bob@x', subject: 'r' },
    { kind: 'deprecated', model: 'a', version: '1.0.0', commit: 'cafe02', date: '2026-02-01T00:00:00Z', author: 'Bob', email: 'bob@x', subject: 'r' },
  ]);
  const got = (f: Parameters<typeof filterHistory>[1]) => filterHistory(history, f).map((x) => `${x.event.model}:${x.event.kind}`);

  it('filters by model, stage, author (name or e-mail), kind, day (UTC) and commit', () => {
    expect(got({})).toEqual(['a:promoted', 'b:registered', 'a:deprecated']);
    expect(got({ model: 'a' })).toEqual(['a:promoted', 'a:deprecated']);
    expect(got({ stage: 'production' })).toEqual(['a:promoted']);
    expect(got({ author: 'ALI' })).toEqual(['a:promoted']);
    expect(got({ author: 'bob@' })).toEqual(['b:registered', 'a:deprecated']);
    expect(got({ kind: 'deprecated' })).toEqual(['a:deprecated']);
    expect(got({ from: '2026-03-02' })).toEqual(['a:promoted']);
    expect(got({ to: '2026-03-01' })).toEqual(['b:registered', 'a:deprecated']);
    expect(got({ commit: 'CAFE' })).toEqual(['b:registered', 'a:deprecated']);
  });

  it('says what happened in the words of `modelreg history`', () => {
    expect(history.events.map(describeEvent)).toEqual(['promoted production: 1.0.0 → 2.0.0', 'registered 1.0.0', 'deprecated 1.0.0']);
  });
});

describe('text on the pages', () => {
  it('Markdown: raw HTML is text, only http(s) links are links, an image is a link (never fetched), headings sit under the page’s', () => {
    const html = renderMarkdown(
      [
        '# Title',
        '<script>alert(1)</script> <img src=x onerror=alert(1)>',
        '[ok](https://example.com/a?b=1) [js](javascript:alert(1)) [data](data:text/html,<script>alert(1)</script>) [vb](vbscript:x) [rel](/etc/passwd) [JS](JaVaScRiPt:alert(1))',
        '![pixel](https://tracker.example/p.png) ![evil](javascript:alert(1))',
        '<https://example.org> <javascript:alert(1)>',
        '| a | b |\n|:--|--:|\n| <b>x</b> | y |',
      ].join('\n\n'),
    );
    expect(html).toContain('<h3>Title</h3>');
    // No inline style (the CSP refuses it): not even for a table's alignment.
    expect(html).toContain('<th>a</th>');
    expect(html).not.toContain('style=');
    expect(html).not.toMatch(/<script|<img|<b>|<[^>]*\son\w+=/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual(['https://example.com/a?b=1', 'https://tracker.example/p.png', 'https://example.org']);
    expect(html).toContain('<a href="https://tracker.example/p.png" rel="nofollow noopener noreferrer">pixel</a>');
    expect(html).toContain('rel="nofollow noopener noreferrer"');
    expect(httpUrl('https://a.example/x')).toBe('https://a.example/x');
    for (const bad of ['javascript:alert(1)', 'hf://datasets/x', 's3://b/k', 'http//x', ' https://x', null]) expect(httpUrl(bad), String(bad)).toBeNull();
  });

  it('control characters and bidirectional marks become visible escapes; dates read in UTC; numbers are short', () => {
    expect(visible('evil\u202Etxt.exe \u001b[2J')).toBe('evil\\u202etxt.exe \\u001b[2J');
    expect(when('2026-06-03T10:00:00+02:00')).toBe('2026-06-03 08:00 UTC');
    expect(when('not a date')).toBe('not a date');
    expect(num(0.1 + 0.2)).toBe('0.3');
    expect(num(0.02, true)).toBe('+0.02');
    expect(num(null)).toBe('—');
  });
});
