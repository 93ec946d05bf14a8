/**
 * renderCard: the model card in Markdown. Manifests are read with the real loader (so hostile values are
 * ones the registry accepts) and the card is read back with a CommonMark/GFM parser (markdown-it, with
 * raw HTML on, as GitHub has it), so the tests judge the card as a reader sees it, not by its source text.
 */
import MarkdownIt, { type Token } from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { buildLineage, lineageTree, nodeId } from '../../src/registry/lineage.js';
import { attribute } from '../../src/registry/provenance.js';
import type { Snapshot } from '../../src/registry/snapshot.js';
import { renderCard, type CardInput } from '../../src/review/card.js';
import { M, SHA_A, SHA_B, V, WHEN, model, policy, snap, version, type Fields, type Files } from './helpers.js';

const STORE = 's3://models-bucket/registry';
const SHA_C = 'c'.repeat(64);

// ---------------------------------------------------------------------------------------------------
// Reading a card back.

const gfm = new MarkdownIt({ html: true });

interface Cell {
  /** The text a reader sees (code spans included, without their backticks). */
  text: string;
  /** Inline token types other than plain text: links, emphasis, HTML… */
  markup: string[];
}

interface Table {
  /** The h1/h2 heading the table comes under. */
  section: string;
  head: Cell[];
  rows: Cell[][];
}

interface Card {
  tokens: Token[];
  headings: { level: number; text: string }[];
  tables: Table[];
}

function inlineText(t: Token): string {
  return (t.children ?? [])
    .map((c) => (c.type === 'text' || c.type === 'code_inline' ? c.content : c.type === 'softbreak' || c.type === 'hardbreak' ? '\n' : ''))
    .join('');
}

const isMarkup = (c: Token) => !['text', 'code_inline', 'softbreak', 'hardbreak'].includes(c.type);

function read(markdown: string): Card {
  const tokens = gfm.parse(markdown, {});
  const headings: Card['headings'] = [];
  const tables: Table[] = [];
  let section = '';
  let table: Table | undefined;
  let row: Cell[] | undefined;
  let inHead = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.type === 'heading_open') {
      section = inlineText(tokens[i + 1]!);
      headings.push({ level: Number(t.tag.slice(1)), text: section });
    } else if (t.type === 'table_open') table = { section, head: [], rows: [] };
    else if (t.type === 'thead_open') inHead = true;
    else if (t.type === 'thead_close') inHead = false;
    else if (t.type === 'tr_open') row = [];
    else if (t.type === 'tr_close' && table && row) {
      if (inHead) table.head = row;
      else table.rows.push(row);
    } else if (t.type === 'inline' && row && (tokens[i - 1]?.type === 'td_open' || tokens[i - 1]?.type === 'th_open')) {
      row.push({ text: inlineText(t), markup: (t.children ?? []).filter(isMarkup).map((c) => c.type) });
    } else if (t.type === 'table_close' && table) {
      tables.push(table);
      table = undefined;
      row = undefined;
    }
  }
  return { tokens, headings, tables };
}

const allTokens = (tokens: Token[]): Token[] => tokens.flatMap((t) => [t, ...allTokens(t.children ?? [])]);
const htmlTokens = (card: Card) => allTokens(card.tokens).filter((t) => t.type === 'html_inline' || t.type === 'html_block');

/** The table under a section heading; fails when there is none or more than one. */
function tableIn(card: Card, section: string): Table {
  const found = card.tables.filter((t) => t.section === section);
  expect(found, `one table under "${section}"`).toHaveLength(1);
  return found[0]!;
}

/** A two-column table (details, metrics, parameters) as { first cell: second cell }. */
function pairs(t: Table): Record<string, string> {
  for (const r of t.rows) expect(r, JSON.stringify(r)).toHaveLength(2);
  return Object.fromEntries(t.rows.map((r) => [r[0]!.text, r[1]!.text]));
}

const texts = (rows: Cell[][]) => rows.map((r) => r.map((c) => c.text));

/** The paragraphs (their inline text) under a section heading, up to the next heading. */
function paragraphs(card: Card, section: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (let i = 0; i < card.tokens.length; i++) {
    const t = card.tokens[i]!;
    if (t.type === 'heading_open') inside = inlineText(card.tokens[i + 1]!) === section;
    else if (inside && t.type === 'paragraph_open') out.push(inlineText(card.tokens[i + 1]!));
  }
  return out;
}

