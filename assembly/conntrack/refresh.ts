// ConnEntry.refresh (__nf_ct_refresh_acct, src/engine/conntrack/entry.ts): set the timeout,
// relative before confirmation, unless it is fixed. (Accounting is not kept here yet.)

import { storeTimeout } from './expiry';
import { IPS_FIXED_TIMEOUT } from './layout';
import { confirmed, statusOf } from './table';

export function refresh(e: usize, now: i64, extra: i64): void {
  if ((statusOf(e) & IPS_FIXED_TIMEOUT) !== 0) return;
  storeTimeout(e, confirmed(e) ? now + extra : extra);
}
