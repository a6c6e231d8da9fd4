// The established-packet floor (bench/floor/established.ts) is a lower bound for the engine only
// if it does the work it says it does: every packet of the population workload checked and
// taken, each rewritten as NAT and ip_forward would (address, port, TTL, both checksums still
// valid), each counted. Nothing here looks at speed.

import { describe, expect, it } from 'vitest';
import {
  buildFloorModule,
  EstablishedFloor,
  FLOOR_NAT_ADDRESS,
  FLOOR_NAT_PORT,
} from '../../bench/lib/established-floor.js';
import { populationTraffic, populationWorkload } from '../../bench/lib/population.js';
import { internetChecksum, ipv4PseudoSum } from '../../src/wire/checksum.js';

describe('the established-packet floor', () => {
  it('checks, rewrites and counts every established packet of the population workload', () => {
    const connections = 50;
    const frames: Uint8Array[] = [];
    const times: bigint[] = [];
    populationTraffic(
      populationWorkload(connections),
      connections,
      400,
      1,
      () => {},
      (b, _iif, ts) => {
        frames.push(b.slice());
        times.push(ts);
      },
    );
    const floor = new EstablishedFloor(buildFloorModule(), frames, connections, 256);
    for (let first = 0; first < frames.length; first += 256) {
      const n = Math.min(256, frames.length - first);
      floor.run(frames, times, first, n);
      for (let k = 0; k < n; k++) {
        const before = frames[first + k]!;
        const after = floor.frame(k);
        expect(floor.verdict(k), `frame ${first + k}`).toBe(1);
        const ip = new DataView(after.buffer, after.byteOffset + 14);
        expect(ip.getUint32(16)).toBe(FLOOR_NAT_ADDRESS);
        expect(ip.getUint16(22)).toBe(FLOOR_NAT_PORT);
        expect(after[22]).toBe(before[22]! - 1); // TTL
        expect(internetChecksum(after, 14, 34)).toBe(0);
        const length = ip.getUint16(2) - 20;
        const pseudo = ipv4PseudoSum(ip.getUint32(12), ip.getUint32(16), 6, length);
        expect(internetChecksum(after, 34, 34 + length, pseudo)).toBe(0);
      }
    }
    expect(floor.invalid).toBe(0);
    expect(floor.counted).toBe(frames.length);
  });

  it('finds a packet with a damaged transport checksum invalid', () => {
    const frames: Uint8Array[] = [];
    const times: bigint[] = [];
    populationTraffic(
      populationWorkload(10),
      10,
      20,
      1,
      () => {},
      (b, _iif, ts) => {
        frames.push(b.slice());
        times.push(ts);
      },
    );
    const damaged = frames.map((f) => f.slice());
    damaged[3]![50]! ^= 0x01; // a TCP header byte (the urgent pointer), checksum left as it was
    const floor = new EstablishedFloor(buildFloorModule(), frames, 10, 64);
    floor.run(damaged, times, 0, damaged.length);
    expect(floor.verdict(3)).toBe(0);
    expect(floor.invalid).toBe(1);
    expect(floor.counted).toBe(damaged.length - 1);
  });
});
