/**
 * Text a pull request wrote (file names, descriptions, values inside finding messages) is hostile when
 * it reaches a place that interprets it. Every such place has its escape here, and every renderer uses
 * them: Markdown and HTML in summaries and comments, @mentions (which would notify people), the sticky
 * comment's hidden marker, and the runner's workflow commands in the log.
 */
import { BIDI_MARKS } from '../registry/text.js';

/** Longest stretch of pull-request text shown in one place; the rest is cut with an ellipsis. */
export const MAX_TEXT = 300;

export function truncate(text: string, max = MAX_TEXT): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * Inline Markdown that renders as the literal text on GitHub: no links, images, HTML, emphasis, code,
 * headings, tables, mentions or references. One line: newlines and other control characters become
 * spaces. Bidirectional overrides are dropped (they make text read differently from what it is).
 */
export function md(text: string, max = MAX_TEXT): string {
  const flat = truncate(plain(text), max);
  return (
    flat
      .replace(/[\\`*_{}[\]()#+\-.!|~>]/g, (c) => `\\${c}`)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
      // An @ followed by a zero-width space mentions nobody; # likewise links no issue (escaped above).
      .replace(/@/g, '@&#8203;')
      .replace(/:/g, '&#58;')
  ); // no autolinks (https://…) and no emoji shortcodes
}

/**
 * A value in a cell of a Markdown table whose prose around it is the owners' own (model cards, change
 * descriptions): a pipe cannot end the cell, a line ending (CommonMark's: \n, \r\n or a lone \r) the
 * row, and < > cannot open HTML. An @ is left as it is: these are the caller's own card and pull request
 * (whoever runs `--pr` may mention whom they like), unlike a report on someone else's pull request, which
 * `md` escapes. Missing is —.
 */
export function cell(value: unknown): string {
  const s = value === undefined || value === null ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  return s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n?|\n/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Text with control, zero-width and bidirectional-override characters replaced by a space or dropped. */
export function plain(text: string): string {
  return String(text)
    .replace(BIDI_MARKS, '')
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ');
}

/** A label inside a Mermaid node or edge ("…"): Mermaid's entity codes, then no Markdown inside. */
export function mermaidLabel(text: string): string {
  return truncate(plain(text), 80)
    .replace(/#/g, '#35;')
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/[`*_[\]{}|]/g, (c) => `#${c.charCodeAt(0)};`); // a backtick could close the fence
}

/**
 * The data of a workflow command (`::error file=…::<data>`): the runner unescapes %25, %0D and %0A, so a
 * message can never end the command early or start a new one on the next line.
 */
export function commandData(text: string): string {
  return truncate(String(text), 4000).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A property value of a workflow command (`file=…,title=…`): also , and : which delimit properties. */
export function commandProperty(text: string): string {
  return commandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A line for the job log. The runner treats a line whose trimmed text starts with `::` or `##[` as a
 * command; newlines are flattened and such a start is defused, so pull-request text in the log is
 * only ever text.
 */
export function logLine(text: string): string {
  const flat = String(text).replace(/\r\n|\r|\n/g, ' ⏎ ');
  return /^\s*(::|##\[)/.test(flat) ? `\u200B${flat.trimStart()}` : flat;
}
