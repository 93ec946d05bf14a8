/**
 * Where each kind of manifest lives. One file per version and one per (model, stage): see docs/format.md
 * for why this shape merges well, reviews at a glance and lets CODEOWNERS guard production.
 */
import type { ManifestKind } from './types.js';

export const POLICY_FILE = 'registry.yaml';
export const MODELS_DIR = 'models';

export const paths = {
  policy: POLICY_FILE,
  modelDir: (name: string) => `${MODELS_DIR}/${name}`,
  model: (name: string) => `${MODELS_DIR}/${name}/model.yaml`,
  version: (name: string, version: string) => `${MODELS_DIR}/${name}/versions/${version}.yaml`,
  stage: (name: string, stage: string) => `${MODELS_DIR}/${name}/stages/${stage}.yaml`,
};

/** The model directory a path lies in (`models/<name>` or below it), or undefined outside models/. */
export function modelDirOf(path: string): string | undefined {
  return path.startsWith(`${MODELS_DIR}/`) ? path.split('/')[1] : undefined;
}

export type Classified = { kind: ManifestKind; model?: string; id?: string } | { kind: 'ignored' } | { kind: 'unexpected'; wrongExtension?: boolean };

/**
 * What a path in the registry tree is. Files outside models/ other than registry.yaml (README, CODEOWNERS,
 * workflows) are not the registry's business.
 */
export function classifyPath(path: string): Classified {
  if (path === POLICY_FILE) return { kind: 'registry' };
  if (!path.startsWith(`${MODELS_DIR}/`)) return { kind: 'ignored' };
  const parts = path.split('/');
  const model = parts[1]!;
  if (parts.length === 3 && parts[2] === 'model.yaml') return { kind: 'model', model };
  if (parts.length === 4 && (parts[2] === 'versions' || parts[2] === 'stages')) {
    const file = parts[3]!;
    const kind = parts[2] === 'versions' ? 'version' : 'stage';
    if (file.endsWith('.yaml') && file.length > 5) return { kind, model, id: file.slice(0, -5) };
    if (file.endsWith('.yml')) return { kind: 'unexpected', wrongExtension: true };
  }
  if (parts.length === 3 && parts[2] === 'model.yml') return { kind: 'unexpected', wrongExtension: true };
  // Editors and OSes drop these; they are no one's manifest.
  if (parts[parts.length - 1] === '.gitkeep' || parts[parts.length - 1] === '.DS_Store') return { kind: 'ignored' };
  return { kind: 'unexpected' };
}

/** Schema modeline relative to a manifest, pointing at the schemas `modelreg init` copies into .modelreg/schemas. */
export function schemaModeline(kind: ManifestKind): string {
  const up = kind === 'registry' ? '' : kind === 'model' ? '../../' : '../../../';
  return `# yaml-language-server: $schema=${up}.modelreg/schemas/${kind}.schema.json`;
}
