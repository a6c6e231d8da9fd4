// L4Verdict (src/engine/conntrack/l4-verdict.ts): what a protocol tracker says about a packet.

export const L4_ACCEPT: u32 = 0;
export const L4_INVALID: u32 = 1;
/** Kill the entry and track the packet again (TCP reopen). */
export const L4_REPEAT: u32 = 2;
/** Accept the packet, then delete the entry. */
export const L4_ACCEPT_KILL: u32 = 3;
