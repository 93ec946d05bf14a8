/** Flags and output shared by the write commands. */
import { Flags } from '@oclif/core';
import type { WriteOptions, WriteResult } from '../api/write.js';
import { describeSplit } from '../registry/split.js';

export const writeFlags = {
  push: Flags.boolean({ description: "Push the commit to the branch's upstream, retrying when someone else pushed first. Never forces.", default: false }),
  branch: Flags.string({ description: 'Commit on this new branch instead (the current branch stays checked out).', helpValue: '<name>' }),
  pr: Flags.boolean({
    description: 'Push a new branch and open a pull request (token from GITHUB_TOKEN or GH_TOKEN; GitHub Enterprise via GITHUB_API_URL).',
    default: false,
  }),
  'no-verify': Flags.boolean({
    description:
      'Do not refuse on failing gates, on bytes of the entering version missing from the store, or on an approval gate met on the default branch (the pull-request check still applies them all).',
    default: false,
  }),
  message: Flags.string({
    char: 'm',
    description:
      'Text for the commit message, under its subject (which always says what changed); for promote, rollback and deprecate without --reason it is the recorded reason too.',
    helpValue: '<text>',
  }),
};

export function writeOptions(flags: {
  registry?: string | undefined;
  push: boolean;
  pr: boolean;
  branch?: string | undefined;
  'no-verify': boolean;
  store?: string | undefined;
}): WriteOptions {
  return {
    ...(flags.registry ? { dir: flags.registry } : {}),
    push: flags.push,
    pr: flags.pr,
    ...(flags.branch ? { branch: flags.branch } : {}),
    noVerify: flags['no-verify'],
    ...(flags.store ? { store: flags.store } : {}),
  };
}

export function describeWrite(r: WriteResult): string {
  const lines = [
    `${r.message.split('\n')[0]}  [${r.branch} ${r.commit.slice(0, 10)}]${r.pushed ? ` pushed${r.attempts > 1 ? ` after ${r.attempts} attempts` : ''}` : ''}`,
  ];
  for (const m of r.check.change.stageMoves)
    if (m.split) lines.push(`  split of ${m.stage}: ${describeSplit(m.split.after)} (was ${describeSplit(m.split.before)})`);
  for (const f of r.check.waived) lines.push(`  waived (--no-verify): ${f.message}`);
  if (r.pullRequest) lines.push(`  pull request #${r.pullRequest.number}${r.pullRequest.created ? '' : ' (already open)'}: ${r.pullRequest.url}`);
  if (r.recovered.length) lines.push(`  restored after an interrupted earlier run: ${r.recovered.join(', ')}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  return lines.join('\n') + '\n';
}

/** What a keep-latest or --deprecate-previous change deprecated and what it kept, with why. */
export function describeRetired(retired: WriteResult['retired']): string {
  if (!retired) return '';
  const lines = [];
  if (retired.deprecated.length) lines.push(`  deprecated: ${retired.deprecated.join(', ')}`);
  for (const k of retired.kept) lines.push(`  kept ${k.version}: it ${k.reason}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The --json shape of promote, rollback, deprecate and undeprecate (docs/cli.md). */
export function writeJson(r: WriteResult): Record<string, unknown> {
  return {
    ref: r.ref,
    commit: r.commit,
    branch: r.branch,
    pushed: r.pushed,
    attempts: r.attempts,
    files: r.files,
    previous: r.previous ?? null,
    gates: r.check.change.stageMoves.flatMap((m) => m.gates),
    ...(r.check.change.stageMoves[0]?.split ? { split: r.check.change.stageMoves[0].split } : {}),
    waived: r.check.waived,
    pullRequest: r.pullRequest ?? null,
    notes: r.notes,
    ...(r.retired ? { retired: r.retired } : {}),
  };
}
