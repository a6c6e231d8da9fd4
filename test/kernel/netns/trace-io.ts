// Reading a scenario's pcapng trace: ingress interface (if_name), timestamp and bytes per packet.
// Stop-gap glue over tshark until src/trace/ is settled; the rest of the harness only sees
// TracePacket. tshark takes ~0.4 s of CPU per file, so decoded traces are cached by content.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runAsync } from './sh.js';

export interface TracePacket {
  /** 0-based position in the file. */
  readonly index: number;
  /** The interface the packet arrived on (pcapng if_name). */
  readonly ifName: string;
  /** Seconds since the epoch, as the file stores it (decimal string, nanosecond precision kept). */
  readonly timestamp: string;
  /** Seconds since the first packet of the trace. */
  readonly offset: number;
  readonly bytes: Buffer;
}

interface TsharkPacket {
  _source: {
    layers: {
      frame_raw: [string, ...unknown[]];
      frame: {
        'frame.time_epoch': string;
        'frame.encap_type': string;
        'frame.interface_id_tree'?: { 'frame.interface_name'?: string };
      };
    };
  };
}

type Cached = Omit<TracePacket, 'bytes'> & { hex: string };

const CACHE_DIR = join(import.meta.dirname, '../../../.cache/kernel-netns-traces');

async function decode(path: string): Promise<Cached[]> {
  const out = await runAsync(['tshark', '-r', path, '-T', 'json', '-x', '-J', 'frame']);
  const packets = JSON.parse(out) as TsharkPacket[];
  const first = packets[0] ? Number(packets[0]._source.layers.frame['frame.time_epoch']) : 0;
  return packets.map((p, index) => {
    const { frame, frame_raw } = p._source.layers;
    const ifName = frame['frame.interface_id_tree']?.['frame.interface_name'];
    if (!ifName) throw new Error(`${path}: packet ${index + 1} has no interface name (pcapng if_name)`);
    // Frames are injected as they are onto veths: they must be Ethernet (not Linux cooked capture).
    if (frame['frame.encap_type'] !== '1')
      throw new Error(
        `${path}: packet ${index + 1} is not an Ethernet frame (encapsulation ${frame['frame.encap_type']})`,
      );
    const timestamp = frame['frame.time_epoch'];
    return { index, ifName, timestamp, offset: Number(timestamp) - first, hex: frame_raw[0] };
  });
}

export async function readTrace(path: string): Promise<TracePacket[]> {
  const key = createHash('sha256').update('v2\0').update(readFileSync(path)).digest('hex').slice(0, 32);
  const file = join(CACHE_DIR, `${key}.json`);
  let packets: Cached[];
  if (existsSync(file)) packets = JSON.parse(readFileSync(file, 'utf8')) as Cached[];
  else {
    packets = await decode(path);
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(packets));
  }
  return packets.map(({ hex, ...p }) => ({ ...p, bytes: Buffer.from(hex, 'hex') }));
}
