/**
 * The pull-request gate, as the runner runs it. Reads the event, judges the change from Git objects
 * (never the pull request's work tree) with the base branch's policy, checks approvals and artifact
 * presence, then reports: annotations, the job summary, outputs, report.json, a commit status with a
 * fixed name and one sticky comment. Exit code 1 when the change does not pass at the fail level, or
 * when the gate itself could not run (it fails closed).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import type { Octokit } from '@octokit/rest';
import { checkArtifactPresence } from '../api/artifact-presence.js';
import { judgeSources } from '../api/judge.js';
import { githubClient, type GitHubRepo } from '../github/client.js';
import { upsertComment, commentAuthor, setStatus } from '../github/report-channel.js';
import { gatherFacts, getPull, listReviews } from '../github/reviews.js';
import { commitOf, mergeForReview } from '../git/merge.js';
import { GitRevisionSource } from '../git/sources.js';
import { ModelregError } from '../registry/errors.js';
import { finding, type Finding } from '../registry/findings.js';
import { factsNeeded, judgeApprovals, reviewState, type ApprovalResult, type ApprovalRequirement } from '../review/approvals.js';
import { approvalRequirements, artifactsToCheck, buildReport, FAIL_LEVELS, type ActionReport, type FailLevel } from '../review/report.js';
import { annotations, COMMENT_LIMIT, COMMENT_MARKER, renderMarkdown, statusDescription, SUMMARY_LIMIT } from '../review/render.js';
import { parseEvent, type ReviewEvent } from './event.js';
import { Runner } from './runner.js';

/** Outputs larger than this go to report.json only; the `report` output then holds a shorter form. */
const OUTPUT_LIMIT = 512 * 1024;

export async function runAction(env: NodeJS.ProcessEnv = process.env, runner = new Runner(env)): Promise<number> {
  let statusTarget: { gh: Octokit; repo: GitHubRepo; sha: string } | undefined;
  try {
    const inputs = readInputs(runner);
    const event = parseEvent(env.GITHUB_EVENT_NAME ?? '', JSON.parse(readFileSync(required(env, 'GITHUB_EVENT_PATH'), 'utf8')));
    const workspace = resolve(env.GITHUB_WORKSPACE || process.cwd());
    const repo = repoOf(env);
    const gh = inputs.token ? await githubClient(inputs.token) : undefined;
    if (gh && repo) statusTarget = { gh, repo, sha: event.statusSha };

    const report = await judge({ workspace, prefix: inputs.registryPath, event, failLevel: inputs.failLevel, gh, repo });
    publishLocal(runner, report, inputs.registryPath, env);
    if (gh && repo) await publishGitHub(runner, gh, repo, event, report, inputs, runUrl(env));
    else runner.log('no token or repository: commit status and comment skipped');
    runner.log(
      report.verdict === 'pass'
        ? `✓ the change passes (${report.counts.error} errors, ${report.counts.warning} warnings)`
        : `✗ the change does not pass: ${report.counts.error} error(s), ${report.counts.warning} warning(s) (fail level: ${report.failLevel})`,
    );
    return report.verdict === 'pass' ? 0 : 1;
  } catch (e) {
    // Fail closed: an error in the gate is a red check, never a green one.
    const err = e as ModelregError;
    runner.error(`modelreg could not judge this change: ${err.message}${err.hint ? ` — ${err.hint}` : ''}`);
    if (statusTarget)
      await setStatus(statusTarget.gh, statusTarget.repo, statusTarget.sha, 'error', `could not judge: ${err.message}`, runUrl(env)).catch(() => {});
    return 1;
  }
}

interface Inputs {
  registryPath: string;
  token: string;
  failLevel: FailLevel;
  comment: boolean;
  commentAuthor: string;
}

