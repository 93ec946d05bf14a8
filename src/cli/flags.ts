/** Flags that several commands share, declared once. */
import { Flags } from '@oclif/core';

export const atFlag = Flags.string({
  description:
    "Read the registry as it was: a commit, branch or tag, or an ISO 8601 date or time (the last commit at or before it on the current branch's first-parent history).",
  helpValue: '<rev|date>',
});

/** Reading a registry without a clone (resolve, show, pull): the objects it needs, fetched from the remote and cached. */
export const remoteFlag = Flags.string({
  description:
    "Read the registry from this Git remote (URL or path) without cloning it: only the model's objects are fetched, and kept for the next call (MODELREG_REMOTE_CACHE, default ~/.cache/modelreg/remotes). --at then names a branch, tag or full commit id of the remote (default: its HEAD). The server must allow partial fetches (uploadpack.allowFilter).",
  helpValue: '<git-url>',
  exclusive: ['registry'],
});

export const storeFlag = Flags.string({
  description: 'Artifact store override (file://… or s3://…; default MODELREG_STORE, else registry.yaml).',
  helpValue: '<uri>',
});

/**
 * A flag that may be given several times. Each occurrence takes exactly one value (oclif's
 * multipleNonGreedy), so `--metric f1=0.9 model.pt config.json` leaves the files to the command: flags
 * read the same before, between and after the positional arguments.
 */
export function repeatable(options: { description: string; helpValue?: string; options?: readonly string[] }) {
  return Flags.string({ ...options, multiple: true, multipleNonGreedy: true });
}

export { keyValues } from '../api/register-input.js';
