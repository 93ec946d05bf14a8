/**
 * `--at` takes a moment as well as a revision: "what was in production on 1 November?". An ISO 8601
 * date or time names a moment; a date alone means the end of that day, and a time without a zone is
 * UTC, so the same command gives the same answer on every machine (a laptop in Berlin, a runner in UTC).
 */
const MOMENT = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** The instant `text` names, as an RFC 3339 UTC timestamp, or undefined when it is not an ISO 8601 date or time. */
export function parseMoment(text: string): string | undefined {
  const m = MOMENT.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const dateOnly = h === undefined;
  const zoneText = !zone || /^z$/i.test(zone) ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
  // Git keeps commit times in whole seconds, so a fraction of a second changes nothing but the text.
  void frac;
  const iso = dateOnly ? `${y}-${mo}-${d}T23:59:59Z` : `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${zoneText}`;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  // Date.parse rolls 2026-02-30 over into March: a date that does not exist is not a moment.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)) return undefined;
  return new Date(t).toISOString().replace(/\.000Z$/, 'Z');
}

/** Reflog forms (`main@{2026-11-01}`, `@{1}`) answer from this clone's local reflog, which a fresh clone does not have. */
export function isReflogForm(rev: string): boolean {
  return rev.includes('@{');
}
