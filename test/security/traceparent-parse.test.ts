/** parseTraceparent: the pure W3C Trace Context check behind traceparent_rejected. */
import { describe, expect, it } from 'vitest';
import { parseTraceparent, resolveTraceparent } from '../../middleware/otel.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads the parts of a valid value, flags as a number', () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({ traceId: TRACE, parentId: PARENT, traceFlags: 1 });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-ff`)?.traceFlags).toBe(255);
  });

  it('reads the first four fields of a later version and ignores what it appends', () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-01-anything-else`)).toEqual({ traceId: TRACE, parentId: PARENT, traceFlags: 1 });
    expect(parseTraceparent(`fe-${TRACE}-${PARENT}-00`)?.traceId).toBe(TRACE);
  });

  it.each([
    ['version 00 with a fifth field', `00-${TRACE}-${PARENT}-01-x`],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['uppercase', `00-${TRACE}-${PARENT.toUpperCase()}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['surrounding space (Node trims header values; the check does not)', ` 00-${TRACE}-${PARENT}-01`],
    ['later version, fifth field not dash-separated', `01-${TRACE}-${PARENT}-01x`],
    ['newline before the end', `00-${TRACE}-${PARENT}-01\n`],
  ])('refuses %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('resolveTraceparent: absent is not rejected; present and invalid (or repeated) is', () => {
    expect(resolveTraceparent({}, 'traceparent')).toEqual({ parent: undefined, rejected: false });
    expect(resolveTraceparent({ traceparent: 'nope' }, 'traceparent')).toEqual({ parent: undefined, rejected: true });
    const valid = `00-${TRACE}-${PARENT}-01`;
    expect(resolveTraceparent({ traceparent: `${valid}, ${valid}` }, 'traceparent').rejected).toBe(true);
    expect(resolveTraceparent({ traceparent: valid }, 'traceparent').parent?.parentId).toBe(PARENT);
  });
});
