/**
 * Carrying out a write intent, as its steps, each done once and in this order:
 *
 *   open     the registry root, the writer, recovery of a killed run, who writes, the upstream  openWrite
 *   sync     the branch brought to the remote tip before a push (git/remote.ts)               syncWrite
 *   read     the files the intent needs: the scope it plans on and the wider one it is checked on  readForWrite
 *   plan     the files and the message (changes/plan.ts)                                        planAndCheck
 *   check    the pull-request engine (changes/check.ts), then the stage guards                  planAndCheck, guardStages
 *   commit   exactly the planned files; a race re-plans the same intent on the new tip          commitIntent
 *   publish  push (inside the retry, since a race is found by pushing), then the pull request   openPullRequestFor
 *
 * `applyIntent` runs them all. `register` runs open, sync and read itself, checks a preflight plan and
 * puts the artifacts in the store before `commitIntent` re-plans on the state of that moment, reading
 * again only if HEAD moved meanwhile (api/register.ts), so a crash at any point leaves either the whole
 * change committed or nothing but unreferenced, content-addressed bytes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHANGE_TRAILER, planChange, type Intent, type Plan } from '../changes/plan.js';
import { checkPlan, scopeErrors, type PlanCheck } from '../changes/check.js';
import { assertIntentNames } from '../changes/names.js';
import { ModelregError } from '../registry/errors.js';
import type { Finding } from '../registry/findings.js';
import { buildSnapshot, type Snapshot, type TreeFile } from '../registry/snapshot.js';
import { parentModels } from '../registry/lineage.js';
import { findRegistryRoot } from '../git/open.js';
import { GitRevisionSource } from '../git/sources.js';
import { WorkTreeWriter, type CommitAuthor } from '../git/writer.js';
import { fetchRemote, isDefaultBranch, push, remoteUrl, syncWithRemote, upstream } from '../git/remote.js';
import { stagePolicy } from '../checks/gates.js';
import { splitRules } from '../registry/split.js';
import { lastWritten } from '../git/written-by.js';
import { parseMoment } from '../registry/moments.js';
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
  constructor(
    readonly findings: Finding[],
    ref: string,
    hint?: string,
  ) {
    const gates = findings.some((f) => f.code.startsWith('gate-') || f.code === 'stage-order');
    super('rejected', `${ref}: ${findings.length} check(s) failed`, {
      hint:
        hint ??
        (gates ? 'Fix what the gates name, or pass --no-verify (the pull-request check will still apply them).' : 'Fix the input; nothing was written.'),
    });
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), findings: this.findings };
  }
}

/** A write under way: what `openWrite` found, for the steps after it. */
export interface WriteSession {
  readonly root: string;
  readonly writer: WorkTreeWriter;
  /** Paths restored from a killed earlier run. */
  readonly recovered: string[];
  /** The branch checked out when the write began, and checked out again when it ends. */
  readonly original: string;
  readonly actor: string;
  readonly now: () => string;
  /** The options, with --pr spelled out: a push of a new branch. */
  readonly options: WriteOptions;
  /** Where a push goes: the original branch's upstream. */
  readonly upstream?: { remote: string; ref: string };
  /** The GitHub token a pull request is opened with (--pr). */
  readonly token?: string;
}

/** Every step of a write (the module's comment lists them). */
export async function applyIntent(intent: Intent, options: WriteOptions = {}): Promise<WriteResult> {
  const session = await openWrite(intent, options);
  await syncWrite(session);
  return commitIntent(session, intent);
}

/** open: find the registry, finish what a killed run left, and learn who writes, where to, with what token. */
export async function openWrite(intent: Intent, options: WriteOptions = {}): Promise<WriteSession> {
  assertIntentNames(intent); // the names, before anything is read
  const root = findRegistryRoot(options.dir, options.cwd);
  const writer = await WorkTreeWriter.open(root);
  const recovered = await writer.recover();
  const original = await writer.branch();
  const actor = options.as?.actor ?? (await writer.actor());
  const as = options.as;
  const now = as ? () => as.date : (options.now ?? isoNow);
  const token = options.pr ? githubToken() : undefined; // refuse before any work when a PR cannot be opened
  if (options.pr) options = { ...options, push: true, branch: options.branch ?? branchNameFor(intent) };
  const up = options.push ? await upstream(root, original) : undefined;
  return { root, writer, recovered, original, actor, now, options, ...(up ? { upstream: up } : {}), ...(token ? { token } : {}) };
}

