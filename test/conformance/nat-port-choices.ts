// The one allowance the packet comparison makes for NAT: ports the kernel chose at random.
//
// Linux picks a NAT port in nf_nat_l4proto_unique_tuple by trying min + (off + i) % size over
// the allowed range, where `off` is random (get_random_u16, or a keyed hash for --random) for
// source NAT whenever the original port cannot be kept — a clash (two clients MASQUERADEd from
// the same port, the null binding's implicit SNAT), an original port outside the rule's --to
// ports, --random, --random-fully — and for destination NAT only with --random/--random-fully
// (otherwise off = 0 and the choice is deterministic). The engine draws `off` from its seeded
// generator, so both pick a valid port but rarely the same number.
//
// Rule: a connection both the kernel and the engine hold (same original tuple; reply tuples equal
// except the NAT'd port) where both moved that port away from the original one and both choices
// lie in one range the kernel could have drawn from — a matching NAT rule's --to ports, or for
// source NAT without ports the default range of the original port (1-511, 600-1023 or
// 1024-65535) — is compared with the kernel's port replaced by the engine's in every packet the
// kernel emitted for that connection, and the layer-4 checksum adjusted for exactly that
// replacement (RFC 1624), so the checksum is still checked. Every other byte must match, and the
// replacement is one to one per connection: the kernel's later packets must keep its port.

import type { ConnSnapshot } from '../../src/engine/conntrack/snapshot.js';
import type { Ruleset } from '../../src/ir/ruleset.js';
import type { ConntrackEntry } from '../kernel/netns/kernel-result.js';

interface Range {
  readonly from: number;
  readonly to: number;
}

/** A kernel packet to rewrite: the 4-tuple as the kernel emitted it, and the port to set. */
interface Substitution {
  readonly key: string;
  readonly field: 'sport' | 'dport';
  readonly port: number;
}

const inRange = (r: Range, ...ports: number[]) => ports.every((p) => p >= r.from && p <= r.to);

/** The kernel's range for a source port moved without --to ports ("loose convention"). */
function defaultRange(original: number): Range {
  if (original < 512) return { from: 1, to: 511 };
  if (original < 1024) return { from: 600, to: 1023 };
  return { from: 1024, to: 65535 };
}

function natRanges(ruleset: Ruleset): { src: Range[]; dstRandom: Range[] } {
  const src: Range[] = [];
  const dstRandom: Range[] = [];
  for (const t of ruleset.tables)
    for (const c of t.chains)
      for (const r of c.rules) {
        const target = r.target;
        if (!target) continue;
        if ((target.kind === 'SNAT' || target.kind === 'MASQUERADE') && target.range.ports)
          src.push(target.range.ports);
        if (
          (target.kind === 'DNAT' || target.kind === 'REDIRECT') &&
          target.range.ports &&
          (target.range.random || target.range.randomFully)
        )
          dstRandom.push(target.range.ports);
      }
  return { src, dstRandom };
}

const word = (w: number) => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
const key4 = (proto: number, src: string, sport: number, dst: string, dport: number) =>
  `${proto} ${src}:${sport} ${dst}:${dport}`;

export class NatPortChoices {
  private readonly subs = new Map<string, Substitution[]>();
  /** Original tuples (`proto src:sport dst:dport`) whose reply port was a random NAT choice. */
  readonly randomReplyPort = new Set<string>();

  constructor(kernel: readonly ConntrackEntry[], engine: readonly ConnSnapshot[], ruleset: Ruleset) {
    const ranges = natRanges(ruleset);
    const ours = new Map<string, ConnSnapshot>();
    for (const e of engine) {
      if (e.original.family !== 'ipv4' || (e.protocol !== 6 && e.protocol !== 17)) continue;
      const o = e.original;
      ours.set(key4(e.protocol, word(o.src[0]!), o.sport, word(o.dst[0]!), o.dport), e);
    }
    for (const k of kernel) {
      if (k.family !== 'ipv4' || (k.protonum !== 6 && k.protonum !== 17)) continue;
      const ko = k.original;
      const kr = k.reply;
      const e = ours.get(key4(k.protonum, ko.src, ko.sport ?? 0, ko.dst, ko.dport ?? 0));
      if (!e || kr.sport === undefined || kr.dport === undefined) continue;
      const er = {
        src: word(e.reply.src[0]!),
        dst: word(e.reply.dst[0]!),
        sport: e.reply.sport,
        dport: e.reply.dport,
      };
      if (kr.src !== er.src || kr.dst !== er.dst) continue;
      // Packets the kernel emitted for this connection after NAT, in the original direction.
      const emittedKey = key4(k.protonum, kr.dst, kr.dport, kr.src, kr.sport);
      const add = (s: Substitution) => {
        this.subs.set(s.key, [...(this.subs.get(s.key) ?? []), s]);
        this.randomReplyPort.add(key4(k.protonum, ko.src, ko.sport ?? 0, ko.dst, ko.dport ?? 0));
      };
      const origSport = ko.sport ?? 0;
      if (
        kr.dport !== er.dport &&
        kr.dport !== origSport &&
        er.dport !== origSport &&
        [...ranges.src, defaultRange(origSport)].some((r) => inRange(r, kr.dport!, er.dport))
      )
        add({ key: emittedKey, field: 'sport', port: er.dport });
      const origDport = ko.dport ?? 0;
      if (
        kr.sport !== er.sport &&
        kr.sport !== origDport &&
        er.sport !== origDport &&
        ranges.dstRandom.some((r) => inRange(r, kr.sport!, er.sport))
      )
        add({ key: emittedKey, field: 'dport', port: er.sport });
    }
  }

  /** The kernel's IP datagram with the engine's port choices in place (a copy), or the same bytes. */
  substitute(ip: Uint8Array): Uint8Array {
    if (this.subs.size === 0 || ip.length < 20 || ip[0]! >>> 4 !== 4) return ip;
    const proto = ip[9]!;
    const l4 = (ip[0]! & 15) * 4;
    const fragmentOffset = ((ip[6]! & 0x1f) << 8) | ip[7]!;
    if ((proto !== 6 && proto !== 17) || fragmentOffset !== 0 || ip.length < l4 + (proto === 6 ? 18 : 8))
      return ip;
    const view = new DataView(ip.buffer, ip.byteOffset, ip.byteLength);
    const addr = (o: number) => `${ip[o]}.${ip[o + 1]}.${ip[o + 2]}.${ip[o + 3]}`;
    const subs = this.subs.get(key4(proto, addr(12), view.getUint16(l4), addr(16), view.getUint16(l4 + 2)));
    if (!subs) return ip;
    const out = Uint8Array.from(ip);
    const o = new DataView(out.buffer);
    const sumAt = proto === 6 ? l4 + 16 : l4 + 6;
    for (const s of subs) {
      const at = s.field === 'sport' ? l4 : l4 + 2;
      const old = o.getUint16(at);
      o.setUint16(at, s.port);
      const sum = o.getUint16(sumAt);
      if (proto === 17 && sum === 0) continue; // no UDP checksum
      // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')
      let x = (~sum & 0xffff) + (~old & 0xffff) + s.port;
      x = (x & 0xffff) + (x >>> 16);
      x = (x & 0xffff) + (x >>> 16);
      let next = ~x & 0xffff;
      if (proto === 17 && next === 0) next = 0xffff;
      o.setUint16(sumAt, next);
    }
    return out;
  }
}
