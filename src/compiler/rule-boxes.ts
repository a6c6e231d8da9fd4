// The box a compiled rule's leading pure tests confine a packet to, per tree dimension
// (TREE_DIMS: source, destination, protocol, source port, destination port), for the split-tree
// index (build-tree.ts). A packet outside the box fails one of those tests, and since every op
// up to it is pure (no state, no hotdrop) the rule neither matches, counts nor acts: skipping it
// is exact. Port tests count only behind guards asking for at most TREE_PORT_BYTES, which every
// packet the tree uses its ports for passes (not a later fragment, the bytes present).

import { Field, OP_FLAG_INVERT, Op, SLOT_WORDS, TREE_DIMS, TREE_PORT_BYTES } from './format.js';

export interface RuleBox {
  readonly lo: number[];
  readonly hi: number[];
  /** No packet is inside (two tests contradict): the rule never matches. */
  readonly empty: boolean;
  /** A port dimension is narrower than everything. */
  readonly ports: boolean;
  /**
   * The box is the whole rule: every op is a test the box holds exactly, or a guard asking for
   * at most TREE_PORT_BYTES, so a packet the tree uses ports for matches it exactly when it is
   * inside (and the rule need not be evaluated).
   */
  readonly exact: boolean;
}

const ALL = 0xffffffff;
const PURE_OPS: ReadonlySet<number> = new Set([
  Op.CMP,
  Op.RANGE,
  Op.ANY_BITS,
  Op.IFACE,
  Op.PORT_LIST,
  Op.BLOCK,
  Op.FALSE,
  Op.HOST,
]);

function dimOf(field: number): number {
  return (TREE_DIMS as readonly number[]).indexOf(field);
}

/** The range `(x & mask) == value` allows, widened to the mask's leading one-bits. */
function maskedRange(value: number, mask: number): [number, number] {
  const lead = Math.clz32(~mask >>> 0);
  const prefix = lead === 0 ? 0 : lead === 32 ? ALL : (ALL << (32 - lead)) >>> 0;
  const lo = (value & prefix) >>> 0;
  return [lo, (lo | ~prefix) >>> 0];
}

/** `addrWords`: 1 for IPv4; the tree does not index IPv6 addresses (their dimensions stay full). */
export function ruleBox(ops: Uint32Array, startSlot: number, slots: number, addrWords: number): RuleBox {
  const lo = [0, 0, 0, 0, 0];
  const hi = [ALL, ALL, ALL, ALL, ALL];
  let guarded = false;
  let exact = true;
  const narrow = (d: number, l: number, h: number) => {
    if (l > lo[d]!) lo[d] = l;
    if (h < hi[d]!) hi[d] = h;
  };
  const end = startSlot + slots;
  for (let s = startSlot; s < end; ) {
    const w = s * SLOT_WORDS;
    const h = ops[w]!;
    const code = h & 0xff;
    const flags = (h >>> 8) & 0xff;
    const n = (h >>> 16) & 0xff;
    const field = ops[w + 1]!;
    if (code === Op.L4_GUARD) {
      if (field > TREE_PORT_BYTES) {
        exact = false;
        break;
      }
      guarded = true;
    } else if (!PURE_OPS.has(code)) {
      exact = false;
      break;
    } else if ((flags & OP_FLAG_INVERT) === 0 && n === 1) {
      const d = dimOf(field);
      const transport = field === Field.L4_SPORT || field === Field.L4_DPORT;
      const usable = d >= 0 && (transport ? guarded : field === Field.PROTO || addrWords === 1);
      if (usable && code === Op.CMP) {
        const [l, u] = maskedRange(ops[w + 2]!, ops[w + 3]!);
        narrow(d, l, u);
        // Exact when the mask is a prefix and the value has no bits outside it.
        if (u - l !== ~ops[w + 3]! >>> 0 || l !== ops[w + 2]!) exact = false;
      } else if (usable && code === Op.RANGE) narrow(d, ops[w + 2]!, ops[w + 3]!);
      else if (usable && code === Op.PORT_LIST && transport) {
        const r = ops[w + 2]!;
        narrow(d, r & 0xffff, r >>> 16);
      } else exact = false;
    } else exact = false;
    s += code === Op.BLOCK ? 1 + field : h >>> 24;
  }
  let empty = false;
  for (let d = 0; d < 5; d++) if (lo[d]! > hi[d]!) empty = true;
  const ports = lo[3] !== 0 || hi[3] !== ALL || lo[4] !== 0 || hi[4] !== ALL;
  return { lo, hi, empty, ports, exact: exact && !empty };
}
