import { describe, expect, it } from 'vitest';
import { attribute, attributionText, claimedAfter, sameAuthor, timeDiffers } from '../../src/registry/provenance.js';

const fact = { name: 'Ada Lovelace', email: 'ada@example.com', date: '2026-03-01T12:00:00Z' };

describe("who and when: Git's facts, a manifest's claims beside them only where they differ", () => {
  it("a claimed author is the commit's by e-mail or name, case and spaces aside", () => {
    expect(sameAuthor('ada@example.com', fact)).toBe(true);
    expect(sameAuthor(' ADA@Example.com ', fact)).toBe(true);
    expect(sameAuthor('Ada Lovelace', fact)).toBe(true);
    expect(sameAuthor('ml-lead@acme.com', fact)).toBe(false);
  });

  it('a claimed time differs when it is after the commit, or more than a day before it', () => {
    expect(claimedAfter('2026-03-01T12:00:01Z', fact.date)).toBe(false); // Git keeps whole seconds
    expect(claimedAfter('2026-03-01T12:00:02Z', fact.date)).toBe(true);
    expect(timeDiffers('2026-03-01T11:00:00Z', fact.date)).toBe(false); // a long upload before the commit
    expect(timeDiffers('2026-02-27T11:00:00Z', fact.date)).toBe(true);
    expect(timeDiffers('2030-01-01T00:00:00Z', fact.date)).toBe(true);
    expect(timeDiffers('not a time', fact.date)).toBe(true);
  });

  it("shows the commit's author and time, and the claim beside only where it differs", () => {
    expect(attribute(fact, { by: 'ada@example.com', at: '2026-03-01T11:59:30Z' })).toEqual({
      by: 'Ada Lovelace',
      email: 'ada@example.com',
      at: fact.date,
      fromGit: true,
    });
    const forged = attribute(fact, { by: 'ml-lead@acme.com', at: '2030-01-01T00:00:00Z' });
    expect(forged).toEqual({
      by: 'Ada Lovelace',
      email: 'ada@example.com',
      at: fact.date,
      claimedBy: 'ml-lead@acme.com',
      claimedAt: '2030-01-01T00:00:00Z',
      fromGit: true,
    });
    expect(attributionText(forged)).toBe('Ada Lovelace (the file says ml-lead@acme.com, 2030-01-01T00:00:00Z)');
    // No commit (an uncommitted file): the claim is all there is, and says so.
    expect(attribute(undefined, { by: 'me@x', at: '2026-01-01T00:00:00Z' })).toEqual({ by: 'me@x', at: '2026-01-01T00:00:00Z', fromGit: false });
  });
});
