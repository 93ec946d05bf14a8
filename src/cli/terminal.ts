/**
 * Text bound for a terminal may carry what a stranger wrote: a manifest from before the parser refused
 * control characters, a file name, a Git message. The characters of registry/text.ts (ANSI and OSC
 * sequences, carriage returns, bidirectional marks) are shown as visible \u escapes instead of being
 * sent. Newlines and tabs stay.
 */
import { visibleEscapes } from '../registry/text.js';

/** Human output with every unsafe character made visible. */
export const printable = visibleEscapes;

/**
 * JSON with the same characters escaped. JSON.stringify escapes only U+0000–U+001F, leaving DEL, the C1
 * controls and bidirectional marks raw for whoever pipes --json output to a terminal; \uXXXX is still JSON.
 */
export function jsonText(value: unknown): string {
  return visibleEscapes(JSON.stringify(value, null, 2));
}
