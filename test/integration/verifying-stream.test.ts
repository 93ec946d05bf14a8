/** VerifyingStream: a consumer of a corrupt object never receives all of its bytes (what lets `serve` cut a download). */
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { VerifyingStream } from '../../src/artifacts/hashing.js';

const chunks = [Buffer.from('a'.repeat(1000)), Buffer.from('b'.repeat(1000)), Buffer.from('c'.repeat(10))];
const whole = Buffer.concat(chunks);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function through(expected: { sha256: string; size: number }): Promise<{ received: number; error: string | null }> {
  let received = 0;
  const sink = new Writable({ write: (c: Buffer, _e, done) => ((received += c.length), done()) });
  try {
    await pipeline(Readable.from(chunks), new VerifyingStream(expected, () => new Error('mismatch')), sink);
    return { received, error: null };
  } catch (e) {
    return { received, error: (e as Error).message };
  }
}

describe('VerifyingStream', () => {
  it('passes every byte on when size and sha256 match', async () => {
    expect(await through({ sha256: sha(whole), size: whole.length })).toEqual({ received: whole.length, error: null });
  });

  it('holds the last chunk back when the hash does not match, so the consumer is short of the end', async () => {
    const r = await through({ sha256: sha(Buffer.from('other')), size: whole.length });
    expect(r.error).toBe('mismatch');
    expect(r.received).toBe(whole.length - chunks[2]!.length);
  });

  it('fails at once on more bytes than expected, and on fewer at the end', async () => {
    expect((await through({ sha256: sha(whole), size: 1500 })).error).toBe('mismatch');
    expect((await through({ sha256: sha(whole), size: whole.length + 1 })).error).toBe('mismatch');
  });
});
