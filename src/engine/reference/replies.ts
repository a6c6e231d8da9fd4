// Packets the host generates in answer to the one it is processing (REJECT's RST and ICMP
// errors, the kernel's own answers): checked against ICMP's rate limit, tied to the offending
// packet's connection, and queued to go down the local output path after it (local-out.ts).

import { routeLookup } from '../../host/index.js';
import type { TrackResult } from '../conntrack/index.js';
import type { EngineState } from './engine-state.js';
import type { Journey } from './journey.js';

const ICMP = 1;

/** nf_ct_attach: a reply the host generates about a packet is RELATED in the other direction. */
export function replyTrack(t: Extract<TrackResult, { kind: 'tracked' }>): TrackResult {
  const original = t.direction === 'original';
  return {
    kind: 'tracked',
    entry: t.entry,
    ctinfo: original ? 'RELATED_REPLY' : 'RELATED',
    direction: original ? 'reply' : 'original',
  };
}

/** The connection a reply about the journey's packet is tied to (nf_ct_attach, icmp_glue_bits). */
export function attachedTrack(j: Journey): TrackResult | null {
  return j.track?.kind === 'tracked' ? replyTrack(j.track) : null;
}

export interface ReplyOptions {
  /** Why it is sent (the emitted packet's cause). */
  readonly cause: string;
  readonly attach: TrackResult | null;
  /** How the trace names it when it is not sent (default: its cause). */
  readonly notedAs?: string;
}

/**
 * Queues a reply built like REJECT's: none about a broadcast or multicast route; an ICMP error
 * passes icmp_send's rate limit (icmpv4_xrlim_allow) first.
 */
export function queueReply(s: EngineState, j: Journey, bytes: Uint8Array, o: ReplyOptions): void {
  const noted = o.notedAs ?? o.cause;
  if (j.castRoute) {
    j.trace?.push({ kind: 'note', text: `${noted}: not sent (broadcast or multicast route)` });
    return;
  }
  if (bytes[0]! >>> 4 === 4 && bytes[9] === ICMP) {
    const dst = ((bytes[16]! << 24) | (bytes[17]! << 16) | (bytes[18]! << 8) | bytes[19]!) >>> 0;
    const back = routeLookup(s.host, dst, {});
    const viaLoopback = back.ok && s.host.interface(back.oif)?.kind === 'loopback';
    if (!s.icmpLimiter.allow(dst, bytes[20]!, bytes[21]!, viaLoopback, s.now)) {
      j.trace?.push({ kind: 'note', text: `${noted}: not sent (icmp_ratelimit)` });
      return;
    }
  }
  j.replies.push({ bytes, cause: o.cause, attach: o.attach });
}
