/** The audit log as data: events with their commits, filtered by model, stage, author, kind, date and commit. Pure. */
import type { CompactEvent as SiteEvent, HistoryCommit as SiteCommit } from '../../registry/history.js';
import type { SiteHistory } from '../types.js';
import type { HistoryFilters } from './routes.js';

export interface ShownEvent {
  event: SiteEvent;
  commit: SiteCommit;
}

export function filterHistory(h: SiteHistory, f: HistoryFilters): ShownEvent[] {
  const from = f.from ? Date.parse(`${f.from}T00:00:00.000Z`) : undefined;
  const to = f.to ? Date.parse(`${f.to}T23:59:59.999Z`) : undefined;
  const author = f.author?.trim().toLowerCase();
  const commit = f.commit?.trim().toLowerCase();
  const out: ShownEvent[] = [];
  for (const event of h.events) {
    const c = h.commits[event.c]!;
    if (f.model && event.model !== f.model) continue;
    if (f.stage && event.stage !== f.stage) continue;
    if (f.kind && event.kind !== f.kind) continue;
    if (author && !c.author.toLowerCase().includes(author) && !c.email.toLowerCase().includes(author)) continue;
    if (commit && !c.id.startsWith(commit)) continue;
    if (from !== undefined || to !== undefined) {
      const t = Date.parse(c.date);
      if ((from !== undefined && t < from) || (to !== undefined && t > to)) continue;
    }
    out.push({ event, commit: c });
  }
  return out;
}

export { describeEvent } from '../../registry/history.js';
