// What a listening TCP socket sends back to a SYN: the SYN-ACK of tcp_v4_send_synack /
// tcp_make_synack, with the options Linux puts there (tcp_synack_options, tcp_options_write)
// and its initial window (tcp_openreq_init_rwin, tcp_select_initial_window). The sequence
// number and timestamp value are the kernel's random choices: here they come from the run's
// seeded generator.

import { get8, get16 } from '../../wire/bytes.js';
import { ipv4PseudoSum, segmentChecksum } from '../../wire/checksum.js';
import { IP_DF, IPPROTO_TCP, writeIpv4Header } from '../../wire/ipv4.js';
import type { DecodedPacket } from '../../wire/packet.js';
import { writeTcpHeader } from '../../wire/tcp.js';

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

/** The SYN's options that shape the answer. */
function synOptions(
  bytes: Uint8Array,
  l4: number,
): { sackPerm: boolean; timestamp: number | null; wscale: boolean } {
  const end = l4 + (get8(bytes, l4 + 12) >>> 4) * 4;
  let sackPerm = false;
  let timestamp: number | null = null;
  let wscale = false;
  for (let i = l4 + 20; i < end; ) {
    const kind = get8(bytes, i);
    if (kind === 0) break;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = get8(bytes, i + 1);
    if (len < 2) break;
    if (kind === 4 && len === 2) sackPerm = true;
    if (kind === 8 && len === 10) timestamp = ((get16(bytes, i + 2) << 16) | get16(bytes, i + 4)) >>> 0;
    if (kind === 3 && len === 3) wscale = true;
    i += len;
  }
  return { sackPerm, timestamp, wscale };
}

/** The SYN-ACK answering the IPv4 SYN `syn` (its bytes from the IP header). */
export function synAck(
  bytes: Uint8Array,
  syn: DecodedPacket,
  mtu: number,
  random: () => number,
  ttl = 64,
): Uint8Array {
  const l4 = syn.l4Offset;
  const o = synOptions(bytes, l4);
  const advmss = mtu - 40;
  const opts: number[] = [2, 4, advmss >>> 8, advmss & 0xff];
  const tsval = random();
  const ts = o.timestamp !== null;
  const tsBytes = (v: number) => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
  if (ts) {
    opts.push(...(o.sackPerm ? [4, 2] : [1, 1]), 8, 10, ...tsBytes(tsval), ...tsBytes(o.timestamp!));
  }
  if (o.wscale) opts.push(1, 3, 3, 7);
  if (o.sackPerm && !ts) opts.push(1, 1, 4, 2);
  // tcp_select_initial_window: the space rounded down to whole segments (timestamps take 12 bytes).
  const segment = advmss - (ts ? 12 : 0);
  const window = Math.floor(65536 / segment) * segment;
  const total = 20 + 20 + opts.length;
  const out = new Uint8Array(total);
  writeIpv4Header(out, 0, {
    totalLength: total,
    fragField: IP_DF,
    ttl,
    protocol: IPPROTO_TCP,
    src: syn.dst[0]!,
    dst: syn.src[0]!,
  });
  writeTcpHeader(out, 20, {
    srcPort: syn.dstPort ?? 0,
    dstPort: syn.srcPort ?? 0,
    seq: random(),
    ack: ((syn.tcpSeq ?? 0) + 1) >>> 0,
    flags: TCP_SYN | TCP_ACK,
    window,
    options: opts,
  });
  const c = segmentChecksum(
    out,
    20,
    total,
    16,
    ipv4PseudoSum(syn.dst[0]!, syn.src[0]!, IPPROTO_TCP, total - 20),
  );
  out[36] = c >>> 8;
  out[37] = c & 0xff;
  return out;
}
