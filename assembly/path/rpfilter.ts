// -m rpfilter for IPv4 (ipt_rpfilter.c rpfilter_mt; the reference's matches/rpfilter.ts): packets
// from the loopback device pass, as do 0.0.0.0's to the broadcast address or local multicast;
// otherwise the reverse route lookup towards the source decides (src/host/reverse-path.ts, asked
// once per class of source address, input device, flags and TOS). Parameters as the rpfilter
// codec writes them: loose, validmark, accept-local, invert. --validmark changes nothing here:
// host files carry no policy rules for a mark to select.

import { fields, P_DS, P_DST, P_SRC } from '../packet';
import { addressClass, NO_CLASS } from './address-class';
import { ask, askByKey, pktIif, Q_INTERFACE, Q_RPFILTER } from './host-query';

// Q_RPFILTER's flag bits (src/engine/wasm/host-answers.ts).
const RPF_LOOSE: u32 = 1;
const RPF_ACCEPT_LOCAL: u32 = 2;

function field(slot: u32): u32 {
  return load<u32>(fields + ((<usize>slot) << 2));
}

function reversePathOk(src: u32, flags: u32): bool {
  const c = addressClass(src);
  const answer =
    c === NO_CLASS
      ? ask(Q_RPFILTER, src, pktIif, flags)
      : askByKey(Q_RPFILTER, c, pktIif, flags, src, pktIif, flags);
  return load<u32>(answer) !== 0;
}

export function rpfilterHolds(p: usize): bool {
  const invert = load<u32>(p, 12) !== 0;
  // rpfilter_is_loopback: what the loopback device received passes.
  if (pktIif !== 0 && load<u32>(ask(Q_INTERFACE, pktIif, 0, 0), 4) !== 0) return !invert;
  const src = field(P_SRC);
  const dst = field(P_DST);
  // 0.0.0.0 to 255.255.255.255 or to 224.0.0.0/24 (DHCP, link-local multicast).
  if (src === 0 && (dst === 0xffffffff || (dst & 0xffffff00) === 0xe0000000)) return !invert;
  const flags =
    (load<u32>(p) !== 0 ? RPF_LOOSE : 0) |
    (load<u32>(p, 8) !== 0 ? RPF_ACCEPT_LOCAL : 0) |
    (field(P_DS) << 8);
  return reversePathOk(src, flags) !== invert;
}
