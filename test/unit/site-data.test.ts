/**
 * The data the site is built from, on plain data: a model's facts and page data (model-data.ts), the
 * overview rows, lineage unions, history grouping, keys and chunks (site-data.ts), links to GitHub, and
 * the HTML the build writes (html.ts).
 */
import { describe, expect, it } from 'vitest';
import { compactHistory, expandHistory, type HistoryEvent } from '../../src/registry/history.js';
import { buildLineage, lineageNeighbourhood } from '../../src/registry/lineage.js';
import { CSP, dataScript, escapeHtml, indexHtml, notFoundHtml } from '../../src/site/html.js';
import { modelSiteData, packLineage, plainSummary, stringHash, unpackLineage } from '../../src/site/model-data.js';
import { eventsByModel, historyChunks, historyKey, lineageHashes, lineageUnions, overviewData, siteStore, webLinks } from '../../src/site/site-data.js';
import type { ModelLocal } from '../../src/site/types.js';
import { neighbourhood, unionEdges } from '../../src/site/view/version.js';
import { fixtureFiles, snap, type Files } from './helpers.js';

const fixture = () => snap(fixtureFiles());
const metasOf = (files: Files) => {
  const s = snap(files);
  return [...s.models.keys()].map((name) => ({ name, value: modelSiteData(s, name).value }));
};

const event = (over: Partial<HistoryEvent> & Pick<HistoryEvent, 'kind' | 'model' | 'commit'>): HistoryEvent => ({
  date: '2026-01-01T00:00:00Z',
  author: 'A',
  email: 'a@example.com',
  subject: 's',
  ...over,
});

describe("a model's site data", () => {
  it('holds every version newest first with its whole manifest, the stage files and the overview row', () => {
    const s = fixture();
    const { value, text } = modelSiteData(s, 'sentiment');
    const local = JSON.parse(text) as ModelLocal;
    expect(local.versions.map((v) => v.version)).toEqual(['2.0.0-rc.1', '1.2.0', '1.1.0', '1.0.0']);
    expect(local.versions[1]).toEqual(s.models.get('sentiment')!.versions.get('1.2.0')!.data);
    expect(local.stages.map((x) => [x.stage, x.version])).toEqual([
      ['development', '1.2.0'],
      ['production', '1.1.0'],
      ['staging', '1.2.0'],
    ]);
    expect(value.shown).toBe(true);
    expect(value.row).toMatchObject({
      name: 'sentiment',
      latest: '1.2.0',
      versions: 4,
      owners: ['alice', '@acme/ml-leads'],
      frameworks: ['transformers'],
      tags: { team: 'nlp', domain: 'reviews' },
      deprecated: 1,
      problems: 0,
    });
    expect(value.row.stages.production).toEqual(['1.1.0', '2026-06-03T10:00:00Z']);
    expect(unpackLineage(value.lineage)).toEqual({
      versions: ['2.0.0-rc.1', '1.2.0', '1.1.0', '1.0.0'],
      deprecated: ['1.0.0'],
      parents: ['2.0.0-rc.1', '1.2.0', '1.1.0', '1.0.0'].map((v) => [v, 'bert-base', '1.0.0', 'fine-tuned-from']),
    });
  });

  it('depends only on the model’s own files: the same text whatever else the registry holds', () => {
    const files = fixtureFiles();
    const alone = Object.fromEntries(Object.entries(files).filter(([p]) => p === 'registry.yaml' || p.startsWith('models/sentiment/')));
    expect(modelSiteData(snap(alone), 'sentiment')).toEqual(modelSiteData(snap(files), 'sentiment'));
  });

  it('leaves out what cannot be shown, and says why on the problems list', () => {
    const files = fixtureFiles();
    files['models/sentiment/versions/latest.yaml'] = files['models/sentiment/versions/1.2.0.yaml']!;
    files['models/sentiment/versions/9.9.9.yaml'] = files['models/sentiment/versions/1.2.0.yaml']!;
    files['models/Evil/model.yaml'] = 'name: Evil\nowners: [x]\n';
    files['models/bert-base/versions/1.0.0.yaml'] = 'name: bert-base\nversion: [\n';
    const s = snap(files);
    const sentiment = modelSiteData(s, 'sentiment');
    expect(unpackLineage(sentiment.value.lineage).versions).toEqual(['2.0.0-rc.1', '1.2.0', '1.1.0', '1.0.0']);
    expect(sentiment.value.problems.map((p) => [p.code, p.file])).toEqual(
      expect.arrayContaining([
        ['version-invalid', 'models/sentiment/versions/latest.yaml'],
        ['name-mismatch', 'models/sentiment/versions/9.9.9.yaml'],
      ]),
    );
    const evil = modelSiteData(s, 'Evil');
    expect(evil.value.shown).toBe(false);
    expect(evil.text).toBe('null');
    expect(evil.value.problems.map((p) => p.code)).toContain('name-invalid');
    const bert = modelSiteData(s, 'bert-base');
    expect(unpackLineage(bert.value.lineage).versions).toEqual([]);
    expect(bert.value.problems[0]).toMatchObject({ code: 'yaml-syntax', file: 'models/bert-base/versions/1.0.0.yaml', severity: 'error' });
    expect(bert.value.row.problems).toBe(bert.value.problems.length);
  });

  it('packs its lineage facts in one string, and keys its lineage by them', () => {
    const files = fixtureFiles();
    const before = modelSiteData(snap(files), 'sentiment').value.lineageKey;
    files['models/sentiment/model.yaml'] += 'license: mit\n';
    expect(modelSiteData(snap(files), 'sentiment').value.lineageKey).toBe(before);
    files['models/sentiment/versions/1.2.0.yaml'] = files['models/sentiment/versions/1.2.0.yaml']!.replace(
      'relation: fine-tuned-from',
      'relation: distilled-from',
    );
    expect(modelSiteData(snap(files), 'sentiment').value.lineageKey).not.toBe(before);
    const fact = {
      versions: ['2.0.0', '1.0.0'],
      deprecated: ['1.0.0'],
      parents: [
        ['2.0.0', 'base', '1.0.0', 'distilled-from'],
        ['2.0.0', 'other', '3.1.0-rc.1', null],
      ] as [string, string, string, string | null][],
    };
    expect(unpackLineage(packLineage(fact))).toEqual(fact);
    expect(unpackLineage(packLineage({ versions: [], deprecated: [], parents: [] }))).toEqual({ versions: [], deprecated: [], parents: [] });
    expect(stringHash('a')).not.toBe(stringHash('b'));
    expect(stringHash('same')).toBe(stringHash('same'));
  });

  it('summarises a Markdown description as plain text, cut at a word', () => {
    expect(plainSummary('**Bold** and [a link](https://x.example) `code`\n\n# Head')).toBe('Bold and a link code Head');
    const long = plainSummary('word '.repeat(100), 40);
    expect(long.length).toBeLessThanOrEqual(41);
    expect(long.endsWith('word…')).toBe(true);
  });
});

