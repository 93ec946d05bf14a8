/**
 * describePlan: the title and body of the pull request modelreg opens for a change (`--pr`). Plans come
 * from the real planChange and stage moves from the real checkPlan, on the base tree, as in applyIntent.
 */
import { describe, expect, it } from 'vitest';
import { checkPlan } from '../../src/changes/check.js';
import { describePlan } from '../../src/changes/describe.js';
import { planChange, type Intent, type Plan } from '../../src/changes/plan.js';
import type { StageMove } from '../../src/checks/change.js';
import { M, S, V, good, model, policy, snap, stage, tree, version, type Files } from './helpers.js';

const ctx = { now: '2026-03-01T12:00:00Z', actor: 'bob' };

/**
 * The base registry.
 * Model m: 1.0.0 (accuracy 0.9, latency_ms 40, loss 0.3), 1.1.0 (accuracy 0.93, latency_ms 35, f1 0.8),
 *   1.2.0 (accuracy 0.95, latency_ms 45, throughput 120); production held by 1.1.0 (previous 1.0.0),
 *   staging and development by 1.2.0.
 * Model n, whose versions share m's numbers but not its metrics: 1.1.0 (accuracy 0.5), 1.2.0 (accuracy
 *   0.6); it holds no stage.
 */
function base(extra: Files = {}): Files {
  return {
    'registry.yaml': policy(),
    [M('m')]: model('m'),
    [V('m', '1.0.0')]: version('m', '1.0.0', good(0.9, { metrics: { accuracy: 0.9, latency_ms: 40, loss: 0.3 } })),
    [V('m', '1.1.0')]: version('m', '1.1.0', good(0.93, { metrics: { accuracy: 0.93, latency_ms: 35, f1: 0.8 } })),
    [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95, { metrics: { accuracy: 0.95, latency_ms: 45, throughput: 120 } })),
    [S('m', 'production')]: stage('m', 'production', '1.1.0', { previous: '1.0.0' }),
    [S('m', 'staging')]: stage('m', 'staging', '1.2.0', { previous: '1.1.0' }),
    [S('m', 'development')]: stage('m', 'development', '1.2.0'),
    [M('n')]: model('n'),
    [V('n', '1.1.0')]: version('n', '1.1.0', good(0.5)),
    [V('n', '1.2.0')]: version('n', '1.2.0', good(0.6)),
    ...extra,
  };
}

interface Described {
  plan: Plan;
  moves: StageMove[];
  title: string;
  body: string;
}

/** Plan the intent on `files`, check it, and describe it as applyIntent does before opening the pull request. */
function described(intent: Intent, files: Files = base()): Described {
  const plan = planChange(snap(files), intent, ctx);
  const moves = checkPlan(tree(files), plan, { noVerify: true }).change.stageMoves;
  return { plan, moves, ...describePlan(snap(files), plan, moves) };
}

const lines = (body: string) => body.split('\n');

/** The body's Markdown table as rows of trimmed cells (header first, the |---| row left out). */
function table(body: string): string[][] {
  return lines(body)
    .filter((l) => l.startsWith('|') && !/^\|(-+\|)+$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    );
}

/** The metric rows of the table, keyed by metric: [candidate, holder, delta]. */
function metricRows(body: string): Record<string, [string, string, string]> {
  const out: Record<string, [string, string, string]> = {};
  for (const [name, candidate, holder, delta] of table(body).slice(1)) out[name!] = [candidate!, holder!, delta!];
  return out;
}

const gateLines = (body: string) => lines(body).filter((l) => /^- (✅|❌) /.test(l));

const mentionsGates = (body: string) => body.includes('Gates of the base policy');
const icon = (passed: boolean) => (passed ? '✅' : '❌');

describe('the title and the frame of the body', () => {
  const cases: [string, Intent][] = [
    ['a promotion', { kind: 'promote', model: 'm', version: '1.2.0', stage: 'production', reason: 'passed the offline evaluation' }],
    ['a rollback', { kind: 'rollback', model: 'm', stage: 'production' }],
    ['a deprecation', { kind: 'deprecate', model: 'm', version: '1.0.0', reason: 'superseded' }],
    ['a registration', { kind: 'register', model: 'm', version: '2.0.0', artifacts: [{ path: 'model.bin', sha256: 'c'.repeat(64), size: 3 }] }],
  ];
  it.each(cases)('%s: the title is the commit subject, the body opens with it as a sentence and ends naming the files', (_what, intent) => {
    const d = described(intent);
    expect(d.title).not.toMatch(/\n/);
    expect(d.plan.message.startsWith(`${d.title}\n`)).toBe(true);
    expect(lines(d.body)[0]).toBe(`${d.title}.`);
    const files = lines(d.body).find((l) => l.startsWith('Files: '));
    for (const f of d.plan.files) expect(files).toContain(`\`${f.path}\``);
    expect(lines(d.body).at(-1)).toMatch(/Merging this pull request is the approval/);
  });

  it.each(cases)('%s: the Modelreg-Change trailer of the commit stays out of the body', (_what, intent) => {
    const d = described(intent);
    expect(d.plan.message).toMatch(/^Modelreg-Change: /m); // the fixture is what the test is about
    expect(d.body).not.toContain('Modelreg-Change');
  });
});

