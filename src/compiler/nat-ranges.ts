// NAT_RANGES records: the kernel's nf_nat_range2 as 12 words (flags, min port, max port, offset
// base, from address[4], to address[4]), shared by DNAT, SNAT, MASQUERADE and REDIRECT.

import type { Family } from '../ir/address.js';
import type { NatRange } from '../ir/targets/nat-range.js';
import { NatFlag, RECORD_WORDS } from './format.js';

export function encodeNatRange(r: NatRange): number[] {
  const w = new Array<number>(RECORD_WORDS.NAT_RANGE).fill(0);
  let flags = 0;
  if (r.addresses) {
    flags |= NatFlag.MAP_IPS;
    r.addresses.from.forEach((x, i) => {
      w[4 + i] = x >>> 0;
    });
    r.addresses.to.forEach((x, i) => {
      w[8 + i] = x >>> 0;
    });
  }
  if (r.ports) {
    flags |= NatFlag.PROTO_SPECIFIED;
    w[1] = r.ports.from;
    w[2] = r.ports.to;
  }
  if (r.portOffsetBase !== undefined) {
    flags |= NatFlag.PROTO_OFFSET;
    w[3] = r.portOffsetBase;
  }
  if (r.random) flags |= NatFlag.RANDOM;
  if (r.randomFully) flags |= NatFlag.RANDOM_FULLY;
  if (r.persistent) flags |= NatFlag.PERSISTENT;
  w[0] = flags;
  return w;
}

export function decodeNatRange(w: ArrayLike<number>, at: number, family: Family): NatRange {
  const flags = w[at]!;
  const n = family === 'ipv4' ? 1 : 4;
  const words = (from: number) => Array.from({ length: n }, (_, i) => w[at + from + i]!);
  const r: {
    -readonly [K in keyof NatRange]: NatRange[K];
  } = {
    random: (flags & NatFlag.RANDOM) !== 0,
    randomFully: (flags & NatFlag.RANDOM_FULLY) !== 0,
    persistent: (flags & NatFlag.PERSISTENT) !== 0,
  };
  if (flags & NatFlag.MAP_IPS) r.addresses = { family, from: words(4), to: words(8) };
  if (flags & NatFlag.PROTO_SPECIFIED) r.ports = { from: w[at + 1]!, to: w[at + 2]! };
  if (flags & NatFlag.PROTO_OFFSET) r.portOffsetBase = w[at + 3]!;
  return r;
}
