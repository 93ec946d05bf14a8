/** How values read on the pages. Pure. */
import { humanBytes, escapeUnsafe } from '../../registry/text.js';

/** Text from a manifest or Git, with control characters and bidirectional marks shown as \u escapes. */
export const visible = escapeUnsafe;

export const bytes = humanBytes;

/** 2026-06-03T10:00:00+02:00 → "2026-06-03 08:00 UTC"; anything unparsable as it is. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return visible(iso);
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The day (UTC) of a timestamp, YYYY-MM-DD. */
export function day(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : new Date(t).toISOString().slice(0, 10);
}

export function shortSha(sha: string): string {
  return sha.slice(0, 10);
}

/** A metric or delta: up to 6 significant digits, a sign on deltas. */
export function num(x: number | null | undefined, signed = false): string {
  if (x === null || x === undefined) return '—';
  const s = Number.parseFloat(x.toPrecision(6)).toString();
  return signed && x > 0 ? `+${s}` : s;
}

export function scalar(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'null';
  return visible(typeof v === 'string' ? v : JSON.stringify(v));
}

/** An http(s) URL from a manifest as a link target, or null: anything else is shown as text only. */
export function httpUrl(text: string | undefined | null): string | null {
  if (!text || !/^https?:\/\//i.test(text)) return null;
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}
