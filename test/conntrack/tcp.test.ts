import { describe, expect, it } from 'vitest';
import {
  ctState,
  IPS_ASSURED,
  IPS_SEEN_REPLY,
  snapshot,
  TCP_ACK,
  TCP_FIN,
  TCP_RST,
  TCP_STATE_NAMES,
  TCP_SYN,
  type TrackResult,
  tcpStateOf,
} from '../../src/engine/conntrack/index.js';
import { pass, SEC, stateOf, table, tcp } from './helpers.js';

const C = { src: '10.0.0.1', dst: '192.0.2.10', sport: 40000, dport: 80 };
const S = { src: C.dst, dst: C.src, sport: C.dport, dport: C.sport };
const ISN_C = 1000;
const ISN_S = 5000;

function tcpName(r: TrackResult): string {
  if (r.kind !== 'tracked') return r.kind;
  const t = tcpStateOf(r.entry);
  return t ? TCP_STATE_NAMES[t.state]! : 'none';
}

function timeoutLeft(r: TrackResult, now: bigint): bigint {
  if (r.kind !== 'tracked') throw new Error('not tracked');
  return r.entry.expiresIn(now) / SEC;
}

/** SYN, SYN-ACK, ACK at t = 0, 1, 2 s. */
function handshake() {
  const t = table();
  const syn = pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 0n);
  const synack = pass(t, tcp({ ...S, flags: TCP_SYN | TCP_ACK, seq: ISN_S, ack: ISN_C + 1 }), 1n * SEC);
  const ack = pass(t, tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 1, ack: ISN_S + 1 }), 2n * SEC);
  return { t, syn, synack, ack };
}