/** The items of the bullet lists under a section, as [depth, text]. */
function listItems(card: Card, section: string): [number, string][] {
  const out: [number, string][] = [];
  let inside = false;
  let depth = -1;
  for (let i = 0; i < card.tokens.length; i++) {
    const t = card.tokens[i]!;
    if (t.type === 'heading_open') inside = inlineText(card.tokens[i + 1]!) === section;
    if (!inside) continue;
    if (t.type === 'bullet_list_open') depth++;
    else if (t.type === 'bullet_list_close') depth--;
    else if (t.type === 'inline' && card.tokens[i - 1]?.type === 'paragraph_open' && depth >= 0) out.push([depth, inlineText(t)]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Cards from manifests.

/**
 * A registry with the lineage root@1.0.0 ← base-lm@1.0.0 ← m@1.0.0, and m@2.0.0 made of `m2`'s fields
 * (fullVersion derives it from m@1.0.0 and directly from base-lm@1.0.0: a diamond).
 */
function registry(m2: Fields = {}, modelFields: Fields = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('root')]: model('root'),
    [V('root', '1.0.0')]: version('root', '1.0.0'),
    [M('base-lm')]: model('base-lm'),
    [V('base-lm', '1.0.0')]: version('base-lm', '1.0.0', { lineage: { parents: [{ model: 'root', version: '1.0.0', relation: 'distilled-from' }] } }),
    [M('m')]: model('m', modelFields),
    [V('m', '1.0.0')]: version('m', '1.0.0', { lineage: { parents: [{ model: 'base-lm', version: '1.0.0', relation: 'fine-tuned-from' }] } }),
    [V('m', '2.0.0')]: version('m', '2.0.0', m2),
  };
}

/** Everything a version can say, each field benign. */
const fullVersion: Fields = {
  type: 'fine-tuned',
  framework: 'transformers',
  description: 'Retrained on the 2026 reviews.',
  artifacts: [
    { path: 'model.safetensors', sha256: SHA_B, size: 2048, role: 'weights' },
    { path: 'notes.txt', sha256: SHA_C, size: 12 },
  ],
  metrics: { accuracy: 0.91, f1: 0.88 },
  params: { optimizer: 'adamw', lr: 0.0003, fp16: true, seed: null },
  signature: { inputs: [{ name: 'input_ids', dtype: 'int64', shape: [-1, 512] }], outputs: [{ name: 'logits', dtype: 'float32', shape: [-1, 2] }] },
  lineage: {
    parents: [
      { model: 'm', version: '1.0.0', relation: 'retrained-from' },
      { model: 'base-lm', version: '1.0.0', relation: 'derived-from' },
    ],
    datasets: [{ uri: 'hf://datasets/imdb', name: 'imdb', split: 'train', sha256: SHA_A }, { uri: 's3://data/extra.parquet' }],
    code: { repository: 'https://github.com/acme/train', commit: 'abcdef1234567', path: 'train.py' },
    environment: { python: '3.11.7', image: 'ghcr.io/acme/train@sha256:1234', hardware: '8x A100' },
  },
};

const fullModel: Fields = {
  owners: ['alice', '@acme/ml-team'],
  task: 'text-classification',
  license: 'apache-2.0',
  description: '**Binary** sentiment of product reviews.',
  intended_use: 'Ranking reviews for moderators:\n\n- English only\n- not for decisions about people',
};

/** The loaded snapshot; the test fails first if the registry refuses any of its files. */
function loaded(files: Files): Snapshot {
  const s = snap(files);
  expect(s.findings.filter((f) => f.severity === 'error')).toEqual([]);
  return s;
}

/** The card input for `name@ver`, as Registry.card assembles it (without the commits' attributions). */
function input(s: Snapshot, name: string, ver: string, over: Partial<CardInput> = {}): CardInput {
  const entry = s.models.get(name)!;
  const v = entry.versions.get(ver)!;
  return {
    model: entry.manifest?.data,
    version: v.data,
    stages: [...entry.stages.values()].filter((st) => st.data.version === ver).map((st) => st.data.stage),
    ancestors: lineageTree(buildLineage(s), nodeId(name, ver), 'up'),
    store: STORE,
    ...over,
  };
}

const cardOf = (files: Files, over: Partial<CardInput> = {}) => read(renderCard(input(loaded(files), 'm', '2.0.0', over)));

/** Text compared word for word: a value's line breaks may become spaces in a cell, nothing else may change. */
const words = (s: string) => s.trim().split(/\s+/).join(' ');

const SECTIONS = ['Model details', 'Intended use', 'Limitations', 'Training data and lineage', 'Metrics', 'Parameters', 'Signature', 'Artifacts'];

describe('the card of a fully described version', () => {
  const files = registry(fullVersion, fullModel);
  const card = cardOf(files, { stages: ['staging', 'production'] });

  it('is headed by the model and version, with a section per part of the card', () => {
    expect(card.headings[0]).toEqual({ level: 1, text: 'm 2.0.0' });
    expect(card.headings.filter((h) => h.level === 2).map((h) => h.text)).toEqual(SECTIONS);
    expect(htmlTokens(card)).toEqual([]);
  });

  it('lists the model details from both manifests', () => {
    const d = pairs(tableIn(card, 'Model details'));
    expect(d).toEqual({
      Version: '2.0.0',
      Stages: 'staging, production',
      Task: 'text-classification',
      Type: 'fine-tuned',
      Framework: 'transformers',
      Owners: 'alice, @acme/ml-team',
      License: 'apache-2.0',
      Registered: expect.stringContaining(WHEN),
    });
    expect(d.Registered).toContain('alice'); // created_by, as the manifest claims it when no commit is known
  });

  it("passes the owners' prose through as Markdown", () => {
    expect(allTokens(card.tokens).some((t) => t.type === 'strong_open')).toBe(true); // **Binary**
    expect(listItems(card, 'Intended use')).toEqual([
      [0, 'English only'],
      [0, 'not for decisions about people'],
    ]);
    expect(paragraphs(card, 'Model details')).toContain('Retrained on the 2026 reviews.');
  });

  it('says where a prose field of model.yaml is missing, naming the field', () => {
    expect(paragraphs(card, 'Limitations')).toEqual(['Not stated in model.yaml (limitations).']);
  });

  it('has a row per dataset, and the code and environment it was trained with', () => {
    const t = tableIn(card, 'Training data and lineage');
    expect(t.head.map((c) => c.text)).toEqual(['Dataset', 'Split', 'sha256']);
    expect(texts(t.rows)).toEqual([
      ['imdb (hf://datasets/imdb)', 'train', SHA_A],
      ['s3://data/extra.parquet', '—', '—'],
    ]);
    const prose = paragraphs(card, 'Training data and lineage');
    const code = prose.find((p) => p.startsWith('Code:'));
    expect(code).toContain('https://github.com/acme/train');
    expect(code).toContain('abcdef1234567');
    expect(code).toContain('train.py');
    const env = prose.find((p) => p.startsWith('Environment:'));
    for (const part of ['3.11.7', 'ghcr.io/acme/train@sha256:1234', '8x A100']) expect(env).toContain(part);
  });

  it('lists the ancestors as a nested list; a version reached twice is shown again but not expanded again', () => {
    expect(listItems(card, 'Training data and lineage')).toEqual([
      [0, 'm@1.0.0 (retrained-from)'],
      [1, 'base-lm@1.0.0 (fine-tuned-from)'],
      [2, 'root@1.0.0 (distilled-from)'],
      [0, 'base-lm@1.0.0 (derived-from)'],
    ]);
  });

  it('tabulates the metrics and parameters as the manifest has them; a null parameter reads —', () => {
    expect(pairs(tableIn(card, 'Metrics'))).toEqual({ accuracy: '0.91', f1: '0.88' });
    expect(pairs(tableIn(card, 'Parameters'))).toEqual({ optimizer: 'adamw', lr: '0.0003', fp16: 'true', seed: '—' });
  });

  it('tabulates the signature, inputs then outputs', () => {
    const t = tableIn(card, 'Signature');
    expect(texts(t.rows)).toEqual([
      ['input', 'input_ids', 'int64', JSON.stringify([-1, 512])],
      ['output', 'logits', 'float32', JSON.stringify([-1, 2])],
    ]);
  });

  it('tabulates the artifacts and says where the store keeps the first one', () => {
    const t = tableIn(card, 'Artifacts');
    expect(texts(t.rows)).toEqual([
      ['model.safetensors', 'weights', '2048', SHA_B],
      ['notes.txt', '—', '12', SHA_C],
    ]);
    expect(t.rows[0]![3]!.markup).toEqual([]); // the hash is a code span, nothing else
    const store = paragraphs(card, 'Artifacts').find((p) => p.startsWith('Store:'))!;
    expect(store).toContain(STORE);
    expect(store).toContain(`${STORE}/sha256/bb/${SHA_B}`);
  });
});

describe('the card of a sparsely described version', () => {
  const files = registry({}, {});

  it('leaves out details neither manifest gives and says so where a section would be empty', () => {
    const card = cardOf(files);
    expect(Object.keys(pairs(tableIn(card, 'Model details')))).toEqual(['Version', 'Stages', 'Owners', 'Registered']);
    expect(pairs(tableIn(card, 'Model details')).Stages).toBe('none');
    expect(paragraphs(card, 'Intended use')).toEqual(['Not stated in model.yaml (intended_use).']);
    expect(paragraphs(card, 'Training data and lineage')).toEqual(['No datasets recorded.']);
    expect(paragraphs(card, 'Metrics')).toEqual(['No metrics recorded.']);
    expect(listItems(card, 'Training data and lineage')).toEqual([]); // no parents: no "Derived from"
    expect(card.headings.map((h) => h.text)).not.toContain('Parameters');
    expect(card.headings.map((h) => h.text)).not.toContain('Signature');
    expect(card.tables.map((t) => t.section)).toEqual(['Model details', 'Artifacts']);
  });

  it('without a model.yaml: no owners, the version alone', () => {
    const s = loaded(files);
    const card = read(renderCard({ ...input(s, 'm', '2.0.0'), model: undefined }));
    expect(Object.keys(pairs(tableIn(card, 'Model details')))).toEqual(['Version', 'Stages', 'Registered']);
    expect(card.headings[0]!.text).toBe('m 2.0.0');
  });
});

describe('who registered and deprecated it', () => {
  const deprecated = { at: '2026-02-01T00:00:00Z', by: 'carol', reason: 'superseded by 3.0.0' };

  it("a deprecated version's details say when, by whom and why", () => {
    const d = pairs(tableIn(cardOf(registry({ deprecated })), 'Model details'));
    for (const part of [deprecated.at, deprecated.by, deprecated.reason]) expect(d.Deprecated).toContain(part);
  });

  it("the commits' author and date are shown, with a differing claim of the manifest beside them", () => {
    const registered = attribute({ name: 'Ada Lovelace', email: 'ada@example.com', date: '2026-01-01T00:00:07Z' }, { by: 'eve@example.com', at: WHEN });
    const dep = attribute({ name: 'Grace Hopper', email: 'grace@example.com', date: '2026-02-03T10:00:00Z' }, { by: deprecated.by, at: deprecated.at });
    const d = pairs(tableIn(cardOf(registry({ created_by: 'eve@example.com', deprecated }), { registered, deprecated: dep }), 'Model details'));
    expect(d.Registered!.startsWith('2026-01-01T00:00:07Z')).toBe(true);
    expect(d.Registered).toContain('Ada Lovelace');
    expect(d.Registered).toContain('eve@example.com'); // the claim that differs
    expect(d.Deprecated!.startsWith('2026-02-03T10:00:00Z')).toBe(true);
    expect(d.Deprecated).toContain('Grace Hopper');
    expect(d.Deprecated).toContain(deprecated.reason);
  });

  it('a claim that agrees with the commit is not repeated', () => {
    const registered = attribute({ name: 'Alice', email: 'alice@example.com', date: WHEN }, { by: 'alice', at: WHEN });
    const d = pairs(tableIn(cardOf(registry({}), { registered }), 'Model details'));
    expect(words(d.Registered!)).toBe(`${WHEN} by Alice`);
  });
});

describe('hostile text in the manifests', () => {
  // Values the registry accepts (free text; line feeds and tabs are allowed, other controls are not).
  const hostile = {
    framework: 'torch | <img src=x onerror=alert(1)>',
    createdBy: 'eve \\| mallory', // a backslash before a pipe
    task: 'text | classification',
    license: '<details open>',
    owner: 'bob|carol',
    path: 'weights|v2 <b>.bin',
    datasetUri: 's3://b/x|y.parquet',
    datasetName: 'reviews\n| forged | row | here |',
    split: '<!-- hidden --> train',
    repository: 'https://evil.example/a|b<img src=x onerror=alert(1)>',
    codePath: 'train.py\n```',
    hardware: '8x A100 | <script>alert(1)</script>',
    tensor: 'ids|mask',
    dtype: '<int64>',
    shapeDim: 'batch|n',
    note: 'x | y\n# Injected heading',
    html: '</td></tr></table><script>alert(1)</script>',
    ticks: '`a|b` and ``` fence',
    backslash: 'C:\\temp\\',
    reason: 'broken\n\n## Injected section\n| a | b |',
    store: 'file://./st|ore <x>',
  };
  const files = registry(
    {
      framework: hostile.framework,
      created_by: hostile.createdBy,
      artifacts: [{ path: hostile.path, sha256: SHA_B, size: 1 }],
      params: { note: hostile.note, html: hostile.html, ticks: hostile.ticks, backslash: hostile.backslash },
      signature: { inputs: [{ name: hostile.tensor, dtype: hostile.dtype, shape: [hostile.shapeDim, null, 3] }] },
      lineage: {
        datasets: [{ uri: hostile.datasetUri, name: hostile.datasetName, split: hostile.split }],
        code: { repository: hostile.repository, commit: 'abcdef1', path: hostile.codePath },
        environment: { hardware: hostile.hardware },
      },
      deprecated: { at: '2026-02-01T00:00:00Z', by: 'mallory', reason: hostile.reason },
    },
    { task: hostile.task, license: hostile.license, owners: ['alice', hostile.owner] },
  );
  const card = cardOf(files, { store: hostile.store });

  it('opens no HTML: no tag, comment or block reaches the reader as HTML', () => {
    expect(htmlTokens(card)).toEqual([]);
  });

  it('adds no heading, fence or section: the card keeps its structure', () => {
    expect(card.headings.map((h) => h.text)).toEqual(['m 2.0.0', ...SECTIONS]);
    expect(allTokens(card.tokens).filter((t) => t.type === 'fence' || t.type === 'code_block')).toEqual([]);
  });

  it("splits no cell and adds no row: every row has its header's columns, and as many rows as the manifest has entries", () => {
    for (const t of card.tables) for (const r of t.rows) expect(r.length, `${t.section}: ${JSON.stringify(texts([r]))}`).toBe(t.head.length);
    expect(tableIn(card, 'Model details').rows.map((r) => r[0]!.text)).toEqual([
      'Version',
      'Stages',
      'Task',
      'Framework',
      'Owners',
      'License',
      'Registered',
      'Deprecated',
    ]);
    expect(tableIn(card, 'Training data and lineage').rows).toHaveLength(1);
    expect(tableIn(card, 'Parameters').rows).toHaveLength(4);
    expect(tableIn(card, 'Signature').rows).toHaveLength(1);
    expect(tableIn(card, 'Artifacts').rows).toHaveLength(1);
  });

  it('shows each value as its text, a backslash before a pipe included', () => {
    const d = pairs(tableIn(card, 'Model details'));
    expect(d.Framework).toBe(hostile.framework);
    expect(d.Task).toBe(hostile.task);
    expect(d.License).toBe(hostile.license);
    expect(d.Owners).toBe(`alice, ${hostile.owner}`);
    expect(d.Registered).toContain(hostile.createdBy);
    expect(words(d.Deprecated!)).toContain(words(hostile.reason));
    const p = pairs(tableIn(card, 'Parameters'));
    expect(words(p.note!)).toBe(words(hostile.note));
    expect(p.html).toBe(hostile.html);
    expect(p.backslash).toBe(hostile.backslash);
    const [dataset] = texts(tableIn(card, 'Training data and lineage').rows);
    expect(words(dataset![0]!)).toBe(words(`${hostile.datasetName} (${hostile.datasetUri})`));
    expect(dataset![1]).toBe(hostile.split);
    expect(texts(tableIn(card, 'Signature').rows)[0]).toEqual(['input', hostile.tensor, hostile.dtype, JSON.stringify([hostile.shapeDim, null, 3])]);
    expect(texts(tableIn(card, 'Artifacts').rows)[0]!.slice(0, 2)).toEqual([hostile.path, '—']);
  });

  it('backticks in a value make at most a code span inside its own cell', () => {
    const row = tableIn(card, 'Parameters').rows.find((r) => r[0]!.text === 'ticks')!;
    expect(row).toHaveLength(2);
    expect(row[1]!.text).toContain('a|b');
    expect(row[1]!.text).toContain('fence');
  });

  it('values outside tables (code, environment, store) stay on their own line as text', () => {
    const prose = paragraphs(card, 'Training data and lineage');
    expect(words(prose.find((p) => p.startsWith('Code:'))!)).toBe(words(`Code: ${hostile.repository} at abcdef1 (${hostile.codePath})`));
    expect(prose.find((p) => p.startsWith('Environment:'))).toBe(`Environment: ${hostile.hardware}`);
    const store = paragraphs(card, 'Artifacts').find((p) => p.startsWith('Store:'))!;
    expect(store.startsWith(`Store: ${hostile.store} (for example ${hostile.store}/sha256/bb/`)).toBe(true);
  });
});
