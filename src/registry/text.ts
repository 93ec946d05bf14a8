/** The bidirectional marks, embeddings, overrides and isolates: they make text display as something it is not. */
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
export const BIDI_MARKS = new RegExp(`[${BIDI}]`, 'g');

/**
 * Characters no manifest text needs and a reader's terminal would obey: C0 controls other than tab and
 * line feed (ANSI and OSC sequences start with ESC; a carriage return overdraws a line), DEL and the C1
 * controls, and the bidirectional marks.
 */
export const UNSAFE_TEXT = new RegExp(`[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f${BIDI}]`);

/** The first unsafe character of `text`, as U+XXXX, or undefined. */
export function unsafeCharacter(text: string): string | undefined {
  const m = UNSAFE_TEXT.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

const UNSAFE_ALL = new RegExp(UNSAFE_TEXT.source, 'g');

/** `text` with every unsafe character shown as a visible \uXXXX escape (also valid inside a JSON string). */
export function escapeUnsafe(text: string): string {
  return text.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON with the unsafe characters escaped. JSON.stringify escapes only U+0000–U+001F, leaving DEL, the C1
 * controls and bidirectional marks raw for whoever reads it in a terminal or a log; \uXXXX is still JSON.
 */
export function safeJson(value: unknown, indent?: number): string {
  return escapeUnsafe(JSON.stringify(value, null, indent));
}

/** A byte count for people: 1.5 KiB, 440 MiB. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n >= 10 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}
