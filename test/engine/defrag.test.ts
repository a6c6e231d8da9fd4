// IPv4 reassembly (defrag.ts: ip_defrag, ip_frag_queue, inet_frag_queue_insert, ip_frag_reasm,
// ip_expire) and fragmentation on output (fragment-output.ts: ip_fragment, ip_do_fragment) on
// hand-made datagrams. The kernel scenarios (test/fixtures/scenarios/frag-*) check the same
// against Linux; these pin the queue's rules one by one.

import { describe, expect, it } from 'vitest';
import { type DefragResult, FragmentQueues, type Reassembled } from '../../src/engine/reference/defrag.js';
import { ipFinishOutput, WHOLE } from '../../src/engine/reference/fragment-output.js';
import { IP_DF, IP_MF, Ipv4View, writeIpv4Header } from '../../src/wire/ipv4.js';

const SRC = 0xcb007107; // 203.0.113.7
const DST = 0xc0a8010a; // 192.168.1.10
const SECOND = 1_000_000_000n;
const arrival = { iif: 'eth0', macSrc: null, macDst: null };

interface Header {
  readonly id?: number;
  readonly ttl?: number;
  readonly tos?: number;
  readonly df?: boolean;
  readonly options?: readonly number[];
}

/** A datagram of protocol 17 carrying `payload` (its checksum is not the point here). */
function datagram(payload: Uint8Array, h: Header = {}): Uint8Array {
  const hl = 20 + (h.options?.length ?? 0);
  const b = new Uint8Array(hl + payload.length);
  writeIpv4Header(b, 0, {
    totalLength: b.length,
    id: h.id ?? 7,
    fragField: h.df ? IP_DF : 0,
    ttl: h.ttl ?? 64,
    tos: h.tos ?? 0,
    protocol: 17,
    src: SRC,
    dst: DST,
    ...(h.options ? { options: h.options } : {}),
  });
  b.set(payload, hl);
  return b;
}

/** The fragment of `payload` at [off, off+len), MF unless it reaches the end (or `mf` says). */
function fragment(
  payload: Uint8Array,
  off: number,
  len: number,
  h: Header & { mf?: boolean } = {},
): Uint8Array {
  const d = datagram(payload.subarray(off, off + len), h);
  const ip = new Ipv4View(d, 0, d.length);
  const mf = h.mf ?? off + len < payload.length;
  ip.fragField = (off >>> 3) | (mf ? IP_MF : 0) | (h.df ? IP_DF : 0);
  ip.updateChecksum();
  return d;
}

const payload = Uint8Array.from({ length: 108 }, (_, i) => i);
const queues = () => new FragmentQueues(30n * SECOND);

function feed(q: FragmentQueues, frags: readonly Uint8Array[], t = 0n): DefragResult[] {
  return frags.map((f) => q.defrag(f, 'conntrack-in', arrival, t));
}

function complete(r: DefragResult | undefined): Reassembled {
  if (r?.kind !== 'complete') throw new Error(`expected a reassembled datagram, got ${JSON.stringify(r)}`);
  return r;
}

describe('reassembly (ip_frag_queue, ip_frag_reasm)', () => {
  it('holds fragments until the datagram is complete, then rebuilds it', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 0, 48), fragment(payload, 48, 48), fragment(payload, 96, 12)]);
    expect(r.map((x) => x.kind)).toEqual(['held', 'held', 'complete']);
    const d = complete(r[2]);
    expect(d.bytes).toEqual(datagram(payload));
    expect(d.pieces).toEqual([48, 48, 12]);
    expect(d.fragMaxSize).toBe(68);
    expect(d.pmtu).toBe(false);
    expect(q.size).toBe(0);
  });

  it("takes the first fragment's header whatever the order", () => {
    const q = queues();
    const r = feed(q, [
      fragment(payload, 96, 12, { ttl: 9 }),
      fragment(payload, 0, 48, { ttl: 61 }),
      fragment(payload, 48, 48, { ttl: 5 }),
    ]);
    const d = complete(r[2]);
    expect(d.bytes).toEqual(datagram(payload, { ttl: 61 }));
  });

  it('keeps separate queues per id and per defrag user', () => {
    const q = queues();
    q.defrag(fragment(payload, 0, 48), 'conntrack-in', arrival, 0n);
    q.defrag(fragment(payload, 0, 48, { id: 8 }), 'conntrack-in', arrival, 0n);
    q.defrag(fragment(payload, 0, 48), 'local-deliver', arrival, 0n);
    expect(q.size).toBe(3);
  });

  it('drops a duplicate alone and completes the datagram', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 0, 48), fragment(payload, 0, 48), fragment(payload, 48, 60)]);
    expect(r.map((x) => x.kind)).toEqual(['held', 'dropped', 'complete']);
    expect(complete(r[2]).bytes).toEqual(datagram(payload));
  });

  it('treats a fragment inside a run of held fragments as a duplicate', () => {
    const q = queues();
    const r = feed(q, [
      fragment(payload, 0, 48),
      fragment(payload, 48, 48),
      fragment(payload, 16, 24),
      fragment(payload, 96, 12),
    ]);
    expect(r.map((x) => x.kind)).toEqual(['held', 'held', 'dropped', 'complete']);
  });

  it('drops the whole queue on an overlap (RFC 5722); what comes later starts a new one', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 0, 48), fragment(payload, 40, 48), fragment(payload, 48, 60)]);
    expect(r.map((x) => x.kind)).toEqual(['held', 'dropped', 'held']);
    expect(r[1]!.kind === 'dropped' && r[1]!.reason).toMatch(/overlap/);
    expect(q.size).toBe(1);
  });

  it('drops the queue when two last fragments disagree on the end', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 96, 12), fragment(payload, 48, 56, { mf: false })]);
    expect(r.map((x) => x.kind)).toEqual(['held', 'dropped']);
    expect(q.size).toBe(0);
  });

  it('cuts a middle fragment to a multiple of 8 bytes', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 0, 50), fragment(payload, 48, 60)]);
    expect(complete(r[1]).pieces).toEqual([48, 60]);
  });

  it('sets DF on the datagram when the largest fragment had it (IPSKB_FRAG_PMTU)', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 0, 48, { df: true }), fragment(payload, 48, 60, { df: true })]);
    const d = complete(r[1]);
    expect(d.pmtu).toBe(true);
    expect(new Ipv4View(d.bytes, 0, d.bytes.length).dontFragment).toBe(true);
  });

  it('drops a datagram whose fragments mix ECN-capable and not (ip_frag_ecn_table)', () => {
    const q = queues();
    const r = feed(q, [fragment(payload, 0, 48, { tos: 2 }), fragment(payload, 48, 60, { tos: 0 })]);
    expect(r[1]!.kind).toBe('dropped');
  });
});

