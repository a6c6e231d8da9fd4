// Where on the host a generated packet arrives: the interface an address lives behind (by the
// host's routes), the bridge port for a bridge, and the Ethernet addresses of the frame (the
// host's MAC, the neighbour's from the host file or a made-up one derived from the address).
// Packets from the host itself go on `@local` without an Ethernet header, as the engine expects.

import { LOCAL_INTERFACE } from '../engine/reference/engine.js';
import type { Host } from '../host/host.js';
import { addressesOf } from '../host/interfaces.js';
import { type RouteResult, routeLookup } from '../host/routing.js';
import { parseMac } from '../wire/bytes.js';

export interface PacketPath {
  /** The trace interface name: the device (a bridge's port) or `@local`. */
  readonly ifName: string;
  /** The device iptables sees as `-i` (the bridge for a bridge port). */
  readonly device: string;
  readonly ethernet: boolean;
  readonly srcMac: Uint8Array;
  readonly dstMac: Uint8Array;
}

export interface HostAddress {
  readonly addr: number;
  readonly dev: string;
  readonly prefixLen: number;
}

const NO_MAC = new Uint8Array(6);

/** A locally administered unicast MAC made from an address: the same address, the same MAC. */
export function madeUpMac(addr: number): Uint8Array {
  return Uint8Array.of(
    0x02,
    0x6e,
    (addr >>> 24) & 0xff,
    (addr >>> 16) & 0xff,
    (addr >>> 8) & 0xff,
    addr & 0xff,
  );
}

export class HostPaths {
  /** The host's IPv4 addresses outside loopback. */
  readonly addresses: readonly HostAddress[];
  private readonly cache = new Map<string, PacketPath>();
  /** Route lookups by address: flows reuse a few thousand addresses, and lookups dominate. */
  private readonly routes = new Map<number, RouteResult>();

  constructor(readonly host: Host) {
    this.addresses = host.interfaces
      .filter((i) => i.kind !== 'loopback')
      .flatMap((i) =>
        addressesOf(i, 'ipv4').map((a) => ({ addr: a.words[0]! >>> 0, dev: i.name, prefixLen: a.prefixLen })),
      );
  }

  route(addr: number): RouteResult {
    let r = this.routes.get(addr);
    if (!r) {
      r = routeLookup(this.host, addr);
      if (this.routes.size >= 1 << 16) this.routes.clear();
      this.routes.set(addr, r);
    }
    return r;
  }

  isLocal(addr: number): boolean {
    const r = this.route(addr);
    return r.ok && r.type === 'local';
  }

  /** The device an address is routed to (undefined: local, or unroutable). */
  deviceOf(addr: number): string | undefined {
    const r = this.route(addr);
    return r.ok && r.type === 'unicast' ? r.oif : undefined;
  }

  /** How a packet from `addr` reaches the host: from behind the device its route points at. */
  pathFrom(addr: number, device?: string): PacketPath {
    const r = this.route(addr);
    if (device === undefined && r.ok && r.type === 'local') return this.localPath();
    const dev = device ?? (r.ok ? r.oif : undefined);
    if (dev === undefined) return this.localPath();
    // The neighbour that hands the frame over: the gateway when the route has one.
    const hop = r.ok && r.oif === dev && r.gateway ? r.gateway.words[0]! >>> 0 : addr;
    const key = `${dev}/${hop}`;
    let path = this.cache.get(key);
    if (!path) {
      path = this.ethernetPath(dev, hop);
      if (this.cache.size < 65536) this.cache.set(key, path);
    }
    return path;
  }

  localPath(): PacketPath {
    return {
      ifName: LOCAL_INTERFACE,
      device: LOCAL_INTERFACE,
      ethernet: false,
      srcMac: NO_MAC,
      dstMac: NO_MAC,
    };
  }

  private ethernetPath(dev: string, hop: number): PacketPath {
    const iface = this.host.interface(dev);
    const dstMac = new Uint8Array(6);
    if (!iface?.mac || !parseMac(iface.mac, dstMac, 0))
      dstMac.set(madeUpMac(0xffffff00 ^ (iface?.index ?? 0)));
    let srcMac = madeUpMac(hop);
    const neigh = this.host.neighbours.find(
      (n) => n.dev === dev && n.address.family === 'ipv4' && n.address.words[0]! >>> 0 === hop && n.mac,
    );
    if (neigh?.mac) {
      const m = new Uint8Array(6);
      if (parseMac(neigh.mac, m, 0)) srcMac = m;
    }
    // A bridge receives on one of its ports: the one a hash of the neighbour's address picks.
    let ifName = dev;
    if (iface?.kind === 'bridge') {
      const ports = this.host.interfaces.filter((i) => i.master === dev);
      if (ports.length > 0) ifName = ports[(Math.imul(hop, 0x9e3779b1) >>> 0) % ports.length]!.name;
    }
    return { ifName, device: dev, ethernet: true, srcMac, dstMac };
  }
}
