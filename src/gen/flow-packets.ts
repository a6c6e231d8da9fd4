// The packet at a flow's current step, written into a buffer as a frame for its path.

import type { Prng } from '../engine/conntrack/prng.js';
import { put16 } from '../wire/bytes.js';
import { ETH_P_IP, writeEthernet } from '../wire/ethernet.js';
import type { Flow } from './flow.js';
import type { PacketPath } from './host-paths.js';
import {
  type IpEnds,
  writeIcmpEcho,
  writeIcmpError,
  writeTcpPacket,
  writeUdpPacket,
} from './ipv4-packets.js';
import { randomInt } from './random.js';

const SYN = 0x02;
const FIN = 0x01;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;

export interface BuiltPacket {
  readonly path: PacketPath;
  /** Frame length in the buffer (from 0). */
  readonly length: number;
}

/** Room for the largest frame built (Ethernet + 1500-byte datagram). */
export const FRAME_BUFFER_SIZE = 2048;

const quoteScratch = new Uint8Array(FRAME_BUFFER_SIZE);

/** Writes the flow's next packet into `buf` and advances the flow. */
export function nextPacket(flow: Flow, buf: Uint8Array, prng: Prng): BuiltPacket {
  const step = flow.step++;
  const e = flow.ends;
  const fromClient = isClientStep(flow, step);
  const path = fromClient ? e.out : e.back;
  const off = path.ethernet
    ? writeEthernet(buf, 0, { dst: path.dstMac, src: path.srcMac, etherType: ETH_P_IP })
    : 0;
  flow.ipId = (flow.ipId + 1) & 0xffff;
  const ip: IpEnds = fromClient
    ? { src: e.client, dst: e.server, id: flow.ipId, ttl: 64 }
    : { src: e.replySrc, dst: e.replyDst, id: flow.ipId, ttl: 64 };
  const sport = fromClient ? e.clientPort : e.replySrcPort;
  const dport = fromClient ? e.serverPort : e.replyDstPort;
  let len: number;
  switch (flow.script) {
    case 'tcp':
      len = tcpStep(flow, step, buf, off, ip, sport, dport, prng);
      break;
    case 'udp':
      len = writeUdpPacket(buf, off, ip, {
        sport,
        dport,
        payload: randomInt(prng, 16, fromClient ? 256 : 1024),
      });
      break;
    case 'echo': {
      const seq = step >>> 1;
      len = writeIcmpEcho(buf, off, ip, { type: fromClient ? 8 : 0, id: e.clientPort, seq, payload: 56 });
      break;
    }
    case 'unreachable':
      if (fromClient) len = writeUdpPacket(buf, off, ip, { sport, dport, payload: 32 });
      else {
        // The server quotes the probe as it received it (after the host's NAT).
        const q = writeUdpPacket(
          quoteScratch,
          0,
          { src: e.replyDst, dst: e.replySrc, id: flow.ipId, ttl: 63 },
          {
            sport: e.replyDstPort,
            dport: e.replySrcPort,
            payload: 32,
          },
        );
        len = writeIcmpError(buf, off, ip, {
          type: 3,
          code: 3,
          quote: quoteScratch.subarray(0, Math.min(q, 28)),
        });
      }
      break;
    case 'invalid':
      len = invalidPacket(flow, buf, off, ip, sport, dport, prng);
      break;
  }
  return { path, length: off + len };
}

/** Which side sends the packet at `step`. */
export function isClientStep(flow: Flow, step: number): boolean {
  if (flow.script !== 'tcp') return (step & 1) === 0;
  const teardown = 3 + 2 * flow.exchanges;
  if (step < 3) return step !== 1;
  if (step < teardown) return ((step - 3) & 1) === 0;
  return step - teardown !== 1;
}

function tcpStep(
  flow: Flow,
  step: number,
  buf: Uint8Array,
  off: number,
  ip: IpEnds,
  sport: number,
  dport: number,
  prng: Prng,
): number {
  const teardown = 3 + 2 * flow.exchanges;
  const client = isClientStep(flow, step);
  const seq = client ? flow.clientSeq : flow.serverSeq;
  const ack = client ? flow.serverSeq : flow.clientSeq;
  let flags: number;
  let payload = 0;
  let consumed: number;
  if (step === 0) [flags, consumed] = [SYN, 1];
  else if (step === 1) [flags, consumed] = [SYN | ACK, 1];
  else if (step === 2) [flags, consumed] = [ACK, 0];
  else if (step < teardown) {
    payload = randomInt(prng, 1, client ? 512 : 1400);
    [flags, consumed] = [PSH | ACK, payload];
  } else if (step - teardown < 2) [flags, consumed] = [FIN | ACK, 1];
  else [flags, consumed] = [ACK, 0];
  const len = writeTcpPacket(buf, off, ip, { sport, dport, seq, ack: step === 0 ? 0 : ack, flags, payload });
  if (client) flow.clientSeq = (flow.clientSeq + consumed) >>> 0;
  else flow.serverSeq = (flow.serverSeq + consumed) >>> 0;
  return len;
}

function invalidPacket(
  flow: Flow,
  buf: Uint8Array,
  off: number,
  ip: IpEnds,
  sport: number,
  dport: number,
  prng: Prng,
): number {
  const seq = flow.clientSeq;
  switch (flow.variant) {
    case 'bad-ip-checksum': {
      const len = writeTcpPacket(buf, off, ip, { sport, dport, seq, ack: 0, flags: SYN, payload: 0 });
      put16(buf, off + 10, ((buf[off + 10]! << 8) | buf[off + 11]!) ^ 0x5a5a);
      return len;
    }
    case 'truncated': {
      // The header claims more bytes than the capture holds.
      const len = writeUdpPacket(buf, off, ip, { sport, dport, payload: 64 });
      return len - randomInt(prng, 8, 40);
    }
    case 'syn-fin':
      return writeTcpPacket(buf, off, ip, { sport, dport, seq, ack: 0, flags: SYN | FIN, payload: 0 });
    case 'stray-rst':
      return writeTcpPacket(buf, off, ip, { sport, dport, seq, ack: 0, flags: RST, payload: 0 });
    case 'bad-ihl': {
      const len = writeTcpPacket(buf, off, ip, { sport, dport, seq, ack: 0, flags: SYN, payload: 0 });
      buf[off] = 0x43;
      return len;
    }
  }
}
