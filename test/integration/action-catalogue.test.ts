/**
 * The hostile-input catalogue (test/hostile/catalogue.ts) as pull requests to the bundled action, run
 * as a runner runs it against the loopback GitHub stand-in: every case fails the check (or, for the
 * two warning cases, passes with the warning) with its findings naming file and line in report.json,
 * no uncaught exception, no secret or outside file in any output, and no pull-request text turned into
 * a workflow command.
 */
import { describe, expect, it } from 'vitest';
import { applyCase, expectCaseFindings, outsideCanaryFile } from '../hostile/apply.js';
import { CANARY, CATALOGUE, type HostileCase } from '../hostile/catalogue.js';
import { expectNoLeak, prEvent, pullRequest, runAction, useStandIn } from './action-harness.js';

useStandIn();

const canaryFile = outsideCanaryFile();

async function check(c: HostileCase): Promise<void> {
  const pr = pullRequest((d) => applyCase(d, c, canaryFile));
  const run = await runAction(pr, prEvent(pr));
  const where = `${c.id} (${c.what})`;
  expect(run.stderr, where).not.toMatch(/TypeError|RangeError|ReferenceError|at .*\.mjs:\d+/);
  const refused = (c.verdict ?? 'error') === 'error';
  expect({ where, code: run.code, verdict: run.outputs.verdict }).toEqual({ where, code: refused ? 1 : 0, verdict: refused ? 'fail' : 'pass' });
  expectCaseFindings(run.report.findings, c, where);
  expectNoLeak(run);
  for (const text of [run.stdout, run.stderr, run.summary, JSON.stringify(run.report)]) expect(text, where).not.toContain(CANARY);
  expect(run.stdout + run.summary, where).not.toMatch(/[\u001b\u0007]/);
}

describe('the hostile-input catalogue, as pull requests to the action', () => {
  for (const group of ['yaml', 'names', 'values', 'tree', 'output'] as const) {
    it(`judges every ${group} case closed, naming file and line, leaking nothing`, { timeout: 300_000 }, async () => {
      // One at a time: the stand-in's state is shared.
      for (const c of CATALOGUE.filter((x) => x.group === group)) await check(c);
    });
  }
});