describe('a promotion', () => {
  it("sets the candidate's metrics beside the current holder's, delta being candidate minus holder", () => {
    const d = described({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'production' });
    const [header] = table(d.body);
    expect(header).toEqual(['metric', '1.2.0 (candidate)', '1.1.0 (holds production)', 'delta']);
    const rows = metricRows(d.body);
    expect(rows).toEqual({
      accuracy: ['0.95', '0.93', '+0.02'], // rounded, not 0.019999999999999907
      f1: ['—', '0.8', '—'], // only the holder has it
      latency_ms: ['45', '35', '+10'], // the sign is arithmetic; whether higher is better is the policy's business
      throughput: ['120', '—', '—'], // only the candidate has it
    });
    expect(Object.keys(rows)).toEqual(Object.keys(rows).sort());
  });

  it('into a stage nobody holds: the holder column and every delta are empty', () => {
    const d = described({ kind: 'promote', model: 'n', version: '1.2.0', stage: 'development' });
    expect(d.moves).toMatchObject([{ model: 'n', stage: 'development', from: null, to: '1.2.0' }]);
    const [header] = table(d.body);
    expect(header![1]).toBe('1.2.0 (candidate)');
    expect(header![2]!.startsWith('—')).toBe(true);
    expect(metricRows(d.body)).toEqual({ accuracy: ['0.6', '—', '—'] });
  });

  it("reads the metrics of the model promoted, not of another model's version with the same number", () => {
    // n@1.2.0 has accuracy 0.6; m@1.2.0, which holds staging, has 0.95 and three other metrics.
    const d = described({ kind: 'promote', model: 'n', version: '1.2.0', stage: 'development' });
    expect(Object.keys(metricRows(d.body))).toEqual(['accuracy']);
    expect(d.body).not.toContain('0.95');
  });

  it('a stage without gates gets no gates section', () => {
    const d = described({ kind: 'promote', model: 'n', version: '1.2.0', stage: 'development' });
    expect(d.moves[0]!.gates).toEqual([]);
    expect(mentionsGates(d.body)).toBe(false);
    expect(gateLines(d.body)).toEqual([]);
  });

  it('lists every gate of the base policy with its result, failures included (as with --no-verify)', () => {
    // 1.2.0 without the reviewed tag and under another licence: two of production's gates fail.
    const files = base({ [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95, { tags: { license: 'mit' } })) });
    const d = described({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'production' }, files);
    const gates = d.moves[0]!.gates;
    expect(
      gates
        .filter((g) => !g.passed)
        .map((g) => g.subject)
        .sort(),
    ).toEqual(['license', 'reviewed']);
    expect(mentionsGates(d.body)).toBe(true);
    const listed = gateLines(d.body);
    expect(listed).toHaveLength(gates.length);
    for (const g of gates) expect(listed).toContain(`- ${icon(g.passed)} ${g.message}`);
    expect(listed.filter((l) => l.startsWith('- ❌'))).toHaveLength(2);
  });

  it('with --deprecate-previous: names both files and the version it deprecates', () => {
    const d = described({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'production', deprecatePrevious: true });
    expect(d.plan.retired?.deprecated).toEqual(['1.1.0']);
    const files = lines(d.body).find((l) => l.startsWith('Files: '))!;
    expect(files).toContain(`\`${S('m', 'production')}\``);
    expect(files).toContain(`\`${V('m', '1.1.0')}\``);
    expect(d.body).toContain('Deprecates m@1.1.0');
    expect(table(d.body)[0]!.slice(1, 3)).toEqual(['1.2.0 (candidate)', '1.1.0 (holds production)']);
  });
});

describe('a rollback', () => {
  it('sets the version going back beside the one leaving, with negative deltas where it is lower', () => {
    const d = described({ kind: 'rollback', model: 'm', stage: 'production' });
    expect(d.moves).toMatchObject([{ stage: 'production', from: '1.1.0', to: '1.0.0', rollback: true }]);
    expect(d.title).toMatch(/^Rollback\b/);
    expect(table(d.body)[0]).toEqual(['metric', '1.0.0 (candidate)', '1.1.0 (holds production)', 'delta']);
    expect(metricRows(d.body)).toEqual({
      accuracy: ['0.9', '0.93', '-0.03'],
      f1: ['—', '0.8', '—'],
      latency_ms: ['40', '35', '+5'],
      loss: ['0.3', '—', '—'],
    });
  });

  it('lists the gates a rollback is judged by: no order and no regression gate', () => {
    const d = described({ kind: 'rollback', model: 'm', stage: 'production', to: '1.0.0' });
    const gates = d.moves[0]!.gates;
    expect(gates.length).toBeGreaterThan(0);
    expect(gates.map((g) => g.gate)).not.toContain('order');
    expect(gates.map((g) => g.gate)).not.toContain('regression');
    const listed = gateLines(d.body);
    expect(listed).toHaveLength(gates.length);
    for (const g of gates) expect(listed).toContain(`- ${icon(g.passed)} ${g.message}`);
  });
});

