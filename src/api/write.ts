/**
 * Carrying out a write intent: read the branch's snapshot → plan → check with the pull-request engine →
 * commit → push (retrying races by re-planning the same intent on the new tip). Artifacts are already in
 * the store when this runs (register puts them first), so a crash at any point leaves either the whole
 * change committed or nothing but unreferenced, content-addressed bytes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHANGE_TRAILER, planChange, type Intent, type Plan } from '../changes/plan.js';
import { checkPlan, scopeErrors, type PlanCheck } from '../changes/check.js';
import { assertIntentNames } from '../changes/names.js';
import { ModelregError } from '../registry/errors.js';
import type { Finding } from '../registry/findings.js';
import { buildSnapshot, type Snapshot, type TreeFile } from '../registry/snapshot.js';
import { findRegistryRoot } from '../git/open.js';
import { git } from '../git/run.js';
import { GitRevisionSource } from '../git/sources.js';
import { WorkTreeWriter, type CommitAuthor } from '../git/writer.js';
import { fetchRemote, isDefaultBranch, push, upstream } from '../git/remote.js';
import { stagePolicy } from '../checks/gates.js';
import { enteringArtifactFindings } from './entering.js';
import { withCaseFellows } from '../git/change-scope.js';
import { checkpoint } from './checkpoint.js';
import { describePlan } from '../changes/describe.js';
import { githubRepoOf, githubToken } from '../github/client.js';
import { openPullRequest, type PullRequestRef } from '../github/pulls.js';

export interface WriteOptions {
  dir?: string;
  cwd?: string;
  /** Push to the branch's upstream, retrying races. */
  push?: boolean;
  /** Commit on this new branch (and return to the current one). */
  branch?: string;
  /** Push a new branch and open a pull request against the current branch's upstream. */
  pr?: boolean;
  /** Waive the gates (the pull-request action still checks them). */
  noVerify?: boolean;
  maxAttempts?: number;
  now?: () => string;
  /** The caller already ran syncForPush (register does, before its preflight). */
  synced?: boolean;
  /** The artifact store to check entering versions' bytes in (default: MODELREG_STORE, else registry.yaml). */
  store?: string;
  /**
   * Write as someone else, at another time: the manifests' `*_by` and `*_at` fields and the commit's author
   * and author date (an importer keeping the history it imports). Default: git's identity, now.
   */
  as?: { actor?: string } & CommitAuthor;
}

export interface WriteResult {
  ref: string;
  commit: string;
  branch: string;
  pushed: boolean;
  attempts: number;
  files: string[];
  message: string;
  previous?: string | null;
  /** Versions the change deprecated, and those it kept that it otherwise would have (keep-latest, --deprecate-previous). */
  retired?: NonNullable<Plan['retired']>;
  check: PlanCheck;
  /** Paths restored from a killed earlier run. */
  recovered: string[];
  /** Nothing needed changing, so nothing was committed. */
  unchanged?: boolean;
  /** What the user should know: approvals that the pull request will judge, checks waived. */
  notes: string[];
  pullRequest?: PullRequestRef;
}

/** A write refused by the validation engine: the findings say why. */
export class CheckFailedError extends ModelregError {
  constructor(readonly findings: Finding[], ref: string, hint?: string) {
    const gates = findings.some((f) => f.code.startsWith('gate-') || f.code === 'stage-order');
    super('rejected', `${ref}: ${findings.length} check(s) failed`, { hint: hint ?? (gates ? 'Fix what the gates name, or pass --no-verify (the pull-request check will still apply them).' : 'Fix the input; nothing was written.') });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), findings: this.findings };
  }
}