describe('the reassembly timeout (ip_expire)', () => {
  it('expires a queue ipfrag_time after it was created, not after its last fragment', () => {
    const q = queues();
    q.defrag(fragment(payload, 0, 48), 'conntrack-in', arrival, 0n);
    q.defrag(fragment(payload, 48, 48), 'conntrack-in', arrival, 20n * SECOND);
    expect(q.expire(29n * SECOND)).toEqual([]);
    const [gone] = q.expire(30n * SECOND);
    expect(gone?.head?.offset).toBe(0);
    expect(gone?.head?.bytes).toEqual(fragment(payload, 0, 48));
    expect(q.size).toBe(0);
  });

  it('reports no head when the first fragment never came', () => {
    const q = queues();
    q.defrag(fragment(payload, 48, 60), 'local-deliver', arrival, 0n);
    expect(q.expire(31n * SECOND)[0]?.head).toBeNull();
  });
});

describe('fragmentation on output (ip_fragment, ip_do_fragment)', () => {
  const original = [fragment(payload, 0, 64), fragment(payload, 64, 32), fragment(payload, 96, 12)];

  function reassembled(frags: readonly Uint8Array[]): Reassembled {
    const r = feed(queues(), frags);
    return complete(r[r.length - 1]);
  }

  it('sends a reassembled datagram as the fragments it came in (frag_list fast path)', () => {
    const d = reassembled(original);
    const out = ipFinishOutput(d.bytes, 1500, { ...d, ignoreDf: true });
    expect(out.kind === 'fragmented' && out.fragments).toEqual(original);
  });

  it('cuts MTU-sized pieces when a fragment does not fit (slow path)', () => {
    const d = reassembled(original);
    const out = ipFinishOutput(d.bytes, 60, { ...d, ignoreDf: true });
    if (out.kind !== 'fragmented') throw new Error(out.kind);
    expect(out.fragments.map((f) => f.length - 20)).toEqual([40, 40, 28]);
    expect(out.fragments.map((f) => new Ipv4View(f, 0, f.length).fragField)).toEqual([
      IP_MF | 0,
      IP_MF | 5,
      10,
    ]);
    for (const f of out.fragments) expect(new Ipv4View(f, 0, f.length).checksumValid()).toBe(true);
  });

  it('leaves a datagram that fits whole, and refuses to fragment one with DF', () => {
    const whole = datagram(payload);
    expect(ipFinishOutput(whole, 1500, WHOLE).kind).toBe('whole');
    expect(ipFinishOutput(datagram(payload, { df: true }), 100, WHOLE)).toEqual({
      kind: 'frag-needed',
      mtu: 100,
    });
    expect(ipFinishOutput(whole, 100, WHOLE).kind).toBe('fragmented');
  });

  it('replaces options without the copied flag by NOOPs after the first fragment', () => {
    // Record route (7, not copied) and a copied option (0x94: router alert).
    const options = [0x94, 4, 0, 0, 7, 7, 4, 0, 0, 0, 0, 0];
    const out = ipFinishOutput(datagram(payload, { options }), 32 + 48, WHOLE);
    if (out.kind !== 'fragmented') throw new Error(out.kind);
    expect([...out.fragments[0]!.subarray(20, 32)]).toEqual(options);
    expect([...out.fragments[1]!.subarray(20, 32)]).toEqual([0x94, 4, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0]);
  });
});
