#!/usr/bin/env node
/**
 * Synthetic registries for the benchmark: N models × 10 versions, realistic manifests, two commits.
 *
 *   node bench/generate.mjs [--sizes 1k,10k] [--force]
 *
 * Layout of the result, bench/.cache/<size>/registry/ (a Git repository, registry at its top):
 *   commit 1 (branch bench-base): N models, 10 versions each, stage files on most models
 *   commit 2 (main, tag bench-head): three files changed —
 *     - a new version of one model              (info.newVersionA)
 *     - a promotion staging holder → production  (info.promoted), with the correct `previous`
 *     - a new version of a third model           (info.newVersionC)
 * The repository is repacked after both commits (as a fresh clone would be).
 * bench/.cache/<size>/info.json describes what was generated; it is rewritten last, so a registry
 * whose info.json carries the current GENERATOR_VERSION is complete and is reused as is.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from './measure.mjs';

/** Bump when the generated content changes, so cached registries are regenerated. */
export const GENERATOR_VERSION = 5;

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..');
export const CACHE = join(HERE, '.cache');
const POLICY_SOURCE = join(ROOT, 'test/fixtures/registry/registry.yaml');

export const SIZES = { 100: 100, '1k': 1000, '10k': 10000, '100k': 100000 };
const VERSIONS = ['1.0.0', '1.0.1', '1.1.0', '1.2.0', '1.2.1', '1.3.0', '2.0.0-rc.1', '2.0.0', '2.1.0', '2.2.0'];
// Stage holders (indices into VERSIONS) and their previous holders.
const PROD = 5; // 1.3.0, previous 1.2.1
const STAGING = 7; // 2.0.0, previous 2.0.0-rc.1
const DEV = 8; // 2.1.0, previous 2.0.0

const DOMAINS = ['reviews', 'support', 'search', 'fraud', 'ads', 'vision', 'speech', 'docs', 'catalog', 'risk', 'chat', 'maps'];
const TASKS = ['sentiment', 'intent', 'ranker', 'classifier', 'embedder', 'detector', 'ner', 'summarizer', 'tagger', 'forecaster'];
const TEAMS = ['nlp', 'vision', 'search', 'risk', 'platform', 'speech', 'ads', 'growth'];
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar'];
const FRAMEWORKS = ['transformers', 'pytorch', 'onnx', 'sklearn', 'gguf', 'tensorflow'];
const OPTIMIZERS = ['adamw', 'sgd', 'adafactor', 'lion'];
const HARDWARE = ['1x A100', '8x A100', '4x H100', '1x L4', '2x T4', 'cpu'];
const WORDS = [
  'longer schedule',
  'more training data',
  'cleaned labels',
  'larger head',
  'new tokenizer',
  'distilled teacher',
  'fixed class imbalance',
  'retuned learning rate',
  'extra augmentation',
  'warm restart',
];

