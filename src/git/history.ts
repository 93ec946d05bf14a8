/**
 * History from `git log`: registrations, promotions, rollbacks and deprecations, with who, when, which
 * commit, and the pull request when the merge message names one. `--first-parent -m` makes a merged
 * pull request one event on the branch, attributed to its merge commit.
 *
 * One reader serves a model's history (`modelreg history`) and the whole registry's (the site's audit
 * log): one `git log -z --raw` pass, whose raw lines carry each changed file's blob ids before and after,
 * so what a stage file said at a commit is read by blob id — from a caller's cache when it has the
 * document, else in one `cat-file --batch` for all of them — never by spawning git per commit.
 */
import { classifyPath } from '../registry/layout.js';
import type { EventFacts, HistoryEvent, HistoryKind } from '../registry/history.js';
import type { StageArm } from '../registry/types.js';
import { git, readBlobs } from './run.js';
import { sortLoosely } from '../registry/versions.js';
import { attribute } from '../registry/provenance.js';

export type { HistoryEvent, HistoryKind };

/** A manifest's parsed value by Git blob id, when the caller already holds it (a parse cache); undefined to have it read. */
export type KnownDocument = (oid: string, path: string) => Record<string, unknown> | undefined;

interface Change {
  status: 'A' | 'M' | 'D';
  /** Relative to the registry root. */
  path: string;
  before: string | null;
  after: string | null;
}

interface Commit {
  commit: string;
  date: string;
  author: string;
  email: string;
  subject: string;
  /** The Modelreg-Change trailer of commits modelreg made ("rollback sentiment@1.1.0"), else ''. */
  change: string;
  changes: Change[];
}

const FORMAT = ['%H', '%P', '%aI', '%an', '%ae', '%s', '%(trailers:key=Modelreg-Change,valueonly,separator=%x2C)'].join('%x00');
const NULL_OID = /^0+$/;

export async function modelHistory(
  root: string,
  model: string,
  options: { rev?: string; limit?: number; known?: KnownDocument } = {},
): Promise<HistoryEvent[]> {
  const commits = await logCommits(root, { rev: options.rev ?? 'HEAD', paths: [`models/${model}/`], ...(options.limit ? { limit: options.limit } : {}) });
  return commits ? eventsOf(commits, await documents(root, commits, options.known)) : [];
}

export interface RegistryHistory {
  /** The commit read (rev resolved), or null when the repository has no commits. */
  head: string | null;
  /** Newest first: every event after `since` when `incremental`, else every event. */
  events: HistoryEvent[];
  /** True when only the commits after `since` were read (it lies on the first-parent line of head). */
  incremental: boolean;
}

/**
 * Every model's history in one pass. With `since` (a commit whose history the caller already holds),
 * only the commits after it are read — when `since` is on head's first-parent line, so that head's
 * history is exactly the new commits followed by since's; otherwise everything is read.
 */