function readInputs(runner: Runner): Inputs {
  const raw = runner.input('registry-path', '.');
  const rel = normalize(raw).replace(/\/+$/, '');
  if (isAbsolute(raw) || rel === '..' || rel.startsWith('../')) throw new ModelregError('usage', `registry-path "${raw}" must be a path inside the repository`);
  const failLevel = runner.input('fail-level', 'error') as FailLevel;
  if (!FAIL_LEVELS.includes(failLevel)) throw new ModelregError('usage', `fail-level must be one of ${FAIL_LEVELS.join(', ')}, not "${failLevel}"`);
  const comment = runner.input('comment', 'true');
  if (!/^(true|false)$/.test(comment)) throw new ModelregError('usage', `comment must be true or false, not "${comment}"`);
  return {
    registryPath: rel === '.' ? '' : rel,
    token: runner.input('token'),
    failLevel,
    comment: comment === 'true',
    commentAuthor: runner.input('comment-author'),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ModelregError('usage', `${name} is not set; this runs inside a GitHub Actions job`);
  return v;
}

function repoOf(env: NodeJS.ProcessEnv): GitHubRepo | undefined {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(env.GITHUB_REPOSITORY ?? '');
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
}

function runUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run && /^\d+$/.test(run) && /^https?:\/\//.test(server) ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

async function judge(ctx: {
  workspace: string;
  prefix: string;
  event: ReviewEvent;
  failLevel: FailLevel;
  gh: Octokit | undefined;
  repo: GitHubRepo | undefined;
}): Promise<ActionReport> {
  const { workspace, prefix, event } = ctx;
  const base = await commitOf(workspace, event.base, 'base');
  const head = await commitOf(workspace, event.head, 'head');
  const extra: Finding[] = [];
  let judged = head;
  if (event.merge) {
    const merge = await mergeForReview(workspace, base, head);
    if (merge.clean) judged = merge.commit;
    else {
      extra.push(
        finding(
          'merge-conflict',
          `the pull request conflicts with its base in ${merge.conflicts.length} file(s)${merge.conflicts.length ? `: ${merge.conflicts.slice(0, 5).join(', ')}` : ''}`,
        ),
      );
      judged = base; // nothing else can be judged; the conflict alone fails the check
    }
  }
  const source = (commit: string, label: string) => new GitRevisionSource(workspace, prefix, label, commit);
  const { baseSnapshot, headSnapshot, report: change } = await judgeSources(source(base, 'base'), source(judged, 'head'));

  const requirements = approvalRequirements(baseSnapshot, change.change);
  const approvals = requirements.length
    ? await checkApprovals(
        ctx,
        requirements.map((r) => ({ key: r.key, requirement: r.requirement })),
      )
    : new Map<string, ApprovalResult>();

  const artifacts = await checkArtifactPresence(
    prefix ? join(workspace, prefix) : workspace,
    workspace,
    baseSnapshot.policy?.data,
    artifactsToCheck(change.change, headSnapshot),
  );
  return buildReport({
    event: event.name,
    pullRequest: event.pullRequest?.number ?? null,
    base,
    head,
    baseSnapshot,
    headSnapshot,
    change,
    approvals,
    artifacts,
    extraFindings: extra,
    failLevel: ctx.failLevel,
  });
}

/** Approvals need the API; when it cannot answer, every requirement fails closed with the reason. */
async function checkApprovals(
  ctx: { event: ReviewEvent; gh: Octokit | undefined; repo: GitHubRepo | undefined },
  needs: { key: string; requirement: ApprovalRequirement }[],
): Promise<Map<string, ApprovalResult>> {
  const out = new Map<string, ApprovalResult>();
  const fail = (why: string): Map<string, ApprovalResult> => {
    for (const n of needs)
      out.set(n.key, {
        required: n.requirement.count,
        counted: [],
        ignored: [],
        problems: [why],
        passed: false,
        message: `approvals could not be checked: ${why}`,
      });
    return out;
  };
  const { gh, repo, event } = ctx;
  if (!gh || !repo) return fail('the action has no token (input `token`) or no GITHUB_REPOSITORY');
  if (!event.pullRequest) return fail('this merge group names no pull request');
  try {
    let { author, headSha } = event.pullRequest;
    if (!author || !headSha) ({ author, headSha } = await getPull(gh, repo, event.pullRequest.number));
    const state = reviewState(await listReviews(gh, repo, event.pullRequest.number), headSha, author);
    // Ask the API once for everything any requirement needs; several moves to one stage share the answers.
    const needed = needs.map((n) => factsNeeded(n.requirement, state.approvers));
    const facts = await gatherFacts(gh, repo, { writeAccess: needed.flatMap((x) => x.writeAccess), teams: needed.flatMap((x) => x.teams) });
    for (const n of needs) out.set(n.key, judgeApprovals(n.requirement, state, facts));
    return out;
  } catch (e) {
    return fail((e as Error).message);
  }
}

function publishLocal(runner: Runner, report: ActionReport, prefix: string, env: NodeJS.ProcessEnv): void {
  for (const line of annotations(report.findings, prefix)) runner.command(line);
  runner.summary(renderMarkdown(report, { limit: SUMMARY_LIMIT, ...optional('runUrl', runUrl(env)) }));
  const json = JSON.stringify(report, null, 2);
  const dir = join(env.RUNNER_TEMP || process.cwd(), 'modelreg');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'report.json');
  writeFileSync(file, `${json}\n`);
  runner.output('verdict', report.verdict);
  runner.output('models', JSON.stringify(report.models));
  runner.output('report-file', file);
  const compact = JSON.stringify(report);
  runner.output('report', compact.length <= OUTPUT_LIMIT ? compact : JSON.stringify({ ...report, findings: report.findings.slice(0, 100), truncated: true }));
}

async function publishGitHub(
  runner: Runner,
  gh: Octokit,
  repo: GitHubRepo,
  event: ReviewEvent,
  report: ActionReport,
  inputs: Inputs,
  url: string | undefined,
): Promise<void> {
  // A fork's pull request gets a read-only token: say so, but the job's own exit code still carries the verdict.
  try {
    await setStatus(gh, repo, event.statusSha, report.verdict === 'pass' ? 'success' : 'failure', `modelreg ${statusDescription(report)}`, url);
  } catch (e) {
    runner.warning(`${(e as Error).message}${(e as ModelregError).hint ? ` — ${(e as ModelregError).hint}` : ''}`);
  }
  if (!inputs.comment || !event.pullRequest || event.name === 'merge_group') return;
  try {
    const body = renderMarkdown(report, { limit: COMMENT_LIMIT, marker: COMMENT_MARKER, ...optional('runUrl', url) });
    await upsertComment(gh, repo, event.pullRequest.number, body, COMMENT_MARKER, await commentAuthor(gh, inputs.commentAuthor || undefined));
  } catch (e) {
    runner.warning(`${(e as Error).message}${(e as ModelregError).hint ? ` — ${(e as ModelregError).hint}` : ''}`);
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: V }));
