/**
 * Writing a report out for people: the job summary, the sticky pull-request comment, and the
 * annotations on YAML lines. Pure (strings in, strings out). Every piece of text that came from the
 * pull request goes through the escapes of escape.ts; only fixed words, numbers and hex ids are written
 * as they are.
 */
import type { Finding, Severity } from '../registry/findings.js';
import { commandData, commandProperty, md } from './escape.js';
import { mermaidGraph } from './mermaid.js';
import type { ActionReport, PromotionReport } from './report.js';
import { describeSplit } from '../registry/split.js';
import type { StageArm } from '../registry/types.js';

/** The hidden marker that finds the sticky comment again (together with its author). */
export const COMMENT_MARKER = '<!-- modelreg:report v1 -->';
/** GitHub's limits: a comment body (65,536 characters), a step summary (1 MiB). */
export const COMMENT_LIMIT = 65_536;
export const SUMMARY_LIMIT = 1024 * 1024;
/** Annotations GitHub shows per step and severity. */
export const ANNOTATIONS_PER_SEVERITY = 10;

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' };
const short = (sha: string): string => (/^[0-9a-f]{7,64}$/.test(sha) ? sha.slice(0, 12) : md(sha, 40));

/** Markdown for the job summary; `marker` prefixes it for the pull-request comment. */
export function renderMarkdown(report: ActionReport, options: { limit: number; marker?: string; runUrl?: string }): string {
  // Render with every finding; when that is too long, halve the table until it fits.
  for (let rows = report.findings.length; ; rows = Math.floor(rows / 2)) {
    const text = render(report, rows, options);
    if (text.length <= options.limit || rows === 0)
      return text.length <= options.limit ? text : `${text.slice(0, options.limit - 40)}\n\n… (cut to fit GitHub's limit)\n`;
  }
}

function render(report: ActionReport, findingRows: number, options: { marker?: string; runUrl?: string }): string {
  const out: string[] = [];
  if (options.marker) out.push(options.marker);
  const { error, warning, notice } = report.counts;
  const head = report.verdict === 'pass' ? '✅ modelreg: the change passes' : '❌ modelreg: the change does not pass';
  out.push(`## ${head}`, '');
  const counts = [`${error} error(s)`, `${warning} warning(s)`, ...(notice ? [`${notice} notice(s)`] : [])].join(', ');
  out.push(
    `Base \`${short(report.base)}\` → head \`${short(report.head)}\` · judged by the base branch's registry.yaml · ${counts} · fails on: ${report.failLevel}${options.runUrl ? ` · [run](${options.runUrl})` : ''}`,
    '',
  );

  out.push('### What changed', '');
  const c = report.change;
  const lines: [string, string[]][] = [
    ['Models added', c.modelsAdded],
    ['Model descriptions changed', c.modelsChanged],
    ['Versions added', c.versionsAdded],
    ['Versions modified (not allowed)', c.versionsModified],
    ['Versions deleted (not allowed)', c.versionsDeleted],
    ['Deprecated', c.deprecated],
    ['Undeprecated', c.undeprecated],
    ['Stages removed', c.stagesRemoved.map((s) => `${s.model} ${s.stage} (was ${s.version})`)],
  ];
  for (const [label, items] of lines) if (items.length) out.push(`- ${label}: ${list(items)}`);
  for (const p of report.promotions) {
    if (p.split)
      out.push(
        `- Split${p.rollback ? ' (back to the holder)' : ''}: ${md(p.model)} **${md(p.stage)}** ${md(describeSplit(p.split.before))} → ${md(describeSplit(p.split.after))}`,
      );
    else out.push(`- ${p.rollback ? 'Rollback' : 'Promotion'}: ${md(p.model)} **${md(p.stage)}** ${p.from ? md(p.from) : '(none)'} → ${md(p.to)}`);
  }
  if (c.policyChanged) out.push("- registry.yaml changed: this pull request is still judged by the base branch's policy");
  if (!lines.some(([, items]) => items.length) && !report.promotions.length && !c.policyChanged) out.push('- Nothing in the registry.');
  out.push('');

  for (const p of report.promotions) out.push(...renderPromotion(p));

  if (report.lineage.edges.length) {
    out.push('### Lineage', '', '```mermaid', ...mermaidGraph('LR', report.lineage.edges, { emphasised: report.lineage.changed }));
    out.push('```', '');
  }

  out.push('### Artifacts', '');
  const a = report.artifacts;
  const problems = a.findings.filter((f) => f.code !== 'artifact-unchecked').length;
  if (a.checked === 0 && !a.findings.length) out.push('No version added, so no artifact to check.');
  else if (a.findings.some((f) => f.code === 'artifact-unchecked'))
    out.push(`Not checked: ${md(a.findings.find((f) => f.code === 'artifact-unchecked')!.message, 500)}`);
  else
    out.push(
      `${a.checked} artifact(s) of the versions added or entering a stage looked up in ${a.store ? `\`${md(a.store, 200)}\`` : 'the store'}: ${problems ? `${problems} problem(s), listed below` : 'all present with the recorded size'}.`,
    );
  out.push('');

  out.push('### Findings', '');
  if (!report.findings.length) out.push('None.');
  else {
    out.push('| | where | code | message |', '|---|---|---|---|');
    for (const f of report.findings.slice(0, findingRows))
      out.push(`| ${ICON[f.severity]} | ${where(f)} | \`${f.code}\` | ${md(f.message, 500)}${f.hint ? `<br>_${md(f.hint, 300)}_` : ''} |`);
    if (findingRows < report.findings.length) out.push('', `… and ${report.findings.length - findingRows} more in report.json (the \`report\` output).`);
  }
  out.push('');
  return out.join('\n');
}

