// IPv4 fragment reassembly as the kernel does it (net/ipv4/ip_fragment.c, net/ipv4/inet_fragment.c):
// ip_defrag's queues, keyed by (source, destination, protocol, IP id, defrag user), hold the
// fragments of a datagram until it is complete, then ip_frag_reasm builds the datagram from the
// first fragment's header. Overlapping fragments drop the whole queue (RFC 5722 style, since
// Linux 4.19); a fragment inside what a queue already holds is a duplicate and only it is
// dropped. A queue lives ipfrag_time from its creation (the timer is not restarted by later
// fragments); when it expires, ip_expire may send ICMP time exceeded about its first fragment.
//
// The users are separate queues: nf_defrag_ipv4 in PREROUTING (IP_DEFRAG_CONNTRACK_IN) and
// OUTPUT (IP_DEFRAG_CONNTRACK_OUT), ip_local_deliver's own (IP_DEFRAG_LOCAL_DELIVER) when
// conntrack did not reassemble first. Not modelled: ipfrag_high_thresh (4 MB of queued
// fragments), ipfrag_max_dist (a queue restarted after 64 other fragments from its source),
// zones and VRF devices in the key.

import { get8, get16 } from '../../wire/bytes.js';
import { IP_DF, IP_MF, IP_OFFSET, Ipv4View } from '../../wire/ipv4.js';

/** ip_defrag_users that nfwasm's paths use. */
export type DefragUser = 'conntrack-in' | 'conntrack-out' | 'local-deliver';

/** A reassembled datagram, and what the output path needs to cut it again. */
export interface Reassembled {
  readonly kind: 'complete';
  /** The datagram: the first fragment's header (tot_len, DF and checksum redone) and all the data. */
  readonly bytes: Uint8Array;
  /** IPCB(skb)->frag_max_size: the largest fragment (IP header included). */
  readonly fragMaxSize: number;
  /** IPSKB_FRAG_PMTU: the largest fragment had DF, so the datagram carries DF. */
  readonly pmtu: boolean;
  /** The data length of each fragment in offset order: the skb's frag_list geometry. */
  readonly pieces: readonly number[];
  /** The first fragment's frame addresses (the datagram's MAC header is the head's). */
  readonly macSrc: Uint8Array | null;
  readonly macDst: Uint8Array | null;
}

export type DefragResult =
  | Reassembled
  /** Queued: the datagram is not complete yet. */
  | { readonly kind: 'held'; readonly reason: string }
  /** This fragment was dropped (a duplicate), or the whole queue with it (overlap, corruption). */
  | { readonly kind: 'dropped'; readonly reason: string };

/** A queue whose ipfrag_time ran out (ip_expire). */
export interface ExpiredQueue {
  readonly user: DefragUser;
  readonly description: string;
  /** The fragment at offset 0 when it arrived (INET_FRAG_FIRST_IN): ICMP quotes it. */
  readonly head: HeldFragment | null;
  /** The interface the last fragment came in by (qp->iif). */
  readonly iif: string;
  readonly expiredAtNs: bigint;
}

/** One fragment in a queue: its place in the datagram and its bytes as received. */
export interface HeldFragment {
  readonly offset: number;
  readonly end: number;
  /** The fragment as received (IP header on), trimmed to its place (end - offset bytes of data). */
  readonly bytes: Uint8Array;
  readonly headerLength: number;
  readonly iif: string;
  readonly macSrc: Uint8Array | null;
  readonly macDst: Uint8Array | null;
}

/** A run of fragments that arrived back to back in order (inet_frag_queue_insert's fragrun). */
interface Run {
  readonly offset: number;
  length: number;
  readonly fragments: HeldFragment[];
}

interface Queue {
  readonly key: string;
  readonly user: DefragUser;
  readonly description: string;
  readonly expiresNs: bigint;
  firstIn: boolean;
  lastIn: boolean;
  /** q->len: the datagram's data length as known so far. */
  len: number;
  /** q->meat: data bytes held. */
  meat: number;
  /** Runs in offset order. */
  readonly runs: Run[];
  /** The run at the tail (q->last_run_head) and its last fragment (q->fragments_tail). */
  lastRun: Run | null;
  tail: HeldFragment | null;
  maxSize: number;
  maxDfSize: number;
  /** qp->ecn: the IPFRAG_ECN_* bits seen. */
  ecn: number;
  iif: string;
}

/** What a received fragment carries besides its bytes. */
export interface FragmentArrival {
  readonly iif: string;
  readonly macSrc: Uint8Array | null;
  readonly macDst: Uint8Array | null;
}

