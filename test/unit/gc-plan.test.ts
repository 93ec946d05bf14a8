import { describe, expect, it } from 'vitest';
import { parseDuration, planGc, type GcInput } from '../../src/changes/gc-plan.js';

const H = 3_600_000;
const NOW = 1_000 * H;
const sha = (c: string) => c.repeat(64);
const input = (over: Partial<GcInput>): GcInput => ({ objects: [], referenced: new Set(), marks: {}, now: NOW, graceMs: 24 * H, ...over });

describe('planGc: two phases, a grace apart, by the store clock', () => {
  it('a first run only marks; a run after the grace deletes what stayed unreferenced and untouched', () => {
    const objects = [{ sha256: sha('a'), size: 1, modified: NOW - 100 * H }];
    const first = planGc(input({ objects }));
    expect(first.delete).toEqual([]);
    expect(first.marked).toEqual([{ sha256: sha('a'), size: 1, markedAt: NOW, why: 'new' }]);
    const soon = planGc(input({ objects, marks: first.marks, now: NOW + H }));
    expect(soon.delete).toEqual([]);
    expect(soon.marked[0]!.why).toBe('grace');
    const later = planGc(input({ objects, marks: first.marks, now: NOW + 25 * H }));
    expect(later.delete).toEqual([{ sha256: sha('a'), size: 1, markedAt: NOW }]);
    expect(later.marks).toEqual({});
  });

  it('a referenced object is rescued from its mark; a refreshed one is marked again from now', () => {
    const marks = { [sha('a')]: { at: NOW - 48 * H, size: 1 }, [sha('b')]: { at: NOW - 48 * H, size: 2 } };
    const objects = [
      { sha256: sha('a'), size: 1, modified: NOW - 100 * H },
      { sha256: sha('b'), size: 2, modified: NOW - 47 * H },
    ];
    const p = planGc(input({ objects, marks, referenced: new Set([sha('a')]) }));
    expect(p.rescued).toEqual([sha('a')]);
    expect(p.delete).toEqual([]);
    expect(p.marks).toEqual({ [sha('b')]: { at: NOW, size: 2 } });
    expect(p.marked[0]!.why).toBe('refreshed');
    // The same second as the mark counts as after it (S3 keeps seconds).
    expect(
      planGc(input({ objects: [{ sha256: sha('c'), size: 1, modified: NOW - 48 * H }], marks: { [sha('c')]: { at: NOW - 48 * H, size: 1 } } })).delete,
    ).toEqual([]);
  });

  it('a young object is marked but kept until it is older than the grace; unknown times are treated as now', () => {
    const marks = { [sha('a')]: { at: NOW - 48 * H, size: 1 } };
    expect(planGc(input({ objects: [{ sha256: sha('a'), size: 1, modified: NOW - 49 * H }], marks })).delete).toHaveLength(1);
    const unknown = planGc(input({ objects: [{ sha256: sha('a'), size: 1 }], marks }));
    expect(unknown.delete).toEqual([]);
  });

  it('on a partial view, objects younger than the grace are not considered at all', () => {
    const p = planGc(
      input({
        objects: [
          { sha256: sha('a'), size: 1, modified: NOW - H },
          { sha256: sha('b'), size: 1, modified: NOW - 48 * H },
        ],
        partial: true,
      }),
    );
    expect(p.marked.map((m) => m.sha256)).toEqual([sha('b')]);
  });

  it('durations', () => {
    expect(parseDuration('14d')).toBe(14 * 24 * H);
    expect(parseDuration('36h')).toBe(36 * H);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('60')).toBe(60 * 60_000); // bare numbers are minutes, as --grace was before
    expect(parseDuration('two weeks')).toBeUndefined();
  });
});
