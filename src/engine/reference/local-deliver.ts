// ip_local_deliver: a packet for this host is reassembled if it is a fragment, passes INPUT
// (mangle, filter, security, nat, confirm), and ip_local_deliver_finish hands it to a socket —
// a declared listener or userland proxy — or the kernel answers it itself (kernel-answers.ts).

import { findSocket } from '../../host/index.js';
import { transportChecksumValid } from './ct-packet.js';
import type { EngineState } from './engine-state.js';
import { runHook } from './hook-runner.js';
import { drop, type Journey, verdictFate } from './journey.js';
import {
  answerClosedPort,
  answerEcho,
  ICMP_DEST_UNREACH,
  ICMP_PROT_UNREACH,
  icmpSend,
} from './kernel-answers.js';
import { localDeliverDefrag } from './reassembly.js';
import type { Fate } from './result.js';
import { synAck } from './socket-replies.js';

const ICMP = 1;
const IGMP = 2;
const TCP = 6;
const UDP = 17;
const UDPLITE = 136;
/** Protocols the kernel delivers itself (inet_protos): others get protocol unreachable. */
const KERNEL_PROTOCOLS = new Set([ICMP, IGMP, TCP, UDP, UDPLITE]);
const ICMP_ECHO = 8;
const TCP_RST = 0x04;

export function localIn(s: EngineState, j: Journey): Fate {
  const held = localDeliverDefrag(s, j);
  if (held) return verdictFate(s, j, held);
  const input = runHook(s, j, 'input');
  if (input.verdict !== 'ACCEPT') return verdictFate(s, j, input);
  return localDeliverFinish(s, j);
}

/** ip_local_deliver_finish: a socket takes it, or the kernel answers for a closed port. */
function localDeliverFinish(s: EngineState, j: Journey): Fate {
  const d = j.packet.decoded;
  const addr = { family: d.family, words: d.dst };
  if (d.protocol === TCP || d.protocol === UDP) {
    const port = d.dstPort ?? 0;
    const proto = d.protocol === TCP ? 'tcp' : 'udp';
    const proxy = findSocket(s.host.proxies, proto, addr, port);
    const listener = findSocket(s.host.listeners, proto, addr, port);
    const sock = listener ?? proxy;
    if (sock) {
      const to = proxy && sock === proxy ? `proxy ${proto}/${port}` : `listener ${proto}/${port}`;
      j.trace?.push({ kind: 'delivered', to });
      // A listening socket answers a SYN with its SYN-ACK (the handshake goes on in the trace).
      if (d.protocol === TCP && d.family === 'ipv4' && ((d.tcpFlags ?? 0) & 0x17) === 0x02) {
        const mtu = s.host.interface(j.packet.iif ?? '')?.mtu ?? 1500;
        j.replies.push({
          bytes: synAck(j.packet.bytes, d, mtu, () => s.prng.nextU32(), s.defaultTtl),
          cause: `${to} SYN-ACK`,
          attach: null,
        });
      }
      return { kind: 'delivered', to };
    }
    if (d.protocol === TCP) {
      // tcp_v4_send_reset: nothing listens; no RST answers a RST.
      if ((d.tcpFlags ?? 0) & TCP_RST) return drop(s, j, 'RST to a closed TCP port');
      answerClosedPort(s, j, 'tcp');
      return { kind: 'delivered', to: 'kernel (closed TCP port: RST)' };
    }
    answerClosedPort(s, j, 'udp');
    return { kind: 'delivered', to: 'kernel (closed UDP port: port unreachable)' };
  }
  if (d.family === 'ipv4' && d.protocol === ICMP && d.icmpType === ICMP_ECHO) return icmpEcho(s, j);
  if (d.family === 'ipv4' && !KERNEL_PROTOCOLS.has(d.protocol)) {
    // ip_protocol_deliver_rcu: no handler and no raw socket for the protocol.
    j.trace?.push({ kind: 'delivered', to: `kernel (protocol ${d.protocol}: protocol unreachable)` });
    icmpSend(s, j, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 'protocol unreachable');
    return { kind: 'delivered', to: `kernel (protocol ${d.protocol}: protocol unreachable)` };
  }
  j.trace?.push({ kind: 'delivered', to: `kernel (protocol ${d.protocol})` });
  return { kind: 'delivered', to: `kernel (protocol ${d.protocol})` };
}

/**
 * icmp_rcv → icmp_echo: a ping to a local address is answered (icmp_reply) unless
 * icmp_echo_ignore_all; a bad ICMP checksum drops it first. The reply goes down the output
 * path from the address the request was sent to.
 */
function icmpEcho(s: EngineState, j: Journey): Fate {
  const p = j.packet;
  if (!transportChecksumValid(p.bytes, p.decoded)) return drop(s, j, 'bad ICMP checksum (icmp_rcv)');
  if (!answerEcho(s, j)) {
    j.trace?.push({ kind: 'delivered', to: 'kernel (ICMP echo ignored: icmp_echo_ignore_all)' });
    return { kind: 'delivered', to: 'kernel (ICMP echo ignored)' };
  }
  j.trace?.push({ kind: 'delivered', to: 'kernel (ICMP echo: reply)' });
  return { kind: 'delivered', to: 'kernel (ICMP echo: reply)' };
}
