// The chain walk (ipt_do_table, as src/compiler/interpret.ts walks the table): first match,
// jump pushes a return point, goto does not, RETURN or a user chain's end pops, a base chain's
// end applies its policy. Counters touched are logged and added only when the packet is
// decided, so an undecided packet leaves them as they were for the host to replay it.

import { CT_NONE } from './conntrack/layout';
import {
  A_CONNMARK,
  A_CT,
  A_DSCP,
  A_MARK,
  A_NETMAP,
  A_NOTRACK,
  A_REJECT,
  A_TCPMSS,
  A_TOS,
  A_TTL,
  ACTION_BYTES,
  HOTDROP,
  NO,
  NONE,
  R_HOTDROP,
  R_POLICY,
  R_RULE,
  R_UNDECIDED_LIMIT,
  R_UNDECIDED_RULE,
  UNDECIDED,
  V_ACCEPT,
  V_DROP,
  V_GOTO,
  V_JUMP,
  V_NONE,
  V_QUEUE,
  V_RETURN,
  YES,
} from './layout';
import { candidateMatches, nextCandidate } from './lookup';
import { ruleMatches } from './ops';
import { fields, P_MARK, skbLen } from './packet';
import { connmarkRuns, connmarkTarget } from './path/connmark-target';
import { dscpTarget, tosTarget } from './path/dsfield-target';
import { hostQueries } from './path/host-query';
import { isNatAction, natEntry, natTarget, netmapTarget } from './path/nat-target';
import { notrackRuns, notrackTarget } from './path/notrack-target';
import { TCPMSS_DROP, TCPMSS_GREW, TCPMSS_UNDECIDED, tcpmssTarget } from './path/tcpmss-target';
import { ttlTarget } from './path/ttl-target';
import { beginState, rollbackState } from './state';
import {
  actions,
  CORE_COVERED,
  CORE_SLOTS,
  CORE_VERDICT_SHIFT,
  chainAt,
  countPacket,
  coverage,
  ipv6,
  params,
  RULE_CORE_BYTES,
  ruleCores,
  ruleCount,
} from './table';
import { beginWalk } from './tree';

const STACK_DEPTH: u32 = 256;
const LOG_CAPACITY: u32 = 4096;
const stack: usize = memory.data(STACK_DEPTH * 8, 16);
const log: usize = memory.data(LOG_CAPACITY * 4, 16);
let logged: u32 = 0;

/** Action kinds (bit per ACTION_KINDS index) that only count and continue (LOG, NFLOG, TRACE). */
export let passActions: u32 = 0;

export function setPassActions(mask: u32): void {
  passActions = mask;
}

/** The counters (rule, or ruleCount + chain for a policy) the last walk added to, in order. */
export function walkLog(): usize {
  return log;
}

export function walkLogged(): u32 {
  return logged;
}

/** The packet path sends REJECT's replies itself: there REJECT ends the walk as a DROP by its rule. */
let rejectEnds: bool = false;

export function enableReject(): void {
  rejectEnds = true;
}

function logCounter(c: u32): bool {
  if (logged === LOG_CAPACITY) return false;
  store<u32>(log + ((<usize>logged) << 2), c);
  logged++;
  return true;
}

function commit(bytes: u32): void {
  countPacket(log, logged, bytes);
}

function result(verdict: u32, kind: u32, what: u32): u64 {
  return <u64>(verdict | (kind << 8)) | ((<u64>what) << 32);
}

/**
 * One traversal from base chain `base`; the packet is decoded. Returns the result words. A
 * packet handed to the host leaves the stateful matches' state as it was (state.ts).
 */
export function walk(base: u32, bytes: u32): u64 {
  beginState(bytes);
  const r = traverse(base, bytes);
  if (((<u32>r >> 8) & 0xff) >= R_UNDECIDED_RULE) rollbackState();
  return r;
}

/** Rules whose matches the last walk evaluated (what a memo hit saves). */
export let walkEvaluated: u32 = 0;
/** Whether the last walk ran a target with an effect beyond its verdict (MARK, CONNMARK, NOTRACK, TTL, TOS, DSCP, NAT, REJECT). */
export let walkActed: bool = false;

