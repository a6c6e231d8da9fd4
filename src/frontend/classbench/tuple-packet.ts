// A 5-tuple as the bytes of an IPv4 datagram: a 20-byte IP header and 20 bytes of transport
// header with the ports first (a TCP header with data offset 5 for TCP), so every protocol's
// ports sit where the classifiers read them.

import { internetChecksum } from '../../wire/checksum.js';
import type { FiveTuple } from './trace-generator.js';

export const TUPLE_PACKET_BYTES = 40;

export function tuplePacket(t: FiveTuple): Uint8Array {
  const b = new Uint8Array(TUPLE_PACKET_BYTES);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, TUPLE_PACKET_BYTES);
  b[8] = 64;
  b[9] = t.proto;
  v.setUint32(12, t.src >>> 0);
  v.setUint32(16, t.dst >>> 0);
  v.setUint16(10, internetChecksum(b, 0, 20));
  v.setUint16(20, t.sport);
  v.setUint16(22, t.dport);
  if (t.proto === 6) b[32] = 0x50;
  if (t.proto === 17) v.setUint16(24, TUPLE_PACKET_BYTES - 20);
  return b;
}
