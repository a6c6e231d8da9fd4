// Local sockets from the host file's nfwasm-specific keys: `listeners` (who would accept a
// packet delivered locally) and `proxies` (userland proxies such as docker-proxy, which accept
// on a host address/port and open a new connection to a target). A socket bound to a specific
// address wins over a wildcard one, as the kernel's socket lookup scores them.

import type { Family } from '../ir/address.js';
import { type Address, parseAddressText, sameWords } from './ip-text.js';
import type { JsonAt } from './json-reader.js';

export type SocketProtocol = 'tcp' | 'udp' | 'sctp';

export interface Listener {
  readonly protocol: SocketProtocol;
  /** The bound address; undefined binds every address of both families. */
  readonly address?: Address;
  readonly port: number;
  /** An IPv6 wildcard socket also takes IPv4 unless v6only (net.ipv6.bindv6only, default 0). */
  readonly v6only: boolean;
  readonly process?: string;
}

export interface UserlandProxy extends Listener {
  readonly target: { readonly address: Address; readonly port: number };
}

const PROTOCOLS: readonly SocketProtocol[] = ['tcp', 'udp', 'sctp'];

function parseEndpoint(at: JsonAt): { address?: Address; port: number } {
  const address = at
    .field('address')
    .optional((a) =>
      a.value === null ? undefined : (parseAddressText(a.string()) ?? a.fail('an IPv4 or IPv6 address')),
    );
  return { ...(address ? { address } : {}), port: at.field('port').uint(65535) };
}

export function parseListener(at: JsonAt, bindv6only: boolean): Listener {
  at.object();
  const protoAt = at.field('protocol');
  const protocol = protoAt.string();
  if (!PROTOCOLS.includes(protocol as SocketProtocol)) protoAt.fail(PROTOCOLS.join(', '));
  const process = at.field('process').optional((p) => p.string());
  return Object.freeze({
    protocol: protocol as SocketProtocol,
    ...parseEndpoint(at),
    v6only: at.field('v6only').optional((v) => v.boolean()) ?? bindv6only,
    ...(process !== undefined ? { process } : {}),
  });
}

export function parseProxy(at: JsonAt, bindv6only: boolean): UserlandProxy {
  const listener = parseListener(at, bindv6only);
  const targetAt = at.field('target').object();
  const target = parseEndpoint(targetAt);
  if (!target.address) targetAt.field('address').fail('an IPv4 or IPv6 address');
  return Object.freeze({
    ...listener,
    target: Object.freeze({ address: target.address!, port: target.port }),
  });
}

const isWildcard = (a: Address): boolean => a.words.every((w) => w === 0);

/** How well a socket matches (higher is better), or -1: exact address 2, wildcard 1. */
function score(
  s: Listener,
  protocol: SocketProtocol,
  family: Family,
  addr: readonly number[],
  port: number,
): number {
  if (s.protocol !== protocol || s.port !== port) return -1;
  if (!s.address) return 1;
  if (s.address.family === family) {
    if (isWildcard(s.address)) return 1;
    return sameWords(s.address.words, addr) ? 2 : -1;
  }
  // An IPv6 `::` socket receives IPv4 too, as ::ffff:a.b.c.d, unless v6only.
  return s.address.family === 'ipv6' && family === 'ipv4' && isWildcard(s.address) && !s.v6only ? 1 : -1;
}

/** The socket (listener or proxy) a locally delivered packet to addr:port would reach, if any. */
export function findSocket<T extends Listener>(
  sockets: readonly T[],
  protocol: SocketProtocol,
  addr: Address,
  port: number,
): T | undefined {
  let best: T | undefined;
  let bestScore = 0;
  for (const s of sockets) {
    const sc = score(s, protocol, addr.family, addr.words, port);
    if (sc > bestScore) {
      best = s;
      bestScore = sc;
    }
  }
  return best;
}