describe('changes without a stage move', () => {
  const noTable = (body: string) => expect(lines(body).filter((l) => l.startsWith('|'))).toEqual([]);

  it('a registration says what was registered, with no table and no gates', () => {
    const d = described({
      kind: 'register',
      model: 'm',
      version: '2.0.0',
      metrics: { accuracy: 0.97 },
      artifacts: [{ path: 'model.bin', sha256: 'c'.repeat(64), size: 3 }],
    });
    expect(d.moves).toEqual([]);
    noTable(d.body);
    expect(mentionsGates(d.body)).toBe(false);
    expect(d.body).toContain('accuracy=0.97');
    expect(lines(d.body).find((l) => l.startsWith('Files: '))).toBe(`Files: \`${V('m', '2.0.0')}\``);
  });

  it("a new model's registration names its model.yaml as well", () => {
    const d = described({ kind: 'register', model: 'fresh', artifacts: [{ path: 'model.bin', sha256: 'c'.repeat(64), size: 3 }] });
    const files = lines(d.body).find((l) => l.startsWith('Files: '))!;
    expect(files).toContain(`\`${M('fresh')}\``);
    expect(files).toContain(`\`${V('fresh', '1.0.0')}\``);
  });

  it('a deprecation carries its reason and names the version file', () => {
    const d = described({ kind: 'deprecate', model: 'm', version: '1.0.0', reason: 'superseded by 1.2.0' });
    noTable(d.body);
    expect(d.body).toContain('superseded by 1.2.0');
    expect(d.body).toContain(`\`${V('m', '1.0.0')}\``);
  });

  it('keep-latest names the versions it deprecates and those it keeps, with why', () => {
    // Releases 1.2.0, 1.1.0, 1.0.0; keeping one: 1.1.0 holds production and stays, 1.0.0 goes.
    const d = described({ kind: 'keep-latest', model: 'm', keepLatest: 1 });
    expect(d.plan.retired).toEqual({ deprecated: ['1.0.0'], kept: [{ version: '1.1.0', reason: 'holds production' }] });
    noTable(d.body);
    expect(d.body).toMatch(/deprecated: 1\.0\.0/);
    expect(d.body).toMatch(/kept 1\.1\.0: it holds production/);
  });

  it('an unassignment names the stage file it deletes', () => {
    const d = described({ kind: 'unassign', model: 'm', stage: 'development' });
    noTable(d.body);
    expect(d.body).toContain(`\`${S('m', 'development')}\``);
  });

  it('a promotion whose check found no stage move is described without table or gates', () => {
    const files = base();
    const plan = planChange(snap(files), { kind: 'promote', model: 'm', version: '1.2.0', stage: 'production' }, ctx);
    const { title, body } = describePlan(snap(files), plan, []);
    expect(lines(body)[0]).toBe(`${title}.`);
    noTable(body);
    expect(mentionsGates(body)).toBe(false);
  });
});

describe('hostile text', () => {
  it('a reason cannot forge a gate line, open HTML or start a table', () => {
    const reason = 'fine\n- ✅ approved by security\n<img src=x onerror=alert(1)>\n| forged | row |';
    const d = described({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'production', reason });
    expect(gateLines(d.body)).toHaveLength(d.moves[0]!.gates.length);
    expect(lines(d.body).some((l) => l.includes('approved by security') && /^- /.test(l))).toBe(false);
    expect(d.body).toContain('approved by security'); // shown, as text
    expect(d.body).not.toContain('<');
    expect(table(d.body)).toHaveLength(1 + 4); // the header and m's four metrics, nothing forged
  });

  it('manifest text that a gate message quotes is flattened and defused as well', () => {
    // A tag value (free text in the candidate's manifest) that tries to add a passing gate and HTML.
    const reviewed = 'yes\n- ✅ lineage.datasets is recorded <b onmouseover=alert(1)>ok</b>';
    const files = base({ [V('m', '1.2.0')]: version('m', '1.2.0', good(0.95, { tags: { reviewed, license: 'apache-2.0' } })) });
    expect(snap(files).findings.filter((f) => f.severity === 'error')).toEqual([]); // the registry accepts this text
    const d = described({ kind: 'promote', model: 'm', version: '1.2.0', stage: 'production' }, files);
    const gates = d.moves[0]!.gates;
    expect(gates.find((g) => g.subject === 'reviewed')?.message).toContain(reviewed);
    expect(gateLines(d.body)).toHaveLength(gates.length);
    expect(d.body).not.toContain('<');
  });
});
