// Conntrack for a batch: per packet conntrackIn, the connection facts the classifier's CT_*
// ops read (the CT record of src/engine/wasm/facts.ts's ctRecord), then confirm — one hook at
// a time, as the reference engine runs PREROUTING ... POSTROUTING for a packet.

import { CT_BYTES } from '../layout';
import { zeroQuads } from '../memory';
import { conntrackIn, resultCtinfo, resultDir, resultEntry, resultKind } from './core';
import {
  C_ACCEPT,
  C_DROP,
  C_NONE,
  E_MARK,
  E_PROTO,
  IP_CT_ESTABLISHED,
  IP_CT_ESTABLISHED_REPLY,
  IP_CT_NEW,
  IPS_DST_NAT,
  IPS_SRC_NAT,
  K_TRACKED,
  K_UNTRACKED,
  NS_PER_SEC,
  OUT_BYTES,
  P_NOW,
  PKT_BYTES,
} from './layout';
import { entryReply } from './nat-store';
import { confirmEntry, confirmed, entryAt, expiresIn, statusOf } from './table';
import {
  entryOriginal,
  isIcmp,
  T_CODE,
  T_DPORT,
  T_DST,
  T_PROTO,
  T_SPORT,
  T_SRC,
  T_TYPE,
  TUPLE_BYTES,
} from './tuple';

const orig: usize = memory.data(<i32>TUPLE_BYTES, 16);
const reply: usize = memory.data(<i32>TUPLE_BYTES, 16);

// CONNTRACK_STATE_ORDER bits: invalid, new, related, established, untracked, snat, dnat.
const SB_INVALID: u32 = 1;
const SB_NEW: u32 = 2;
const SB_RELATED: u32 = 4;
const SB_ESTABLISHED: u32 = 8;
const SB_UNTRACKED: u32 = 16;
const SB_SNAT: u32 = 32;
const SB_DNAT: u32 = 64;

function copyAddr(to: usize, from: usize): void {
  store<u64>(to, load<u64>(from));
  store<u64>(to, load<u64>(from, 8), 8);
}

/** ctRecord: the CT record (28 words) of the last conntrackIn's result. */
function writeFacts(ct: usize, now: i64): void {
  writeFactsFor(ct, resultKind, resultCtinfo, resultDir, resultEntry, now);
}

/** ctRecord of a packet's connection: result kind, ctinfo, direction and entry. */
export function writeFactsFor(ct: usize, kind: u32, ctinfo: u32, dir: u32, entry: u32, now: i64): void {
  zeroQuads(ct, CT_BYTES);
  if (kind !== K_TRACKED) {
    store<u32>(ct, kind === K_UNTRACKED ? SB_UNTRACKED : SB_INVALID, 8);
    return;
  }
  const e = entryAt(entry);
  const status = statusOf(e);
  let bits: u32 =
    ctinfo === IP_CT_NEW
      ? SB_NEW
      : ctinfo === IP_CT_ESTABLISHED || ctinfo === IP_CT_ESTABLISHED_REPLY
        ? SB_ESTABLISHED
        : SB_RELATED;
  if ((status & IPS_SRC_NAT) !== 0) bits |= SB_SNAT;
  if ((status & IPS_DST_NAT) !== 0) bits |= SB_DNAT;
  const proto = <u32>load<u8>(e, E_PROTO);
  store<u32>(ct, 1, 0); // entry
  store<u32>(ct, 1, 4); // tracked
  store<u32>(ct, bits, 8);
  store<u32>(ct, dir, 12);
  store<u32>(ct, proto, 16);
  store<u32>(ct, load<u32>(e, E_MARK), 20);
  // Original src/dst, reply src/dst (the stored reply tuple under NAT).
  entryOriginal(e, orig);
  entryReply(e, reply);
  copyAddr(ct + 24, orig + T_SRC);
  copyAddr(ct + 40, orig + T_DST);
  copyAddr(ct + 56, reply + T_SRC);
  copyAddr(ct + 72, reply + T_DST);
  // tupleView: for ICMP the "destination port" is type << 8 | code.
  store<u32>(ct, load<u32>(orig, T_SPORT), 88);
  store<u32>(ct, tupleDport(orig), 92);
  store<u32>(ct, load<u32>(reply, T_SPORT), 96);
  store<u32>(ct, tupleDport(reply), 100);
  store<u32>(ct, status & 0xf, 104);
  store<u32>(ct, confirmed(e) ? <u32>(expiresIn(e, now) / NS_PER_SEC) : 0, 108);
}

function tupleDport(t: usize): u32 {
  return isIcmp(load<u32>(t, T_PROTO))
    ? (load<u32>(t, T_TYPE) << 8) | load<u32>(t, T_CODE)
    : load<u32>(t, T_DPORT);
}

/**
 * For each of `n` packet records at `pkts`: conntrackIn, then the result record at `out` (kind,
 * ctinfo | direction << 8, entry index, confirm verdict) and, when `ct` is not 0, the CT
 * record the classifier reads; then confirm.
 */
export function conntrackBatch(n: u32, pkts: usize, out: usize, ct: usize): void {
  for (let k: u32 = 0; k < n; k++) {
    const pkt = pkts + <usize>k * PKT_BYTES;
    const now = load<i64>(pkt, P_NOW);
    const kind = conntrackIn(pkt, now);
    const o = out + <usize>k * OUT_BYTES;
    store<u32>(o, kind);
    store<u32>(o, resultCtinfo | (resultDir << 8), 4);
    store<u32>(o, resultEntry, 8);
    if (ct !== 0) writeFacts(ct + <usize>k * CT_BYTES, now);
    let verdict = C_NONE;
    if (kind === K_TRACKED) verdict = confirmEntry(resultEntry, resultDir, now) ? C_ACCEPT : C_DROP;
    store<u32>(o, verdict, 12);
  }
}
