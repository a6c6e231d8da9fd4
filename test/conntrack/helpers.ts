// Packet builders for the conntrack tests.

import {
  type ConntrackSettings,
  ConntrackTable,
  type CtPacket,
  confirm,
  conntrackIn,
  DEFAULT_SETTINGS,
  type IcmpHeader,
  type QuotedPacket,
  type TcpOptions,
  type TrackResult,
} from '../../src/engine/conntrack/index.js';

export function ip(s: string): number[] {
  const p = s.split('.').map(Number);
  return [((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0];
}

export const SEC = 1_000_000_000n;

export function table(overrides: Partial<ConntrackSettings> = {}): ConntrackTable {
  return new ConntrackTable({ settings: { ...DEFAULT_SETTINGS, ...overrides } });
}

export interface TcpSpec {
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly flags: number;
  readonly seq: number;
  readonly ack?: number;
  readonly window?: number;
  readonly len?: number;
  readonly options?: TcpOptions;
}

export function tcp(s: TcpSpec): CtPacket {
  return {
    family: 'ipv4',
    protocol: 6,
    src: ip(s.src),
    dst: ip(s.dst),
    length: 40 + (s.len ?? 0),
    sport: s.sport,
    dport: s.dport,
    tcp: {
      flags: s.flags,
      seq: s.seq >>> 0,
      ack: (s.ack ?? 0) >>> 0,
      window: s.window ?? 64240,
      payloadLength: s.len ?? 0,
      ...(s.options ? { headerLength: 32, options: s.options } : {}),
    },
  };
}

export function udp(src: string, sport: number, dst: string, dport: number): CtPacket {
  return { family: 'ipv4', protocol: 17, src: ip(src), dst: ip(dst), length: 60, sport, dport };
}

export function icmp(src: string, dst: string, h: IcmpHeader, quoted?: QuotedPacket): CtPacket {
  return {
    family: 'ipv4',
    protocol: 1,
    src: ip(src),
    dst: ip(dst),
    length: 84,
    icmp: h,
    ...(quoted ? { quoted } : {}),
  };
}

/** conntrackIn at PREROUTING followed by confirmation, as for a forwarded packet without NAT. */
export function pass(t: ConntrackTable, pkt: CtPacket, now: bigint): TrackResult {
  const r = conntrackIn(t, pkt, now, 'prerouting');
  confirm(t, r, now);
  return r;
}

export function stateOf(r: TrackResult): string {
  return r.kind === 'tracked' ? r.ctinfo : r.kind.toUpperCase();
}