/** Deterministic PRNG (mulberry32), seeded per model so any model can be regenerated alone. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const sha = (s) => createHash('sha256').update(s).digest('hex');
const q = (s) => JSON.stringify(s); // JSON strings are valid YAML flow scalars
const cap = (s) => s[0].toUpperCase() + s.slice(1);
const round = (x, d = 4) => Number(x.toFixed(d));

export function modelName(i) {
  return `${DOMAINS[i % DOMAINS.length]}-${TASKS[Math.floor(i / DOMAINS.length) % TASKS.length]}-${String(i).padStart(5, '0')}`;
}
const isBase = (i) => i % 10 === 0;
export const hasProduction = (i) => i % 3 !== 2;
export const hasStaging = (i) => i % 5 !== 4;
const hasDeprecatedFirst = (i) => i % 4 === 0;

function isoDay(dayOffset, hour = 12) {
  const d = new Date(Date.UTC(2025, 0, 1, hour, 0, 0) + dayOffset * 86400000);
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

function modelYaml(i) {
  const r = rng(i * 7919 + 1);
  const name = modelName(i);
  const team = pick(r, TEAMS);
  const owners = [pick(r, PEOPLE), `@acme/${team}-ml`];
  if (r() < 0.3)
    owners.push(
      `${pick(
        r,
        PEOPLE.filter((p) => p !== owners[0]),
      )}@acme.example`,
    );
  return [
    '# yaml-language-server: $schema=../../.modelreg/schemas/model.schema.json',
    `name: ${name}`,
    `description: ${q(`${TASKS[Math.floor(i / DOMAINS.length) % TASKS.length]} model for ${DOMAINS[i % DOMAINS.length]} traffic.`)}`,
    `owners: [${owners.map(q).join(', ')}]`,
    `task: ${isBase(i) ? 'feature-extraction' : 'text-classification'}`,
    `tags: { team: ${team}, domain: ${DOMAINS[i % DOMAINS.length]}, tier: ${q(String(1 + (i % 3)))} }`,
    `license: apache-2.0`,
    '',
  ].join('\n');
}

/** One version file. `k` indexes VERSIONS (or is ≥ 10 for versions added by the second commit). */
export function versionYaml(i, k, version = VERSIONS[k]) {
  const r = rng(i * 104729 + k * 31 + 7);
  const name = modelName(i);
  const framework = isBase(i) ? 'transformers' : FRAMEWORKS[i % FRAMEWORKS.length];
  const type = isBase(i) ? 'base' : framework === 'onnx' ? 'quantized' : 'fine-tuned';
  // Accuracy rises with the version so every promotion passes the no_regression gate.
  const accuracy = round(0.855 + k * 0.009 + r() * 0.003);
  const f1 = round(accuracy - 0.02 - r() * 0.01);
  const latency = round(8 + r() * 40, 1);
  const weights =
    framework === 'onnx'
      ? ['model.onnx', 'onnx']
      : framework === 'gguf'
        ? ['model.gguf', 'gguf']
        : framework === 'sklearn'
          ? ['model.joblib', 'joblib']
          : ['model.safetensors', 'safetensors'];
  const arts = [
    { path: weights[0], size: Math.floor(50e6 + r() * 900e6), format: weights[1], role: 'weights' },
    { path: 'config.json', size: Math.floor(400 + r() * 2000), format: 'json', role: 'config' },
  ];
  if (r() < 0.6) arts.push({ path: 'tokenizer.json', size: Math.floor(200e3 + r() * 2e6), format: 'json', role: 'tokenizer' });
  const created = isoDay((i % 300) + k * 9, 8 + (i % 10));
  const lines = [
    '# yaml-language-server: $schema=../../../.modelreg/schemas/version.schema.json',
    `name: ${name}`,
    `version: ${version}`,
    `framework: ${framework}`,
    `type: ${type}`,
    `description: ${q(`${cap(pick(r, WORDS))}; ${pick(r, WORDS)}.`)}`,
    'artifacts:',
    ...arts.map((a) => `  - { path: ${a.path}, sha256: ${sha(`${name}@${version}/${a.path}`)}, size: ${a.size}, format: ${a.format}, role: ${a.role} }`),
    `metrics: { accuracy: ${accuracy}, f1: ${f1}, latency_ms: ${latency} }`,
    `params: { learning_rate: ${pick(r, [0.00001, 0.00002, 0.00005, 0.0001])}, epochs: ${1 + Math.floor(r() * 5)}, batch_size: ${pick(r, [16, 32, 64, 128])}, optimizer: ${pick(r, OPTIMIZERS)}, fp16: ${r() < 0.5} }`,
    `tags: { team: ${TEAMS[i % TEAMS.length]}, run: ${q(`run-${sha(`${name}:${k}`).slice(0, 8)}`)} }`,
    'lineage:',
  ];
  if (!isBase(i)) {
    lines.push(`  parents: [{ model: ${modelName(i - (i % 10))}, version: 2.0.0, relation: ${type === 'quantized' ? 'quantized-from' : 'fine-tuned-from'} }]`);
  } else if (k > 0) {
    lines.push(`  parents: [{ model: ${name}, version: ${VERSIONS[Math.min(k, VERSIONS.length) - 1]}, relation: retrained-from }]`);
  }
  lines.push(
    '  datasets:',
    `    - { uri: ${q(`s3://acme-data/${DOMAINS[i % DOMAINS.length]}/train-${2025 + (k >> 2)}.parquet`)}, sha256: ${sha(`data:${i}:${k}:train`)}, split: train }`,
    `    - { uri: ${q(`s3://acme-data/${DOMAINS[i % DOMAINS.length]}/eval.parquet`)}, sha256: ${sha(`data:${i % 12}:eval`)}, split: test }`,
    `  code: { repository: ${q(`https://github.com/acme/${DOMAINS[i % DOMAINS.length]}-models`)}, commit: ${sha(`code:${i}:${k}`).slice(0, 40)}, path: train.py }`,
    `  environment: { python: "3.11", hardware: ${q(pick(r, HARDWARE))} }`,
    `created_by: ${pick(r, PEOPLE)}@acme.example`,
    `created_at: "${created}"`,
  );
  if (k === 0 && hasDeprecatedFirst(i))
    lines.push(
      `deprecated: { at: "${isoDay((i % 300) + 95)}", by: ${PEOPLE[i % PEOPLE.length]}@acme.example, reason: ${q('Superseded; evaluation leak found.')} }`,
    );
  lines.push('');
  return lines.join('\n');
}