function traverse(base: u32, bytes: u32): u64 {
  logged = 0;
  walkEvaluated = 0;
  walkActed = false;
  beginWalk();
  // The rule to come to (global index) and its chain's end; a jump pushes its return point's.
  const cw = chainAt(base);
  let g = load<u32>(cw, 8);
  let end = g + load<u32>(cw, 12);
  let sp: u32 = 0;
  let candidate: u32 = NONE;
  while (true) {
    if (g >= end) {
      if (sp > 0) {
        sp--;
        end = load<u32>(stack + ((<usize>sp) << 3));
        g = load<u32>(stack + ((<usize>sp) << 3), 4);
        continue;
      }
      return policy(base, bytes);
    }
    const rw = ruleCores + <usize>g * RULE_CORE_BYTES;
    const head = load<u32>(rw, 4);
    // The rule an index lookup just skipped to is its candidate: asking again would redo the
    // lookup (a whole hash probe for an exact index) to get the same answer.
    const known = g === candidate;
    candidate = NONE;
    const rec = (head & CORE_COVERED) !== 0 && !known ? load<u32>(coverage + ((<usize>g) << 2)) : 0;
    if (rec !== 0) {
      const next = nextCandidate(<usize>rec, g);
      if (next !== g) {
        g = next;
        if (g < end) candidate = next;
        continue;
      }
    }
    // A split tree's exact box proved the match, or the rule has no ops (a bare jump): nothing
    // to run.
    const outcome =
      ((rec !== 0 || known) && candidateMatches) || (head & CORE_SLOTS) === 0 ? YES : ruleMatches(g);
    walkEvaluated++;
    if (outcome === NO) {
      g++;
      continue;
    }
    if (outcome === HOTDROP) {
      commit(bytes);
      return result(V_DROP, R_HOTDROP, g);
    }
    if (outcome === UNDECIDED) return result(0, R_UNDECIDED_RULE, g);
    if (!logCounter(g)) return result(0, R_UNDECIDED_LIMIT, g);
    const arg = load<u32>(rw, 8);
    const verdict = (head >> CORE_VERDICT_SHIFT) & 7;
    if (verdict === V_NONE) {
      g++;
    } else if (verdict === V_ACCEPT || verdict === V_DROP || verdict === V_QUEUE) {
      commit(bytes);
      return result(verdict, R_RULE, g);
    } else if (verdict === V_RETURN) {
      if (sp === 0) return policy(base, bytes);
      sp--;
      end = load<u32>(stack + ((<usize>sp) << 3));
      g = load<u32>(stack + ((<usize>sp) << 3), 4);
    } else if (verdict === V_JUMP) {
      if (sp === STACK_DEPTH) return result(0, R_UNDECIDED_LIMIT, g);
      store<u32>(stack + ((<usize>sp) << 3), end);
      store<u32>(stack + ((<usize>sp) << 3), g + 1, 4);
      sp++;
      g = arg;
      end = load<u32>(rw, 12);
    } else if (verdict === V_GOTO) {
      g = arg;
      end = load<u32>(rw, 12);
    } else {
      // An extension target: MARK and the pass-through kinds are run here.
      const aw = actions + <usize>arg * ACTION_BYTES;
      const kind = load<u32>(aw);
      if (kind === A_MARK) {
        // mark_tg: mark = (mark & ~mask) ^ value; later mark tests see it.
        const p = params + ((<usize>load<u32>(aw, 4)) << 2);
        const m = fields + ((<usize>P_MARK) << 2);
        store<u32>(m, (load<u32>(m) & ~load<u32>(p, 4)) ^ load<u32>(p));
        walkActed = true;
        g++;
        continue;
      }
      if (kind === A_CONNMARK && connmarkRuns()) {
        connmarkTarget(load<u32>(aw, 4));
        walkActed = true;
        g++;
        continue;
      }
      if (kind === A_NOTRACK && notrackRuns()) {
        notrackTarget();
        walkActed = true;
        g++;
        continue;
      }
      // The packet path's own copy of the packet may change; the classifier's batch may not.
      if (kind === A_TTL && hostQueries && !ipv6) {
        ttlTarget(load<u32>(aw, 4));
        walkActed = true;
        g++;
        continue;
      }
      if ((kind === A_TOS || kind === A_DSCP) && hostQueries && !ipv6) {
        if (kind === A_TOS) tosTarget(load<u32>(aw, 4));
        else dscpTarget(load<u32>(aw, 4));
        walkActed = true;
        g++;
        continue;
      }
      if (kind === A_TCPMSS && hostQueries && !ipv6) {
        const outcome = tcpmssTarget(load<u32>(aw, 4));
        if (outcome === TCPMSS_UNDECIDED) return result(0, R_UNDECIDED_RULE, g);
        walkActed = true;
        if (outcome === TCPMSS_DROP) {
          commit(bytes);
          return result(V_DROP, R_RULE, g);
        }
        if (outcome === TCPMSS_GREW) {
          // The kernel counts each rule with the length the packet has then: the rules so far
          // with the old length, the later ones with the new.
          commit(bytes);
          logged = 0;
          bytes = skbLen;
        }
        g++;
        continue;
      }
      if (kind === A_CT && hostQueries) {
        // CT --notrack is NOTRACK; in the packet path helpers, zones and timeouts have no
        // effect (the bare classifier leaves CT to the host, as the table interpreter does).
        const notrack = load<u32>(params + ((<usize>load<u32>(aw, 4)) << 2)) !== 0;
        if (notrack && !notrackRuns()) return result(0, R_UNDECIDED_RULE, g);
        if (notrack) notrackTarget();
        walkActed = true;
        g++;
        continue;
      }
      if (isNatAction(kind) && natEntry !== CT_NONE) {
        // NAT targets end the nat table's walk with nf_nat_setup_info's verdict.
        const v = natTarget(kind, aw);
        walkActed = true;
        commit(bytes);
        return result(v, R_RULE, g);
      }
      if (kind === A_NETMAP && natEntry !== CT_NONE) {
        const v = netmapTarget(aw);
        walkActed = true;
        commit(bytes);
        return result(v, R_RULE, g);
      }
      if (kind === A_REJECT && rejectEnds) {
        walkActed = true;
        commit(bytes);
        return result(V_DROP, R_RULE, g);
      }
      if (kind >= 32 || ((passActions >> kind) & 1) === 0) return result(0, R_UNDECIDED_RULE, g);
      g++;
    }
  }
}

function policy(base: u32, bytes: u32): u64 {
  if (!logCounter(ruleCount + base)) return result(0, R_UNDECIDED_LIMIT, NONE);
  commit(bytes);
  return result(load<u32>(chainAt(base), 24) === 1 ? V_DROP : V_ACCEPT, R_POLICY, base);
}
