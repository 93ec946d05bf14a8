/**
 * A model's history from `git log`: registrations, promotions, rollbacks and deprecations, with who,
 * when, which commit, and the pull request when the merge message names one. `--first-parent -m` makes
 * a merged pull request one event on the branch, attributed to its merge commit.
 */
import { parseManifestYaml } from '../schema/yaml.js';
import { classifyPath } from '../registry/layout.js';
import { git, readBlobs } from './run.js';
import { sortLoosely } from '../registry/versions.js';

export type HistoryKind = 'model-created' | 'model-updated' | 'registered' | 'modified' | 'deleted' | 'deprecated' | 'undeprecated' | 'promoted' | 'rolled-back' | 'stage-removed';

export interface HistoryEvent {
  kind: HistoryKind;
  model: string;
  version?: string;
  stage?: string;
  /** For stage events: the version that held the stage before. */
  previous?: string | null;
  /** Why, as the change recorded it: the stage file's `reason`, or the deprecation's. */
  reason?: string;
  commit: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  pr?: number;
}

interface Commit {
  commit: string;
  parent?: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  /** The Modelreg-Change trailer of commits modelreg made ("rollback sentiment@1.1.0"), else ''. */
  change: string;
  changes: { status: string; path: string }[];
}

export async function modelHistory(root: string, model: string, options: { rev?: string; limit?: number } = {}): Promise<HistoryEvent[]> {
  const args = ['-c', 'core.quotePath=false', 'log', '--first-parent', '-m', '--no-renames', '--format=%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%s%x1f%(trailers:key=Modelreg-Change,valueonly,separator=%x2C)', '--name-status'];
  if (options.limit) args.push(`-n${options.limit}`);
  args.push(options.rev ?? 'HEAD', '--', `models/${model}/`);
  const r = await git(root, args, { allowFail: true });
  if (r.code !== 0) {
    if (/does not have any commits|unknown revision|bad revision/.test(r.stderr)) return [];
    throw new Error(`git log failed: ${r.stderr.trim()}`);
  }
  const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim();
  const commits = parseLog(r.stdout.toString('utf8'), prefix);

  // Stage files and changed version files need their content at the commit (and before) to say what happened.
  const wanted: string[] = [];
  for (const c of commits) {
    for (const ch of c.changes) {
      const kind = classifyPath(ch.path).kind;
      if (kind === 'stage' && ch.status !== 'D') wanted.push(`${c.commit}:${prefix}${ch.path}`);
      if (kind === 'version' && ch.status === 'M') wanted.push(`${c.commit}:${prefix}${ch.path}`, `${c.parent}:${prefix}${ch.path}`);
      if (kind === 'stage' && ch.status === 'D' && c.parent) wanted.push(`${c.parent}:${prefix}${ch.path}`);
    }
  }
  const blobs = await readBlobs(root, wanted);
  const read = (rev: string | undefined, path: string): Record<string, unknown> | undefined => {
    const b = rev ? blobs.get(`${rev}:${prefix}${path}`) : undefined;
    if (!b) return undefined;
    const doc = parseManifestYaml(path, b.toString('utf8')).doc?.value;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : undefined;
  };

  const events: HistoryEvent[] = [];
  // Within one commit, tell it in the order it makes sense: the model, then its versions, then stages.
  const rank = (path: string) => ({ model: 0, version: 1, stage: 2 })[classifyPath(path).kind as 'model'] ?? 3;
  for (const c of commits) {
    const base = { model, commit: c.commit, date: c.date, author: c.author, email: c.email, subject: c.subject, ...prNumber(c.subject) };
    c.changes.sort((a, b) => rank(a.path) - rank(b.path));
    for (const ch of c.changes) {
      const where = classifyPath(ch.path);
      if (where.kind === 'model') events.push({ ...base, kind: ch.status === 'A' ? 'model-created' : 'model-updated' });
      else if (where.kind === 'version') {
        if (ch.status === 'A') events.push({ ...base, kind: 'registered', version: where.id! });
        else if (ch.status === 'D') events.push({ ...base, kind: 'deleted', version: where.id! });
        else {
          const now = read(c.commit, ch.path);
          const before = read(c.parent, ch.path);
          const kind = !!now?.deprecated && !before?.deprecated ? 'deprecated' : !now?.deprecated && !!before?.deprecated ? 'undeprecated' : 'modified';
          const why = kind === 'deprecated' ? (now?.deprecated as { reason?: unknown } | undefined)?.reason : undefined;
          events.push({ ...base, kind, version: where.id!, ...(typeof why === 'string' ? { reason: why } : {}) });
        }
      } else if (where.kind === 'stage') {
        if (ch.status === 'D') {
          const before = read(c.parent, ch.path);
          events.push({ ...base, kind: 'stage-removed', stage: where.id!, ...(typeof before?.version === 'string' ? { previous: before.version } : {}) });
          continue;
        }
        const now = read(c.commit, ch.path);
        const version = typeof now?.version === 'string' ? now.version : undefined;
        const previous = typeof now?.previous === 'string' ? now.previous : null;
        // modelreg's own commits say what they did in a trailer; hand-written ones may say so in the subject.
        const rollback = c.change.startsWith('rollback ') || /\brollback\b|\broll back\b|\brolled back\b/i.test(c.subject);
        const reason = typeof now?.reason === 'string' ? { reason: now.reason } : {};
        events.push({ ...base, kind: rollback ? 'rolled-back' : 'promoted', stage: where.id!, ...(version ? { version } : {}), previous, ...reason });
      }
    }
  }
  return events;
}

