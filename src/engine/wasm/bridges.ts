// The host's bridges as the WebAssembly path reads them (assembly/path/bridge-topology.ts): per
// registry index whether it is a bridge or a bridge's port, the ports in the order br_flood
// visits them, the MACs that are a bridge's own, and the `ip neigh` entries on bridges — the
// same facts src/engine/reference/bridge-path.ts takes from the host model.

import type { Host } from '../../host/index.js';

const BRIDGE_ITSELF = 0xffffffff;

/**
 * A MAC as two words (the first four bytes, the last two), or undefined unless it is written as
 * the reference engine compares MACs (lower-case aa:bb:cc:dd:ee:ff).
 */
function macWords(mac: string | undefined): [number, number] | undefined {
  if (mac === undefined || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) return undefined;
  const bytes = mac.split(':').map((b) => Number.parseInt(b, 16));
  return [
    ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0,
    (bytes[4]! << 8) | bytes[5]!,
  ];
}

/** A bridge's ports in the order br_flood visits them: br_add_if puts each new port first. */
export function bridgePorts(host: Host, bridge: string): string[] {
  return host.interfaces
    .filter((i) => i.master === bridge)
    .map((i) => i.name)
    .reverse();
}

/** The topology record; `index` registers a name in the interface registry. */
export function bridgeRecord(host: Host, index: (name: string) => number): Uint32Array {
  const bridges = host.interfaces.filter((i) => i.kind === 'bridge').map((i) => i.name);
  const ports = bridges.flatMap((b) => bridgePorts(host, b).map((p) => [index(p), index(b)] as const));
  const own: number[] = [];
  for (const b of bridges)
    for (const name of [b, ...bridgePorts(host, b)]) {
      const mac = macWords(host.interface(name)?.mac?.toLowerCase());
      if (mac) own.push(index(b), ...mac);
    }
  // neighbourMac: the first entry for the bridge and address decides, even without a MAC.
  const neighbours: number[] = [];
  const seen = new Set<string>();
  for (const n of host.neighbours) {
    if (!bridges.includes(n.dev)) continue;
    const key = `${n.dev} ${n.address.words[0]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const mac = macWords(n.mac?.toLowerCase());
    if (mac) neighbours.push(index(n.dev), n.address.words[0]! >>> 0, ...mac);
  }
  const roles = new Array<number>(
    Math.max(0, ...bridges.map((b) => index(b) + 1), ...ports.map(([p]) => p + 1)),
  ).fill(0);
  for (const b of bridges) roles[index(b)] = BRIDGE_ITSELF;
  for (const [p, b] of ports) roles[p] = b;
  return Uint32Array.from([
    roles.length,
    ...roles,
    ports.length,
    ...ports.flat(),
    own.length / 3,
    ...own,
    neighbours.length / 4,
    ...neighbours,
  ]);
}