describe('TCP state machine (nf_conntrack_tcp_packet, tcp_conntracks)', () => {
  it('three-way handshake: NEW/SYN_SENT, ESTABLISHED_REPLY/SYN_RECV, ESTABLISHED + ASSURED', () => {
    const { syn, synack, ack } = handshake();
    expect([stateOf(syn), tcpName(syn)]).toEqual(['NEW', 'ESTABLISHED']); // entry state after the last packet
    expect(stateOf(synack)).toBe('ESTABLISHED_REPLY');
    expect(stateOf(ack)).toBe('ESTABLISHED');
    expect(ctState(ack)).toBe('ESTABLISHED');
    if (ack.kind !== 'tracked') throw new Error();
    expect(ack.entry.status & IPS_ASSURED).toBe(IPS_ASSURED);
    expect(ack.entry.status & IPS_SEEN_REPLY).toBe(IPS_SEEN_REPLY);
    // tcp_timeouts[ESTABLISHED] = 5 days once nothing is unacknowledged.
    expect(timeoutLeft(ack, 2n * SEC)).toBe(432000n);
  });

  it('timeouts per state: SYN_SENT 120 s, SYN_RECV 60 s', () => {
    const t = table();
    const syn = pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 0n);
    expect(tcpName(syn)).toBe('SYN_SENT');
    expect(timeoutLeft(syn, 0n)).toBe(120n);
    const synack = pass(t, tcp({ ...S, flags: TCP_SYN | TCP_ACK, seq: ISN_S, ack: ISN_C + 1 }), SEC);
    expect(tcpName(synack)).toBe('SYN_RECV');
    expect(timeoutLeft(synack, SEC)).toBe(60n);
  });

  it('a retransmitted SYN does not renew the timeout (no refresh before a reply)', () => {
    const t = table();
    pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 0n);
    const again = pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 3n * SEC);
    expect(stateOf(again)).toBe('NEW');
    expect(timeoutLeft(again, 3n * SEC)).toBe(117n);
  });

  it('unacknowledged data shortens ESTABLISHED to nf_conntrack_tcp_timeout_unacknowledged (300 s)', () => {
    const { t } = handshake();
    const data = pass(t, tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 1, ack: ISN_S + 1, len: 100 }), 3n * SEC);
    expect(timeoutLeft(data, 3n * SEC)).toBe(300n);
    const acked = pass(t, tcp({ ...S, flags: TCP_ACK, seq: ISN_S + 1, ack: ISN_C + 101 }), 4n * SEC);
    expect(timeoutLeft(acked, 4n * SEC)).toBe(432000n);
  });

  it('FIN teardown: FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT, then expiry after 120 s', () => {
    const { t } = handshake();
    const fin1 = pass(t, tcp({ ...C, flags: TCP_FIN | TCP_ACK, seq: ISN_C + 1, ack: ISN_S + 1 }), 10n * SEC);
    expect([tcpName(fin1), timeoutLeft(fin1, 10n * SEC)]).toEqual(['FIN_WAIT', 120n]);
    const ack1 = pass(t, tcp({ ...S, flags: TCP_ACK, seq: ISN_S + 1, ack: ISN_C + 2 }), 11n * SEC);
    expect([tcpName(ack1), timeoutLeft(ack1, 11n * SEC)]).toEqual(['CLOSE_WAIT', 60n]);
    const fin2 = pass(t, tcp({ ...S, flags: TCP_FIN | TCP_ACK, seq: ISN_S + 1, ack: ISN_C + 2 }), 12n * SEC);
    expect([tcpName(fin2), timeoutLeft(fin2, 12n * SEC)]).toEqual(['LAST_ACK', 30n]);
    const ack2 = pass(t, tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 2, ack: ISN_S + 2 }), 13n * SEC);
    expect([tcpName(ack2), timeoutLeft(ack2, 13n * SEC)]).toEqual(['TIME_WAIT', 120n]);
    expect(snapshot(t, 132n * SEC)).toHaveLength(1);
    expect(snapshot(t, 133n * SEC)).toHaveLength(0);
    // After expiry the same 4-tuple starts over.
    const syn = pass(t, tcp({ ...C, flags: TCP_SYN, seq: 9000 }), 134n * SEC);
    expect([stateOf(syn), tcpName(syn)]).toEqual(['NEW', 'SYN_SENT']);
  });

  it('a SYN in TIME_WAIT after an orderly close reopens: the old entry is killed (-NF_REPEAT)', () => {
    const { t } = handshake();
    pass(t, tcp({ ...C, flags: TCP_FIN | TCP_ACK, seq: ISN_C + 1, ack: ISN_S + 1 }), 10n * SEC);
    pass(t, tcp({ ...S, flags: TCP_FIN | TCP_ACK, seq: ISN_S + 1, ack: ISN_C + 2 }), 11n * SEC);
    pass(t, tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 2, ack: ISN_S + 2 }), 12n * SEC);
    const syn = pass(t, tcp({ ...C, flags: TCP_SYN, seq: 90000 }), 13n * SEC);
    expect([stateOf(syn), tcpName(syn)]).toEqual(['NEW', 'SYN_SENT']);
    expect(snapshot(t, 13n * SEC)).toHaveLength(1);
  });

  it('RST in window closes: CLOSE with a 10 s timeout', () => {
    const { t } = handshake();
    const rst = pass(t, tcp({ ...S, flags: TCP_RST, seq: ISN_S + 1 }), 5n * SEC);
    expect([stateOf(rst), tcpName(rst), timeoutLeft(rst, 5n * SEC)]).toEqual([
      'ESTABLISHED_REPLY',
      'CLOSE',
      10n,
    ]);
  });

  it('RST below the peer’s highest ACK is INVALID ("invalid rst")', () => {
    const { t } = handshake();
    const rst = pass(t, tcp({ ...S, flags: TCP_RST, seq: ISN_S - 100 }), 5n * SEC);
    expect(rst).toMatchObject({ kind: 'invalid', reason: 'invalid rst' });
  });

  it('RST answering a SYN before any reply: the packet passes, the entry is deleted', () => {
    const t = table();
    pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 0n);
    const rst = pass(t, tcp({ ...S, flags: TCP_RST | TCP_ACK, seq: 0, ack: ISN_C + 1 }), SEC);
    expect(stateOf(rst)).toBe('ESTABLISHED_REPLY');
    expect(snapshot(t, SEC)).toHaveLength(0);
  });

  it('simultaneous open: SYN, SYN (reply: SYN_SENT2), SYN-ACK (SYN_RECV), ACK in reply → ESTABLISHED', () => {
    const t = table();
    pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 0n);
    const syn2 = pass(t, tcp({ ...S, flags: TCP_SYN, seq: ISN_S }), SEC);
    expect(tcpName(syn2)).toBe('SYN_SENT2');
    const sa = pass(t, tcp({ ...C, flags: TCP_SYN | TCP_ACK, seq: ISN_C, ack: ISN_S + 1 }), 2n * SEC);
    expect(tcpName(sa)).toBe('SYN_RECV');
    const ack = pass(t, tcp({ ...S, flags: TCP_ACK, seq: ISN_S + 1, ack: ISN_C + 1 }), 3n * SEC);
    expect(tcpName(ack)).toBe('ESTABLISHED');
  });

  it('a SYN-ACK matching no connection is INVALID, even with nf_conntrack_tcp_loose=1', () => {
    const t = table({ tcpLoose: true });
    const r = pass(t, tcp({ ...S, flags: TCP_SYN | TCP_ACK, seq: ISN_S, ack: ISN_C + 1 }), 0n);
    expect(ctState(r)).toBe('INVALID');
    expect(t.count).toBe(0);
  });

  it('a stray ACK is NEW with tcp_loose=1 (picked up as ESTABLISHED, 300 s until answered)', () => {
    const t = table();
    const r = pass(t, tcp({ ...C, flags: TCP_ACK, seq: 123456, ack: 654321, len: 10 }), 0n);
    expect([stateOf(r), tcpName(r), timeoutLeft(r, 0n)]).toEqual(['NEW', 'ESTABLISHED', 300n]);
    const reply = pass(t, tcp({ ...S, flags: TCP_ACK, seq: 654321, ack: 123466 }), SEC);
    expect(stateOf(reply)).toBe('ESTABLISHED_REPLY');
    const next = pass(t, tcp({ ...C, flags: TCP_ACK, seq: 123466, ack: 654321 }), 2n * SEC);
    if (next.kind !== 'tracked') throw new Error();
    expect(next.entry.status & IPS_ASSURED).toBe(IPS_ASSURED);
  });

  it('a stray ACK is INVALID with tcp_loose=0 (tcp_new)', () => {
    const t = table({ tcpLoose: false });
    expect(ctState(pass(t, tcp({ ...C, flags: TCP_ACK, seq: 1, ack: 1 }), 0n))).toBe('INVALID');
  });

  it('invalid flag combinations are INVALID (tcp_error: SYN|FIN, bare FIN, none)', () => {
    const t = table();
    for (const flags of [TCP_SYN | TCP_FIN, TCP_FIN, 0, TCP_SYN | TCP_RST]) {
      expect(ctState(pass(t, tcp({ ...C, flags, seq: 1 }), 0n))).toBe('INVALID');
    }
  });

  it('data beyond the receiver window is INVALID, accepted with nf_conntrack_tcp_be_liberal', () => {
    for (const liberal of [false, true]) {
      const { t } = handshake();
      const far = pass(
        t,
        tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 1 + 10_000_000, ack: ISN_S + 1, len: 10 }),
        3n * SEC,
      );
      expect(ctState(far)).toBe('INVALID');
      const t2 = table({ tcpBeLiberal: liberal });
      pass(t2, tcp({ ...C, flags: TCP_SYN, seq: ISN_C }), 0n);
      pass(t2, tcp({ ...S, flags: TCP_SYN | TCP_ACK, seq: ISN_S, ack: ISN_C + 1 }), SEC);
      pass(t2, tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 1, ack: ISN_S + 1 }), 2n * SEC);
      const r = pass(
        t2,
        tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 1 + 10_000_000, ack: ISN_S + 1, len: 10 }),
        3n * SEC,
      );
      expect(ctState(r)).toBe(liberal ? 'ESTABLISHED' : 'INVALID');
    }
  });

  it('an ACK for data never seen is INVALID ("ACK is over upper bound")', () => {
    const { t } = handshake();
    const r = pass(t, tcp({ ...S, flags: TCP_ACK, seq: ISN_S + 1, ack: ISN_C + 5000 }), 3n * SEC);
    expect(r).toMatchObject({ kind: 'invalid' });
  });

  it('retransmissions: after nf_conntrack_tcp_max_retrans identical segments the timeout drops to 300 s', () => {
    const { t } = handshake();
    const seg = tcp({ ...C, flags: TCP_ACK, seq: ISN_C + 1, ack: ISN_S + 1, len: 0 });
    let r = pass(t, seg, 3n * SEC);
    expect(timeoutLeft(r, 3n * SEC)).toBe(432000n);
    for (let i = 0; i < 3; i++) r = pass(t, seg, (4n + BigInt(i)) * SEC);
    expect(timeoutLeft(r, 6n * SEC)).toBe(300n);
  });

  it('a late retransmitted SYN-ACK in ESTABLISHED is ignored, not invalid (sIG)', () => {
    const { t } = handshake();
    const r = pass(t, tcp({ ...S, flags: TCP_SYN | TCP_ACK, seq: ISN_S, ack: ISN_C + 1 }), 3n * SEC);
    expect([stateOf(r), tcpName(r)]).toEqual(['ESTABLISHED_REPLY', 'ESTABLISHED']);
  });

  it('window scaling is used only when both sides offer it (tcp_init_sender)', () => {
    const t = table();
    pass(t, tcp({ ...C, flags: TCP_SYN, seq: ISN_C, options: { wscale: 7, sackPerm: true } }), 0n);
    const sa = pass(
      t,
      tcp({
        ...S,
        flags: TCP_SYN | TCP_ACK,
        seq: ISN_S,
        ack: ISN_C + 1,
        options: { wscale: 9, sackPerm: true },
      }),
      SEC,
    );
    if (sa.kind !== 'tracked') throw new Error();
    const st = tcpStateOf(sa.entry)!;
    expect([st.seen[0].tdScale, st.seen[1].tdScale]).toEqual([7, 9]);
    const t2 = table();
    pass(t2, tcp({ ...C, flags: TCP_SYN, seq: ISN_C, options: { sackPerm: true } }), 0n);
    const sa2 = pass(
      t2,
      tcp({ ...S, flags: TCP_SYN | TCP_ACK, seq: ISN_S, ack: ISN_C + 1, options: { wscale: 9 } }),
      SEC,
    );
    if (sa2.kind !== 'tracked') throw new Error();
    const st2 = tcpStateOf(sa2.entry)!;
    expect([st2.seen[0].tdScale, st2.seen[1].tdScale]).toEqual([0, 0]);
  });
});
