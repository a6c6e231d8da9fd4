// What a protocol tracker's packet() function tells nf_conntrack_in (its return value).

export type L4Verdict =
  /** NF_ACCEPT: the packet belongs to the connection. */
  | { readonly kind: 'accept' }
  /** NF_ACCEPT after nf_ct_kill_acct: the packet keeps its conntrack, the entry leaves the table. */
  | { readonly kind: 'accept-kill' }
  /** -NF_ACCEPT: the packet is INVALID (no conntrack attached). */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** -NF_REPEAT: the old entry was killed, look the packet up again (TCP reopen). */
  | { readonly kind: 'repeat' };

export const ACCEPT: L4Verdict = Object.freeze({ kind: 'accept' });

export function invalid(reason: string): L4Verdict {
  return { kind: 'invalid', reason };
}
