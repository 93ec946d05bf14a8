/**
 * Text bound for a terminal may carry what a stranger wrote: a manifest from before the parser refused
 * control characters, a file name, a Git message. The characters of registry/text.ts (ANSI and OSC
 * sequences, carriage returns, bidirectional marks) are shown as visible \u escapes instead of being
 * sent. Newlines and tabs stay.
 */
import { escapeUnsafe, safeJson } from '../registry/text.js';

/** Human output with every unsafe character made visible. */
export function printable(text: string): string {
  return escapeUnsafe(text);
}

/** JSON as --json prints it: indented, with the unsafe characters escaped (registry/text.ts). */
export function jsonText(value: unknown): string {
  return safeJson(value, 2);
}
