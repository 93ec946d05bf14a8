/**
 * Characters no manifest text needs and a reader's terminal would obey: C0 controls other than tab and
 * line feed (ANSI and OSC sequences start with ESC; a carriage return overdraws a line), DEL and the C1
 * controls, and the bidirectional marks and overrides that make text display as something it is not.
 */
export const UNSAFE_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** The first unsafe character of `text`, as U+XXXX, or undefined. */
export function unsafeCharacter(text: string): string | undefined {
  const m = UNSAFE_TEXT.exec(text);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

const UNSAFE_ALL = new RegExp(UNSAFE_TEXT.source, 'g');

/**
 * The text with every unsafe character shown as a visible \u escape: for a terminal (cli/terminal.ts)
 * and for the site's pages, where a bidirectional override would make a name read as another.
 */
export function visibleEscapes(text: string): string {
  return text.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
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
