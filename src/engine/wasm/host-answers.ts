// The answers to the WebAssembly packet path's questions about the host (assembly/path/
// host-query.ts), from the same host model the reference engine asks: input and output routes,
// source addresses, address types, sockets, interfaces, and where the host's ICMP errors come
// from and leave by. Each distinct question is asked once per run.

import type { Host } from '../../host/index.js';
import {
  addressType,
  findSocket,
  reversePathOk,
  routeLookup,
  selectSourceAddress,
} from '../../host/index.js';
import { ADDRESS_TYPE_ORDER } from '../../ir/matches/addrtype.js';
import { ipErrorCode } from '../reference/ip-input.js';
import type { HostView } from '../reference/match-context.js';

export const Q_ROUTE_IN = 1;
export const Q_SOURCE_ADDRESS = 2;
export const Q_ADDRESS_TYPE = 3;
export const Q_SOCKET = 4;
export const Q_ROUTE_OUT = 5;
export const Q_REROUTE_OUT = 6;
export const Q_INTERFACE = 7;
export const Q_ICMP_SEND = 8;
export const Q_ERROR_SOURCE = 9;
export const Q_RPFILTER = 10;
const NO_DEV = 0xffffffff;
// Q_RPFILTER's flag bits (assembly/path/rpfilter.ts).
const RPF_LOOSE = 1;
const RPF_ACCEPT_LOCAL = 2;
const NONE = 0xffffffff;

export const RT_LOCAL = 1;
export const RT_BROADCAST = 2;
export const RT_MULTICAST = 3;
export const RT_FORWARD = 4;
export const RT_ERROR = 5;

export const SOCK_LISTENER = 1;
export const SOCK_PROXY = 2;

export interface InterfaceNames {
  /** Registry index of a name (registered on first use). */
  index(name: string): number;
  name(index: number): string;
}

