// Runs every packet of a trace through an engine, in order: the scenario a user has (ruleset,
// host, capture) turned into per-packet results, counters and connections.

import type { ReferenceEngine } from '../engine/reference/engine.js';
import type { PacketResult } from '../engine/reference/result.js';
import { LinkType, type TracePacket } from '../trace/index.js';
import type { LinkType as WireLinkType } from '../wire/packet.js';

export interface ReplayPacket {
  /** 1-based packet number in the trace. */
  readonly number: number;
  readonly iif: string;
  readonly timestampNs: bigint;
  readonly result: PacketResult;
  /** The captured frame: a view into the reader's chunk, valid only during the callback. */
  readonly data: Uint8Array;
  /** The capture's link type (LINKTYPE_*). */
  readonly linkType: number;
  /** Byte offset of the packet's record in the file (for progress). */
  readonly fileOffset: number;
}

export interface ReplayOptions {
  /** Ingress interface for packets whose capture interface has no name (or to override it). */
  readonly iface?: string;
  /** Keep each packet's explanation trace. */
  readonly trace?: boolean;
  /** Called for every packet, in order. */
  readonly onPacket?: (p: ReplayPacket) => void;
}

/** The packets to replay: a TraceReader, or frames a worker was handed. */
export interface PacketSource {
  packetsSync(): Iterable<
    Pick<TracePacket, 'number' | 'linkType' | 'data' | 'interfaceName' | 'timestampNs' | 'fileOffset'>
  >;
}

export interface ReplaySummary {
  readonly packets: number;
  /** Packets the engine could not take (unknown link type, no interface name). */
  readonly skipped: number;
  readonly fates: Readonly<Record<string, number>>;
}

function wireLinkType(linkType: number): WireLinkType | undefined {
  switch (linkType) {
    case LinkType.Ethernet:
      return 'ethernet';
    case LinkType.LinuxSll:
      return 'linux-sll';
    case LinkType.Ipv4:
      return 'raw-ipv4';
    case LinkType.Ipv6:
      return 'raw-ipv6';
    default:
      return undefined;
  }
}

/** The engine's link type for a captured frame, or undefined when it has none. */
export function frameLink(linkType: number, data: Uint8Array): WireLinkType | undefined {
  // Raw (101) carries IPv4 or IPv6: the version nibble tells.
  if (linkType === LinkType.Raw) return data[0]! >>> 4 === 6 ? 'raw-ipv6' : 'raw-ipv4';
  return wireLinkType(linkType);
}

/** frameLink for the `length` bytes of `data` from `start`, without a view of them. */
export function frameLinkAt(
  linkType: number,
  data: Uint8Array,
  start: number,
  length: number,
): WireLinkType | undefined {
  if (linkType === LinkType.Raw) return length > 0 && data[start]! >>> 4 === 6 ? 'raw-ipv6' : 'raw-ipv4';
  return wireLinkType(linkType);
}

export function replayTrace(
  engine: ReferenceEngine,
  reader: PacketSource,
  options: ReplayOptions = {},
): ReplaySummary {
  const fates: Record<string, number> = {};
  let packets = 0;
  let skipped = 0;
  for (const p of reader.packetsSync()) {
    packets++;
    const link = frameLink(p.linkType, p.data);
    const iif = options.iface ?? p.interfaceName;
    if (!link || !iif) {
      skipped++;
      fates.skipped = (fates.skipped ?? 0) + 1;
      continue;
    }
    const timestampNs = p.timestampNs ?? 0n;
    const result = engine.process(
      { bytes: p.data, linkType: link, iif, timestampNs },
      { trace: options.trace ?? false, index: p.number },
    );
    fates[result.fate.kind] = (fates[result.fate.kind] ?? 0) + 1;
    options.onPacket?.({
      number: p.number,
      iif,
      timestampNs,
      result,
      data: p.data,
      linkType: p.linkType,
      fileOffset: p.fileOffset,
    });
  }
  return { packets, skipped, fates };
}
