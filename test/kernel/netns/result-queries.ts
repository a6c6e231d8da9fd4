// Questions tests (and later the engine comparison) ask of a KernelResult.

import { decodeFrame, type FrameInfo } from './frame.js';
import type { ChainCounters, EmittedPacket, KernelResult } from './kernel-result.js';

/** Frames the host emitted on `ifName`; for a bridge, on any of its ports, in emission order. */
export function emittedOn(result: KernelResult, ifName: string): (EmittedPacket & { frame: FrameInfo })[] {
  const ports = Object.entries(result.bridgePorts)
    .filter(([, b]) => b === ifName)
    .map(([p]) => p);
  const names = ports.length ? ports : [ifName];
  return names
    .flatMap((n) => result.emitted[n] ?? [])
    .sort((a, b) => a.seq - b.seq)
    .map((p) => ({ ...p, frame: decodeFrame(Buffer.from(p.hex, 'hex')) }));
}

export function chain(
  result: KernelResult,
  table: string,
  name: string,
  family: 'ipv4' | 'ipv6' = 'ipv4',
): ChainCounters {
  const c = result.counters[family]?.find((t) => t.table === table)?.chains.find((x) => x.chain === name);
  if (!c) throw new Error(`${result.scenario}: no chain ${table} ${name}`);
  return c;
}

/** Packets counted by rule `index` (1-based) of a chain. */
export function rulePackets(result: KernelResult, table: string, name: string, index: number): number {
  const r = chain(result, table, name).rules[index - 1];
  if (!r) throw new Error(`${result.scenario}: ${table} ${name} has no rule ${index}`);
  return r.packets;
}

/** Packets counted by the first rule of a chain whose text contains `fragment`. */
export function packetsOf(result: KernelResult, table: string, name: string, fragment: string): number {
  const r = chain(result, table, name).rules.find((x) => x.rule.includes(fragment));
  if (!r) throw new Error(`${result.scenario}: ${table} ${name} has no rule containing ${fragment}`);
  return r.packets;
}
