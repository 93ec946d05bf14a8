import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base.js';
import { storeFlag } from '../cli/flags.js';
import { table } from '../cli/report.js';
import { bytes } from '../cli/progress.js';
import { collectGarbage, DEFAULT_GRACE_MS } from '../api/gc.js';
import { parseDuration } from '../api/arguments.js';
import { ModelregError } from '../registry/errors.js';

export default class Gc extends BaseCommand {
  static override summary = 'Delete store objects that nothing can name any more — in two runs, a grace apart.';
  static override description = `Before deciding anything, gc fetches every ref of every remote (pull-request heads such as refs/pull/*/head and refs/merge-requests/*/head included) and counts local branches, tags, stashes, reflogs, the index and uncommitted manifests in the work trees; when a remote cannot be reached it refuses (--offline decides only about objects older than the grace, knowing the view is partial).
A run marks what is unreferenced (a record kept in the store, gc/marks.json); a later run deletes an object only if a run marked it at least the grace ago, nothing references it now, and nothing refreshed it since: a registration that finds its bytes already stored refreshes them. The grace (default 14 days, as Git's gc.pruneExpire) is measured by the store's clock from the object's time. An exclusive lock in the store keeps two gc runs from deleting at once. It also removes what writers killed midway left (unfinished multipart uploads, temporary files) begun more than a day ago, or the grace if shorter: with --grace 0, uploads in progress too.
Run it on a schedule, on a clone that can reach the remote; --dry-run shows what would be deleted and what would be marked.`;
  static override examples = ['<%= config.bin %> gc --dry-run', '<%= config.bin %> gc', '<%= config.bin %> gc --grace 30d --json'];
  static override flags = {
    'dry-run': Flags.boolean({ description: 'Say what would be deleted and what would be marked; change nothing.', default: false }),
    grace: Flags.string({
      description: 'How long an object must have been marked unreferenced, and unrefreshed, before it is deleted: 14d, 36h, 90m (default 14d).',
      helpValue: '<duration>',
    }),
    offline: Flags.boolean({
      description: 'Go on when a remote cannot be fetched: the view is partial, so only objects older than the grace are considered.',
      default: false,
    }),
    store: storeFlag,
  };

  async run() {
    const { flags } = await this.parse(Gc);
    const graceMs = flags.grace === undefined ? DEFAULT_GRACE_MS : parseDuration(flags.grace);
    if (graceMs === undefined) throw new ModelregError('usage', `--grace ${flags.grace} is not a duration`, { hint: 'Write it as 14d, 36h, 90m or 30s.' });
    const reg = await this.openRegistry(flags);
    const store = await reg.openStore();
    const r = await collectGarbage(reg.root, store, { dryRun: flags['dry-run'], graceMs, offline: flags.offline });
    for (const remote of r.remotes.filter((x) => !x.fetched))
      this.print(
        process.stderr,
        `note: ${remote.name} could not be fetched (${remote.error}); the view is partial, so only objects older than the grace were considered\n`,
      );
    const verb = r.dryRun ? 'would delete' : 'deleted';
    if (r.deleted.length)
      this.print(table([['SHA256', 'SIZE', 'MARKED'], ...r.deleted.map((d) => [d.sha256, bytes(d.size), new Date(d.markedAt).toISOString()])]));
    const fresh = r.marked.filter((m) => m.why === 'new').length;
    this.print(
      `${verb} ${r.deleted.length} object(s), ${bytes(r.bytes)}; ${r.referenced} referenced; ${r.dryRun ? 'would mark' : 'marked'} ${r.marked.length} unreferenced (${fresh} new), deleted by a run at least ${humanDuration(r.graceMs)} after their mark if still unreferenced${r.rescued.length ? `; ${r.rescued.length} rescued (referenced again)` : ''}${r.spared.length ? `; ${r.spared.length} spared (refreshed at the last moment)` : ''}${r.abandoned ? `; ${r.abandoned} unfinished upload(s) of interrupted writers cleared` : ''}\n`,
    );
    if (r.dryRun && r.marked.length)
      this.print(
        table([
          ['MARKED SHA256', 'SIZE', 'SINCE', 'WHY NOT YET'],
          ...r.marked.map((m) => [m.sha256, bytes(m.size), new Date(m.markedAt).toISOString(), m.why]),
        ]),
      );
    return r;
  }
}

function humanDuration(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} day(s)`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} hour(s)`;
  if (ms % 60_000 === 0) return `${ms / 60_000} minute(s)`;
  return `${ms / 1000} s`;
}