const INET_ECN_MASK = 3;
const INET_ECN_CE = 3;
const IPFRAG_ECN_NOT_ECT = 0x01;
const IPFRAG_ECN_ECT_1 = 0x02;
const IPFRAG_ECN_ECT_0 = 0x04;
const IPFRAG_ECN_CE = 0x08;

/** ip_frag_ecn_table: the TOS ECN bits of the reassembled datagram, or 0xff (invalid mix: drop). */
function reassembledEcn(bits: number): number {
  const ce = (bits & IPFRAG_ECN_CE) !== 0;
  const ect = (bits & (IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1)) !== 0;
  if ((bits & IPFRAG_ECN_NOT_ECT) !== 0) return ce || ect ? 0xff : 0;
  return ce && ect ? INET_ECN_CE : 0;
}

const dotted = (w: number) => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;

/** The fragment queues of one network namespace (net->ipv4.fqdir). */
export class FragmentQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    /** net.ipv4.ipfrag_time in nanoseconds. */
    private readonly timeoutNs: bigint,
  ) {}

  /** Queues holding fragments right now. */
  get size(): number {
    return this.queues.size;
  }

  /**
   * ip_defrag → ip_find (the queue, created when new, its timer started) → ip_frag_queue for the
   * fragment `bytes` (an IPv4 datagram with MF or a fragment offset, checked by ip_rcv_core).
   */
  defrag(bytes: Uint8Array, user: DefragUser, arrival: FragmentArrival, nowNs: bigint): DefragResult {
    const ip = new Ipv4View(bytes, 0, bytes.length);
    const description = `${dotted(ip.src)} > ${dotted(ip.dst)} proto ${ip.protocol} id ${ip.id}`;
    const key = `${user} ${ip.src} ${ip.dst} ${ip.protocol} ${ip.id}`;
    let q = this.queues.get(key);
    if (!q) {
      q = {
        key,
        user,
        description,
        expiresNs: nowNs + this.timeoutNs,
        firstIn: false,
        lastIn: false,
        len: 0,
        meat: 0,
        runs: [],
        lastRun: null,
        tail: null,
        maxSize: 0,
        maxDfSize: 0,
        ecn: 0,
        iif: arrival.iif,
      };
      this.queues.set(key, q);
    }
    return this.queue(q, bytes, ip, arrival);
  }

  /** ip_expire for every queue whose timer fired at or before `nowNs`, oldest first. */
  expire(nowNs: bigint): ExpiredQueue[] {
    const out: ExpiredQueue[] = [];
    for (const q of this.queues.values()) {
      if (q.expiresNs > nowNs) continue;
      this.queues.delete(q.key);
      const head = q.firstIn ? (q.runs[0]?.fragments[0] ?? null) : null;
      out.push({ user: q.user, description: q.description, head, iif: q.iif, expiredAtNs: q.expiresNs });
    }
    return out.sort((a, b) => (a.expiredAtNs < b.expiredAtNs ? -1 : a.expiredAtNs > b.expiredAtNs ? 1 : 0));
  }

  /** inet_frag_kill: the queue leaves the table; its fragments are freed. */
  private kill(q: Queue): void {
    this.queues.delete(q.key);
  }

  /** ip_frag_queue. */
  private queue(q: Queue, bytes: Uint8Array, ip: Ipv4View, arrival: FragmentArrival): DefragResult {
    const ecn = 1 << (ip.tos & INET_ECN_MASK);
    const field = ip.fragField;
    const offset = (field & IP_OFFSET) << 3;
    const ihl = ip.headerLength;
    let end = offset + ip.totalLength - ihl;
    if ((field & IP_MF) === 0) {
      // The final fragment: nothing may lie beyond it, and a second final one must agree.
      if (end < q.len || (q.lastIn && end !== q.len)) {
        this.kill(q);
        return {
          kind: 'dropped',
          reason: `a last fragment ending at ${end} contradicts the queue: ${q.description} dropped`,
        };
      }
      q.lastIn = true;
      q.len = end;
    } else {
      // A middle fragment's data is cut to a multiple of 8 (pskb_trim_rcsum below).
      end &= ~7;
      if (end > q.len) {
        if (q.lastIn) {
          this.kill(q);
          return {
            kind: 'dropped',
            reason: `a fragment beyond the datagram's end: ${q.description} dropped`,
          };
        }
        q.len = end;
      }
    }
    if (end === offset) {
      this.kill(q);
      return { kind: 'dropped', reason: `an empty fragment: ${q.description} dropped` };
    }
    const fragment: HeldFragment = {
      offset,
      end,
      bytes: bytes.slice(0, ihl + end - offset),
      headerLength: ihl,
      iif: arrival.iif,
      macSrc: arrival.macSrc,
      macDst: arrival.macDst,
    };
    const inserted = insert(q, fragment);
    if (inserted === 'duplicate')
      return { kind: 'dropped', reason: `duplicate fragment (bytes ${offset}-${end} already held): dropped` };
    if (inserted === 'overlap') {
      this.kill(q);
      return {
        kind: 'dropped',
        reason: `fragment bytes ${offset}-${end} overlap what is held: the whole datagram (${q.description}) dropped`,
      };
    }
    q.iif = arrival.iif;
    q.meat += end - offset;
    q.ecn |= ecn;
    if (offset === 0) q.firstIn = true;
    const fragsize = end - offset + ihl;
    if (fragsize > q.maxSize) q.maxSize = fragsize;
    if ((field & IP_DF) !== 0 && fragsize > q.maxDfSize) q.maxDfSize = fragsize;
    if (q.firstIn && q.lastIn && q.meat === q.len) return this.reassemble(q);
    const held = q.runs.reduce((n, r) => n + r.fragments.length, 0);
    const known = q.lastIn
      ? `${q.meat} of ${q.len} bytes`
      : `${q.meat} bytes so far, the last fragment not yet seen`;
    return {
      kind: 'held',
      reason: `held for reassembly (${offset === 0 ? 'the first fragment' : `the fragment at offset ${offset}`} of ${q.description}; ${held} fragment${held === 1 ? '' : 's'} held, ${known})`,
    };
  }

  /** ip_frag_reasm: the datagram from the first fragment's header and every fragment's data. */
  private reassemble(q: Queue): DefragResult {
    this.kill(q);
    const ecn = reassembledEcn(q.ecn);
    if (ecn === 0xff)
      return { kind: 'dropped', reason: `fragments disagree on ECN: ${q.description} dropped` };
    const fragments = q.runs.flatMap((r) => r.fragments);
    const head = fragments[0]!;
    const hl = head.headerLength;
    const len = hl + q.len;
    if (len > 65535)
      return { kind: 'dropped', reason: `oversized datagram (${len} bytes): ${q.description} dropped` };
    const out = new Uint8Array(len);
    out.set(head.bytes.subarray(0, hl), 0);
    for (const f of fragments) out.set(f.bytes.subarray(f.headerLength), hl + f.offset);
    const ip = new Ipv4View(out, 0, len);
    ip.totalLength = len;
    ip.tos = get8(out, 1) | ecn;
    const pmtu = q.maxDfSize === q.maxSize;
    ip.fragField = pmtu ? IP_DF : 0;
    ip.updateChecksum();
    return {
      kind: 'complete',
      bytes: out,
      fragMaxSize: Math.max(q.maxDfSize, q.maxSize),
      pmtu,
      pieces: fragments.map((f) => f.end - f.offset),
      macSrc: head.macSrc,
      macDst: head.macDst,
    };
  }
}

