import { describe, expect, it } from 'vitest';
import {
  conntrackIn,
  ctState,
  IPS_ASSURED,
  settingsFromSysctls,
  snapshot,
  type TrackResult,
} from '../../src/engine/conntrack/index.js';
import { ConntrackTable } from '../../src/engine/conntrack/table.js';
import { icmp, ip, pass, SEC, stateOf, table, udp } from './helpers.js';

function left(r: TrackResult, now: bigint): bigint {
  if (r.kind !== 'tracked') throw new Error('not tracked');
  return r.entry.expiresIn(now) / SEC;
}

describe('UDP (nf_conntrack_udp_packet)', () => {
  it('unreplied 30 s; a reply keeps 30 s; traffic 2 s after the first packet: 120 s and ASSURED', () => {
    const t = table();
    const q = pass(t, udp('10.0.0.1', 5353, '192.0.2.1', 53), 0n);
    expect([stateOf(q), left(q, 0n)]).toEqual(['NEW', 30n]);
    const a = pass(t, udp('192.0.2.1', 53, '10.0.0.1', 5353), SEC / 2n);
    expect([stateOf(a), left(a, SEC / 2n)]).toEqual(['ESTABLISHED_REPLY', 30n]);
    const early = pass(t, udp('10.0.0.1', 5353, '192.0.2.1', 53), SEC);
    expect([stateOf(early), left(early, SEC)]).toEqual(['ESTABLISHED', 30n]);
    if (early.kind !== 'tracked') throw new Error();
    expect(early.entry.status & IPS_ASSURED).toBe(0);
    const late = pass(t, udp('10.0.0.1', 5353, '192.0.2.1', 53), 3n * SEC);
    expect(left(late, 3n * SEC)).toBe(120n);
    expect(early.entry.status & IPS_ASSURED).toBe(IPS_ASSURED);
  });

  it('an unreplied flow expires after nf_conntrack_udp_timeout; the next packet is NEW again', () => {
    const t = new ConntrackTable({ settings: settingsFromSysctls({ nf_conntrack_udp_timeout: 10 }) });
    pass(t, udp('10.0.0.1', 1000, '192.0.2.1', 53), 0n);
    expect(stateOf(pass(t, udp('10.0.0.1', 1000, '192.0.2.1', 53), 9n * SEC))).toBe('NEW');
    expect(stateOf(pass(t, udp('10.0.0.1', 1000, '192.0.2.1', 53), 19n * SEC))).toBe('NEW');
    expect(snapshot(t, 19n * SEC)[0]!.line).toContain('[UNREPLIED]');
  });

  it('bad checksum is INVALID only in PREROUTING (udp_error)', () => {
    const t = table();
    const bad = { ...udp('10.0.0.1', 1, '192.0.2.1', 2), badChecksum: true };
    expect(ctState(conntrackIn(t, bad, 0n, 'prerouting'))).toBe('INVALID');
    expect(ctState(conntrackIn(t, bad, 0n, 'output'))).toBe('NEW');
  });
});

describe('ICMP (nf_conntrack_icmp_packet, nf_conntrack_inet_error)', () => {
  it('echo request is NEW (30 s), the reply with the same id ESTABLISHED_REPLY', () => {
    const t = table();
    const req = pass(t, icmp('10.0.0.1', '192.0.2.1', { type: 8, code: 0, id: 77 }), 0n);
    expect([stateOf(req), left(req, 0n)]).toEqual(['NEW', 30n]);
    const rep = pass(t, icmp('192.0.2.1', '10.0.0.1', { type: 0, code: 0, id: 77 }), SEC);
    expect(stateOf(rep)).toBe('ESTABLISHED_REPLY');
    const other = pass(t, icmp('192.0.2.1', '10.0.0.1', { type: 0, code: 0, id: 78 }), SEC);
    expect(ctState(other)).toBe('INVALID'); // a reply cannot open a connection (valid_new)
  });

  it('types without a reply type cannot be tracked (nf_ct_invert_tuple fails): INVALID', () => {
    const t = table();
    expect(ctState(pass(t, icmp('10.0.0.1', '192.0.2.1', { type: 9, code: 0, id: 0 }), 0n))).toBe('INVALID');
    expect(ctState(pass(t, icmp('10.0.0.1', '192.0.2.1', { type: 42, code: 0, id: 0 }), 0n))).toBe('INVALID');
  });

  it('an error quoting a tracked packet is RELATED; the inner tuple is inverted for the lookup', () => {
    const t = table();
    pass(t, udp('10.0.0.1', 5000, '192.0.2.1', 53), 0n);
    const quoted = { protocol: 17, src: ip('10.0.0.1'), dst: ip('192.0.2.1'), sport: 5000, dport: 53 };
    const err = pass(t, icmp('192.0.2.1', '10.0.0.1', { type: 3, code: 3, id: 0 }, quoted), SEC);
    expect(stateOf(err)).toBe('RELATED_REPLY');
    expect(ctState(err)).toBe('RELATED');
    // A router on the way reporting on the original direction's packet: still RELATED (reply).
    const ttl = pass(t, icmp('198.51.100.7', '10.0.0.1', { type: 11, code: 0, id: 0 }, quoted), SEC);
    expect(stateOf(ttl)).toBe('RELATED_REPLY');
  });

  it('errors for unknown connections, or whose outer destination is not the connection’s, are INVALID', () => {
    const t = table();
    pass(t, udp('10.0.0.1', 5000, '192.0.2.1', 53), 0n);
    const unknown = { protocol: 17, src: ip('10.0.0.1'), dst: ip('192.0.2.1'), sport: 5001, dport: 53 };
    expect(ctState(pass(t, icmp('192.0.2.1', '10.0.0.1', { type: 3, code: 3, id: 0 }, unknown), SEC))).toBe(
      'INVALID',
    );
    const known = { protocol: 17, src: ip('10.0.0.1'), dst: ip('192.0.2.1'), sport: 5000, dport: 53 };
    expect(ctState(pass(t, icmp('192.0.2.1', '10.9.9.9', { type: 3, code: 3, id: 0 }, known), SEC))).toBe(
      'INVALID',
    );
  });

  it('ICMPv6 neighbour discovery is UNTRACKED (noct_valid_new)', () => {
    const t = table();
    const ns = conntrackIn(
      t,
      {
        family: 'ipv6',
        protocol: 58,
        src: [0xfe800000, 0, 0, 1],
        dst: [0xff020000, 0, 1, 0xff000001],
        length: 72,
        icmp: { type: 135, code: 0, id: 0 },
      },
      0n,
      'prerouting',
    );
    expect(ctState(ns)).toBe('UNTRACKED');
  });
});
