/**
 * Who did something, and when, as Git tells it, beside what a manifest says about itself. `created_by`,
 * `moved_by`, `deprecated.by` and their times are written by whoever wrote the file, so they are claims;
 * the commit that wrote the file is the fact. Pages and reports show the fact, and the claim beside it
 * only when the two differ (issue 15, item 9). The pull-request check holds new changes to the same rule
 * (checks/provenance.ts). Pure.
 */

/** The Git facts of the commit that wrote a file. */
export interface GitFact {
  name: string;
  email: string;
  /** RFC 3339. */
  date: string;
}

export interface Attribution {
  /** The commit's author's name, else the claim when there is no commit (an uncommitted file). */
  by: string;
  email?: string;
  at: string;
  /** What the manifest says, present only when it differs from the commit. */
  claimedBy?: string;
  claimedAt?: string;
  /** False when no commit wrote the file (the work tree): then by and at are the manifest's own. */
  fromGit: boolean;
}

/** A claimed author is the commit's when it names the author's e-mail or name (case aside). */
export function sameAuthor(claimed: string, fact: Pick<GitFact, 'name' | 'email'>): boolean {
  const c = claimed.trim().toLowerCase();
  return c === fact.email.toLowerCase() || c === fact.name.toLowerCase();
}

/** A claimed time later than the commit that wrote it (by more than a second: Git keeps whole seconds). */
export function claimedAfter(claimedAt: string, factAt: string): boolean {
  const at = Date.parse(claimedAt);
  const committed = Date.parse(factAt);
  return Number.isFinite(at) && Number.isFinite(committed) && at > committed + 1000;
}

/**
 * How long before its commit a claimed time may be and still be the same event: a registration stamps
 * its time before hashing and uploading, which for large artifacts takes hours, not days.
 */
const EARLIER_BY_AT_MOST_MS = 24 * 3600 * 1000;

/** Whether a claimed time tells another story than the commit's: after it, or more than a day before. */
export function timeDiffers(claimedAt: string, factAt: string): boolean {
  const at = Date.parse(claimedAt);
  const committed = Date.parse(factAt);
  if (!Number.isFinite(at) || !Number.isFinite(committed)) return claimedAt !== factAt;
  return claimedAfter(claimedAt, factAt) || committed - at > EARLIER_BY_AT_MOST_MS;
}

/** The fact, with the claim beside it where it differs; without a fact, the claim as it is. */
export function attribute(fact: GitFact | undefined, claimed: { by?: string; at?: string }): Attribution {
  if (!fact) return { by: claimed.by ?? '', at: claimed.at ?? '', fromGit: false };
  return {
    by: fact.name,
    email: fact.email,
    at: fact.date,
    ...(claimed.by !== undefined && !sameAuthor(claimed.by, fact) ? { claimedBy: claimed.by } : {}),
    ...(claimed.at !== undefined && timeDiffers(claimed.at, fact.date) ? { claimedAt: claimed.at } : {}),
    fromGit: true,
  };
}

/** "Ada Lovelace (the file says eve@example.com, 2030-01-01T00:00:00Z)": the fact, then any claim that differs. */
export function attributionText(a: Attribution): string {
  const claims = [a.claimedBy, a.claimedAt].filter((x): x is string => x !== undefined);
  return claims.length ? `${a.by} (the file says ${claims.join(', ')})` : a.by;
}
