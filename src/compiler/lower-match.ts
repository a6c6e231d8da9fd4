// One IR match → ops. Each lowering keeps the reference evaluator's order of tests and its
// outcomes exactly (no match, hotdrop, the conntrack match's "no ct" rule), using the generic
// load-field-and-compare ops wherever they suffice.

import type { Family } from '../ir/address.js';
import type { Negated, PortRange } from '../ir/common.js';
import type { Match } from '../ir/match.js';
import {
  CONNTRACK_STATE_ORDER,
  type ConntrackMatch,
  type ConntrackStateSet,
} from '../ir/matches/conntrack.js';
import type { IcmpTypeTest } from '../ir/matches/icmp.js';
import type { PhysdevMatch, PhysdevName } from '../ir/matches/physdev.js';
import { TCP_CWR, TCP_ECE } from '../wire/tcp.js';
import { externCodec } from './extern-codecs.js';
import {
  CT_STATUS_BITS,
  EXTERN_KINDS,
  type ExternKind,
  Field,
  FragMode,
  OP_FLAG_INVERT,
  OP_FLAG_WILDCARD,
  Op,
  STATEFUL_KINDS,
} from './format.js';
import type { OpStream } from './op-stream.js';
import type { ParamWriter } from './param-io.js';

export interface LowerContext {
  readonly family: Family;
  readonly ops: OpStream;
  readonly params: ParamWriter;
  intern(s: string): number;
  /** A state slot for a stateful op at `slot`; shared by name for recent/hashlimit. */
  stateSlot(kind: ExternKind, slot: number, sharedName: string | null): number;
  /** The rule now holds an UNSUPPORTED op. */
  unsupported(kind: string): void;
}

const ALL = 0xffffffff;
const inv = (invert: boolean): number => (invert ? OP_FLAG_INVERT : 0);

function cmp(
  c: LowerContext,
  field: number,
  values: readonly number[],
  masks: readonly number[],
  invert: boolean,
) {
  c.ops.emitTwo(Op.CMP, inv(invert), field, values, masks, true);
}

function range(
  c: LowerContext,
  field: number,
  lo: readonly number[],
  hi: readonly number[],
  invert: boolean,
) {
  c.ops.emitTwo(Op.RANGE, inv(invert), field, lo, hi, false);
}

function portRange(c: LowerContext, field: number, r: Negated<PortRange> | undefined) {
  if (r) range(c, field, [r.value.from], [r.value.to], r.invert);
}

function guard(c: LowerContext, minLength: number, frag: number, shortHotdrop: boolean) {
  c.ops.emit(Op.L4_GUARD, 0, 0, minLength, [frag, shortHotdrop ? 1 : 0]);
}

export function stateBits(states: ConntrackStateSet): number {
  let bits = 0;
  for (const s of states) bits |= 1 << CONNTRACK_STATE_ORDER.indexOf(s);
  return bits;
}

function hops(c: LowerContext, op: 'eq' | 'ne' | 'lt' | 'gt', value: number) {
  if (op === 'eq' || op === 'ne') range(c, Field.TTL, [value], [value], op === 'ne');
  else if (op === 'lt') {
    if (value === 0) c.ops.emit(Op.FALSE, 0, 0, 0);
    else range(c, Field.TTL, [0], [value - 1], false);
  } else if (value >= 0xff) c.ops.emit(Op.FALSE, 0, 0, 0);
  else range(c, Field.TTL, [value + 1], [0xff], false);
}

function icmpType(c: LowerContext, t: IcmpTypeTest, wildcard255: boolean) {
  guard(c, 8, FragMode.NO_MATCH, true);
  if (wildcard255 && t.type === 0xff) {
    if (t.invert) c.ops.emit(Op.FALSE, 0, 0, 0);
    return;
  }
  const block = c.ops.emit(Op.BLOCK, inv(t.invert), 0, 0);
  const start = c.ops.slots;
  cmp(c, Field.ICMP_TYPE, [t.type], [0xff], false);
  range(c, Field.ICMP_CODE, [t.codeMin], [t.codeMax], false);
  c.ops.patch(block, 1, c.ops.slots - start);
}

