/**
 * Text bound for a terminal may carry what a stranger wrote: a manifest from before the parser refused
 * control characters, a file name, a Git message. The characters of registry/text.ts (ANSI and OSC
 * sequences, carriage returns, bidirectional marks) are shown as visible \u escapes instead of being
 * sent. Newlines and tabs stay.
 */
import { UNSAFE_TEXT } from '../registry/text.js';

const UNSAFE = new RegExp(UNSAFE_TEXT.source, 'g');

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Human output with every unsafe character made visible. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}

/**
 * JSON with the same characters escaped. JSON.stringify escapes only U+0000–U+001F, leaving DEL, the C1
 * controls and bidirectional marks raw for whoever pipes --json output to a terminal; \uXXXX is still JSON.
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(UNSAFE, escape);
}
