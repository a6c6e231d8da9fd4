// Which rule is a REJECT and what it answers with: the rule's ACTIONS record and the parameters
// src/compiler/action-codecs.ts writes for it (reply kind: icmp, icmpv6, tcp-reset; type; code).

import { A_REJECT, ACTION_BYTES, RULE_BYTES, V_GOTO } from '../layout';
import { actions, params, rules } from '../table';

/** The parameters of rule `g`'s REJECT (kind, type, code words), or 0 when it is not a REJECT. */
export function rejectParams(g: u32): usize {
  const rw = rules + <usize>g * RULE_BYTES;
  if (load<u32>(rw, 8) <= V_GOTO) return 0;
  const aw = actions + <usize>load<u32>(rw, 12) * ACTION_BYTES;
  if (load<u32>(aw) !== A_REJECT) return 0;
  return params + ((<usize>load<u32>(aw, 4)) << 2);
}
