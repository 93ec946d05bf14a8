/**
 * The hostile-input catalogue (test/hostile/catalogue.ts) as pull requests to the bundled action, run
 * as a runner runs it against the loopback GitHub stand-in: every case fails the check (or, for the
 * two warning cases, passes with the warning) with its findings naming file and line in report.json,
 * no uncaught exception, no secret or outside file in any output, and no pull-request text turned into
 * a workflow command.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCase } from '../hostile/apply.js';
import { CANARY, CATALOGUE, type HostileCase } from '../hostile/catalogue.js';
import { expectNoLeak, prEvent, pullRequest, runAction, useStandIn } from './action-harness.js';

useStandIn();

const outside = mkdtempSync(join(tmpdir(), 'modelreg-outside-'));
const canaryFile = join(outside, 'secret.yaml');
writeFileSync(canaryFile, `name: ${CANARY}\nowners: [${CANARY}]\n`);
afterAll(() => rmSync(outside, { recursive: true, force: true }));

async function check(c: HostileCase): Promise<void> {
  const pr = pullRequest((d) => applyCase(d, c, canaryFile));
  const run = await runAction(pr, prEvent(pr));
  const where = `${c.id} (${c.what})`;
  expect(run.stderr, where).not.toMatch(/TypeError|RangeError|ReferenceError|at .*\.mjs:\d+/);
  const refused = (c.verdict ?? 'error') === 'error';
  expect({ where, code: run.code, verdict: run.outputs.verdict }).toEqual({ where, code: refused ? 1 : 0, verdict: refused ? 'fail' : 'pass' });
  for (const want of c.expect) {
    const found = run.report.findings.filter((f: { code: string; file?: string }) => f.code === want.code && f.file === want.file);
    expect(found.length, `${where}: expected ${want.code} in ${want.file}; got ${JSON.stringify(run.report.findings.slice(0, 5).map((f: { code: string; file?: string; line?: number }) => [f.code, f.file, f.line]))}`).toBeGreaterThan(0);
    if (want.line !== undefined) expect(found.map((f: { line?: number }) => f.line), where).toContain(want.line);
  }
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