export async function applyIntent(intent: Intent, options: WriteOptions = {}): Promise<WriteResult> {
  assertIntentNames(intent);
  const root = findRegistryRoot(options.dir, options.cwd);
  const w = await WorkTreeWriter.open(root);
  const recovered = await w.recover();
  const original = await w.branch();
  const actor = options.as?.actor ?? (await w.actor());
  const as = options.as;
  const now = as ? () => as.date : (options.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')));
  const token = options.pr ? githubToken() : undefined; // refuse before any work when a PR cannot be opened
  if (options.pr) options = { ...options, push: true, branch: options.branch ?? branchNameFor(intent) };
  const up = options.push ? await upstream(root, original) : undefined;
  if (up && !options.branch && !options.synced) await syncWithRemote(root, up.remote, up.ref);

  if (options.branch) {
    const r = await git(root, ['switch', '--quiet', '-c', options.branch], { allowFail: true });
    if (r.code !== 0) throw new ModelregError('precondition', `cannot create branch ${options.branch}: ${r.stderr.trim().split('\n')[0]}`);
  }
  const branch = options.branch ?? original;
  const startHead = await w.head();
  let committed: string | undefined;
  try {
    const max = options.push ? (options.maxAttempts ?? 6) : 1;
    for (let attempt = 1; ; attempt++) {
      const { snap, checked } = await readForWrite(root, intent);
      const plan: Plan = planChange(snap, intent, { now: now(), actor });
      const check = checkPlan(checked, plan, { noVerify: !!options.noVerify });
      if (!check.ok) throw new CheckFailedError(check.blocking, plan.ref);
      const notes = await guardStages(root, snap, plan, check, { ...options, current: original, ...(up && !options.branch ? { pushTo: up.ref.replace(/^refs\/heads\//, '') } : {}) });
      checkpoint('plan');
      // Nothing to change (keep-latest with nothing older to deprecate): no commit, and nothing to push.
      if (plan.files.length === 0) return { ref: plan.ref, commit: startHead ?? '', branch, attempts: attempt, files: [], message: plan.message, check, recovered, notes, pushed: false, unchanged: true, ...(plan.retired ? { retired: plan.retired } : {}) };
      committed = await w.commit(plan.files, plan.message, checkpoint, as);
      const result = { ref: plan.ref, commit: committed, branch, attempts: attempt, files: plan.files.map((f) => f.path), message: plan.message, check, recovered, notes, ...(plan.previous !== undefined ? { previous: plan.previous } : {}), ...(plan.retired ? { retired: plan.retired } : {}) };
      if (!up) return { ...result, pushed: false };
      const target = options.branch ? `refs/heads/${options.branch}` : up.ref;
      const outcome = await push(root, up.remote, target);
      if (outcome.ok) {
        checkpoint('push');
        if (!token) return { ...result, pushed: true };
        const remoteUrl = (await git(root, ['remote', 'get-url', up.remote])).stdout.toString('utf8').trim();
        const { title, body } = describePlan(buildSnapshot(checked), plan, check.change.stageMoves);
        const pullRequest = await openPullRequest(token, githubRepoOf(remoteUrl), { head: options.branch!, base: up.ref.replace(/^refs\/heads\//, ''), title, body });
        return { ...result, pushed: true, pullRequest };
      }
      if (attempt >= max) throw new ModelregError('push-rejected', `${up.remote} kept moving: gave up after ${attempt} attempts`, { hint: 'Others are writing to the same branch right now; run the command again.' });
      // A race: someone pushed first. Drop our commit, move to their tip, and plan the same intent again;
      // a conflict of intent (same version, stage moved) surfaces from planChange as an error, not a retry.
      intent = plan.intent;
      const tip = await fetchRemote(root, up.remote, target);
      await w.resetKeep(tip ?? startHead!);
      committed = undefined;
      await sleep(Math.round((25 + Math.random() * 100) * attempt));
    }
  } catch (e) {
    // Leave the branch as it was: an unpushed commit of ours is dropped (the user's local changes are kept).
    if (committed && up) await w.resetKeep(startHead!).catch(() => {});
    throw e;
  } finally {
    if (options.branch) await git(root, ['switch', '--quiet', original], { allowFail: true });
  }
}

/**
 * What a stage move must satisfy besides the gates the plan check judged, on every path:
 * - the bytes of every version entering a stage are in the store (a stage never names missing weights);
 * - a move into (or out of) a stage that needs approvals is never committed on the default branch or
 *   pushed straight to it: an approval can only be given on a pull request (--pr). On another branch the
 *   approvals are judged when its pull request is, and the returned notes say so.
 * --no-verify waives both, as it waives the gates; the pull-request check still applies them.
 */
async function guardStages(root: string, snap: Snapshot, plan: Plan, check: PlanCheck, options: WriteOptions & { current: string; pushTo?: string }): Promise<string[]> {
  const notes: string[] = [];
  const approvals = approvalStages(snap, check);
  if (options.noVerify) {
    if (check.change.stageMoves.length) notes.push('--no-verify: the store was not asked for the entering version\'s bytes; the pull-request check will ask');
    if (approvals.length) notes.push(`--no-verify: ${approvals.map((a) => a.what).join('; ')} needs approvals, which only a pull request can give`);
    return notes;
  }
  let missing: Finding[];
  try {
    missing = await enteringArtifactFindings(root, snap, plan, check.change.stageMoves, options.store);
  } catch (e) {
    if (e instanceof ModelregError) throw new ModelregError(e.code, `cannot check the store for the bytes of the version entering the stage: ${e.message}`, { hint: `${e.hint ? `${e.hint} ` : ''}Or pass --no-verify: the pull-request check verifies them too.`, cause: e });
    throw e;
  }
  if (missing.length) throw new CheckFailedError(missing, plan.ref, 'A stage must never name bytes that are not in the store: register the files again (into this store), or check --store and artifacts.store.');
  if (approvals.length) {
    // Straight onto the default branch: committed on it, or pushed to it from here.
    const target = options.pushTo ?? options.current;
    const direct = !options.branch && ((await isDefaultBranch(root, options.current)) || (options.pushTo !== undefined && (await isDefaultBranch(root, options.pushTo))));
    const what = approvals.map((a) => `${a.what} needs ${a.count} approval(s)`).join('; ');
    if (direct) {
      throw new ModelregError('rejected', `${what}, which only a pull request can give; this would ${options.pushTo ? 'push it straight to' : 'commit it on'} ${target}, the default branch`, {
        hint: 'Open a pull request with --pr (or commit on a branch with --branch and open one); --no-verify commits anyway, and the pull-request check still applies the gate.',
      });
    }
    notes.push(`${what}: they are judged on the pull request of ${options.branch ?? options.current}`);
  }
  return notes;
}

/** The stage moves and removals of a checked plan whose stage needs approvals (base policy). */
function approvalStages(snap: Snapshot, check: PlanCheck): { what: string; count: number }[] {
  const policy = snap.policy?.data;
  if (!policy) return [];
  const count = (stage: string) => stagePolicy(policy, stage)?.gates?.approvals?.count ?? 0;
  return [
    ...check.change.stageMoves.filter((m) => count(m.stage) > 0).map((m) => ({ what: `${m.model}@${m.to} → ${m.stage}`, count: count(m.stage) })),
    ...check.change.stagesRemoved.filter((r) => count(r.stage) > 0).map((r) => ({ what: `removing ${r.model}@${r.version} from ${r.stage}`, count: count(r.stage) })),
  ];
}

/**
 * What `intent` would change, checked as a write would check it, without writing anything (--dry-run):
 * no recovery, no sync, no commit.
 */
export async function previewIntent(intent: Intent, options: Pick<WriteOptions, 'dir' | 'cwd' | 'noVerify' | 'now'> = {}): Promise<{ plan: Plan; check: PlanCheck }> {
  assertIntentNames(intent);
  const root = findRegistryRoot(options.dir, options.cwd);
  const w = await WorkTreeWriter.open(root);
  const now = options.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const { snap, checked } = await readForWrite(root, intent);
  const plan = planChange(snap, intent, { now: now(), actor: await w.actor() });
  return { plan, check: checkPlan(checked, plan, { noVerify: !!options.noVerify }) };
}

/**
 * For a write that will push to the current branch's upstream: bring the branch to the remote tip first
 * (publishing modelreg's own commits that a killed run left unpushed), so what is planned is planned on
 * what the remote holds. Returns whether it synced.
 */
export async function syncForPush(w: WorkTreeWriter, options: WriteOptions): Promise<boolean> {
  if (!options.push || options.branch || options.pr) return false;
  const up = await upstream(w.root, await w.branch());
  if (up) await syncWithRemote(w.root, up.remote, up.ref);
  return true;
}

/** Before pushing, the local branch must be the remote tip (fast-forwarded if behind); unpushed commits of the user's are not ours to push. */
async function syncWithRemote(root: string, remote: string, ref: string): Promise<void> {
  const tip = await fetchRemote(root, remote, ref);
  if (!tip) return;
  const head = (await git(root, ['rev-parse', 'HEAD'])).stdout.toString('utf8').trim();
  if (head === tip) return;
  const behind = (await git(root, ['merge-base', '--is-ancestor', head, tip], { allowFail: true })).code === 0;
  if (behind) {
    const r = await git(root, ['merge', '--quiet', '--ff-only', tip], { allowFail: true });
    if (r.code !== 0) throw new ModelregError('dirty-worktree', `cannot fast-forward to ${remote}: ${r.stderr.trim().split('\n')[0]}`, { hint: 'Commit or stash your local changes, then run the command again.' });
    return;
  }
  // Ahead of the remote: fine only when every such commit is modelreg's own (a run killed after its commit
  // and before its push) — then publish them first; they were checked when they were made.
  const ahead = (await git(root, ['merge-base', '--is-ancestor', tip, head], { allowFail: true })).code === 0;
  // One line per commit: the value of its trailer, empty when it has none.
  const trailers = (await git(root, ['log', `--format=%(trailers:key=${CHANGE_TRAILER},valueonly,separator=%x2C)`, `${tip}..${head}`])).stdout.toString('utf8');
  const ours = trailers.replace(/\n+$/, '').split('\n').every((line) => line.trim() !== '');
  if (ahead && ours) {
    const outcome = await push(root, remote, ref);
    if (outcome.ok) return;
  }
  throw new ModelregError('precondition', `the branch has commits that are not on ${remote}${ahead ? '' : ', and the remote has commits this branch lacks'}`, {
    hint: "Push, rebase or drop them first (git status, git log @{u}..); --push publishes only modelreg's own commits.",
  });
}

/** modelreg/promote-sentiment-1.2.0-production-<time>: readable, and unique per attempt. */
function branchNameFor(intent: Intent): string {
  const what = intent.kind === 'register' ? (intent.version ?? 'next') : intent.kind === 'promote' ? `${intent.version}-${intent.stage}` : intent.kind === 'rollback' || intent.kind === 'unassign' ? intent.stage : intent.kind === 'keep-latest' ? `latest-${intent.keepLatest}` : intent.version;
  return `modelreg/${intent.kind}-${intent.model}-${what}-${Date.now().toString(36)}`.replace(/[^A-Za-z0-9._/-]/g, '-');
}

/**
 * Whether a plan must read the whole registry: keeping the latest N, or deprecating the version a
 * promotion replaces, must know every stage holder anywhere whose lineage needs a version of this model.
 */
function readsEverything(intent: Intent): boolean {
  return intent.kind === 'keep-latest' || (intent.kind === 'promote' && !!intent.deprecatePrevious);
}

/** Models a plan must read: the model itself and the models its lineage names. */
function scopeOf(intent: Intent): string[] {
  const parents = intent.kind === 'register' ? (intent.lineage?.parents ?? []).map((p) => p.model) : [];
  return [...new Set([intent.model, ...parents])];
}

function lineageScope(intent: Intent, snap: Snapshot): string[] {
  const names = new Set(scopeOf(intent));
  const entry = snap.models.get(intent.model);
  for (const v of entry?.versions.values() ?? []) for (const p of v.data.lineage?.parents ?? []) names.add(p.model);
  return [...names];
}

/**
 * What a write of `intent` reads from the branch: the snapshot it plans on, and the files its plan is
 * checked against — wider, since the check also needs the models that the model's lineage names, so
 * dangling parents are told apart from unread ones. Refused when the model is already broken.
 */
export async function readForWrite(root: string, intent: Intent): Promise<{ snap: Snapshot; checked: TreeFile[] }> {
  const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { allowFail: true });
  if (head.code !== 0) return { snap: sound(buildSnapshot([]), intent.model), checked: [] };
  const source = await GitRevisionSource.open(root, 'HEAD');
  // Models whose names differ from the written one only by case belong to its soundness (a collision).
  const fellows = await withCaseFellows(source, [intent.model]);
  const read = (models: string[]) => source.files(readsEverything(intent) ? undefined : { models: [...new Set([...models, ...fellows])] });
  const files = await read(scopeOf(intent));
  const snap = buildSnapshot(files);
  const wider = lineageScope(intent, snap);
  const checked = wider.length > scopeOf(intent).length && !readsEverything(intent) ? await read(wider) : files;
  sound(checked === files ? snap : buildSnapshot(checked), intent.model);
  return { snap, checked };
}

/** `snap`, unless the policy or the model's own files already hold errors: a write does not build on them. */
function sound(snap: Snapshot, model: string): Snapshot {
  const broken = scopeErrors(snap, model);
  if (broken.length) throw new CheckFailedError(broken, model, `The registry already holds errors in ${model}'s files or the policy; a write does not build on them. Fix them first (\`modelreg validate\` lists them), in a commit of their own.`);
  return snap;
}

