// Byte-for-byte comparison with what Linux 6.18 sent (test/fixtures/wire/kernel-replies.txt,
// made by kernel-replies.py in a network namespace): REJECT's TCP RSTs and ICMP errors, and DNAT +
// forwarding + TCPMSS rewrites. Only the fields the kernel picks unpredictably (the ICMP error's
// IP id, the ICMPv6 error's flow label) are taken from the kernel's reply.

import { describe, expect, it } from 'vitest';
import { get16, get32 } from '../../src/wire/bytes.js';
import { Ipv4View } from '../../src/wire/ipv4.js';
import { natManipIpv4 } from '../../src/wire/manip.js';
import {
  type RejectResult,
  rejectIcmpUnreach4,
  rejectIcmpUnreach6,
  rejectTcpReset4,
  rejectTcpReset6,
} from '../../src/wire/reject.js';
import { tcpmssMangle } from '../../src/wire/tcpmss.js';
import { type KernelExchange, kernelExchanges, toHex } from './fixtures.js';

const ex = kernelExchanges();
const ETH = 14;

function get(name: string): KernelExchange & { ip: Uint8Array; replyIp: Uint8Array } {
  const e = ex.get(name);
  if (!e?.reply) throw new Error(`fixture ${name} missing`);
  return { ...e, ip: e.probe.slice(ETH), replyIp: e.reply.slice(ETH) };
}

function packet(r: RejectResult): Uint8Array {
  if ('none' in r) throw new Error(`no reply: ${r.none}`);
  return r.packet;
}

describe('REJECT replies equal the kernel', () => {
  for (const name of ['rst-for-syn', 'rst-for-ack', 'rst-for-fin-data']) {
    it(`tcp-reset: ${name}`, () => {
      const e = get(name);
      expect(toHex(packet(rejectTcpReset4(e.ip, 0)))).toBe(toHex(e.replyIp));
    });
  }
  for (const [name, code] of [
    ['unreach-udp', 3],
    ['unreach-udp-big', 3],
    ['prohib-udp-nocsum', 10],
    ['admin-tcp', 13],
  ] as const) {
    it(`icmp unreachable code ${code}: ${name}`, () => {
      const e = get(name);
      const id = get16(e.replyIp, 4);
      expect(toHex(packet(rejectIcmpUnreach4(e.ip, 0, code, { id })))).toBe(toHex(e.replyIp));
    });
  }
  it('tcp-reset over IPv6', () => {
    const e = get('v6-rst-for-syn');
    expect(toHex(packet(rejectTcpReset6(e.ip, 0)))).toBe(toHex(e.replyIp));
  });
  for (const name of ['v6-unreach-udp', 'v6-unreach-udp-big']) {
    it(`icmp6-port-unreachable: ${name}`, () => {
      const e = get(name);
      const flowLabel = get32(e.replyIp, 0) & 0xfffff;
      expect(toHex(packet(rejectIcmpUnreach6(e.ip, 0, 4, { flowLabel })))).toBe(toHex(e.replyIp));
    });
  }

  it('sends nothing where the kernel sends nothing', () => {
    const syn = get('rst-for-syn').ip;
    const rst = syn.slice();
    rst[33] = 0x04; // RST: no RST for a RST (checksum now wrong too, either suffices)
    expect(rejectTcpReset4(rst, 0)).toHaveProperty('none');
    const badSum = syn.slice();
    badSum[36] = badSum[36]! ^ 0xff;
    expect(rejectTcpReset4(badSum, 0)).toEqual({ none: 'bad tcp checksum' });
    expect(rejectIcmpUnreach4(badSum, 0, 3)).toEqual({ none: 'bad transport checksum' });
    // A UDP datagram without checksum is not verified (prohib-udp-nocsum got its reply).
    const frag = syn.slice();
    const v = new Ipv4View(frag);
    v.fragField = 3;
    v.updateChecksum();
    expect(rejectTcpReset4(frag, 0)).toEqual({ none: 'non-first fragment' });
    expect(rejectIcmpUnreach4(frag, 0, 3)).toEqual({ none: 'non-first fragment' });
    const icmpErr = get('unreach-udp').replyIp;
    expect(rejectIcmpUnreach4(icmpErr, 0, 3)).toEqual({ none: 'no ICMP error about an ICMP error' });
  });
});

describe('DNAT + forwarding + TCPMSS equal the kernel', () => {
  // nat PREROUTING DNAT to 10.9.0.3:{80,53}; ip_forward decrements the TTL; mangle FORWARD
  // TCPMSS --set-mss 1200 on SYNs to port 80.
  const TO = 0x0a090003;
  const forward = (name: string, port: number, mss: boolean) => {
    const e = get(name);
    let b = e.ip;
    expect(natManipIpv4(b, 0, b.length, 'dst', TO, port)).toBe(true);
    new Ipv4View(b).decreaseTtl();
    if (mss) {
      const r = tcpmssMangle(b, 0, 'ipv4', 1200);
      if (r.action !== 'accept') throw new Error(r.reason);
      b = r.bytes;
    }
    expect(toHex(b)).toBe(toHex(e.replyIp));
  };
  it('tcp SYN with MSS 1460 (clamped to 1200)', () => forward('dnat-tcp', 80, true));
  it('MSS at an odd offset: the kernel leaves the TCP checksum wrong', () =>
    forward('dnat-tcpmss-unaligned', 80, true));
  it('SYN without MSS: option 536 inserted', () => forward('dnat-tcpmss-add', 80, true));
  it('udp', () => forward('dnat-udp', 53, false));
  it('udp without checksum stays without', () => forward('dnat-udp-zero-csum', 53, false));
  it('tcp with a wrong checksum stays wrong (nf_conntrack_checksum=0)', () =>
    forward('dnat-tcp-badcsum-nocheck', 80, true));
  it('udp with a wrong checksum stays wrong (nf_conntrack_checksum=0)', () =>
    forward('dnat-udp-badcsum-nocheck', 53, false));
  it('with nf_conntrack_checksum=1 a bad TCP checksum makes the packet INVALID: no NAT, no forward', () => {
    expect(ex.get('dnat-tcp-badcsum-invalid')?.reply).toBeNull();
  });
});
