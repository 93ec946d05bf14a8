/**
 * Bounded concurrency (artifacts/parallel.ts), which pull and register of many files and the S3
 * store's requests go through: never more at once than allowed, results in order, and a failure that
 * stops new work and is reported only when the work already started has settled.
 */
import { describe, expect, it } from 'vitest';
import { mapLimited, Slots } from '../../src/artifacts/parallel.js';

const tick = (ms = 1) => new Promise((go) => setTimeout(go, ms));

/** Work that records how many ran at once. */
function gauge() {
  let now = 0;
  let most = 0;
  return {
    async work<T>(value: T, ms = 2): Promise<T> {
      now++;
      most = Math.max(most, now);
      await tick(ms);
      now--;
      return value;
    },
    get most() {
      return most;
    },
    get now() {
      return now;
    },
  };
}

describe('mapLimited', () => {
  it('runs at most `limit` at once, uses them all, and keeps the order of the items', async () => {
    const g = gauge();
    const items = Array.from({ length: 50 }, (_, i) => i);
    // Later items finish sooner, so completion order is not item order.
    const out = await mapLimited(items, 6, (i) => g.work(i * 10, 1 + ((50 - i) % 5)));
    expect(out).toEqual(items.map((i) => i * 10));
    expect(g.most).toBe(6);
  });

  it('stops starting work after a failure, and rejects only when what had started has settled', async () => {
    const g = gauge();
    const started: number[] = [];
    const run = mapLimited(
      Array.from({ length: 40 }, (_, i) => i),
      4,
      async (i) => {
        started.push(i);
        if (i === 5) throw new Error('item 5 failed');
        return g.work(i, 5);
      },
    );
    await expect(run).rejects.toThrow('item 5 failed');
    expect(g.now).toBe(0); // nothing still running when the caller hears of the failure
    expect(started.length).toBeLessThan(12);
  });

  it('an empty list and a limit above the item count', async () => {
    expect(await mapLimited([], 8, async () => 1)).toEqual([]);
    const g = gauge();
    expect(await mapLimited([1, 2], 8, (x) => g.work(x))).toEqual([1, 2]);
    expect(g.most).toBe(2);
  });
});

describe('Slots', () => {
  it('lets `size` holders in at once across independent callers, first come first served', async () => {
    const slots = new Slots(3);
    const g = gauge();
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        slots.run(async () => {
          order.push(i);
          return g.work(i, 3);
        }),
      ),
    );
    expect(g.most).toBe(3);
    expect(order).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('frees a slot when its work throws', async () => {
    const slots = new Slots(1);
    await expect(slots.run(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await slots.run(async () => 'next')).toBe('next');
  });
});
