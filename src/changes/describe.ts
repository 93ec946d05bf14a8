/**
 * What a pull request opened by modelreg says: the change in a sentence and, for a stage move, the
 * candidate's metrics beside the current holder's with deltas, and each gate with its result.
 */
import { cell } from '../review/escape.js';
import { compareMetrics } from '../registry/metrics.js';
import type { Snapshot } from '../registry/snapshot.js';
import type { StageMove } from '../checks/change.js';
import type { Plan } from './plan.js';

export function describePlan(snap: Snapshot, plan: Plan, moves: StageMove[]): { title: string; body: string } {
  const title = plan.message.split('\n')[0]!;
  const lines = [`${cell(title)}.`, ''];
  const intent = plan.intent;
  if ((intent.kind === 'promote' || intent.kind === 'rollback') && moves[0]) {
    const move = moves[0];
    const entry = snap.models.get(intent.model);
    const rows = compareMetrics(move.from ? entry?.versions.get(move.from)?.data.metrics : undefined, entry?.versions.get(move.to)?.data.metrics);
    if (rows.length) {
      lines.push(`| metric | ${cell(move.to)} (candidate) | ${cell(move.from ?? '—')} (holds ${cell(move.stage)}) | delta |`, '|---|---|---|---|');
      for (const r of rows)
        lines.push(`| ${cell(r.name)} | ${r.b ?? '—'} | ${r.a ?? '—'} | ${r.delta === null ? '—' : r.delta > 0 ? `+${r.delta}` : r.delta} |`);
      lines.push('');
    }
    if (move.gates.length) {
      lines.push('Gates of the base policy:', '');
      for (const g of move.gates) lines.push(`- ${g.passed ? '✅' : '❌'} ${cell(g.message)}`);
      lines.push('');
    }
  }
  // The body is the message under its subject, less the trailer modelreg ends every message with (a
  // reason may hold a line that looks like one: only the last line is the trailer). Paragraphs stay apart.
  const body = plan.message
    .split('\n')
    .slice(1)
    .join('\n')
    .replace(/\n*^Modelreg-Change:[^\n]*\s*$(?![\s\S])/m, '')
    .trim();
  for (const paragraph of body ? body.split(/\n{2,}/) : []) lines.push(cell(paragraph), '');
  lines.push(`Files: ${plan.files.map((f) => `\`${f.path}\``).join(', ')}`, '', '_Opened by modelreg. Merging this pull request is the approval._');
  return { title, body: lines.join('\n') };
}
