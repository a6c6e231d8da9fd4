// What a Linux bridge knows about where stations are (net/bridge/br_fdb.c): its forwarding
// database, learned from the source MACs of frames received on its ports (br_fdb_update), aged
// out after ageing_time (300 s); and, for the host's own packets routed onto the bridge, which
// MAC an IP address was last seen with (standing in for the neighbour table the kernel fills
// by ARP, which nfwasm does not model).

const AGEING_NS = 300n * 1_000_000_000n;

export function macText(mac: Uint8Array): string {
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join(':');
}

interface FdbEntry {
  readonly port: string;
  readonly updated: bigint;
}

export class BridgeFdb {
  private readonly entries = new Map<string, Map<string, FdbEntry>>();
  private readonly neighbours = new Map<string, Map<number, string>>();

  /** br_fdb_update: a unicast, non-zero source MAC is (re)learned on the port it came from. */
  learn(bridge: string, port: string, mac: Uint8Array, now: bigint): void {
    if ((mac[0]! & 1) !== 0 || mac.every((b) => b === 0)) return;
    let m = this.entries.get(bridge);
    if (!m) {
      m = new Map();
      this.entries.set(bridge, m);
    }
    m.set(macText(mac), { port, updated: now });
  }

  /** br_fdb_find_rcu: the port a MAC was learned on, unless the entry has aged out. */
  port(bridge: string, mac: string, now: bigint): string | undefined {
    const e = this.entries.get(bridge)?.get(mac);
    return e && now - e.updated <= AGEING_NS ? e.port : undefined;
  }

  /** Remembers that `ipv4` sent from `mac` on the bridge. */
  sawAddress(bridge: string, ipv4: number, mac: Uint8Array): void {
    if ((mac[0]! & 1) !== 0) return;
    let m = this.neighbours.get(bridge);
    if (!m) {
      m = new Map();
      this.neighbours.set(bridge, m);
    }
    m.set(ipv4 >>> 0, macText(mac));
  }

  /** The MAC `ipv4` was last seen with on the bridge. */
  macOf(bridge: string, ipv4: number): string | undefined {
    return this.neighbours.get(bridge)?.get(ipv4 >>> 0);
  }
}