describe('the site-wide data', () => {
  it('overview rows: the shown models by name, with their last activity', () => {
    const metas = metasOf(fixtureFiles());
    const rows = overviewData(metas, new Map([['sentiment', '2026-06-03T10:00:00Z']])).rows;
    expect(rows.map((r) => r.name)).toEqual(['bert-base', 'sentiment', 'sentiment-int8']);
    expect(rows[1]!.activity).toBe('2026-06-03T10:00:00Z');
    expect(rows[0]!.activity).toBeNull();
  });

  it("lineage unions: each version's neighbourhood within its model's union is what `modelreg lineage` walks", () => {
    const files = fixtureFiles();
    const metas = metasOf(files);
    const unions = lineageUnions(metas);
    const g = buildLineage(snap(files));
    for (const [name, union] of unions) {
      for (const version of unpackLineage(metas.find((m) => m.name === name)!.value.lineage).versions) {
        const root = `${name}@${version}`;
        const want = lineageNeighbourhood(g, root);
        const got = neighbourhood(union, root);
        expect(got.nodes.map((n) => n.id)).toEqual(want.nodes);
        const key = (e: { parent: string; child: string; relation?: string }) => `${e.parent}>${e.child}:${e.relation ?? ''}`;
        expect(got.edges.map(key).sort()).toEqual(want.edges.map(key).sort());
      }
    }
    // bert-base's union reaches its fine-tunes and, through sentiment@1.1.0, the int8 build.
    expect(unions.get('bert-base')!.nodes).toEqual(expect.arrayContaining(['bert-base@1.0.0', 'sentiment@1.1.0', 'sentiment-int8@1.0.0']));
    expect(unionEdges(unions.get('sentiment-int8')!)).toEqual(
      expect.arrayContaining([
        { parent: 'sentiment@1.1.0', child: 'sentiment-int8@1.0.0', relation: 'quantized-from' },
        { parent: 'bert-base@1.0.0', child: 'sentiment@1.1.0', relation: 'fine-tuned-from' },
      ]),
    );
    expect(unions.get('sentiment')!.deprecated.map((i) => unions.get('sentiment')!.nodes[i])).toEqual(['sentiment@1.0.0']);
  });

  it('lineage unions stop at the node limit and say so, and survive a cycle and a dangling parent', () => {
    const files = fixtureFiles();
    files['models/bert-base/versions/1.0.0.yaml'] += 'lineage:\n  parents: [{ model: sentiment-int8, version: 1.0.0 }, { model: gone, version: 1.0.0 }]\n';
    files['models/bert-base/versions/1.0.0.yaml'] = files['models/bert-base/versions/1.0.0.yaml']!.replace(/lineage:\n {2}datasets:\n {4}- \{[^}]*\}\n/, '');
    const metas = metasOf(files);
    const unions = lineageUnions(metas);
    expect(unions.get('bert-base')!.nodes).toEqual(expect.arrayContaining(['gone@1.0.0', 'sentiment-int8@1.0.0']));
    const small = lineageUnions(metas, 3);
    expect(small.get('bert-base')!.nodes).toHaveLength(3);
    expect(small.get('bert-base')!.truncated).toBe(true);
  });

  it('lineage hashes after a change are those a full walk gives, walking only the unions that can have changed', () => {
    const files = fixtureFiles();
    const full = (f: Files) => lineageHashes(metasOf(f), undefined);
    let kept = full(files).memo;
    const version = (model: string, v: string, parent?: string) =>
      `name: ${model}\nversion: ${v}\nartifacts: [{ path: m.bin, sha256: ${'a'.repeat(64)}, size: 1 }]\n${parent ? `lineage: { parents: [{ model: ${parent.split('@')[0]}, version: ${parent.split('@')[1]}, relation: distilled-from }] }\n` : ''}created_by: x@example.com\ncreated_at: 2026-07-01T00:00:00Z\n`;
    const changes: [string, (f: Files) => void][] = [
      ['a description', (f) => (f['models/bert-base/model.yaml'] += 'license: mit\n')],
      ['a new version of a fine-tune', (f) => (f['models/sentiment/versions/1.3.0.yaml'] = version('sentiment', '1.3.0', 'bert-base@1.0.0'))],
      [
        'a new model derived from a fine-tune of a fine-tune',
        (f) => {
          f['models/tiny/model.yaml'] = 'name: tiny\nowners: [x]\n';
          f['models/tiny/versions/1.0.0.yaml'] = version('tiny', '1.0.0', 'sentiment-int8@1.0.0');
        },
      ],
      ['a new version of a model whose parent does not exist yet', (f) => (f['models/tiny/versions/1.1.0.yaml'] = version('tiny', '1.1.0', 'ghost@1.0.0'))],
      [
        'that parent created',
        (f) => {
          f['models/ghost/model.yaml'] = 'name: ghost\nowners: [x]\n';
          f['models/ghost/versions/1.0.0.yaml'] = version('ghost', '1.0.0');
        },
      ],
      ['a deprecation', (f) => (f['models/sentiment-int8/versions/1.0.0.yaml'] += 'deprecated: { at: 2026-08-01T00:00:00Z, by: x@example.com }\n')],
      [
        'a model removed',
        (f) => {
          for (const p of Object.keys(f)) if (p.startsWith('models/sentiment-int8/')) delete f[p];
        },
      ],
    ];
    for (const [what, change] of changes) {
      change(files);
      const want = full(files);
      const got = lineageHashes(metasOf(files), kept);
      expect(got.memo.hashes, what).toEqual(want.memo.hashes);
      expect(got.memo.members, what).toEqual(want.memo.members);
      const whole = lineageUnions(metasOf(files));
      for (const name of Object.keys(want.memo.hashes)) {
        expect(got.json(name), `${what}: ${name}`).toBe(want.json(name));
        expect(got.json(name), `${what}: ${name}, against one index of the whole registry`).toBe(JSON.stringify(whole.get(name)));
      }
      kept = got.memo;
    }
    expect(kept.hashes.ghost).toBeDefined();
    // sentiment-int8 is gone: tiny's parent dangles, a node of its own, and the walk stops there.
    expect(kept.members.tiny!.sort()).toEqual(['ghost', 'sentiment-int8', 'tiny']);
  });

  const history = compactHistory([
    event({ kind: 'promoted', model: 'a', stage: 'production', version: '1.1.0', previous: '1.0.0', commit: 'c3', date: '2026-03-01T00:00:00Z', pr: 9 }),
    event({ kind: 'registered', model: 'a', version: '1.1.0', commit: 'c2', date: '2026-02-01T00:00:00Z' }),
    event({ kind: 'registered', model: 'b', version: '1.0.0', commit: 'c2', date: '2026-02-01T00:00:00Z' }),
    event({ kind: 'model-created', model: 'a', commit: 'c1' }),
    event({ kind: 'registered', model: 'a', version: '1.0.0', commit: 'c1' }),
  ]);

  it('history: compact and back is the identity; events by model, with the newest date', () => {
    expect(history.commits.map((c) => c.id)).toEqual(['c3', 'c2', 'c1']);
    expect(compactHistory(expandHistory(history))).toEqual(history);
    const { events, activity } = eventsByModel(history);
    expect(events.get('a')).toEqual([0, 1, 3, 4]);
    expect(activity.get('a')).toBe('2026-03-01T00:00:00Z');
    expect(activity.get('b')).toBe('2026-02-01T00:00:00Z');
    expect(historyKey(history, events.get('a'))).toBe('c3:4');
    expect(historyKey(history, undefined)).toBe('none');
  });

  it('history chunks: oldest chunk first, newest first inside, commits whole and in order; old chunks keep their key when commits are added', () => {
    const chunks = historyChunks(history, 2);
    expect(chunks.map((c) => c.info.events)).toEqual([2, 2, 1]);
    expect(chunks.map((c) => expandHistory(c.content()).map((e) => `${e.commit}:${e.kind}`))).toEqual([
      ['c1:model-created', 'c1:registered'],
      ['c2:registered', 'c2:registered'],
      ['c3:promoted'],
    ]);
    expect(chunks.flatMap((c) => expandHistory(c.content())).length).toBe(5);
    expect(chunks[0]!.info).toEqual({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', events: 2 });
    const more = compactHistory([event({ kind: 'deprecated', model: 'b', version: '1.0.0', commit: 'c4' }), ...expandHistory(history)]);
    const after = historyChunks(more, 2);
    expect(after.slice(0, 2).map((c) => c.key)).toEqual(chunks.slice(0, 2).map((c) => c.key));
    expect(after[2]!.key).not.toBe(chunks[2]!.key);
    expect(expandHistory(after[2]!.content()).map((e) => e.commit)).toEqual(['c4', 'c3']);
  });

  it('links only to GitHub, only with plain owner and repository names, never with credentials', () => {
    const want = { commit: 'https://github.com/acme/registry/commit/', pr: 'https://github.com/acme/registry/pull/' };
    for (const remote of [
      'https://github.com/acme/registry.git',
      'https://github.com/acme/registry',
      'git@github.com:acme/registry.git',
      'ssh://git@github.com/acme/registry.git',
      'https://x-access-token:secret@github.com/acme/registry.git',
    ]) {
      expect(webLinks(remote), remote).toEqual(want);
    }
    expect(webLinks('https://ghe.acme.example/ml/registry.git', 'https://ghe.acme.example')).toEqual({
      commit: 'https://ghe.acme.example/ml/registry/commit/',
      pr: 'https://ghe.acme.example/ml/registry/pull/',
    });
    for (const remote of [
      'https://gitlab.com/acme/registry.git',
      '/srv/git/registry.git',
      'https://github.com/acme/re"><script>alert(1)</script>',
      'https://github.com/../..',
      'javascript:alert(1)//github.com/a/b',
      null,
    ]) {
      expect(webLinks(remote), String(remote)).toBeNull();
    }
    expect(webLinks('https://ghe.acme.example/ml/registry.git', 'http://ghe.acme.example')).toBeNull();
  });

  it('shows the store as the policy names it', () => {
    const s = fixture();
    expect(siteStore(s.policy?.data)).toBe('file://.modelreg/store');
    expect(siteStore(undefined)).toBeNull();
  });
});

describe('the HTML the build writes', () => {
  it('carries a CSP that allows only the site’s own scripts, styles and images, and Trusted Types', () => {
    const html = indexHtml({ title: 'Reg', assets: 'a1', build: 'b1' });
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CSP}">`);
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:|\*/);
    expect(CSP).toContain("require-trusted-types-for 'script'");
    // Every script is a file of the site: none inline.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="data/meta.js?v=b1" defer>', '<script src="assets/app.js?v=a1" defer>']);
    expect(html).not.toMatch(/<script>|\son\w+=|style=/);
  });

  it('escapes the registry’s description, the one manifest text it holds', () => {
    const html = indexHtml({ title: '<img src=x onerror=alert(1)>"\'&', assets: 'a', build: 'b' });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;');
    expect(escapeHtml('<&>"\'')).toBe('&lt;&amp;&gt;&quot;&#39;');
    expect(notFoundHtml('/reg"><script>')).not.toContain('<script>');
    expect(notFoundHtml('/registry')).toContain('href="/registry/index.html"');
  });

  it('data files are scripts that queue their value, and any text stays inside its JSON string', () => {
    const hostile = { text: '</script><script>alert(1)</script>\u2028\u2029`${x}`\'"\\' };
    const script = dataScript('models/x', JSON.stringify(hostile));
    const got: unknown[] = [];
    new Function('self', script)({ modelregData: { push: (item: unknown) => got.push(item) } });
    expect(got).toEqual([['models/x', hostile]]);
  });
});
