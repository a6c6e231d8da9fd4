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
  /**
   * The descriptors as numbers (per key: 0 before the guard or 1 after it, field, words, mask
   * words): rules with equal signatures (sameSignature) can share an index. Numbers, not text:
   * a string per rule was most of what a 100k-rule compile allocated.
   */
  readonly signature: readonly number[];
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

/**
 * What scanRuleKeys found in the last rule it scanned: scratch arrays reused from rule to rule
 * (new arrays per rule, grown push by push, were most of what a 100k-rule compile allocated).
 */
export const scanned = {
  /** The first count1 words are the values before the guard, count2 those after it. */
  values1: new Uint32Array(64),
  count1: 0,
  values2: new Uint32Array(64),
  count2: 0,
  /** The first signatureLength words: see RuleKeys.signature. */
  signature: new Uint32Array(256),
  signatureLength: 0,
  /** The guard's words 1-3 when there are keys after it. */
  guard: [0, 0, 0],
  guarded: false,
  exact: true,
};

/** Appends `v` to a scratch array of `scanned` (doubled when full). */
function put(name: 'values1' | 'values2' | 'signature', count: number, v: number): void {
  let a = scanned[name];
  if (count === a.length) {
    const bigger = new Uint32Array(a.length * 2);
    bigger.set(a);
    scanned[name] = bigger;
    a = bigger;
  }
  a[count] = v;
}

/** A key word of the scanned rule, before or after its guard. */
function value(afterGuard: boolean, v: number): void {
  if (afterGuard) put('values2', scanned.count2++, v);
  else put('values1', scanned.count1++, v);
}

/** A word of the scanned rule's signature. */
function sign(v: number): void {
  put('signature', scanned.signatureLength++, v);
}

/** Scans the rule's ops for its keys into `scanned`. */
export function scanRuleKeys(ops: Uint32Array, startSlot: number, slots: number): void {
  const g = scanned.guard;
  scanned.count1 = 0;
  scanned.count2 = 0;
  scanned.signatureLength = 0;
  let guard = false;
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
      guard = true;
      g[0] = ops[w + 1]!;
      g[1] = ops[w + 2]!;
      g[2] = ops[w + 3]!;
    } else if (!has(PURE_OPS, code)) {
      exact = false;
      break;
    } else if ((flags & OP_FLAG_INVERT) !== 0) exact = false;
    else {
      const after = guard ? 1 : 0;
      if (code === Op.CMP && (has(KEY1_FIELDS, field) || (guard && isTransportField(field)))) {
        sign(after);
        sign(field);
        sign(n);
        for (let i = 0; i < n; i++) {
          value(guard, ops[w + 2 + 2 * i]!);
          sign(ops[w + 3 + 2 * i]!);
        }
      } else if (code === Op.IFACE && (flags & OP_FLAG_WILDCARD) === 0) {
        value(guard, ops[w + 2]!);
        sign(after);
        sign(field);
        sign(1);
        sign(FULL[0]!);
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
        value(guard, ops[w + 2]!);
        sign(1);
        sign(field);
        sign(1);
        sign(FULL[0]!);
      } else exact = false;
    }
    // BLOCK contents are pure by construction: skip over them with the block.
    s += code === Op.BLOCK ? 1 + field : h >>> 24;
  }
  const guarded = scanned.count2 > 0;
  scanned.guarded = guarded;
  scanned.exact = exact && (!guard || guarded);
}

/** The keys of the rule `scanRuleKeys` scanned last, as their own arrays. */
export function scannedKeys(): RuleKeys {
  const key1: KeyDescriptor[] = [];
  const key2: KeyDescriptor[] = [];
  const sig = Array.from(scanned.signature.subarray(0, scanned.signatureLength));
  for (let i = 0; i < sig.length; ) {
    const words = sig[i + 2]!;
    (sig[i] === 1 ? key2 : key1).push({ field: sig[i + 1]!, words, mask: sig.slice(i + 3, i + 3 + words) });
    i += 3 + words;
  }
  return {
    key1,
    values1: Array.from(scanned.values1.subarray(0, scanned.count1)),
    key2,
    values2: Array.from(scanned.values2.subarray(0, scanned.count2)),
    guard: scanned.guarded ? [...scanned.guard] : null,
    signature: sig,
    exact: scanned.exact,
  };
}

const FULL: readonly number[] = [0xffffffff];

/** Whether the rule scanned last has the descriptors `b` (a RuleKeys.signature). */
export function scannedSignatureIs(b: readonly number[]): boolean {
  const a = scanned.signature;
  if (scanned.signatureLength !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