/**
 * inet_frag_queue_insert: a fragment past the tail extends the last run (or starts one after a
 * gap); any other goes where it fits between the runs. Partly covering a run is an overlap;
 * lying wholly inside one is a duplicate.
 */
function insert(q: Queue, f: HeldFragment): 'ok' | 'duplicate' | 'overlap' {
  const last = q.tail;
  if (!last || last.end < f.end) {
    if (last && f.offset < last.end) return 'overlap';
    if (last && q.lastRun && f.offset === last.end) {
      q.lastRun.fragments.push(f);
      q.lastRun.length += f.end - f.offset;
    } else {
      const run: Run = { offset: f.offset, length: f.end - f.offset, fragments: [f] };
      q.runs.push(run);
      q.lastRun = run;
    }
    q.tail = f;
    return 'ok';
  }
  // Runs never overlap, so the run the rbtree search stops at is the only one the fragment touches.
  const touched = q.runs.filter((r) => f.offset < r.offset + r.length && f.end > r.offset);
  if (
    touched.length === 1 &&
    f.offset >= touched[0]!.offset &&
    f.end <= touched[0]!.offset + touched[0]!.length
  )
    return 'duplicate';
  if (touched.length > 0) return 'overlap';
  const at = q.runs.findIndex((r) => r.offset > f.offset);
  q.runs.splice(at < 0 ? q.runs.length : at, 0, {
    offset: f.offset,
    length: f.end - f.offset,
    fragments: [f],
  });
  return 'ok';
}

/** ip_is_fragment: MF set or a fragment offset. */
export function isIpv4Fragment(bytes: Uint8Array): boolean {
  return (get16(bytes, 6) & (IP_MF | IP_OFFSET)) !== 0;
}
