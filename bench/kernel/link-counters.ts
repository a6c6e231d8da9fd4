// Interface counters (`ip -s -j link`): how many frames the router received and sent, and how
// many the sender's veth ends got back, i.e. what the router forwarded.

import { run } from '../../test/kernel/netns/sh.js';

export interface LinkCounters {
  readonly rxPackets: number;
  readonly rxBytes: number;
  readonly rxDropped: number;
  readonly txPackets: number;
  readonly txBytes: number;
  readonly txDropped: number;
}

interface IpLinkStats {
  readonly ifname: string;
  readonly stats64?: {
    readonly rx: { readonly packets: number; readonly bytes: number; readonly dropped: number };
    readonly tx: { readonly packets: number; readonly bytes: number; readonly dropped: number };
  };
}

/** Interface name → counters, from `ip -s -j link show`. */
export function parseLinkStats(json: string): Map<string, LinkCounters> {
  const out = new Map<string, LinkCounters>();
  for (const l of JSON.parse(json) as IpLinkStats[]) {
    const s = l.stats64;
    if (!s) continue;
    out.set(l.ifname, {
      rxPackets: s.rx.packets,
      rxBytes: s.rx.bytes,
      rxDropped: s.rx.dropped,
      txPackets: s.tx.packets,
      txBytes: s.tx.bytes,
      txDropped: s.tx.dropped,
    });
  }
  return out;
}

export function readLinkCounters(ns: string): Map<string, LinkCounters> {
  return parseLinkStats(run(['ip', '-n', ns, '-s', '-j', 'link', 'show']));
}

/** Counters gained between two readings of the same interfaces. */
export function linkDelta(
  before: ReadonlyMap<string, LinkCounters>,
  after: ReadonlyMap<string, LinkCounters>,
): Map<string, LinkCounters> {
  const out = new Map<string, LinkCounters>();
  for (const [name, a] of after) {
    const b = before.get(name);
    out.set(name, {
      rxPackets: a.rxPackets - (b?.rxPackets ?? 0),
      rxBytes: a.rxBytes - (b?.rxBytes ?? 0),
      rxDropped: a.rxDropped - (b?.rxDropped ?? 0),
      txPackets: a.txPackets - (b?.txPackets ?? 0),
      txBytes: a.txBytes - (b?.txBytes ?? 0),
      txDropped: a.txDropped - (b?.txDropped ?? 0),
    });
  }
  return out;
}
