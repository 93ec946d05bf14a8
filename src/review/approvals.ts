/**
 * Approval gates ("production needs 2 approvals from these users or teams"), decided from plain data the
 * edge fetched: the pull request's reviews, and what the API said about who may approve. Pure.
 *
 * Rules: each reviewer's latest review that is not a comment is their verdict (a later "changes requested"
 * or a dismissal withdraws an approval); only approvals of the head commit count (a push after an approval
 * needs a new one); the pull request's author never counts.
 */
import type { StageGates } from '../registry/types.js';

export type ApprovalRequirement = NonNullable<StageGates['approvals']>;

export interface Review {
  reviewer: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING (as the API spells them). */
  state: string;
  commitId: string | null;
}

export interface ReviewState {
  /** Reviewers whose verdict is an approval of the head commit, author excluded; in review order. */
  approvers: string[];
  /** Reviewers whose approval is of an older commit. */
  stale: string[];
  /** Reviewers whose verdict is "changes requested". */
  changesRequested: string[];
  /** The author approving their own pull request, which never counts. */
  selfApproved: boolean;
}

const login = (s: string): string => s.toLowerCase();

export function reviewState(reviews: Review[], headSha: string, author: string): ReviewState {
  const latest = new Map<string, Review>();
  for (const r of reviews) {
    if (r.state === 'COMMENTED' || r.state === 'PENDING') continue;
    latest.delete(login(r.reviewer)); // keep insertion order = order of the latest verdict
    latest.set(login(r.reviewer), r);
  }
  const out: ReviewState = { approvers: [], stale: [], changesRequested: [], selfApproved: false };
  for (const r of latest.values()) {
    if (r.state === 'CHANGES_REQUESTED') out.changesRequested.push(r.reviewer);
    if (r.state !== 'APPROVED') continue;
    if (login(r.reviewer) === login(author)) out.selfApproved = true;
    else if (r.commitId !== headSha) out.stale.push(r.reviewer);
    else out.approvers.push(r.reviewer);
  }
  return out;
}

/** A `from` entry: a user ("alice" or "@alice") or a team ("@org/team"). */
export function parsePrincipal(entry: string): { kind: 'user'; login: string } | { kind: 'team'; org: string; slug: string } {
  const bare = entry.replace(/^@/, '');
  const slash = bare.indexOf('/');
  return slash < 0 ? { kind: 'user', login: bare } : { kind: 'team', org: bare.slice(0, slash), slug: bare.slice(slash + 1) };
}

/** What the API said. `true`/`false` are answers; a string is why it could not tell. */
export interface ApprovalFacts {
  /** login → has write access to the repository (used when the requirement names nobody). */
  writeAccess: Record<string, boolean | string>;
  /** "org/team" → login → is an active member. */
  teamMembership: Record<string, Record<string, boolean | string>>;
}

/** The users and teams whose membership must be asked for, given who approved. */
export function factsNeeded(
  req: ApprovalRequirement,
  approvers: string[],
): { writeAccess: string[]; teams: { org: string; slug: string; logins: string[] }[] } {
  if (!req.from?.length) return { writeAccess: approvers, teams: [] };
  const users = new Set(req.from.map(parsePrincipal).flatMap((p) => (p.kind === 'user' ? [login(p.login)] : [])));
  const teams = req.from.map(parsePrincipal).flatMap((p) => (p.kind === 'team' ? [p] : []));
  const pending = approvers.filter((a) => !users.has(login(a)));
  return { writeAccess: [], teams: pending.length ? teams.map((t) => ({ org: t.org, slug: t.slug, logins: pending })) : [] };
}

export interface ApprovalResult {
  required: number;
  /** Whose approvals count, and why. */
  counted: { reviewer: string; as: string }[];
  /** Approvals that do not count, and why. */
  ignored: { reviewer: string; why: string }[];
  /** Questions the API could not answer (e.g. the token may not read team membership). */
  problems: string[];
  passed: boolean;
  message: string;
}

export function judgeApprovals(req: ApprovalRequirement, state: ReviewState, facts: ApprovalFacts): ApprovalResult {
  const counted: ApprovalResult['counted'] = [];
  const ignored: ApprovalResult['ignored'] = [];
  const problems = new Set<string>();
  const principals = (req.from ?? []).map(parsePrincipal);
  for (const reviewer of state.approvers) {
    if (!principals.length) {
      const w = facts.writeAccess[reviewer] ?? facts.writeAccess[login(reviewer)];
      if (w === true) counted.push({ reviewer, as: 'has write access' });
      else if (w === false) ignored.push({ reviewer, why: 'has no write access' });
      else {
        ignored.push({ reviewer, why: 'write access could not be checked' });
        problems.add(typeof w === 'string' ? w : `the write access of ${reviewer} was not checked`);
      }
      continue;
    }
    let as: string | undefined;
    let unknown = false;
    for (const p of principals) {
      if (p.kind === 'user') {
        if (login(p.login) === login(reviewer)) as = 'named user';
      } else {
        const team = `${p.org}/${p.slug}`;
        const m = facts.teamMembership[team]?.[reviewer] ?? facts.teamMembership[team]?.[login(reviewer)];
        if (m === true) as = `member of @${team}`;
        else if (typeof m === 'string') {
          unknown = true;
          problems.add(m);
        } else if (m === undefined) {
          unknown = true;
          problems.add(`the membership of ${reviewer} in @${team} was not checked`);
        }
      }
      if (as) break;
    }
    if (as) counted.push({ reviewer, as });
    else ignored.push({ reviewer, why: unknown ? 'team membership could not be checked' : `is not one of ${req.from!.join(', ')}` });
  }
  for (const reviewer of state.stale) ignored.push({ reviewer, why: 'approved an earlier commit' });
  if (state.selfApproved) ignored.push({ reviewer: '(author)', why: "the author's own approval never counts" });
  const passed = counted.length >= req.count;
  const who = req.from?.length ? ` from ${req.from.join(', ')}` : '';
  const message = `${counted.length} of ${req.count} approval(s)${who} of the head commit${passed ? '' : problems.size ? `; ${[...problems][0]}` : ''}`;
  return { required: req.count, counted, ignored, problems: [...problems], passed, message };
}