function parseLog(text: string, prefix: string): Commit[] {
  const commits: Commit[] = [];
  for (const rec of text.split('\x1e')) {
    if (!rec.trim()) continue;
    const nl = rec.indexOf('\n');
    const header = nl < 0 ? rec : rec.slice(0, nl);
    const [commit, parents, date, author, email, subject, change] = header.split('\x1f') as [string, string, string, string, string, string, string | undefined];
    const changes: Commit['changes'] = [];
    for (const line of (nl < 0 ? '' : rec.slice(nl + 1)).split('\n')) {
      const m = /^([AMDT])\t(.+)$/.exec(line);
      if (m && m[2]!.startsWith(prefix)) changes.push({ status: m[1] === 'T' ? 'M' : m[1]!, path: m[2]!.slice(prefix.length) });
    }
    const parent = parents.split(' ').filter(Boolean)[0];
    commits.push({ commit, ...(parent ? { parent } : {}), date, author, email, subject, change: change?.trim() ?? '', changes });
  }
  return commits;
}

/** "Merge pull request #12 from …" (merge commits) or "… (#12)" (squash merges). */
export function prNumber(subject: string): { pr?: number } {
  const m = /^Merge pull request #(\d+)\b/.exec(subject) ?? /\(#(\d+)\)\s*$/.exec(subject);
  return m ? { pr: Number(m[1]) } : {};
}


/**
 * Every model's versions in the order they were registered at `rev`: the first-parent commit that first
 * added each version file, oldest first (versions added by one commit in semver order). One `git log`
 * for the whole registry, so a server can number 100k versions at start-up without a process per model.
 * Versions the history does not show (a file that was never added on the first-parent line) are left
 * for the caller to place. With `models`, only theirs (the same order: the walk is the same first-parent line).
 */
export async function registrationOrder(root: string, rev: string, models?: readonly string[]): Promise<Map<string, string[]>> {
  if (models?.length === 0) return new Map();
  const paths = models ? models.map((m) => `models/${m}/`) : ['models/'];
  const r = await git(root, ['-c', 'core.quotePath=false', 'log', '--first-parent', '--diff-merges=first-parent', '--diff-filter=A', '--no-renames', '--reverse', '--format=%x1e', '--name-only', '-z', rev, '--', ...paths], { allowFail: true });
  if (r.code !== 0) {
    if (/does not have any commits|unknown revision|bad revision/.test(r.stderr)) return new Map();
    throw new Error(`git log failed: ${r.stderr.trim()}`);
  }
  const prefix = (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim();
  const order = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const commit of r.stdout.toString('utf8').split('\x1e')) {
    // Versions one commit added, by model: in semver order within the model.
    const added = new Map<string, string[]>();
    for (const raw of commit.split(/[\0\n]/)) {
      if (!raw.startsWith(prefix)) continue;
      const where = classifyPath(raw.slice(prefix.length));
      if (where.kind !== 'version' || !where.model || !where.id) continue;
      const key = `${where.model}/${where.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const list = added.get(where.model);
      if (list) list.push(where.id);
      else added.set(where.model, [where.id]);
    }
    for (const [model, versions] of added) {
      const sorted = versions.length > 1 ? sortLoosely(versions) : versions;
      const list = order.get(model);
      if (list) list.push(...sorted);
      else order.set(model, sorted);
    }
  }
  return order;
}