/** Four answer words for one question. */
export function answerHostQuery(
  host: Host,
  hostView: HostView,
  ifaces: InterfaceNames,
  kind: number,
  a: number,
  b: number,
  c: number,
): readonly number[] {
  if (kind === Q_ROUTE_IN) {
    const iif = ifaces.name(c);
    const r = routeLookup(host, a >>> 0, { iif, src: b >>> 0 });
    if (!r.ok) {
      const code = ipErrorCode(host, r.errno);
      return [RT_ERROR, code < 0 ? NONE : code, 0, 0];
    }
    if (r.type === 'local') return [RT_LOCAL, 0, 0, 0];
    if (r.type === 'broadcast') return [RT_BROADCAST, 0, 0, 0];
    if (r.type === 'multicast') return [RT_MULTICAST, 0, 0, 0];
    const mtu = host.interface(r.oif)?.mtu ?? 1500;
    // No gateway: the next hop is the destination (the path fills it in: answers are per class).
    return [RT_FORWARD, ifaces.index(r.oif), r.gateway?.words[0] ?? NONE, mtu];
  }
  if (kind === Q_RPFILTER) {
    // rpfilter's reverse route lookup (a: source, b: input device, c: flags | TOS << 8).
    const ok = reversePathOk(host, a >>> 0, ifaces.name(b), {
      loose: (c & RPF_LOOSE) !== 0,
      acceptLocal: (c & RPF_ACCEPT_LOCAL) !== 0,
      tos: (c >>> 8) & 0xff,
    });
    return [ok ? 1 : 0, 0, 0, 0];
  }
  if (kind === Q_SOURCE_ADDRESS) {
    const dev = ifaces.name(a);
    if (!dev) return [0, 0, 0, 0];
    const s = selectSourceAddress(host, dev, b >>> 0);
    return s ? [1, s.words[0]!, 0, 0] : [0, 0, 0, 0];
  }
  if (kind === Q_ADDRESS_TYPE) {
    const dev = b === NO_DEV ? undefined : ifaces.name(b);
    const t = hostView.addressType('ipv4', [a >>> 0], dev);
    return [ADDRESS_TYPE_ORDER.indexOf(t), 0, 0, 0];
  }
  if (kind === Q_SOCKET) {
    const proto = a === 6 ? 'tcp' : 'udp';
    const addr = { family: 'ipv4' as const, words: [b >>> 0] };
    const proxy = findSocket(host.proxies, proto, addr, c);
    const listener = findSocket(host.listeners, proto, addr, c);
    const sock = listener ?? proxy;
    if (!sock) return [0, 0, 0, 0];
    return [proxy && sock === proxy ? SOCK_PROXY : SOCK_LISTENER, 0, 0, 0];
  }
  if (kind === Q_ROUTE_OUT || kind === Q_REROUTE_OUT) {
    // local-out.ts routeOutput: the source steers the lookup only when it is the host's; the
    // re-route after OUTPUT (ip_route_me_harder) adds the mark.
    const own = b !== 0 && isLocal(host, b >>> 0);
    const q = kind === Q_REROUTE_OUT ? { mark: c >>> 0 } : {};
    const r = routeLookup(host, a >>> 0, own ? { ...q, src: b >>> 0 } : q);
    if (!r.ok) return [RT_ERROR, 0, 0, 0];
    const type = r.type === 'local' ? RT_LOCAL : RT_FORWARD;
    // No gateway: the next hop is the destination (the path fills it in: answers are per class).
    // Word 3, the route's source for a packet without one of its own (raw_send_hdrinc).
    const prefsrc = own || !r.prefsrc ? 0 : addressWord(r.prefsrc.words[0]!, a >>> 0, b >>> 0);
    return [type, ifaces.index(r.oif), r.gateway?.words[0] ?? NONE, prefsrc];
  }
  if (kind === Q_INTERFACE) {
    const dev = host.interface(ifaces.name(a));
    // Word 2: the MTU as configured, 0 when the host file gives none (TCPMSS then ignores it).
    return [dev?.mtu ?? 1500, dev?.kind === 'loopback' ? 1 : 0, dev?.mtu ?? 0, 0];
  }
  if (kind === Q_ICMP_SEND) {
    // kernel-answers.ts icmpSend: the error's source, the route back's MTU, and whether it
    // leaves by the loopback device (icmpv4_xrlim_allow); word 0 is 0 when none is sent.
    const dst = a >>> 0;
    const src = b >>> 0;
    const localDst = isLocal(host, dst);
    let saddr: number | undefined = localDst ? dst : undefined;
    const iif = c === 0 ? '' : ifaces.name(c);
    if (!localDst && iif && host.sysctl.number('net.ipv4.icmp_errors_use_inbound_ifaddr') !== 0)
      saddr = selectSourceAddress(host, iif, src)?.words[0];
    const back = routeLookup(host, src, saddr !== undefined ? { src: saddr } : {});
    if (!back.ok) return [0, 0, 0, 0];
    saddr ??= back.prefsrc?.words[0];
    if (saddr === undefined) return [0, 0, 0, 0];
    const dev = host.interface(back.oif);
    return [1, addressWord(saddr, dst, src), dev?.mtu ?? 1500, dev?.kind === 'loopback' ? 1 : 0];
  }
  if (kind === Q_ERROR_SOURCE) {
    // kernel-answers.ts icmpErrorSource and replies.ts queueReply: REJECT's ICMP source (word 0
    // says whether there is one), and whether the route back leaves by the loopback device.
    const back = routeLookup(host, b >>> 0, {});
    const fromRoute = !isLocal(host, a >>> 0) && back.ok && back.prefsrc !== undefined;
    const loopback = back.ok && host.interface(back.oif)?.kind === 'loopback';
    const from = fromRoute ? addressWord(back.prefsrc!.words[0]!, a >>> 0, b >>> 0) : 0;
    return [fromRoute ? 1 : 0, from, loopback ? 1 : 0, 0];
  }
  throw new Error(`nfwasm wasm: unknown host question ${kind}`);
}

/** The path's words for an answer that is the question's destination or source itself. */
export const THE_DESTINATION = 0xffffffff;
export const THE_SOURCE = 0xfffffffe;

/**
 * An address in an answer the path caches per class of the question's addresses: the
 * destination or the source itself (a local one answering for itself) as a word the path reads
 * back as that packet's address, anything else as it is.
 */
function addressWord(addr: number, dst: number, src: number): number {
  if (addr === dst) return THE_DESTINATION;
  if (addr === src) return THE_SOURCE;
  return addr;
}

function isLocal(host: Host, addr: number): boolean {
  return addressType(host, { family: 'ipv4', words: [addr] }) === 'local';
}
