// Puts our reading and tshark's in the same shape for toEqual.

import type { TraceInterface } from '../../src/trace/index.js';
import { hex, type ReadResult } from './helpers.js';
import type { TsharkFrame } from './tshark.js';

export interface Comparable {
  readonly iface: number | undefined;
  readonly name: string | undefined;
  readonly time: bigint | undefined;
  readonly len: number;
  readonly caplen: number;
  readonly bytes: string;
}

/**
 * What tshark 4.0 shows as frame.interface_name: if_name, else if_description, else "unknown",
 * control characters escaped. In sections after the first it looks the section-local interface ID
 * up among the first section's interfaces (the spec numbers interfaces per section, as we do), so
 * there the name is taken from tshark itself; fixtures.test.ts checks those names directly.
 */
function tsharkInterfaceName(iface: TraceInterface, shown: string | undefined): string | undefined {
  if (iface.section > 0) return shown;
  const name = iface.name ?? iface.description ?? 'unknown';
  return name.replaceAll('\r', '\\r').replaceAll('\n', '\\n');
}

/** tshark's packets (pcapng records without an interface, like custom blocks, are not packets). */
export function tsharkPackets(frames: readonly TsharkFrame[], pcapng: boolean): Comparable[] {
  return frames
    .filter((f) => !pcapng || f.interfaceId !== undefined)
    .map((f) => ({
      iface: f.interfaceId,
      name: f.interfaceName,
      time: f.timeNs,
      len: f.length,
      caplen: f.capturedLength,
      bytes: f.hex,
    }));
}

export function ourPackets(ours: ReadResult, expected: readonly Comparable[]): Comparable[] {
  const pcapng = ours.summary.format === 'pcapng';
  return ours.packets.map((p, i) => {
    const iface = ours.summary.interfaces[p.interfaceIndex]!;
    return {
      iface: pcapng ? iface.sectionIndex : undefined,
      name: pcapng ? tsharkInterfaceName(iface, expected[i]?.name) : undefined,
      time: p.timestampNs,
      len: p.originalLength,
      caplen: p.capturedLength,
      bytes: hex(p.data),
    };
  });
}
