/**
 * What the triggering event says: which commits to judge and which pull request they belong to. Pure.
 * Values are checked for shape (40- or 64-digit hex commit ids, positive numbers) before use, because
 * the event file, though written by the runner, carries text the pull request chose (titles, branches).
 */
import { ModelregError } from '../registry/errors.js';

export interface ReviewEvent {
  name: 'pull_request' | 'pull_request_target' | 'pull_request_review' | 'merge_group';
  base: string;
  head: string;
  /** Merge head into base before judging (pull requests); a merge group's head is already the merge. */
  merge: boolean;
  pullRequest: { number: number; author: string | null; headSha: string | null } | null;
  /** The commit the status goes on: the pull request's head, or the merge group's head. */
  statusSha: string;
}

export const SUPPORTED_EVENTS = ['pull_request', 'pull_request_target', 'pull_request_review', 'merge_group'] as const;
const SHA = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});

function sha(v: unknown, what: string): string {
  if (typeof v === 'string' && SHA.test(v)) return v;
  throw new ModelregError('usage', `the event has no valid ${what}`, { hint: 'Run the action on pull_request, pull_request_review or merge_group events.' });
}

export function parseEvent(name: string, payload: unknown): ReviewEvent {
  const p = obj(payload);
  if (name === 'pull_request' || name === 'pull_request_target' || name === 'pull_request_review') {
    const pr = obj(p.pull_request);
    const base = sha(obj(pr.base).sha, 'pull_request.base.sha');
    const head = sha(obj(pr.head).sha, 'pull_request.head.sha');
    const number = pr.number;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) throw new ModelregError('usage', 'the event has no valid pull_request.number');
    const login = obj(pr.user).login;
    return { name, base, head, merge: true, pullRequest: { number, author: typeof login === 'string' ? login : null, headSha: head }, statusSha: head };
  }
  if (name === 'merge_group') {
    const mg = obj(p.merge_group);
    const base = sha(mg.base_sha, 'merge_group.base_sha');
    const head = sha(mg.head_sha, 'merge_group.head_sha');
    // refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>: the pull request whose approvals apply.
    const m = /\/pr-(\d{1,9})-[0-9a-f]{40,64}$/.exec(typeof mg.head_ref === 'string' ? mg.head_ref : '');
    return { name, base, head, merge: false, pullRequest: m ? { number: Number(m[1]), author: null, headSha: null } : null, statusSha: head };
  }
  throw new ModelregError('usage', `the action does not judge "${name}" events`, { hint: `Trigger it on ${SUPPORTED_EVENTS.join(', ')}.` });
}
