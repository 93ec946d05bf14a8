/** The one validation engine: `modelreg validate`, the write commands and the action all call these. */
import { hasErrors, sortFindings, type Finding } from '../registry/findings.js';
import type { Snapshot } from '../registry/snapshot.js';
import { checkChange, type ChangeSummary, type ChangeTiming } from './change.js';
import { checkConsistency } from './consistency.js';

export interface TreeReport {
  ok: boolean;
  findings: Finding[];
}

export interface ChangeReport extends TreeReport {
  change: ChangeSummary;
}

export function validateTree(snap: Snapshot): TreeReport {
  const findings = sortFindings([...snap.findings, ...checkConsistency(snap)]);
  return { ok: !hasErrors(findings), findings };
}

/**
 * A change is judged by the head tree's own validity plus the rules between base and head. Errors that
 * the base already had (same code, file and message) are not the change's fault: they are kept, as
 * warnings marked pre-existing, so one broken file on main does not block every pull request.
 */
export function validateChange(base: Snapshot, head: Snapshot, timing?: ChangeTiming): ChangeReport {
  const baseKeys = new Set(
    validateTree(base)
      .findings.filter((f) => f.severity === 'error')
      .map(key),
  );
  const headFindings = validateTree(head).findings.map((f) =>
    f.severity === 'error' && baseKeys.has(key(f)) ? { ...f, severity: 'warning' as const, message: `${f.message} (pre-existing in the base)` } : f,
  );
  const { findings, summary } = checkChange(base, head, timing);
  const all = sortFindings([...headFindings, ...findings]);
  return { ok: !hasErrors(all), findings: all, change: summary };
}

function key(f: Finding): string {
  return `${f.code}\u0000${f.file ?? ''}\u0000${f.message}`;
}
