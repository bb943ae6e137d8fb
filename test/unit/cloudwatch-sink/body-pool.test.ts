/**
 * The reused request-body buffers: a body must hold exactly the UTF-8 bytes of its text, and a buffer must never
 * be handed out while a call may still read it (only after release()).
 */
import { describe, expect, it } from 'vitest';
import { BodyPool, putLogEventsBody } from '../../../middleware/sinks/cloudwatch/put-request.js';

describe('BodyPool', () => {
  it('encodes exactly what Buffer.from does, non-ASCII and escaped lone surrogates included', () => {
    const pool = new BodyPool(2);
    for (const text of ['{}', 'café — 日本語 — 🚀', JSON.stringify('lone \ud800 surrogate'), 'x'.repeat(100_000)]) {
      const body = pool.encode(text);
      expect(body.equals(Buffer.from(text, 'utf8'))).toBe(true);
      pool.release(body);
    }
  });

  it('reuses a released buffer, and never one still in use', () => {
    const pool = new BodyPool(2);
    const first = pool.encode('a'.repeat(1000));
    const second = pool.encode('b'.repeat(1000));
    expect(second.buffer).not.toBe(first.buffer); // first is not released: a call may still be sending it
    expect(first.toString()).toBe('a'.repeat(1000));
    pool.release(first);
    const third = pool.encode('c'.repeat(900));
    expect(third.buffer).toBe(first.buffer);
    expect(third.toString()).toBe('c'.repeat(900));
    expect(second.toString()).toBe('b'.repeat(1000));
  });

  it('takes a new buffer when no free one is large enough, and keeps at most `keep` free ones', () => {
    const pool = new BodyPool(1);
    const small = pool.encode('s'.repeat(10));
    pool.release(small);
    const large = pool.encode('L'.repeat(50_000));
    expect(large.buffer).not.toBe(small.buffer);
    expect(large.length).toBe(50_000);
    const other = pool.encode('o'.repeat(10)); // the small one is free again
    expect(other.buffer).toBe(small.buffer);
    pool.release(large);
    pool.release(other); // over the bound: dropped, not kept
    expect(pool.encode('x'.repeat(40_000)).buffer).toBe(large.buffer);
    expect(pool.encode('y'.repeat(10)).buffer).not.toBe(other.buffer);
  });

  it('builds the same PutLogEvents body with or without the pool', () => {
    const events = [{ timestamp: 1, message: 'say "hi"\n' }, { timestamp: 2, message: 'é' }];
    const pool = new BodyPool(1);
    expect(putLogEventsBody('g', 's', events, pool).equals(putLogEventsBody('g', 's', events))).toBe(true);
    expect(JSON.parse(putLogEventsBody('g', 's', events, pool).toString())).toEqual({ logGroupName: 'g', logStreamName: 's', logEvents: events });
  });
});