function conntrack(c: LowerContext, m: ConntrackMatch) {
  if (m.state)
    c.ops.emit(Op.ANY_BITS, inv(m.state.invert), 1, Field.CT_STATE_BITS, [stateBits(m.state.value)]);
  const rest =
    m.direction !== undefined ||
    m.protocol ||
    m.origSrc ||
    m.origDst ||
    m.origSrcPort ||
    m.origDstPort ||
    m.replSrc ||
    m.replDst ||
    m.replSrcPort ||
    m.replDstPort ||
    m.status ||
    m.expires;
  // No ct (invalid, untracked): only a --ctstate test can hold, every other option fails.
  if (!m.state) {
    cmp(c, Field.CT_TRACKED, [1], [ALL], false);
  } else if (!rest) return;
  let skip = -1;
  if (m.state) skip = c.ops.emit(Op.SKIP_IF, 0, 1, Field.CT_TRACKED, [0, 0]);
  const start = c.ops.slots;
  if (m.direction !== undefined) cmp(c, Field.CT_DIRECTION, [m.direction === 'reply' ? 1 : 0], [ALL], false);
  if (m.protocol) cmp(c, Field.CT_PROTO, [m.protocol.value], [ALL], m.protocol.invert);
  const addr = (field: number, a: ConntrackMatch['origSrc']) => {
    if (a) cmp(c, field, a.value.given, a.value.net.mask, a.invert);
  };
  addr(Field.CT_ORIG_SRC, m.origSrc);
  addr(Field.CT_ORIG_DST, m.origDst);
  portRange(c, Field.CT_ORIG_SPORT, m.origSrcPort);
  portRange(c, Field.CT_ORIG_DPORT, m.origDstPort);
  addr(Field.CT_REPL_SRC, m.replSrc);
  addr(Field.CT_REPL_DST, m.replDst);
  portRange(c, Field.CT_REPL_SPORT, m.replSrcPort);
  portRange(c, Field.CT_REPL_DPORT, m.replDstPort);
  if (m.status) {
    let bits = 0;
    for (const s of m.status.value) bits |= 1 << CT_STATUS_BITS[s];
    c.ops.emit(Op.ANY_BITS, inv(m.status.invert), 1, Field.CT_STATUS_BITS, [bits]);
  }
  if (m.expires) range(c, Field.CT_EXPIRES, [m.expires.value.from], [m.expires.value.to], m.expires.invert);
  if (skip >= 0) c.ops.patch(skip, 3, c.ops.slots - start);
}

/** A bridge port name test on IFACE field `field`: "" (iptables' zero mask) is any port. */
function physdevName(c: LowerContext, field: number, name: Negated<PhysdevName>) {
  if (name.value.name === '') {
    if (name.invert) c.ops.emit(Op.FALSE, 0, 0, 0);
    return;
  }
  c.ops.emit(Op.IFACE, inv(name.invert) | (name.value.wildcard ? OP_FLAG_WILDCARD : 0), 0, field, [
    c.intern(name.value.name),
  ]);
}

/**
 * physdev_mt (src/engine/reference/matches/physdev.ts): without bridge info the match holds only
 * when every option is negated; --physdev-in passes without an input port, --physdev-out fails
 * without an output port even negated.
 */
function physdev(c: LowerContext, m: PhysdevMatch) {
  const allNegated = [m.isBridged, m.isIn, m.isOut, m.in, m.out].every((o) => o === undefined || o.invert);
  let skip = -1;
  if (allNegated) skip = c.ops.emit(Op.SKIP_IF, 0, 1, Field.PHYS_INFO, [0, 0]);
  else cmp(c, Field.PHYS_INFO, [1], [ALL], false);
  const start = c.ops.slots;
  if (m.isBridged) cmp(c, Field.PHYS_OUT_PRESENT, [1], [ALL], m.isBridged.invert);
  if (m.isIn) cmp(c, Field.PHYS_IN_PRESENT, [1], [ALL], m.isIn.invert);
  if (m.isOut) cmp(c, Field.PHYS_OUT_PRESENT, [1], [ALL], m.isOut.invert);
  if (m.in) {
    const noPort = c.ops.emit(Op.SKIP_IF, 0, 1, Field.PHYS_IN_PRESENT, [0, 0]);
    const from = c.ops.slots;
    physdevName(c, Field.PHYS_IN, m.in);
    c.ops.patch(noPort, 3, c.ops.slots - from);
  }
  if (m.out) {
    cmp(c, Field.PHYS_OUT_PRESENT, [1], [ALL], false);
    physdevName(c, Field.PHYS_OUT, m.out);
  }
  if (skip >= 0) c.ops.patch(skip, 3, c.ops.slots - start);
}

function isExtern(kind: string): kind is ExternKind {
  return (EXTERN_KINDS as readonly string[]).includes(kind);
}

function externOp(c: LowerContext, m: Extract<Match, { kind: ExternKind }>) {
  const at = c.params.out.length;
  externCodec(m.kind)(c.params, m);
  const kind = EXTERN_KINDS.indexOf(m.kind);
  if (!STATEFUL_KINDS.has(m.kind)) {
    c.ops.emit(Op.HOST, 0, 0, kind, [at, 0]);
    return;
  }
  const slot = c.ops.emit(Op.STATEFUL, 0, 0, kind, [at, 0]);
  const shared = m.kind === 'recent' || m.kind === 'hashlimit' ? m.name : null;
  c.ops.patch(slot, 3, c.stateSlot(m.kind, slot, shared));
}

