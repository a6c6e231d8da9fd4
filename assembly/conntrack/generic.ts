// The generic tracker (genericPacket, src/engine/conntrack/generic.ts; generic_packet).

import { ST_GENERIC } from './layout';
import { refresh } from './refresh';
import { secondsOf } from './settings';
import { L4_ACCEPT } from './verdict';

export function genericPacket(e: usize, now: i64): u32 {
  refresh(e, now, secondsOf(ST_GENERIC));
  return L4_ACCEPT;
}
