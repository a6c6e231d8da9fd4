// Just enough Ethernet/IP decoding to describe a frame in a test assertion, learn which MAC
// a trace uses for an address, and tell ARP/ND/MLD housekeeping apart from real traffic.

export interface FrameInfo {
  readonly srcMac: string;
  readonly dstMac: string;
  /** 'ipv4' | 'ipv6' | 'arp' | ethertype as 0xNNNN. */
  readonly type: string;
  readonly src?: string;
  readonly dst?: string;
  /** 'tcp' | 'udp' | 'icmp' | 'icmpv6' | protocol number. */
  readonly proto?: string;
  readonly ttl?: number;
  readonly sport?: number;
  readonly dport?: number;
  /** TCP flags as tcpdump letters: S F R P . (ACK) U E W */
  readonly flags?: string;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** ARP: 1 request, 2 reply; the address asked for / answered. */
  readonly arpOp?: number;
  readonly arpTarget?: string;
}

const mac = (b: Buffer, o: number) =>
  [...b.subarray(o, o + 6)].map((x) => x.toString(16).padStart(2, '0')).join(':');
const ip4 = (b: Buffer, o: number) => [...b.subarray(o, o + 4)].join('.');

function ip6(b: Buffer, o: number): string {
  const words: string[] = [];
  for (let i = 0; i < 8; i++) words.push(b.readUInt16BE(o + 2 * i).toString(16));
  // Compress the longest run of zero words, as inet_ntop does.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return words.join(':');
  return `${words.slice(0, best).join(':')}::${words.slice(best + bestLen).join(':')}`;
}

const PROTOS: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6' };

function l4(b: Buffer, o: number, proto: number): Partial<FrameInfo> {
  if ((proto === 6 || proto === 17) && b.length >= o + 4) {
    const out: { sport: number; dport: number; flags?: string } = {
      sport: b.readUInt16BE(o),
      dport: b.readUInt16BE(o + 2),
    };
    if (proto === 6 && b.length >= o + 14) {
      const f = b[o + 13]!;
      out.flags = [...'FSRP.UEW'].filter((_, i) => f & (1 << i)).join('');
    }
    return out;
  }
  if ((proto === 1 || proto === 58) && b.length >= o + 2) return { icmpType: b[o], icmpCode: b[o + 1] };
  return {};
}

export function decodeFrame(bytes: Buffer): FrameInfo {
  const base = { dstMac: mac(bytes, 0), srcMac: mac(bytes, 6) };
  let et = bytes.readUInt16BE(12);
  let o = 14;
  if (et === 0x8100 && bytes.length >= 18) [et, o] = [bytes.readUInt16BE(16), 18];
  if (et === 0x0800 && bytes.length >= o + 20) {
    const ihl = (bytes[o]! & 15) * 4;
    const proto = bytes[o + 9]!;
    const fragOffset = bytes.readUInt16BE(o + 6) & 0x1fff;
    return {
      ...base,
      type: 'ipv4',
      src: ip4(bytes, o + 12),
      dst: ip4(bytes, o + 16),
      proto: PROTOS[proto] ?? String(proto),
      ttl: bytes[o + 8],
      ...(fragOffset === 0 ? l4(bytes, o + ihl, proto) : {}),
    };
  }
  if (et === 0x86dd && bytes.length >= o + 40) {
    // Skip hop-by-hop, routing and destination options headers (MLD reports carry hop-by-hop).
    let proto = bytes[o + 6]!;
    let at = o + 40;
    while ((proto === 0 || proto === 43 || proto === 60) && bytes.length >= at + 8) {
      [proto, at] = [bytes[at]!, at + (bytes[at + 1]! + 1) * 8];
    }
    return {
      ...base,
      type: 'ipv6',
      src: ip6(bytes, o + 8),
      dst: ip6(bytes, o + 24),
      proto: PROTOS[proto] ?? String(proto),
      ttl: bytes[o + 7],
      ...l4(bytes, at, proto),
    };
  }
  if (et === 0x0806 && bytes.length >= o + 28)
    return {
      ...base,
      type: 'arp',
      arpOp: bytes.readUInt16BE(o + 6),
      src: ip4(bytes, o + 14),
      arpTarget: ip4(bytes, o + 24),
    };
  return { ...base, type: `0x${et.toString(16).padStart(4, '0')}` };
}

/** ARP, IPv6 neighbour discovery and MLD: link housekeeping, not traffic a ruleset decides on. */
export function isLinkControl(f: FrameInfo): boolean {
  if (f.type === 'arp') return true;
  return f.proto === 'icmpv6' && [130, 131, 132, 133, 134, 135, 136, 143].includes(f.icmpType ?? -1);
}

/** One line in tcpdump's spirit: "tcp 10.0.0.1:1234 > 10.0.0.2:80 [S]". */
export function summarizeFrame(f: FrameInfo): string {
  if (f.type === 'arp') return `arp ${f.arpOp === 1 ? 'who-has' : 'reply'} ${f.arpTarget} from ${f.src}`;
  if (f.src === undefined) return `${f.type} ${f.srcMac} > ${f.dstMac}`;
  const at = (a: string | undefined, p: number | undefined) =>
    p === undefined ? a : f.type === 'ipv6' ? `[${a}]:${p}` : `${a}:${p}`;
  let s = `${f.proto} ${at(f.src, f.sport)} > ${at(f.dst, f.dport)}`;
  if (f.flags !== undefined) s += ` [${f.flags}]`;
  if (f.icmpType !== undefined) s += ` type ${f.icmpType} code ${f.icmpCode}`;
  return s;
}