export function lowerMatch(c: LowerContext, m: Match): void {
  switch (m.kind) {
    case 'source':
    case 'destination':
      cmp(c, m.kind === 'source' ? Field.SRC : Field.DST, m.net.addr, m.net.mask, m.invert);
      return;
    case 'in-interface':
    case 'out-interface':
      c.ops.emit(
        Op.IFACE,
        inv(m.invert) | (m.wildcard ? OP_FLAG_WILDCARD : 0),
        0,
        m.kind === 'in-interface' ? Field.IIF : Field.OIF,
        [c.intern(m.name)],
      );
      return;
    case 'protocol':
      cmp(c, Field.PROTO, [m.protocol], [ALL], m.invert);
      return;
    case 'fragment':
      // -f: fragment offset != 0, so "offset == 0" with the opposite inversion.
      cmp(c, Field.FRAG_OFFSET, [0], [ALL], !m.invert);
      return;
    case 'comment':
      return; // always holds; the rule record keeps the text
    case 'policy':
      // No IPsec is modelled: no packet has a secpath or an xfrm bundle, so `--pol none` always
      // holds and `--pol ipsec` never does (the reference's matches/policy.ts).
      if (m.policy !== 'none') c.ops.emit(Op.FALSE, 0, 0, 0);
      return;
    case 'tcp':
      guard(c, 20, FragMode.TCP, true);
      portRange(c, Field.L4_SPORT, m.sport);
      portRange(c, Field.L4_DPORT, m.dport);
      if (m.flags) cmp(c, Field.TCP_FLAGS, [m.flags.value.comp], [m.flags.value.mask], m.flags.invert);
      if (m.option) c.ops.emit(Op.TCP_OPTION, inv(m.option.invert), 0, 0, [m.option.value]);
      return;
    case 'udp':
      guard(c, 8, FragMode.NO_MATCH, true);
      portRange(c, Field.L4_SPORT, m.sport);
      portRange(c, Field.L4_DPORT, m.dport);
      return;
    case 'icmp':
      icmpType(c, m, true);
      return;
    case 'icmp6':
      icmpType(c, m, false);
      return;
    case 'multiport': {
      guard(c, 4, FragMode.NO_MATCH, true);
      const field =
        m.direction === 'source'
          ? Field.L4_SPORT
          : m.direction === 'destination'
            ? Field.L4_DPORT
            : Field.L4_PORT_EITHER;
      const packed = m.ports.map((r) => (r.from | (r.to << 16)) >>> 0);
      c.ops.emit(Op.PORT_LIST, inv(m.invert), packed.length, field, packed);
      return;
    }
    case 'mark':
      // (mark & mask) == value with the value unmasked: emitted raw, not through cmp().
      c.ops.emit(Op.CMP, inv(m.mark.invert), 1, Field.MARK, [
        m.mark.value.value >>> 0,
        m.mark.value.mask >>> 0,
      ]);
      return;
    case 'connmark':
      cmp(c, Field.CT_ENTRY, [1], [ALL], false);
      c.ops.emit(Op.CMP, inv(m.mark.invert), 1, Field.CT_MARK, [
        m.mark.value.value >>> 0,
        m.mark.value.mask >>> 0,
      ]);
      return;
    case 'state':
      c.ops.emit(Op.ANY_BITS, inv(m.states.invert), 1, Field.CT_STATE_BITS, [stateBits(m.states.value)]);
      return;
    case 'conntrack':
      conntrack(c, m);
      return;
    case 'iprange':
      if (m.source) range(c, Field.SRC, m.source.value.from, m.source.value.to, m.source.invert);
      if (m.destination)
        range(c, Field.DST, m.destination.value.from, m.destination.value.to, m.destination.invert);
      return;
    case 'length':
      range(c, Field.L3_LENGTH, [m.min], [m.max], m.invert);
      return;
    case 'ttl':
    case 'hl':
      hops(c, m.op, m.value);
      return;
    case 'tos':
      c.ops.emit(Op.CMP, inv(m.invert), 1, Field.DSFIELD, [m.value, m.mask]);
      return;
    case 'dscp':
      cmp(c, Field.DSFIELD, [m.dscp << 2], [0xfc], m.invert);
      return;
    case 'ecn':
      if (m.ipEct) cmp(c, Field.DSFIELD, [m.ipEct.value], [3], m.ipEct.invert);
      if (!m.tcpEce && !m.tcpCwr) return;
      // match_tcp: no fragment test, a short header is no match (never a hotdrop).
      guard(c, 20, FragMode.IGNORE, false);
      if (m.tcpEce) cmp(c, Field.TCP_FLAGS, [TCP_ECE], [TCP_ECE], m.tcpEce.invert);
      if (m.tcpCwr) cmp(c, Field.TCP_FLAGS, [TCP_CWR], [TCP_CWR], m.tcpCwr.invert);
      return;
    case 'physdev':
      physdev(c, m);
      return;
    case 'mac': {
      cmp(c, Field.MAC_PRESENT, [1], [ALL], false);
      const b = m.source.value;
      const w0 = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
      cmp(c, Field.MAC_SRC, [w0, (b[4]! << 8) | b[5]!], [ALL, 0xffff], m.source.invert);
      return;
    }
    default:
      if (isExtern(m.kind)) {
        externOp(c, m as Extract<Match, { kind: ExternKind }>);
        return;
      }
      c.ops.emit(Op.UNSUPPORTED, 0, 0, c.intern(m.kind));
      c.unsupported(m.kind);
  }
}