export async function registryHistory(root: string, options: { rev?: string; since?: string; known?: KnownDocument } = {}): Promise<RegistryHistory> {
  const rev = options.rev ?? 'HEAD';
  // One rev-parse for both: where the registry sits in the repository, and the commit.
  const r = await git(root, ['rev-parse', '--show-prefix', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { allowFail: true });
  const [prefix = '', head = ''] = r.code === 0 ? r.stdout.toString('utf8').split('\n') : [];
  if (!/^[0-9a-f]{40,64}$/.test(head)) return { head: null, events: [], incremental: false };
  const read = async (range: string) => {
    const commits = await logCommits(root, { rev: range, paths: ['models/'], prefix });
    return commits ? eventsOf(commits, await documents(root, commits, options.known)) : [];
  };
  if (options.since === head) return { head, events: [], incremental: true };
  if (options.since && /^[0-9a-f]{40,64}$/.test(options.since)) {
    // The oldest commit after `since` on the first-parent line must have `since` as its first parent.
    const line = (await git(root, ['rev-list', '--first-parent', '--parents', `${options.since}..${head}`], { allowFail: true })).stdout
      .toString('utf8')
      .trim()
      .split('\n');
    if (line.length > 0 && line[line.length - 1]!.split(' ')[1] === options.since)
      return { head, events: await read(`${options.since}..${head}`), incremental: true };
  }
  return { head, events: await read(head), incremental: false };
}

/** The commits touching `paths` (relative to the registry root), newest first; null when there is no history to read. */
async function logCommits(root: string, options: { rev: string; paths: string[]; limit?: number; prefix?: string }): Promise<Commit[] | null> {
  const args = ['log', '-z', '--first-parent', '-m', '--no-renames', '--raw', '--no-abbrev', `--format=${FORMAT}`];
  if (options.limit) args.push(`-n${options.limit}`);
  args.push(options.rev, '--', ...options.paths);
  const r = await git(root, args, { allowFail: true });
  if (r.code !== 0) {
    if (/does not have any commits|unknown revision|bad revision|not a git repository/i.test(r.stderr)) return null;
    throw new Error(`git log failed: ${r.stderr.trim()}`);
  }
  const prefix = options.prefix ?? (await git(root, ['rev-parse', '--show-prefix'])).stdout.toString('utf8').trim();
  return parseLog(r.stdout.toString('utf8'), prefix);
}

/**
 * `git log -z` with a NUL-separated format: seven header fields per commit (no commit text can hold a
 * NUL, so an author or subject can never shift the fields), then pairs of raw line and path.
 */
export function parseLog(text: string, prefix: string): Commit[] {
  const t = text.split('\0');
  const commits: Commit[] = [];
  let i = 0;
  while (i + 7 <= t.length) {
    const [commit, , date, author, email, subject, change] = t.slice(i, i + 7) as [string, string, string, string, string, string, string];
    i += 7;
    const changes: Change[] = [];
    while (i + 1 < t.length && /^\n?:/.test(t[i]!)) {
      const raw = t[i]!.replace(/^\n?:/, '').split(' ');
      const path = t[i + 1]!;
      i += 2;
      const status = raw[4]?.[0];
      if (!path.startsWith(prefix) || !status || !'AMDT'.includes(status)) continue;
      const before = raw[2] && !NULL_OID.test(raw[2]) ? raw[2] : null;
      const after = raw[3] && !NULL_OID.test(raw[3]) ? raw[3] : null;
      changes.push({ status: status === 'T' ? 'M' : (status as Change['status']), path: path.slice(prefix.length), before, after });
    }
    if (/^[0-9a-f]{40,64}$/.test(commit)) commits.push({ commit, date, author, email, subject, change: change.trim(), changes });
  }
  return commits;
}

/** The blob ids whose documents decide what a change was: a stage file's content, a version file's before and after. */
function wantedBlobs(commits: Commit[]): { oid: string; path: string }[] {
  const out: { oid: string; path: string }[] = [];
  for (const c of commits) {
    for (const ch of c.changes) {
      const kind = classifyPath(ch.path).kind;
      if (kind === 'stage') {
        // Both sides of a change, so a split's step is told from what it was to what it became.
        for (const oid of ch.status === 'M' ? [ch.before, ch.after] : [ch.status === 'D' ? ch.before : ch.after]) if (oid) out.push({ oid, path: ch.path });
      } else if (kind === 'version' && ch.status === 'M') {
        for (const oid of [ch.before, ch.after]) if (oid) out.push({ oid, path: ch.path });
      }
    }
  }
  return out;
}

async function documents(root: string, commits: Commit[], known: KnownDocument | undefined): Promise<Map<string, Record<string, unknown> | undefined>> {
  const docs = new Map<string, Record<string, unknown> | undefined>();
  const unread: { oid: string; path: string }[] = [];
  for (const w of wantedBlobs(commits)) {
    if (docs.has(w.oid)) continue;
    const k = known?.(w.oid, w.path);
    if (k) docs.set(w.oid, k);
    else {
      docs.set(w.oid, undefined);
      unread.push(w);
    }
  }
  if (unread.length === 0) return docs;
  // The parser loads only when some document is not known already (the caller's cache usually has them).
  const [blobs, { parseManifestYaml }] = await Promise.all([
    readBlobs(
      root,
      unread.map((w) => w.oid),
    ),
    import('../schema/yaml.js'),
  ]);
  for (const w of unread) {
    const b = blobs.get(w.oid);
    const value = b ? parseManifestYaml(w.path, b.toString('utf8')).doc?.value : undefined;
    if (value && typeof value === 'object' && !Array.isArray(value)) docs.set(w.oid, value as Record<string, unknown>);
  }
  return docs;
}

/** What the file says about who and when, where it differs from the commit that wrote it. */
function claims(c: Commit, by: unknown, at: unknown): { claimedBy?: string; claimedAt?: string } {
  const a = attribute(
    { name: c.author, email: c.email, date: c.date },
    { ...(typeof by === 'string' ? { by } : {}), ...(typeof at === 'string' ? { at } : {}) },
  );
  return { ...(a.claimedBy !== undefined ? { claimedBy: a.claimedBy } : {}), ...(a.claimedAt !== undefined ? { claimedAt: a.claimedAt } : {}) };
}

function eventsOf(commits: Commit[], docs: Map<string, Record<string, unknown> | undefined>): HistoryEvent[] {
  const read = (oid: string | null) => (oid ? docs.get(oid) : undefined);
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const events: HistoryEvent[] = [];
  // Within one commit, tell it in the order it makes sense: the model, then its versions, then stages.
  const rank = (path: string) => ({ model: 0, version: 1, stage: 2 })[classifyPath(path).kind as 'model'] ?? 3;
  for (const c of commits) {
    const base = { commit: c.commit, date: c.date, author: c.author, email: c.email, subject: c.subject, ...prNumber(c.subject) };
    const changes = [...c.changes].sort((a, b) => rank(a.path) - rank(b.path));
    for (const ch of changes) {
      const where = classifyPath(ch.path);
      if (where.kind !== 'model' && where.kind !== 'version' && where.kind !== 'stage') continue;
      const model = where.model!;
      if (where.kind === 'model') events.push({ kind: ch.status === 'A' ? 'model-created' : 'model-updated', model, ...base });
      else if (where.kind === 'version') {
        if (ch.status === 'A') events.push({ kind: 'registered', model, version: where.id!, ...base });
        else if (ch.status === 'D') events.push({ kind: 'deleted', model, version: where.id!, ...base });
        else {
          const now = read(ch.after);
          const before = read(ch.before);
          const kind = !!now?.deprecated && !before?.deprecated ? 'deprecated' : !now?.deprecated && !!before?.deprecated ? 'undeprecated' : 'modified';
          const deprecation = kind === 'deprecated' ? (now?.deprecated as { reason?: unknown; by?: unknown; at?: unknown } | undefined) : undefined;
          const why = text(deprecation?.reason);
          events.push({ kind, model, version: where.id!, ...claims(c, deprecation?.by, deprecation?.at), ...(why ? { reason: why } : {}), ...base });
        }
      } else if (ch.status === 'D') {
        const before = read(ch.before);
        events.push({ kind: 'stage-removed', model, stage: where.id!, ...(typeof before?.version === 'string' ? { previous: before.version } : {}), ...base });
      } else {
        const now = read(ch.after);
        const version = text(now?.version);
        const previous = text(now?.previous) ?? null;
        const reason = text(now?.reason);
        const split = splitChange(read(ch.before), now);
        // modelreg's own commits say what they did in a trailer; hand-written ones may say so in the subject.
        const rollback = c.change.startsWith('rollback ') || /\brollback\b|\broll back\b|\brolled back\b/i.test(c.subject);
        events.push({
          kind: rollback ? 'rolled-back' : 'promoted',
          model,
          stage: where.id!,
          ...(version ? { version } : {}),
          previous,
          ...claims(c, now?.moved_by, now?.moved_at),
          ...(reason ? { reason } : {}),
          ...(split ? { split } : {}),
          ...base,
        });
      }
    }
  }
  return events;
}

/** A stage file's arms as a history event tells them, when either side is split: only well-formed arms (the documents are anyone's). */
function splitChange(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): EventFacts['split'] {
  const arms = (doc: Record<string, unknown> | undefined): StageArm[] | undefined => {
    if (!Array.isArray(doc?.arms)) return undefined;
    return doc.arms.flatMap((a: unknown) => {
      const arm = a as Record<string, unknown> | null;
      if (!arm || typeof arm.version !== 'string') return [];
      return [
        arm.shadow === true
          ? { version: arm.version, shadow: true as const }
          : { version: arm.version, weight: typeof arm.weight === 'number' ? arm.weight : 0 },
      ];
    });
  };
  const sole = (doc: Record<string, unknown> | undefined): StageArm[] => (typeof doc?.version === 'string' ? [{ version: doc.version, weight: 100 }] : []);
  const b = arms(before);
  const a = arms(after);
  return b || a ? { before: b ?? sole(before), after: a ?? sole(after) } : undefined;
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
  const r = await git(
    root,
    [
      '-c',
      'core.quotePath=false',
      'log',
      '--first-parent',
      '--diff-merges=first-parent',
      '--diff-filter=A',
      '--no-renames',
      '--reverse',
      '--format=%x1e',
      '--name-only',
      '-z',
      rev,
      '--',
      ...paths,
    ],
    { allowFail: true },
  );
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
