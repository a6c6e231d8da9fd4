// -m addrtype for IPv4 (addrtype_mt_v1, match_type): the route type of the source and/or
// destination address — from the host model, optionally limited to the packet's input or output
// device — must be in the rule's set (or not, inverted). Parameters as the addrtype codec of
// src/compiler/extern-codecs.ts writes them: source opt, destination opt (each a type list then
// invert), then the limit-iface opt (0 in, 1 out).

import { fields, P_DST, P_SRC } from '../packet';
import { addressClass, NO_CLASS } from './address-class';
import { ask, askByKey, NO_DEV, pktIif, pktOif, Q_ADDRESS_TYPE } from './host-query';

/** inet_dev_addr_type's answer, asked per class of the address (address-class.ts). */
function typeOf(addr: u32, dev: u32): u32 {
  const c = addressClass(addr);
  if (c === NO_CLASS) return load<u32>(ask(Q_ADDRESS_TYPE, addr, dev, 0));
  return load<u32>(askByKey(Q_ADDRESS_TYPE, c, dev, 0, addr, dev, 0));
}

/** One type set at word `p`; returns the word after it, or 0 when the test fails. */
function side(p: usize, addr: u32, dev: u32, ok: bool): usize {
  const n = load<u32>(p);
  const type = typeOf(addr, dev);
  let hit = false;
  for (let i: u32 = 0; i < n; i++) if (load<u32>(p + 4 + ((<usize>i) << 2)) === type) hit = true;
  const invert = load<u32>(p + 4 + ((<usize>n) << 2)) !== 0;
  return ok && hit !== invert ? p + 8 + ((<usize>n) << 2) : 0;
}

function skip(p: usize): usize {
  return p + 8 + ((<usize>load<u32>(p)) << 2);
}

export function addrtypeHolds(p: usize): bool {
  // Find the device restriction first: it follows both optional sets.
  let q = p;
  const hasSrc = load<u32>(q) !== 0;
  q += 4;
  const srcAt = q;
  if (hasSrc) q = skip(q);
  const hasDst = load<u32>(q) !== 0;
  q += 4;
  const dstAt = q;
  if (hasDst) q = skip(q);
  let dev = NO_DEV;
  if (load<u32>(q) !== 0) {
    const which = load<u32>(q, 4) === 0 ? pktIif : pktOif;
    if (which !== 0) dev = which;
  }
  if (hasSrc && side(srcAt, load<u32>(fields + ((<usize>P_SRC) << 2)), dev, true) === 0) return false;
  if (hasDst && side(dstAt, load<u32>(fields + ((<usize>P_DST) << 2)), dev, true) === 0) return false;
  return true;
}
