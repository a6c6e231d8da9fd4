// -m sctp (xt_sctp.c, sctp_mt / match_packet): ports of the SCTP common header and a walk of
// its chunks.

import type { SctpChunkTest, SctpMatch } from '../../../ir/matches/sctp.js';
import { get8, get16 } from '../../../wire/bytes.js';
import type { MatchEvaluator } from '../match-evaluator.js';
import type { EnginePacket } from '../packet.js';
import { hasBytes, isLaterFragment, portMatches, skbLength, transportOffset } from './tcp.js';

/** sizeof(struct sctphdr): ports, verification tag, checksum. */
const SCTP_HEADER_LEN = 12;
const CHUNK_HEADER_LEN = 4;

/** Per match, the chunk types as a 256-entry map (the kernel's chunkmap bitmap). */
const CHUNK_MAPS = new WeakMap<SctpChunkTest, Uint8Array>();
/** match_packet's chunkmapcopy for --chunk-types all: reused, reset per packet. */
const seen = new Uint8Array(256);

function chunkMap(t: SctpChunkTest): Uint8Array {
  let map = CHUNK_MAPS.get(t);
  if (!map) {
    map = new Uint8Array(256);
    for (const type of t.types) map[type] = 1;
    CHUNK_MAPS.set(t, map);
  }
  return map;
}

/** match_flags: the first flag test for this chunk type decides; none means the flags pass. */
function flagsPass(t: SctpChunkTest, type: number, flags: number): boolean {
  for (const f of t.flags) if (f.chunkType === type) return (flags & f.mask) === f.value;
  return true;
}

/**
 * match_packet: walks the chunks from `offset` (at least one, even if none is there) until the
 * packet ends; a chunk header that is missing or has length 0 is an invalid packet (hotdrop).
 * Each step is the chunk length rounded up to 4, so lengths 1-3 step 4 bytes.
 */
function chunksMatch(p: EnginePacket, offset: number, t: SctpChunkTest): boolean | 'hotdrop' {
  const map = chunkMap(t);
  const len = skbLength(p);
  const b = p.bytes;
  if (t.mode === 'all') seen.fill(0);
  do {
    if (!hasBytes(p, offset, CHUNK_HEADER_LEN)) return 'hotdrop';
    const chunkLen = get16(b, offset + 2);
    if (chunkLen === 0) return 'hotdrop';
    const type = get8(b, offset);
    const flags = get8(b, offset + 1);
    offset += (chunkLen + 3) & ~3;
    if (map[type]) {
      if (t.mode === 'any' && flagsPass(t, type, flags)) return true;
      if (t.mode === 'all' && flagsPass(t, type, flags)) seen[type] = 1;
      if (t.mode === 'only' && !flagsPass(t, type, flags)) return false;
    } else if (t.mode === 'only') {
      return false;
    }
  } while (offset < len);
  if (t.mode === 'any') return false;
  if (t.mode === 'only') return true;
  for (const type of t.types) if (!seen[type]) return false;
  return true;
}

export const sctpEvaluator: MatchEvaluator<SctpMatch> = {
  kind: 'sctp',
  test(m, ctx) {
    const p = ctx.packet;
    if (isLaterFragment(p)) return false;
    const th = transportOffset(p);
    if (!hasBytes(p, th, SCTP_HEADER_LEN)) return 'hotdrop';
    if (!portMatches(m.sport, get16(p.bytes, th))) return false;
    if (!portMatches(m.dport, get16(p.bytes, th + 2))) return false;
    if (m.chunks === undefined) return true;
    const r = chunksMatch(p, th + SCTP_HEADER_LEN, m.chunks.value);
    // A hotdrop stays a drop even under `!`. (In the kernel, `! --chunk-types` turns the
    // walk's false into a match while hotdrop is set: the rule's counters and target still run
    // before the packet is dropped. The evaluator contract cannot say "matched, then drop".)
    if (r === 'hotdrop') return 'hotdrop';
    return r !== m.chunks.invert;
  },
};
