// A registry with a realistic history for `modelreg history`: N models × 10 versions, registered in
// nightly batches of perCommit(n) versions of different models per commit (so a model's versions are
// spread over the whole history), written with `git fast-import`. One version per commit (100k commits
// at 10k models) would be truer still, but fast-import then rewrites the 10k-entry models/ tree 100k
// times: over 10 minutes to generate.
// Cached in bench/.cache/history-<size>/registry like the registries of generate.mjs.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, ROOT, SIZES, modelName, versionYaml } from './generate.mjs';
import { git } from './measure.mjs';

export const HISTORY_VERSION = 1;
const VERSIONS = 10;
/**
 * Versions to a commit: 10 up to 10k models; beyond, as many as keep the history at ~10k commits, since
 * each commit rewrites the models/ tree (100k entries, ~3.5 MB at 100k models) and 100k of them would
 * not generate in any reasonable time.
 */
const perCommit = (n) => Math.max(10, Math.ceil(n / 1000));

function stream(file, n) {
  const batchSize = perCommit(n);
  const fd = openSync(file, 'w');
  const out = (s) => writeSync(fd, s);
  const data = (text) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const policy = readFileSync(join(ROOT, 'test/fixtures/registry/registry.yaml'), 'utf8');
  let t = Date.UTC(2025, 0, 1) / 1000;
  let mark = 0;
  const commit = (message, files) => {
    mark++;
    out(`commit refs/heads/main\nmark :${mark}\ncommitter Bench <bench@example.com> ${t} +0000\n${data(message)}`);
    if (mark > 1) out(`from :${mark - 1}\n`);
    for (const [path, text] of files) out(`M 100644 inline ${path}\n${data(text)}`);
    out('\n');
    t += 600;
  };
  commit('Create the registry', [['registry.yaml', policy]]);
  for (let k = 0; k < VERSIONS; k++) {
    for (let first = 0; first < n; first += batchSize) {
      const v = `1.0.${k}`;
      const batch = [];
      for (let i = first; i < Math.min(n, first + batchSize); i++) {
        batch.push([`models/${modelName(i)}/versions/${v}.yaml`, versionYaml(i, k, v)]);
        if (k === 0) batch.push([`models/${modelName(i)}/model.yaml`, `name: ${modelName(i)}\nowners: [bench@example.com]\n`]);
      }
      commit(`Nightly: register ${batch.length} versions ${v}`, batch);
    }
  }
  closeSync(fd);
  return mark;
}

/** The history registry for `size`, generated unless cached. */
export function ensureHistoryRegistry(size, { log = () => {} } = {}) {
  const n = SIZES[size];
  const base = join(CACHE, `history-${size}`);
  const dir = join(base, 'registry');
  const infoFile = join(base, 'info.json');
  if (existsSync(infoFile)) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8'));
    if (info.version === HISTORY_VERSION && existsSync(join(dir, '.git'))) return { dir, info, cached: true };
  }
  const t0 = Date.now();
  log(`generating the history registry ${size}: ${n} models × ${VERSIONS} versions, ${perCommit(n)} to a commit`);
  rmSync(base, { recursive: true, force: true });
  const tmp = join(base, 'registry.tmp');
  mkdirSync(tmp, { recursive: true });
  git(tmp, ['init', '-q', '-b', 'main']);
  const file = join(base, 'stream');
  const commits = stream(file, n);
  const fd = openSync(file, 'r');
  git(tmp, ['fast-import', '--quiet'], { stdin: fd });
  closeSync(fd);
  rmSync(file);
  git(tmp, ['checkout', '-q', '-f', 'main']);
  git(tmp, ['repack', '-a', '-d', '-q']);
  renameSync(tmp, dir);
  const info = { version: HISTORY_VERSION, models: n, commits, model: modelName(Math.floor(n / 2)), generateSeconds: (Date.now() - t0) / 1000 };
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  log(`  ${commits} commits in ${info.generateSeconds.toFixed(1)} s`);
  return { dir, info, cached: false };
}