function renderPromotion(p: PromotionReport): string[] {
  const out = [`### ${p.passed ? '✅' : '❌'} ${md(p.model)} → ${md(p.stage)}${p.rollback ? ' (rollback)' : ''}`, ''];
  out.push(`${p.from ? `${md(p.from)} → ` : ''}**${md(p.to)}** · ${md(p.file)}`, '');
  if (p.split) out.push(...splitTable(p.split));
  if (p.gates.length) {
    out.push('| gate | subject | result | detail |', '|---|---|---|---|');
    for (const g of p.gates) out.push(`| ${g.gate} | ${md(g.subject)} | ${g.passed ? '✅ pass' : '❌ fail'} | ${md(g.message, 400)} |`);
    for (const g of p.gates) {
      if (g.gate !== 'approvals') continue;
      const a = g.approvals;
      if (a.counted.length) out.push('', `Counted: ${a.counted.map((x) => `${md(x.reviewer)} (${md(x.as)})`).join(', ')}`);
      if (a.ignored.length) out.push('', `Not counted: ${a.ignored.map((x) => `${md(x.reviewer)} (${md(x.why)})`).join(', ')}`);
    }
  } else out.push('No gate applies.');
  out.push('');
  if (p.metrics.length) {
    out.push(`| metric | ${p.from ? `${md(p.from)} (holds ${md(p.stage)})` : 'current holder'} | ${md(p.to)} | Δ |`, '|---|---:|---:|---:|');
    for (const m of p.metrics)
      out.push(`| ${md(m.name)} | ${num(m.holder)} | ${num(m.candidate)} | ${m.delta === null ? '' : `${m.delta > 0 ? '+' : ''}${m.delta}`} |`);
    out.push('');
  }
  return out;
}

/** The split before and after, a row per version, in the order of the split after (then those that left it). */
function splitTable(split: NonNullable<PromotionReport['split']>): string[] {
  const share = (arms: StageArm[], version: string) => {
    const a = arms.find((x) => x.version === version);
    return !a ? '–' : a.shadow ? 'shadow' : `${a.weight ?? 0}%`;
  };
  const versions = [...new Set([...split.after, ...split.before].map((a) => a.version))];
  return ['| version | before | after |', '|---|---:|---:|', ...versions.map((v) => `| ${md(v)} | ${share(split.before, v)} | ${share(split.after, v)} |`), ''];
}

const num = (x: number | null): string => (x === null ? '–' : String(x));
const list = (items: string[]): string =>
  items.length > 20
    ? `${items
        .slice(0, 20)
        .map((i) => md(i))
        .join(', ')} and ${items.length - 20} more`
    : items.map((i) => md(i)).join(', ');
const where = (f: Finding): string => (f.file ? `${md(f.file, 200)}${f.line ? `:${f.line}` : ''}` : '');

/**
 * Workflow commands that annotate YAML lines: the first ten findings of each severity (what GitHub shows
 * per step); the summary lists them all. `prefix` is the registry's path inside the repository, because
 * annotations name files from the repository root.
 */
export function annotations(findings: Finding[], prefix: string): string[] {
  const taken: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  const out: string[] = [];
  for (const f of findings) {
    if (taken[f.severity]++ >= ANNOTATIONS_PER_SEVERITY) continue;
    const props = [
      ...(f.file ? [`file=${commandProperty(prefix ? `${prefix}/${f.file}` : f.file)}`] : []),
      ...(f.file && f.line ? [`line=${f.line}`] : []),
      ...(f.file && f.line && f.column ? [`col=${f.column}`] : []),
      `title=${commandProperty(`modelreg ${f.code}`)}`,
    ];
    out.push(`::${f.severity} ${props.join(',')}::${commandData(f.hint ? `${f.message}\n${f.hint}` : f.message)}`);
  }
  const hidden = (Object.keys(taken) as Severity[]).filter((s) => taken[s] > ANNOTATIONS_PER_SEVERITY);
  if (hidden.length)
    out.push(
      `::notice title=modelreg::${commandData(`${hidden.map((s) => `${taken[s] - ANNOTATIONS_PER_SEVERITY} more ${s}(s)`).join(', ')} are listed in the job summary`)}`,
    );
  return out;
}

/** One line for the commit status (GitHub keeps 140 characters). */
export function statusDescription(report: ActionReport): string {
  const { error, warning } = report.counts;
  const text =
    report.verdict === 'pass'
      ? `passes${report.promotions.length ? `: ${report.promotions.length} stage move(s) cleared their gates` : ''}${warning ? `, ${warning} warning(s)` : ''}`
      : `${error} error(s), ${warning} warning(s)${report.promotions.some((p) => !p.passed) ? '; a gate does not pass' : ''}`;
  return text.slice(0, 140);
}