export function stageYaml(i, stage, version, previous, movedDay, reason) {
  return [
    '# yaml-language-server: $schema=../../../.modelreg/schemas/stage.schema.json',
    `model: ${modelName(i)}`,
    `stage: ${stage}`,
    `version: ${version}`,
    `moved_by: ${PEOPLE[(i + stage.length) % PEOPLE.length]}@acme.example`,
    `moved_at: "${isoDay(movedDay, 15)}"`,
    `reason: ${q(reason)}`,
    `previous: ${previous ?? 'null'}`,
    '',
  ].join('\n');
}

function writeModel(dir, i) {
  const name = modelName(i);
  const mdir = join(dir, 'models', name);
  mkdirSync(join(mdir, 'versions'), { recursive: true });
  mkdirSync(join(mdir, 'stages'));
  writeFileSync(join(mdir, 'model.yaml'), modelYaml(i));
  for (let k = 0; k < VERSIONS.length; k++) writeFileSync(join(mdir, 'versions', `${VERSIONS[k]}.yaml`), versionYaml(i, k));
  const day = (i % 300) + 100;
  writeFileSync(join(mdir, 'stages', 'development.yaml'), stageYaml(i, 'development', VERSIONS[DEV], VERSIONS[DEV - 1], day + 3, 'Nightly candidate.'));
  if (hasStaging(i))
    writeFileSync(
      join(mdir, 'stages', 'staging.yaml'),
      stageYaml(i, 'staging', VERSIONS[STAGING], VERSIONS[STAGING - 1], day + 2, 'Passed offline evaluation.'),
    );
  if (hasProduction(i))
    writeFileSync(
      join(mdir, 'stages', 'production.yaml'),
      stageYaml(i, 'production', VERSIONS[PROD], i % 7 === 0 ? null : VERSIONS[PROD - 1], day + 1, 'Replaces the previous release.'),
    );
}

const at = (date) => ({ GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date });

