// DNAT, SNAT, MASQUERADE and REDIRECT in a nat-table walk (xt_nat.c, nf_nat_masquerade.c,
// nf_nat_redirect.c): the rule's range — pinned to the interface's address for MASQUERADE and
// REDIRECT — handed to nf_nat_setup_info for the connection's first packet. The walk's verdict
// is setup's (src/engine/reference/targets/nat.ts).

import { CT_NONE, HOOK_OUTPUT, MANIP_DST, MANIP_SRC, RANGE_BYTES } from '../conntrack/layout';
import { hookManip, NAT_DROP, natSetupInfo } from '../conntrack/nat';
import { entryAt } from '../conntrack/table';
import { entryOriginal, T_DST, T_SRC, TUPLE_BYTES } from '../conntrack/tuple';
import { A_DNAT, A_MASQUERADE, A_REDIRECT, A_SNAT, NAT_RANGE_BYTES, V_ACCEPT, V_DROP } from '../layout';
import { fields, P_DST, P_SRC } from '../packet';
import { natRanges, params } from '../table';
import { addressClass, NO_CLASS } from './address-class';
import { ask, askByKey, pktIif, pktOif, Q_SOURCE_ADDRESS } from './host-query';

/** The connection the nat walk sets up (CT_NONE outside a nat walk), its hook and time. */
export let natEntry: u32 = CT_NONE;
export let natHookId: u32 = 0;
export let natNow: i64 = 0;
/** inet_select_addr's answer for `dev` towards `addr`, asked per class of the address. */
function sourceAddress(dev: u32, addr: u32): usize {
  const c = addressClass(addr);
  if (c === NO_CLASS) return ask(Q_SOURCE_ADDRESS, dev, addr, 0);
  return askByKey(Q_SOURCE_ADDRESS, dev, c, 0, dev, addr, 0);
}

export function beginNatWalk(entry: u32, hook: u32, now: i64): void {
  natEntry = entry;
  natHookId = hook;
  natNow = now;
}

export function endNatWalk(): void {
  natEntry = CT_NONE;
}

// NatFlag (src/compiler/format.ts) of a NAT_RANGES record, and the NF_NAT_RANGE_* bits setup reads.
const NF_MAP_IPS: u32 = 1;
const NF_PROTO_SPECIFIED: u32 = 2;
const NF_PROTO_RANDOM: u32 = 4;
const NF_PERSISTENT: u32 = 8;
const NF_PROTO_RANDOM_FULLY: u32 = 16;
const NF_PROTO_OFFSET: u32 = 32;

const range: usize = memory.data(<i32>RANGE_BYTES, 16);
const orig: usize = memory.data(<i32>TUPLE_BYTES, 16);

/** natRangeFromIr of the record at `r`; `mapIps` false leaves the addresses out (pinned later). */
function fillRange(r: usize, mapIps: bool): void {
  memory.fill(range, 0, RANGE_BYTES);
  const f = load<u32>(r);
  let flags: u32 = 0;
  if (mapIps && (f & 1) !== 0) {
    flags |= NF_MAP_IPS;
    memory.copy(range + 4, r + 16, 16);
    memory.copy(range + 20, r + 32, 16);
  }
  if ((f & 2) !== 0) {
    flags |= NF_PROTO_SPECIFIED;
    store<u32>(range, load<u32>(r, 4), 36);
    store<u32>(range, load<u32>(r, 8), 40);
    if ((f & 4) !== 0) flags |= NF_PROTO_OFFSET;
  }
  if ((f & 4) !== 0) store<u32>(range, load<u32>(r, 12), 44);
  if ((f & 8) !== 0) flags |= NF_PROTO_RANDOM;
  if ((f & 16) !== 0) flags |= NF_PROTO_RANDOM_FULLY;
  if ((f & 32) !== 0) flags |= NF_PERSISTENT;
  store<u32>(range, flags);
}

function pin(addr: u32): void {
  store<u32>(range, load<u32>(range) | NF_MAP_IPS);
  store<u32>(range, addr, 4);
  store<u32>(range, addr, 20);
}

function setup(manip: u32): u32 {
  return natSetupInfo(natEntry, range, manip, natNow) === NAT_DROP ? V_DROP : V_ACCEPT;
}

/** Whether action `kind` is one of the NAT targets run here. */
export function isNatAction(kind: u32): bool {
  return kind >= A_DNAT && kind <= A_REDIRECT;
}

/** Runs NAT action `kind` (ACTIONS record at `aw`); V_ACCEPT or V_DROP. */
export function natTarget(kind: u32, aw: usize): u32 {
  const r = natRanges + <usize>load<u32>(aw, 12) * NAT_RANGE_BYTES;
  if (kind === A_DNAT || kind === A_SNAT) {
    fillRange(r, true);
    return setup(kind === A_DNAT ? MANIP_DST : MANIP_SRC);
  }
  if (kind === A_MASQUERADE) {
    // A connection from 0.0.0.0 is left alone (the null binding follows).
    entryOriginal(entryAt(natEntry), orig);
    if (load<u32>(orig, T_SRC) === 0) return V_ACCEPT;
    const a = sourceAddress(pktOif, load<u32>(fields + ((<usize>P_DST) << 2)));
    if (load<u32>(a) === 0) return V_DROP;
    fillRange(r, false);
    pin(load<u32>(a, 4));
    return setup(MANIP_SRC);
  }
  // REDIRECT: loopback from OUTPUT, else the receiving interface's address.
  let addr: u32 = 0x7f000001;
  if (natHookId !== HOOK_OUTPUT) {
    const a = sourceAddress(pktIif, load<u32>(fields + ((<usize>P_SRC) << 2)));
    if (load<u32>(a) === 0) return V_DROP;
    addr = load<u32>(a, 4);
  }
  fillRange(r, false);
  pin(addr);
  return setup(MANIP_DST);
}

/**
 * NETMAP (xt_NETMAP.c, netmapRange of src/engine/conntrack/nat-range.ts): the original tuple's
 * address on the hook's side, its host part kept and its network part from --to; ports untouched.
 * Parameters: address words (count, IPv4: one), mask words.
 */
export function netmapTarget(aw: usize): u32 {
  const p = params + ((<usize>load<u32>(aw, 4)) << 2);
  const net = load<u32>(p, 4);
  const mask = load<u32>(p, 12);
  const manip = hookManip(natHookId);
  entryOriginal(entryAt(natEntry), orig);
  const cur = load<u32>(orig + <usize>(manip === MANIP_SRC ? T_SRC : T_DST));
  memory.fill(range, 0, RANGE_BYTES);
  pin((cur & ~mask) | (net & mask));
  return setup(manip);
}
