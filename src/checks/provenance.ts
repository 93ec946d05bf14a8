/**
 * The record of a move is the Git facts of the move. A stage file says who moved the stage (`moved_by`)
 * and when (`moved_at`); anyone can write anything there, so a change is held to the commit that wrote
 * the file: `moved_by` must be that commit's author (e-mail or name), and `moved_at` not after that
 * commit. Otherwise a pull request could claim that someone else made a promotion, or when. Pure: the
 * edge reads the commits (api/judge.ts) and passes their facts in.
 */
import { findingAt } from './locate.js';
import { claimedAfter, sameAuthor } from '../registry/provenance.js';
import type { Finding } from '../registry/findings.js';
import type { Snapshot } from '../registry/snapshot.js';
import type { StageMove } from './change.js';

/** Who wrote a file in a change, and when: the last commit of the change that touched it. */
export interface WrittenBy {
  name: string;
  email: string;
  /** The commit's time (committer date), RFC 3339. */
  time: string;
}

/** `facts` by stage file path; a file with no facts (the work tree with no identity) is not judged. */
export function checkProvenance(moves: readonly StageMove[], head: Snapshot, facts: ReadonlyMap<string, WrittenBy>): Finding[] {
  const out: Finding[] = [];
  for (const move of moves) {
    const fact = facts.get(move.file);
    const stage = head.models.get(move.model)?.stages.get(move.stage);
    if (!fact || !stage) continue;
    if (!sameAuthor(stage.data.moved_by, fact)) {
      out.push(
        findingAt(
          'stage-provenance',
          `${move.model}@${move.stage} says it was moved by ${JSON.stringify(stage.data.moved_by)}, but the commit that wrote it is by ${fact.name} <${fact.email}>`,
          stage,
          '/moved_by',
        ),
      );
    }
    if (claimedAfter(stage.data.moved_at, fact.time)) {
      out.push(
        findingAt(
          'stage-provenance',
          `${move.model}@${move.stage} says it was moved at ${stage.data.moved_at}, after the commit that wrote it (${fact.time})`,
          stage,
          '/moved_at',
        ),
      );
    }
  }
  return out;
}
