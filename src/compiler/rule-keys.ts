// Which exact-match keys a compiled rule offers a classification index: the equality tests that
// come before anything with an effect. Skipping a rule whose key differs from the packet's is
// exact only when every op up to its last key op is pure (no state, no hotdrop), except one
// L4_GUARD, whose outcome the index evaluates itself before reading the keys after it.

import { Field, isTransportField, OP_FLAG_INVERT, OP_FLAG_WILDCARD, Op, SLOT_WORDS } from './format.js';

export interface KeyDescriptor {
  readonly field: number;
  readonly words: number;
  readonly mask: readonly number[];
}

export interface RuleKeys {
  /** Keys before the guard (always readable). */
  readonly key1: readonly KeyDescriptor[];
  readonly values1: readonly number[];
  /** Keys after the guard (read only when it passes). */
  readonly key2: readonly KeyDescriptor[];
  readonly values2: readonly number[];
  /** The guard's words 1-3 (min length, frag mode, short mode), when key2 is not empty. */
  readonly guard: readonly number[] | null;
  /** The descriptors as text: rules with equal signatures can share an index. */
  readonly signature: string;
  /**
   * Every op is a key test or the guard before key2 (no guard without key2): a packet with the
   * keys that passes the guard matches the rule.
   */
  readonly exact: boolean;
}

/** Fields an exact key can be taken from before the guard, one bit per field id. */
const KEY1_FIELDS =
  (1 << Field.SRC) | (1 << Field.DST) | (1 << Field.PROTO) | (1 << Field.MARK) | (1 << Field.DSFIELD);
/** Ops without effects, one bit per op code (compiling 100k rules asks this once per op). */
const PURE_OPS =
  (1 << Op.CMP) |
  (1 << Op.RANGE) |
  (1 << Op.ANY_BITS) |
  (1 << Op.IFACE) |
  (1 << Op.PORT_LIST) |
  (1 << Op.BLOCK) |
  (1 << Op.FALSE) |
  (1 << Op.HOST);
const has = (bits: number, x: number): boolean => x < 32 && ((bits >>> x) & 1) !== 0;

export function ruleKeys(ops: Uint32Array, startSlot: number, slots: number): RuleKeys {
  const key1: KeyDescriptor[] = [];
  const values1: number[] = [];
  const key2: KeyDescriptor[] = [];
  const values2: number[] = [];
  let guard: number[] | null = null;
  let signature = '';
  let exact = true;
  const end = startSlot + slots;
  for (let s = startSlot; s < end; ) {
    const w = s * SLOT_WORDS;
    const h = ops[w]!;
    const code = h & 0xff;
    const flags = (h >>> 8) & 0xff;
    const n = (h >>> 16) & 0xff;
    const field = ops[w + 1]!;
    if (code === Op.L4_GUARD) {
      if (guard) {
        exact = false;
        break;
      }
      guard = [ops[w + 1]!, ops[w + 2]!, ops[w + 3]!];
    } else if (!has(PURE_OPS, code)) {
      exact = false;
      break;
    } else if ((flags & OP_FLAG_INVERT) !== 0) exact = false;
    else {
      const keys = guard ? key2 : key1;
      const values = guard ? values2 : values1;
      if (code === Op.CMP && (has(KEY1_FIELDS, field) || (guard && isTransportField(field)))) {
        const mask: number[] = [];
        for (let i = 0; i < n; i++) {
          values.push(ops[w + 2 + 2 * i]!);
          mask.push(ops[w + 3 + 2 * i]!);
        }
        keys.push({ field, words: n, mask });
        signature += `${guard ? '|' : ','}${field}/${n}/${mask.join('.')}`;
      } else if (code === Op.IFACE && (flags & OP_FLAG_WILDCARD) === 0) {
        values.push(ops[w + 2]!);
        keys.push({ field, words: 1, mask: FULL });
        signature += `${guard ? '|' : ','}${field}/1/${FULL_TEXT}`;
        // -i/-o hold exactly when the interface's id is the key; other interface fields may ask
        // more (a key that differs still rules the rule out, but an equal one proves nothing).
        if (field !== Field.IIF && field !== Field.OIF) exact = false;
      } else if (
        code === Op.RANGE &&
        guard &&
        n === 1 &&
        (field === Field.L4_SPORT || field === Field.L4_DPORT) &&
        ops[w + 2] === ops[w + 3]
      ) {
        values.push(ops[w + 2]!);
        keys.push({ field, words: 1, mask: FULL });
        signature += `|${field}/1/${FULL_TEXT}`;
      } else exact = false;
    }
    // BLOCK contents are pure by construction: skip over them with the block.
    s += code === Op.BLOCK ? 1 + field : h >>> 24;
  }
  const guarded = key2.length > 0;
  exact &&= guard === null || guarded;
  return { key1, values1, key2, values2, guard: guarded ? guard : null, signature, exact };
}

const FULL: readonly number[] = [0xffffffff];
const FULL_TEXT = String(0xffffffff);