/** Generate one registry into `dir` (which must not exist). Returns the info object. */
export function generate(n, dir, log = () => {}) {
  const t0 = Date.now();
  mkdirSync(join(dir, 'models'), { recursive: true });
  copyFileSync(POLICY_SOURCE, join(dir, 'registry.yaml'));
  writeFileSync(join(dir, '.gitattributes'), '* text=auto eol=lf\n');
  for (let i = 0; i < n; i++) writeModel(dir, i);
  const tWrite = Date.now();
  log(`  wrote ${n} models in ${((tWrite - t0) / 1000).toFixed(1)} s`);

  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', `Synthetic registry: ${n} models × ${VERSIONS.length} versions`], { env: at('2026-01-01T00:00:00Z') });
  git(dir, ['branch', 'bench-base']);
  const tCommit1 = Date.now();
  log(`  first commit in ${((tCommit1 - tWrite) / 1000).toFixed(1)} s`);

  // Second commit: three files.
  const a = 1; // new version
  const b = [...Array(n).keys()].find((i) => i > a + 1 && hasProduction(i) && hasStaging(i) && !isBase(i)); // promotion
  const c = n - 1; // new version of a third model
  const newVersion = '2.3.0';
  const vPathA = `models/${modelName(a)}/versions/${newVersion}.yaml`;
  const vPathC = `models/${modelName(c)}/versions/${newVersion}.yaml`;
  const sPathB = `models/${modelName(b)}/stages/production.yaml`;
  writeFileSync(join(dir, vPathA), versionYaml(a, 10, newVersion));
  writeFileSync(join(dir, vPathC), versionYaml(c, 10, newVersion));
  writeFileSync(join(dir, sPathB), stageYaml(b, 'production', VERSIONS[STAGING], VERSIONS[PROD], 420, 'Promote the staging candidate.'));
  git(dir, ['add', '-A']);
  git(
    dir,
    [
      'commit',
      '-q',
      '-m',
      `Register ${modelName(a)}@${newVersion} and ${modelName(c)}@${newVersion}; promote ${modelName(b)}@${VERSIONS[STAGING]} to production`,
    ],
    { env: at('2026-01-02T00:00:00Z') },
  );
  git(dir, ['tag', 'bench-head']);
  const changed = git(dir, ['diff', '--name-only', 'bench-base', 'HEAD']).split('\n').filter(Boolean);
  if (changed.length !== 3) throw new Error(`expected 3 changed files, got ${changed.length}: ${changed.join(', ')}`);
  git(dir, ['repack', '-a', '-d', '-q']);
  git(dir, ['prune-packed']);
  log(`  second commit + repack in ${((Date.now() - tCommit1) / 1000).toFixed(1)} s`);

  const resolveModel = modelName([...Array(n).keys()].find((i) => hasProduction(i) && i !== b));
  return {
    generatorVersion: GENERATOR_VERSION,
    models: n,
    versionsPerModel: VERSIONS.length,
    files: Number(git(dir, ['ls-files']).split('\n').length),
    resolveModel,
    newVersionA: `${modelName(a)}@${newVersion}`,
    newVersionC: `${modelName(c)}@${newVersion}`,
    promoted: { model: modelName(b), stage: 'production', from: VERSIONS[PROD], to: VERSIONS[STAGING] },
    changed,
    generateSeconds: (Date.now() - t0) / 1000,
  };
}

/** The registry for `size` ('1k', '10k', ...), generated unless the cache holds the current version. */
export function ensureRegistry(size, { force = false, log = () => {} } = {}) {
  const n = SIZES[size];
  if (!n) throw new Error(`unknown size ${size}; one of ${Object.keys(SIZES).join(', ')}`);
  const base = join(CACHE, size);
  const dir = join(base, 'registry');
  const infoFile = join(base, 'info.json');
  if (!force && existsSync(infoFile)) {
    try {
      const info = JSON.parse(readFileSync(infoFile, 'utf8'));
      if (info.generatorVersion === GENERATOR_VERSION && existsSync(join(dir, '.git'))) return { dir, info, cached: true };
    } catch {
      /* regenerate */
    }
  }
  log(`generating ${size} (${n} models × ${VERSIONS.length} versions) in ${dir}`);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true });
  const tmp = join(base, 'registry.tmp');
  const info = generate(n, tmp, log);
  renameSync(tmp, dir);
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  return { dir, info, cached: false };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--sizes');
  const sizes = at >= 0 ? args[at + 1].split(',') : ['1k', '10k'];
  const force = args.includes('--force');
  for (const s of sizes) {
    const { dir, info, cached } = ensureRegistry(s, { force, log: (m) => console.error(m) });
    console.log(`${s}: ${dir}${cached ? ' (cached)' : ''}\n${JSON.stringify(info)}`);
  }
}
