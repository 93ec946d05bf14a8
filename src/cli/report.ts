/**
 * Human output that does not need oclif: tables, findings and errors as the CLI prints them. The fast
 * path for `resolve` (cli/fast-path.ts) prints through these too, so both paths print the same bytes.
 */
import type { ModelregError } from '../registry/errors.js';
import { formatLocation, type Finding } from '../registry/findings.js';
import { jsonText, printable } from './terminal.js';

/** Align columns for terminal tables. */
export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return (
    rows
      .map((r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** `file:line:col: severity[code] message`, then the hint, for each finding. */
export function findingsText(findings: readonly Finding[]): string {
  return findings
    .map((f) => {
      const where = formatLocation(f);
      return `${where ? `${where}: ` : ''}${f.severity}[${f.code}] ${f.message}\n${f.hint ? `  hint: ${f.hint}\n` : ''}`;
    })
    .join('');
}

/** An error as the CLI prints it on stderr: its findings, if it carries any, then `error[code]: message`, where and the hint. */
export function errorText(err: ModelregError): string {
  const where = formatLocation(err);
  const findings = (err as { findings?: Finding[] }).findings;
  return `${findings ? findingsText(findings) : ''}error[${err.code}]: ${err.message}\n${where ? `  --> ${where}\n` : ''}${err.hint ? `  hint: ${err.hint}\n` : ''}`;
}

/** A ModelregError as the CLI reports it: `{ "error": … }` on stdout with --json, else errorText on stderr. */
export function printError(err: ModelregError, json: boolean): void {
  if (json) process.stdout.write(jsonText({ error: err.toJSON() }) + '\n');
  else process.stderr.write(printable(errorText(err)));
}
