// Classes of IPv4 addresses for the host questions (src/engine/wasm/address-classes.ts): the
// host model answers alike for addresses held by the same prefixes, so questions are cached per
// class. An address's class is the set of prefixes holding it, interned to a small number.

import { alloc } from '../memory';

/** No classes (too many prefixes, or the intern table is full): ask about the address itself. */
export const NO_CLASS: u32 = 0xffffffff;

const INTERN_SLOTS: u32 = 1 << 12;
let prefixes: usize = 0;
let prefixCount: u32 = 0;
/** Intern table: per slot the class's prefix bits (u64) and its number + 1 (0: empty). */
let interned: usize = 0;
let classCount: u32 = 0;

/** The last classes found, direct-mapped by address: (address, class + 1) pairs. */
const RECENT_SLOTS: u32 = 1 << 10;
let recent: usize = 0;

/** Installs the record at `p` (count, then net and mask per prefix; kept). */
export function setAddressPrefixes(p: usize): void {
  prefixes = p;
  prefixCount = load<u32>(p);
  if (interned === 0) interned = alloc(<usize>INTERN_SLOTS * 16);
  else memory.fill(interned, 0, <usize>INTERN_SLOTS * 16);
  if (recent === 0) recent = alloc(<usize>RECENT_SLOTS * 8);
  else memory.fill(recent, 0, <usize>RECENT_SLOTS * 8);
  classCount = 0;
}

/** The class number of `addr`, or NO_CLASS. */
export function addressClass(addr: u32): u32 {
  if (prefixCount === 0) return NO_CLASS;
  const r = recent + <usize>(((addr * 0x9e3779b1) >>> 22) & (RECENT_SLOTS - 1)) * 8;
  if (load<u32>(r, 4) !== 0 && load<u32>(r) === addr) return load<u32>(r, 4) - 1;
  const c = classOf(addr);
  if (c !== NO_CLASS) {
    store<u32>(r, addr);
    store<u32>(r, c + 1, 4);
  }
  return c;
}

function classOf(addr: u32): u32 {
  let bits: u64 = 0;
  for (let i: u32 = 0; i < prefixCount; i++) {
    const at = prefixes + 4 + ((<usize>i) << 3);
    if ((addr & load<u32>(at, 4)) === load<u32>(at)) bits |= (<u64>1) << i;
  }
  const h = <u32>(bits ^ (bits >> 32)) * 0x9e3779b1;
  for (let probe: u32 = 0; probe < INTERN_SLOTS; probe++) {
    const s = interned + <usize>((h + probe) & (INTERN_SLOTS - 1)) * 16;
    const id = load<u32>(s, 8);
    if (id === 0) {
      if (classCount * 2 >= INTERN_SLOTS) return NO_CLASS;
      classCount++;
      store<u64>(s, bits);
      store<u32>(s, classCount, 8);
      return classCount - 1;
    }
    if (load<u64>(s) === bits) return id - 1;
  }
  return NO_CLASS;
}

/**
 * The key of a question about two addresses (`a`, `b`) and a word `c`: both classes and `c`,
 * or NO_CLASS when either address has none or is multicast (joined groups count).
 */
export function pairClass(a: u32, b: u32): u32 {
  if (a >>> 28 === 14 || b >>> 28 === 14) return NO_CLASS;
  const ca = addressClass(a);
  if (ca === NO_CLASS) return NO_CLASS;
  const cb = addressClass(b);
  if (cb === NO_CLASS) return NO_CLASS;
  return ca | (cb << 16);
}
