// Runs replay.py: sends the trace's frames from the peer ends in order and captures every frame
// the host sends to any peer meanwhile and for a settle time afterwards.

import { join } from 'node:path';
import type { BuiltHost } from './build-host.js';
import { runAsync } from './sh.js';
import type { TracePacket } from './trace-io.js';

export interface ReplayOutput {
  /** Per trace packet: seconds after the start when it was sent, and the host interface it entered by. */
  readonly sent: readonly { readonly at: number; readonly via: string }[];
  /** Frames the host sent, in kernel timestamp order; `peer` is the host interface. */
  readonly captured: readonly { readonly peer: string; readonly at: number; readonly hex: string }[];
}

export interface ReplayOptions {
  readonly gaps: boolean;
  readonly spacingMs: number;
  readonly settleMs: number;
}

const SCRIPT = join(import.meta.dirname, 'replay.py');

/**
 * The trace interface name of packets the host itself sends (README "Commands"): they are sent
 * from inside the host namespace by a raw socket, as locally generated traffic.
 */
export const LOCAL_IF = '@local';

/** The IPv4 datagram of an Ethernet frame (VLAN tags skipped, padding after tot_len cut). */
function ipDatagram(frame: Buffer): Buffer {
  let off = 12;
  while (frame.readUInt16BE(off) === 0x8100) off += 4;
  const ip = frame.subarray(off + 2);
  return ip.length >= 4 ? ip.subarray(0, Math.min(ip.length, ip.readUInt16BE(2))) : ip;
}

export async function replay(
  host: BuiltHost,
  trace: readonly TracePacket[],
  options: ReplayOptions,
): Promise<ReplayOutput> {
  const peers = [...host.peers.values()].map((p) => ({ key: p.hostIf, ns: p.ns, dev: p.dev }));
  const vias = trace.map((p) => (p.ifName === LOCAL_IF ? LOCAL_IF : host.injectionPeer(p.ifName).hostIf));
  const packets = trace.map((p, i) => ({
    peer: vias[i],
    at: options.gaps ? p.offset : (i * options.spacingMs) / 1000,
    hex: (p.ifName === LOCAL_IF ? ipDatagram(p.bytes) : p.bytes).toString('hex'),
  }));
  const input = JSON.stringify({ peers, hostNs: host.hostNs, packets, settle: options.settleMs / 1000 });
  const out = JSON.parse(await runAsync(['/usr/bin/python3', SCRIPT], input)) as {
    sent: { at: number }[];
    captured: ReplayOutput['captured'];
  };
  return { sent: out.sent.map((s, i) => ({ at: s.at, via: vias[i]! })), captured: out.captured };
}
