/** The pure side of the pull-request gate: approvals, escaping, the report and its rendering — plain data in, plain data out. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateChange } from '../../src/checks/validate.js';
import { factsNeeded, judgeApprovals, reviewState, type Review } from '../../src/review/approvals.js';
import { commandData, commandProperty, logLine, md, mermaidLabel, truncate } from '../../src/review/escape.js';
import { mermaidGraph } from '../../src/review/mermaid.js';
import { parseEvent } from '../../src/action/event.js';
import { annotations, COMMENT_MARKER, renderMarkdown, statusDescription } from '../../src/review/render.js';
import { approvalRequirements, artifactsToCheck, buildReport, type FailLevel } from '../../src/review/report.js';
import type { Finding } from '../../src/registry/findings.js';
import { fixtureFiles, paths, ROOT, snap, stage, version, good } from './helpers.js';

const HEAD = 'h'.repeat(40);
const r = (reviewer: string, state: string, commitId = HEAD): Review => ({ reviewer, state, commitId });

describe('reviewState', () => {
  it("takes each reviewer's latest verdict, ignoring comments and pending reviews", () => {
    const s = reviewState(
      [
        r('bob', 'APPROVED'),
        r('bob', 'COMMENTED'),
        r('carol', 'APPROVED'),
        r('carol', 'CHANGES_REQUESTED'),
        r('dave', 'CHANGES_REQUESTED'),
        r('dave', 'APPROVED'),
        r('erin', 'APPROVED'),
        r('erin', 'DISMISSED'),
        r('fay', 'PENDING'),
      ],
      HEAD,
      'alice',
    );
    expect(s).toEqual({ approvers: ['bob', 'dave'], stale: [], changesRequested: ['carol'], selfApproved: false });
  });

  it('never counts the author (whatever the letter case) and sets aside approvals of earlier commits', () => {
    const s = reviewState([r('Alice', 'APPROVED'), r('bob', 'APPROVED', 'o'.repeat(40)), r('BOB', 'COMMENTED')], HEAD, 'alice');
    expect(s).toEqual({ approvers: [], stale: ['bob'], changesRequested: [], selfApproved: true });
  });
});

describe('judgeApprovals', () => {
  const state = reviewState([r('bob', 'APPROVED'), r('carol', 'APPROVED'), r('dave', 'APPROVED')], HEAD, 'alice');

  it('without `from`, counts approvers with write access and fails closed on those it could not check', () => {
    expect(factsNeeded({ count: 2 }, state.approvers)).toEqual({ writeAccess: ['bob', 'carol', 'dave'], teams: [] });
    const j = judgeApprovals({ count: 2 }, state, { writeAccess: { bob: true, carol: false, dave: 'cannot read dave' }, teamMembership: {} });
    expect(j.passed).toBe(false);
    expect(j.counted).toEqual([{ reviewer: 'bob', as: 'has write access' }]);
    expect(j.ignored).toEqual([
      { reviewer: 'carol', why: 'has no write access' },
      { reviewer: 'dave', why: 'write access could not be checked' },
    ]);
    expect(j.message).toBe('1 of 2 approval(s) of the head commit; cannot read dave');
  });

  it('with `from`, counts named users and team members; asks about teams only for the others', () => {
    const req = { count: 2, from: ['carol', '@acme/leads'] };
    expect(factsNeeded(req, state.approvers)).toEqual({ writeAccess: [], teams: [{ org: 'acme', slug: 'leads', logins: ['bob', 'dave'] }] });
    const j = judgeApprovals(req, state, { writeAccess: {}, teamMembership: { 'acme/leads': { bob: true, dave: false } } });
    expect(j.passed).toBe(true);
    expect(j.counted).toEqual([
      { reviewer: 'bob', as: 'member of @acme/leads' },
      { reviewer: 'carol', as: 'named user' },
    ]);
    expect(j.ignored).toEqual([{ reviewer: 'dave', why: 'is not one of carol, @acme/leads' }]);
  });

  it('a team the token may not read is a problem named in the message, never a silent no', () => {
    const j = judgeApprovals({ count: 1, from: ['@acme/leads'] }, state, {
      writeAccess: {},
      teamMembership: { 'acme/leads': { bob: 'no members: read', carol: 'no members: read', dave: 'no members: read' } },
    });
    expect(j.passed).toBe(false);
    expect(j.problems).toEqual(['no members: read']);
    expect(j.message).toContain('no members: read');
  });
});

describe('escaping', () => {
  it('md renders hostile text as literal, one-line, mention-free Markdown', () => {
    const out = md('<b>x</b> @alice #12 [l](https://e.x) `c` *e* | a\nb');
    expect(out).not.toMatch(/<|@alice|\]\(|\n|https:/);
    expect(out).toContain('@&#8203;alice');
    expect(out).toContain('\\|');
    expect(md('\u202Eevil')).toBe('evil');
    expect(md('x'.repeat(500)).length).toBeLessThan(400);
  });

  it('workflow-command data and properties cannot end the command or start another', () => {
    expect(commandData('a%b\r\n::error::x')).toBe('a%25b%0D%0A::error::x');
    expect(commandProperty('a:b,c\n')).toBe('a%3Ab%2Cc%0A');
    expect(logLine('::add-mask::secret')).toBe('\u200B::add-mask::secret');
    expect(logLine('  ##[error]x')).toMatch(/^\u200B##/);
    expect(logLine('ok\n::error::x')).toBe('ok ⏎ ::error::x');
  });

  it('Mermaid labels cannot close the label, the node or the fence', () => {
    expect(mermaidLabel('a"]-->b```<x>')).toBe('a#quot;#93;--#gt;b#96;#96;#96;#lt;x#gt;');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});

describe('parseEvent', () => {
  const sha = (c: string) => c.repeat(40);
  it('reads pull_request, pull_request_review and merge_group payloads', () => {
    const pr = { pull_request: { number: 7, user: { login: 'alice' }, base: { sha: sha('a') }, head: { sha: sha('b') } } };
    expect(parseEvent('pull_request_review', pr)).toEqual({
      name: 'pull_request_review',
      base: sha('a'),
      head: sha('b'),
      merge: true,
      pullRequest: { number: 7, author: 'alice', headSha: sha('b') },
      statusSha: sha('b'),
    });
    const mg = { merge_group: { base_sha: sha('a'), head_sha: sha('c'), head_ref: `refs/heads/gh-readonly-queue/main/pr-12-${sha('b')}` } };
    expect(parseEvent('merge_group', mg)).toMatchObject({ merge: false, pullRequest: { number: 12, author: null }, statusSha: sha('c') });
  });

  it('refuses other events and malformed commit ids', () => {
    expect(() => parseEvent('push', {})).toThrow(/does not judge "push"/);
    expect(() => parseEvent('pull_request', { pull_request: { number: 1, base: { sha: 'main; rm -rf /' }, head: { sha: sha('b') } } })).toThrow(
      /pull_request.base.sha/,
    );
  });
});

describe('the report', () => {
  const base = snap(fixtureFiles());
  const promoted = {
    ...fixtureFiles(),
    [paths.stage('sentiment', 'production')]: stage('sentiment', 'production', '1.2.0', { previous: '1.1.0' }),
    [paths.version('sentiment', '1.3.0')]: version('sentiment', '1.3.0', good(0.95)),
  };
  const head = snap(promoted);
  const change = validateChange(base, head);
  const build = (failLevel: FailLevel, approved: boolean, extra: Finding[] = []) => {
    const [need] = approvalRequirements(base, change.change);
    const approvals = new Map([
      [
        need!.key,
        judgeApprovals(need!.requirement, reviewState(approved ? [r('bob', 'APPROVED')] : [], HEAD, 'alice'), {
          writeAccess: { bob: true },
          teamMembership: {},
        }),
      ],
    ]);
    return buildReport({
      event: 'pull_request',
      pullRequest: 1,
      base: 'b'.repeat(40),
      head: HEAD,
      baseSnapshot: base,
      headSnapshot: head,
      change,
      approvals,
      artifacts: { store: null, checked: 0, findings: extra },
      failLevel,
    });
  };

  it("adds the approval gate from the base policy, with metrics beside the holder's", () => {
    const ok = build('error', true);
    expect(ok.verdict).toBe('pass');
    expect(ok.promotions[0]!.gates.at(-1)).toMatchObject({ gate: 'approvals', passed: true });
    expect(ok.promotions[0]!.metrics.find((m) => m.name === 'accuracy')).toEqual({ name: 'accuracy', candidate: 0.91, holder: 0.89, delta: 0.02 });
    // The version added, and the one entering production (its bytes may be gone): the latter located at the stage file.
    expect(artifactsToCheck(change.change, head).map((a) => `${a.ref} ${a.path}${a.stage ? ` (${a.stage.file})` : ''}`)).toEqual([
      'sentiment@1.3.0 model.bin',
      'sentiment@1.2.0 model.safetensors (models/sentiment/stages/production.yaml)',
      'sentiment@1.2.0 tokenizer.json (models/sentiment/stages/production.yaml)',
    ]);
    const failed = build('error', false);
    expect(failed.verdict).toBe('fail');
    expect(failed.findings.find((f) => f.code === 'gate-approvals')).toMatchObject({ file: 'models/sentiment/stages/production.yaml', severity: 'error' });
  });

  it('the fail level decides the verdict', () => {
    const warn: Finding = { code: 'artifact-unchecked', severity: 'warning', message: 'no store' };
    expect(build('error', true, [warn]).verdict).toBe('pass');
    expect(build('warning', true, [warn]).verdict).toBe('fail');
    expect(build('none', false).verdict).toBe('pass');
  });

  it('renders within a limit by cutting the findings table, and keeps annotations to ten per severity', () => {
    const many: Finding[] = Array.from({ length: 300 }, (_, i) => ({
      code: 'tree-unexpected-file',
      severity: 'warning',
      message: `junk ${i} ${'z'.repeat(200)}`,
      file: `models/x/junk-${i}`,
    }));
    const report = build('error', true, many);
    const text = renderMarkdown(report, { limit: 20_000, marker: COMMENT_MARKER });
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text.startsWith(COMMENT_MARKER)).toBe(true);
    expect(text).toMatch(/… and \d+ more in report\.json/);
    const lines = annotations(report.findings, 'registry');
    expect(lines.filter((l) => l.startsWith('::warning'))).toHaveLength(10);
    expect(lines[0]).toMatch(/^::warning file=registry\/models\/x\/junk-0,title=modelreg tree-unexpected-file::/);
    expect(lines.at(-1)).toBe('::notice title=modelreg::290 more warning(s) are listed in the job summary');
    expect(statusDescription(report).length).toBeLessThanOrEqual(140);
  });
});

describe("the registry template's workflow", () => {
  it('runs on the three events with minimal permissions, and passes only inputs the action declares', () => {
    const wf = parse(readFileSync(join(ROOT, 'registry-template/.github/workflows/modelreg.yml'), 'utf8'));
    const action = parse(readFileSync(join(ROOT, 'action/action.yml'), 'utf8'));
    expect(Object.keys(wf.on).sort()).toEqual(['merge_group', 'pull_request', 'pull_request_review']);
    expect(wf.permissions).toEqual({ contents: 'read', 'pull-requests': 'write', statuses: 'write' });
    expect(wf.concurrency.group).toContain('github.event.pull_request.number');
    const step = wf.jobs.gate.steps.find((s: { uses?: string }) => s.uses?.includes('/action@'));
    for (const k of Object.keys(step.with)) expect(Object.keys(action.inputs)).toContain(k);
    expect(wf.jobs.gate.steps[0].with['fetch-depth']).toBe(0);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.mjs' });
  });
});

describe('mermaidGraph: the one Mermaid renderer', () => {
  it('numbers nodes as met, quotes and escapes every label, draws lone nodes and the emphasised thicker', () => {
    const lines = mermaidGraph(
      'LR',
      [
        { parent: 'a@1.0.0', child: 'b@1.0.0', relation: 'fine-tuned-from' },
        { parent: 'b@1.0.0', child: 'x"]-->y@1.0.0', relation: null },
      ],
      { nodes: ['lone@1.0.0', 'a@1.0.0'], emphasised: ['b@1.0.0', 'not-drawn@1.0.0'] },
    );
    expect(lines).toEqual([
      'graph LR',
      '  n0["a@1.0.0"] -->|"fine-tuned-from"| n1["b@1.0.0"]',
      '  n1["b@1.0.0"] --> n2["x#quot;#93;--#gt;y@1.0.0"]',
      '  n3["lone@1.0.0"]',
      '  classDef emphasis stroke-width:3px',
      '  class n1 emphasis',
    ]);
    expect(mermaidGraph('TD', [])).toEqual(['graph TD']);
  });
});