/** sync: a write that pushes to the current branch plans on what the remote holds. */
export async function syncWrite(s: WriteSession): Promise<void> {
  if (s.upstream && !s.options.branch) await syncWithRemote(s.root, s.upstream.remote, s.upstream.ref, CHANGE_TRAILER);
}

/** plan and check: what `intent` changes on what was read, judged by the pull-request engine. */
export function planAndCheck(read: WriteRead, intent: Intent, context: { now: string; actor: string; noVerify: boolean }): { plan: Plan; check: PlanCheck } {
  const plan = planChange(read.snap, intent, { now: context.now, actor: context.actor });
  return { plan, check: checkPlan(read.checked, plan, { noVerify: context.noVerify, timing: { now: context.now, written: read.written } }) };
}

/**
 * read, plan, check and commit `intent` on an open (and synced) write, pushing and retrying races; then
 * publish. `earlier`, a read of this intent's model and lineage that the caller already made, stands in
 * for the first read if HEAD has not moved since (register's preflight read, while the bytes were stored).
 */
export async function commitIntent(s: WriteSession, intent: Intent, earlier?: WriteRead): Promise<WriteResult> {
  const { writer: w, options, upstream: up, recovered } = s;
  if (options.branch) await w.createBranch(options.branch);
  const branch = options.branch ?? s.original;
  const startHead = await w.head();
  let committed: string | undefined;
  let failed = false;
  let pushed = false;
  try {
    const max = up ? (options.maxAttempts ?? 6) : 1;
    for (let attempt = 1; ; attempt++) {
      const read = attempt === 1 && earlier && earlier.at === startHead ? earlier : await readForWrite(w, intent);
      const { plan, check } = planAndCheck(read, intent, { now: s.now(), actor: s.actor, noVerify: !!options.noVerify });
      if (!check.ok) throw new CheckFailedError(check.blocking, plan.ref);
      const notes = await guardStages(s.root, read.snap, plan, check, {
        ...options,
        current: s.original,
        ...(up && !options.branch ? { pushTo: up.ref.replace(/^refs\/heads\//, '') } : {}),
      });
      checkpoint('plan');
      // Nothing to change (keep-latest with nothing older to deprecate): no commit, and nothing to push.
      if (plan.files.length === 0)
        return {
          ref: plan.ref,
          commit: startHead ?? '',
          branch,
          attempts: attempt,
          files: [],
          message: plan.message,
          check,
          recovered,
          notes,
          pushed: false,
          unchanged: true,
          ...(plan.retired ? { retired: plan.retired } : {}),
        };
      committed = await w.commit(plan.files, plan.message, checkpoint, options.as);
      const result = {
        ref: plan.ref,
        commit: committed,
        branch,
        attempts: attempt,
        files: plan.files.map((f) => f.path),
        message: plan.message,
        check,
        recovered,
        notes,
        ...(plan.previous !== undefined ? { previous: plan.previous } : {}),
        ...(plan.retired ? { retired: plan.retired } : {}),
      };
      if (!up) return { ...result, pushed: false };
      const target = options.branch ? `refs/heads/${options.branch}` : up.ref;
      if ((await push(s.root, up.remote, target)).ok) {
        pushed = true;
        checkpoint('push');
        return { ...result, pushed: true, ...(s.token ? { pullRequest: await openPullRequestFor(s, read.checked, plan, check) } : {}) };
      }
      if (attempt >= max)
        throw new ModelregError('push-rejected', `${up.remote} kept moving: gave up after ${attempt} attempts`, {
          hint: 'Others are writing to the same branch right now; run the command again.',
        });
      // A race: someone pushed first. Drop our commit, move to their tip, and plan the same intent again;
      // a conflict of intent (same version, stage moved) surfaces from planChange as an error, not a retry.
      intent = plan.intent;
      const tip = await fetchRemote(s.root, up.remote, target);
      await w.resetKeep(tip ?? startHead!);
      committed = undefined;
      await sleep(Math.round((25 + Math.random() * 100) * attempt));
    }
  } catch (e) {
    // Leave the branch as it was: an unpushed commit of ours is dropped (the user's local changes are kept).
    if (committed && up) await w.resetKeep(startHead!).catch(() => {});
    failed = true;
    throw e;
  } finally {
    if (options.branch) await w.switchBack(s.original);
    // A refused write leaves no branch of its own behind, so the same command can be run again.
    if (options.branch && failed && !pushed) await w.deleteBranch(options.branch);
  }
}

/** publish: the pull request of the pushed branch, against the original branch's upstream, described from the plan. */
async function openPullRequestFor(s: WriteSession, checked: TreeFile[], plan: Plan, check: PlanCheck): Promise<PullRequestRef> {
  const { title, body } = describePlan(buildSnapshot(checked), plan, check.change.stageMoves);
  const url = (await remoteUrl(s.root, s.upstream!.remote)) ?? '';
  return openPullRequest(s.token!, githubRepoOf(url), { head: s.options.branch!, base: s.upstream!.ref.replace(/^refs\/heads\//, ''), title, body });
}

/**
 * Now, as the commit will say it: git's GIT_COMMITTER_DATE when it is set (ISO 8601, or git's own
 * `@<seconds> <zone>`), else the clock — so a stage file's moved_at is never after the commit that
 * writes it (the pull-request check holds it to that), and the soak check judges at the commit's time.
 */
function isoNow(): string {
  const set = process.env.GIT_COMMITTER_DATE?.trim();
  const unix = set ? /^@?(\d{1,12})(?:\s+[+-]\d{4})?$/.exec(set) : null;
  const moment = set && !unix ? parseMoment(set) : undefined;
  const t = unix ? Number(unix[1]) * 1000 : moment ? Date.parse(moment) : Date.now();
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * What a stage move must satisfy besides the gates the plan check judged, on every path:
 * - the bytes of every version entering a stage are in the store (a stage never names missing weights);
 * - a move into (or out of) a stage that needs approvals is never committed on the default branch or
 *   pushed straight to it: an approval can only be given on a pull request (--pr). On another branch the
 *   approvals are judged when its pull request is, and the returned notes say so.
 * --no-verify waives both, as it waives the gates; the pull-request check still applies them.
 */
async function guardStages(
  root: string,
  snap: Snapshot,
  plan: Plan,
  check: PlanCheck,
  options: WriteOptions & { current: string; pushTo?: string },
): Promise<string[]> {
  const notes: string[] = [];
  const approvals = approvalStages(snap, check);
  if (options.noVerify) {
    if (check.change.stageMoves.length) notes.push("--no-verify: the store was not asked for the entering version's bytes; the pull-request check will ask");
    if (approvals.length) notes.push(`--no-verify: ${approvals.map((a) => a.what).join('; ')} needs approvals, which only a pull request can give`);
    return notes;
  }
  let missing: Finding[];
  try {
    missing = await enteringArtifactFindings(root, snap, plan, check.change.stageMoves, options.store);
  } catch (e) {
    if (e instanceof ModelregError)
      throw new ModelregError(e.code, `cannot check the store for the bytes of the version entering the stage: ${e.message}`, {
        hint: `${e.hint ? `${e.hint} ` : ''}Or pass --no-verify: the pull-request check verifies them too.`,
        cause: e,
      });
    throw e;
  }
  if (missing.length)
    throw new CheckFailedError(
      missing,
      plan.ref,
      'A stage must never name bytes that are not in the store: register the files again (into this store), or check --store and artifacts.store.',
    );
  if (approvals.length) {
    // Straight onto the default branch: committed on it, or pushed to it from here.
    const target = options.pushTo ?? options.current;
    const direct =
      !options.branch && ((await isDefaultBranch(root, options.current)) || (options.pushTo !== undefined && (await isDefaultBranch(root, options.pushTo))));
    const what = approvals.map((a) => `${a.what} needs ${a.count} approval(s)`).join('; ');
    if (direct) {
      throw new ModelregError(
        'rejected',
        `${what}, which only a pull request can give; this would ${options.pushTo ? 'push it straight to' : 'commit it on'} ${target}, the default branch`,
        {
          hint: 'Open a pull request with --pr (or commit on a branch with --branch and open one); --no-verify commits anyway, and the pull-request check still applies the gate.',
        },
      );
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
    ...check.change.stagesRemoved
      .filter((r) => count(r.stage) > 0)
      .map((r) => ({ what: `removing ${r.model}@${r.version} from ${r.stage}`, count: count(r.stage) })),
  ];
}

/**
 * What `intent` would change, checked as a write would check it, without writing anything (--dry-run):
 * read, plan and check only — no recovery, no sync, no commit.
 */
export async function previewIntent(
  intent: Intent,
  options: Pick<WriteOptions, 'dir' | 'cwd' | 'noVerify' | 'now'> = {},
): Promise<{ plan: Plan; check: PlanCheck }> {
  assertIntentNames(intent);
  const root = findRegistryRoot(options.dir, options.cwd);
  const w = await WorkTreeWriter.open(root);
  return planAndCheck(await readForWrite(w, intent), intent, { now: (options.now ?? isoNow)(), actor: await w.actor(), noVerify: !!options.noVerify });
}

/** modelreg/promote-sentiment-1.2.0-production-<time>: readable, and unique per attempt. */
function branchNameFor(intent: Intent): string {
  const what =
    intent.kind === 'register'
      ? (intent.version ?? 'next')
      : intent.kind === 'promote'
        ? `${intent.version}-${intent.stage}`
        : intent.kind === 'rollback' || intent.kind === 'unassign'
          ? intent.stage
          : intent.kind === 'keep-latest'
            ? `latest-${intent.keepLatest}`
            : intent.version;
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
  return [...new Set([...scopeOf(intent), ...parentModels(snap, [intent.model])])];
}

/** What a write plans on: the snapshot of its scope, the wider files it is checked on, and when the stage it moves was last written. */
export interface WriteRead {
  /** The commit read (null on an unborn branch): a read of the same commit for the same model and lineage is the same read. */
  at: string | null;
  snap: Snapshot;
  checked: TreeFile[];
  /** The commit time of the last change of each stage file a soak time judges (see checks/change.ts). */
  written: ReadonlyMap<string, string>;
}

/**
 * What a write of `intent` reads from the branch: the snapshot it plans on, and the files its plan is
 * checked against — wider, since the check also needs the models that the model's lineage names, so
 * dangling parents are told apart from unread ones. Refused when the model is already broken.
 */
export async function readForWrite(writer: WorkTreeWriter, intent: Intent): Promise<WriteRead> {
  if ((await writer.head()) === null) return { at: null, snap: sound(buildSnapshot([]), intent.model), checked: [], written: new Map() };
  const source = await GitRevisionSource.open(writer.root, 'HEAD');
  // Models whose names differ from the written one only by case belong to its soundness (a collision).
  const fellows = await withCaseFellows(source, [intent.model]);
  const read = (models: string[]) => source.files(readsEverything(intent) ? undefined : { models: [...new Set([...models, ...fellows])] });
  const files = await read(scopeOf(intent));
  const snap = buildSnapshot(files);
  const wider = lineageScope(intent, snap);
  const checked = wider.length > scopeOf(intent).length && !readsEverything(intent) ? await read(wider) : files;
  sound(checked === files ? snap : buildSnapshot(checked), intent.model);
  return { at: source.commit, snap, checked, written: await soakClock(writer.root, snap, intent) };
}

/** When the stage a stage move changes was last written on HEAD, if its policy counts a soak time from it. */
async function soakClock(root: string, snap: Snapshot, intent: Intent): Promise<Map<string, string>> {
  if (intent.kind !== 'promote' && intent.kind !== 'rollback') return new Map();
  const file = snap.models.get(intent.model)?.stages.get(intent.stage)?.file;
  const rules = snap.policy ? splitRules(stagePolicy(snap.policy.data, intent.stage)) : undefined;
  return file && rules?.soak !== undefined ? lastWritten(root, 'HEAD', [file]) : new Map();
}

/** `snap`, unless the policy or the model's own files already hold errors: a write does not build on them. */
function sound(snap: Snapshot, model: string): Snapshot {
  const broken = scopeErrors(snap, model);
  if (broken.length)
    throw new CheckFailedError(
      broken,
      model,
      `The registry already holds errors in ${model}'s files or the policy; a write does not build on them. Fix them first (\`modelreg validate\` lists them), in a commit of their own.`,
    );
  return snap;
}
