// The reference table's expiry index (expiry-heap.ts) against the obvious scan: whatever the
// order of confirmations, timeout rises and falls, deletions and sweeps (time also going
// back), a sweep deletes exactly the filed connections whose timeout is <= now.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpiryHeap } from '../../src/engine/conntrack/expiry-heap.js';
import { ConnEntry, IPS_CONFIRMED } from '../../src/engine/conntrack/index.js';
import { pass, SEC, table, udp } from './helpers.js';

type Op =
  | { readonly op: 'add'; readonly timeout: number }
  | { readonly op: 'set'; readonly which: number; readonly timeout: number }
  | { readonly op: 'remove'; readonly which: number }
  | { readonly op: 'due'; readonly now: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), timeout: fc.integer({ min: -50, max: 200 }) }),
  fc.record({
    op: fc.constant('set' as const),
    which: fc.nat(),
    timeout: fc.integer({ min: -50, max: 200 }),
  }),
  fc.record({ op: fc.constant('remove' as const), which: fc.nat() }),
  fc.record({ op: fc.constant('due' as const), now: fc.integer({ min: -60, max: 220 }) }),
);

function confirmedEntry(id: number, timeout: bigint): ConnEntry {
  const t = {
    family: 'ipv4' as const,
    protocol: 17,
    src: [id],
    dst: [1],
    sport: 1,
    dport: 2,
    icmpType: 0,
    icmpCode: 0,
  };
  const e = new ConnEntry(id, t, t, 0, { kind: 'none' });
  e.status |= IPS_CONFIRMED;
  e.timeout = timeout;
  return e;
}

describe('expiry index of the reference table', () => {
  it('a sweep deletes exactly the filed connections whose timeout has passed', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const heap = new ExpiryHeap();
        const filed: ConnEntry[] = [];
        let id = 1;
        for (const o of ops) {
          if (o.op === 'add') {
            const e = confirmedEntry(id++, BigInt(o.timeout));
            heap.add(e);
            e.expiryIndex = heap;
            filed.push(e);
          } else if (o.op === 'set' && filed.length > 0) {
            filed[o.which % filed.length]!.timeout = BigInt(o.timeout);
          } else if (o.op === 'remove' && filed.length > 0) {
            const [e] = filed.splice(o.which % filed.length, 1);
            heap.remove(e!);
            e!.expiryIndex = null;
          } else if (o.op === 'due') {
            const now = BigInt(o.now);
            const expected = filed.filter((e) => e.timeout <= now).map((e) => e.id);
            const got: number[] = [];
            const n = heap.due(now, (e) => {
              got.push(e.id);
              filed.splice(filed.indexOf(e), 1);
            });
            expect(n).toBe(got.length);
            expect(got.sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
          }
          expect(heap.size).toBe(filed.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a connection whose timeout drops (TCP closing) expires at the new time', () => {
    const t = table({ max: 10 });
    const r = pass(t, udp('10.0.0.1', 1, '192.0.2.1', 53), 0n);
    if (r.kind !== 'tracked') throw new Error('not tracked');
    expect(r.entry.timeout).toBe(30n * SEC);
    r.entry.timeout = 5n * SEC;
    expect(t.expire(4n * SEC)).toBe(0);
    expect(t.expire(5n * SEC)).toBe(1);
    expect(t.count).toBe(0);
    // A deleted connection's timeout no longer reaches the index.
    r.entry.timeout = 1n;
    expect(t.expire(10n * SEC)).toBe(0);
  });
});
