/**
 * Keeping what modelreg wrote, for the check that YAML 1.1 and 1.2 readers in Python read it as modelreg
 * does (yaml-readers.test.ts). Every repository a test makes passes through keepWrittenManifests when the
 * test ends (helpers.ts): the manifests of modelreg's own commits — those with its Modelreg-Change trailer,
 * and `init`'s first commit — are copied, once per blob, with modelreg's own reading beside each.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifestYaml } from '../../src/schema/yaml.js';
import type { ManifestKind } from '../../src/registry/types.js';

/** Where the suite keeps them: set by vitest.config.ts for the whole run. */
export const writtenDir = (): string | undefined => process.env.MODELREG_TEST_WRITTEN || undefined;

export interface KeptManifest {
  kind: ManifestKind;
  path: string;
  /** What modelreg reads from the text, or null with `error` when it cannot read what it wrote. */
  value: unknown;
  error?: string;
}

export function kindOf(path: string): ManifestKind | undefined {
  if (path === 'registry.yaml' || path.endsWith('/registry.yaml')) return 'registry';
  if (/(^|\/)models\/[^/]+\/model\.yaml$/.test(path)) return 'model';
  if (/(^|\/)models\/[^/]+\/versions\/[^/]+\.yaml$/.test(path)) return 'version';
  if (/(^|\/)models\/[^/]+\/stages\/[^/]+\.yaml$/.test(path)) return 'stage';
  return undefined;
}

const git = (repo: string, args: string[], input?: string) => spawnSync('git', args, { cwd: repo, input, maxBuffer: 1 << 28 });

/** Copy the manifests modelreg committed in `repo` (any branch) into `dir`; returns how many were new. */
export function keepWrittenManifests(repo: string, dir = writtenDir()): number {
  if (!dir) return 0;
  const log = git(repo, [
    'log',
    '--all',
    '-E',
    '--grep=^Modelreg-Change: ',
    '--grep=^Initialize modelreg registry$',
    '--format=%x1e%H',
    '--name-only',
    '--diff-filter=AM',
    '--no-renames',
    '-z',
  ]);
  if (log.status !== 0) return 0; // no commits yet
  const wanted: { rev: string; path: string; kind: ManifestKind }[] = [];
  for (const rec of log.stdout.toString('utf8').split('\x1e')) {
    const [head, ...names] = rec.split(/[\n\0]/).filter(Boolean);
    for (const path of names) {
      const kind = kindOf(path);
      if (head && kind) wanted.push({ rev: `${head}:${path}`, path, kind });
    }
  }
  if (wanted.length === 0) return 0;
  const batch = git(repo, ['cat-file', '--batch'], wanted.map((w) => w.rev).join('\n') + '\n');
  const out = batch.stdout;
  mkdirSync(dir, { recursive: true });
  let pos = 0;
  let kept = 0;
  for (const w of wanted) {
    const nl = out.indexOf(10, pos);
    const [oid, type, size] = out.subarray(pos, nl).toString('utf8').split(' ');
    if (type !== 'blob') {
      pos = nl + 1;
      continue;
    }
    const text = out.subarray(nl + 1, nl + 1 + Number(size)).toString('utf8');
    pos = nl + 1 + Number(size) + 1;
    const file = join(dir, `${oid}.yaml`);
    if (existsSync(file)) continue;
    const parsed = parseManifestYaml(w.path, text);
    const entry: KeptManifest = parsed.doc
      ? { kind: w.kind, path: w.path, value: parsed.doc.value }
      : { kind: w.kind, path: w.path, value: null, error: parsed.findings[0]?.message ?? 'unreadable' };
    writeFileSync(join(dir, `${oid}.json`), JSON.stringify(entry));
    writeFileSync(file, text);
    kept++;
  }
  return kept;
}
