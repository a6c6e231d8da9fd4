// The generator: a fixed table of flow slots with Zipf popularity. Each packet picks a slot by
// popularity and sends that flow's next packet; a finished flow is replaced by a new one in its
// slot. Memory is the slot table and one frame buffer, whatever the packet count: packets go
// straight to the writer.

import { Xoshiro128ss } from '../engine/conntrack/prng.js';
import type { Host } from '../host/host.js';
import type { Ruleset } from '../ir/ruleset.js';
import { LinkType, type PcapngWriter } from '../trace/index.js';
import type { Flow } from './flow.js';
import { FlowFactory } from './flow-factory.js';
import { FRAME_BUFFER_SIZE, nextPacket } from './flow-packets.js';
import { ruleHints } from './rule-hints.js';
import { DEFAULT_MIX, type TrafficMix } from './traffic-mix.js';
import { ZipfSampler } from './zipf.js';

export interface GenerateOptions {
  readonly ruleset: Ruleset;
  readonly host: Host;
  readonly packets: number;
  /** Concurrent flow slots (default 1000). */
  readonly flows?: number;
  readonly seed?: number;
  /** Zipf exponent of slot popularity (default 1). */
  readonly zipf?: number;
  readonly mix?: TrafficMix;
  /** Packets per second of trace time (default 100000). */
  readonly rate?: number;
  /** Time of the first packet, ns since the epoch (default 2024-01-01T00:00:00Z). */
  readonly startNs?: bigint;
  /** Called every `progressEvery` packets (default 1<<16). */
  readonly onProgress?: (written: number) => void;
}

export interface GenerateSummary {
  readonly packets: number;
  readonly flowsStarted: number;
  readonly byScript: Readonly<Record<string, number>>;
  readonly hints: number;
}

// Frames arrive at the host; `@local` packets are the host's own.
const INBOUND = { direction: 'inbound' } as const;
const OUTBOUND = { direction: 'outbound' } as const;
const DEFAULT_START_NS = 1_704_067_200_000_000_000n;

export function generateTrace(writer: PcapngWriter, o: GenerateOptions): GenerateSummary {
  const prng = new Xoshiro128ss(o.seed ?? 1);
  const hints = ruleHints(o.ruleset);
  const factory = new FlowFactory({ ruleset: o.ruleset, host: o.host, hints, mix: o.mix ?? DEFAULT_MIX });
  const slots = o.flows ?? 1000;
  const zipf = new ZipfSampler(slots, o.zipf ?? 1);
  const table: (Flow | undefined)[] = new Array(slots).fill(undefined);
  const buf = new Uint8Array(FRAME_BUFFER_SIZE);
  const interfaceIds = new Map<string, number>();
  const byScript: Record<string, number> = {};
  const stepNs = 1e9 / (o.rate ?? 100_000);
  const start = o.startNs ?? DEFAULT_START_NS;
  let flowsStarted = 0;
  for (let i = 0; i < o.packets; i++) {
    const slot = zipf.sample(prng);
    let flow = table[slot];
    if (!flow || flow.done) {
      flow = factory.create(prng);
      table[slot] = flow;
      flowsStarted++;
      byScript[flow.script] = (byScript[flow.script] ?? 0) + 1;
    }
    const built = nextPacket(flow, buf, prng);
    const name = built.path.ifName;
    let id = interfaceIds.get(name);
    if (id === undefined) {
      id = writer.interfaceFor(name, built.path.ethernet ? LinkType.Ethernet : LinkType.Ipv4);
      interfaceIds.set(name, id);
    }
    const ts = start + BigInt(Math.round(i * stepNs));
    writer.writePacket(id, ts, buf.subarray(0, built.length), built.path.ethernet ? INBOUND : OUTBOUND);
    if (o.onProgress && (i & 0xffff) === 0xffff) o.onProgress(i + 1);
  }
  return { packets: o.packets, flowsStarted, byScript, hints: hints.length };
}
