/**
 * Whether GitHub will read a registry's governance files. It runs workflows only from the repository's
 * top `.github/workflows/` and reads CODEOWNERS only from `.github/`, the top or `docs/`. A registry in a
 * subdirectory whose gate workflow or CODEOWNERS sits beside it is silently unguarded: the approval gate
 * and the code-owner review do nothing. `validate` warns about it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finding, type Finding } from '../registry/findings.js';
import { git } from './run.js';

/** Findings about where this registry's governance files are; none for a registry at its repository's top. */
export async function governanceFindings(root: string, commit?: string): Promise<Finding[]> {
  const r = await git(root, ['rev-parse', '--show-toplevel', '--show-prefix'], { allowFail: true });
  if (r.code !== 0) return [];
  const [top, prefixLine] = r.stdout.toString('utf8').split('\n');
  const prefix = (prefixLine ?? '').trim().replace(/\/$/, '');
  if (!prefix || !top) return [];
  const files = commit ? await filesAtRevision(root, commit, prefix) : filesInWorkTree(top, prefix);
  const out: Finding[] = [];
  for (const f of files.inside) {
    out.push(
      finding('governance-unread', `${f} is inside the registry (${prefix}/), where GitHub does not read it`, {
        file: f,
        hint: `GitHub runs workflows only from the repository's top .github/workflows/ and reads CODEOWNERS only from .github/, the top or docs/, with paths from the top. Move it there with ${prefix}/ in every path (\`modelreg init\` does this for a new registry).`,
      }),
    );
  }
  const runsGate = files.workflows.some((text) =>
    new RegExp(`registry-path:\\s*['"]?\\.?/?${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/?['"]?\\s*$`, 'm').test(text),
  );
  if (!runsGate) {
    out.push(
      finding('governance-unread', `no workflow in the repository's top .github/workflows/ runs the modelreg gate with registry-path: ${prefix}`, {
        file: 'registry.yaml',
        hint: `Add the workflow of registry-template/.github/workflows/modelreg.yml to the top of the repository with \`registry-path: ${prefix}\` (\`modelreg init ${prefix}\` writes it for a new registry).`,
      }),
    );
  }
  return out;
}

interface Governance {
  /** Governance files inside the registry directory, relative to it. */
  inside: string[];
  /** The texts of the workflows at the repository's top. */
  workflows: string[];
}

function filesInWorkTree(top: string, prefix: string): Governance {
  const reg = join(top, prefix);
  const inside = ['CODEOWNERS', '.github/CODEOWNERS', 'docs/CODEOWNERS'].filter((p) => existsSync(join(reg, p)));
  inside.push(...yamlIn(join(reg, '.github/workflows')).map((n) => `.github/workflows/${n}`));
  const dir = join(top, '.github/workflows');
  return { inside, workflows: yamlIn(dir).map((n) => readFileSync(join(dir, n), 'utf8')) };
}

function yamlIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => /\.ya?ml$/.test(n));
  } catch {
    return [];
  }
}

async function filesAtRevision(root: string, commit: string, prefix: string): Promise<Governance> {
  const ls = async (path: string) =>
    (await git(root, ['ls-tree', '-z', '--name-only', '--full-tree', commit, '--', path], { allowFail: true })).stdout
      .toString('utf8')
      .split('\0')
      .filter(Boolean);
  const inside = [
    ...(await ls(`${prefix}/CODEOWNERS`)),
    ...(await ls(`${prefix}/.github/CODEOWNERS`)),
    ...(await ls(`${prefix}/docs/CODEOWNERS`)),
    ...(await ls(`${prefix}/.github/workflows/`)).filter((p) => /\.ya?ml$/.test(p)),
  ].map((p) => p.slice(prefix.length + 1));
  const workflows: string[] = [];
  for (const p of (await ls('.github/workflows/')).filter((p) => /\.ya?ml$/.test(p))) {
    workflows.push((await git(root, ['cat-file', 'blob', `${commit}:${p}`], { allowFail: true })).stdout.toString('utf8'));
  }
  return { inside, workflows };
}
