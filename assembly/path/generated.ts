// The packets the host generates while it processes a frame (src/engine/reference/journey.ts
// replies, result.ts emitted): replies waiting to go down the output path, and the emitted-packet
// area the host reads after a batch.
//
// Replies wait in a stack of fixed slots. A journey's replies are pushed as it queues them and
// reversed when it ends, so popping takes the first queued first; a reply's own replies are
// pushed above it and run before its siblings: depth first, the order in which the reference
// engine's flushReplies emits them.
//
// Emitted packets (EMIT_BYTES records, bytes in their own area): frame index, oif registry
// index, next hop, byte offset, length, cause (C_* | parameter << 8), decision word, the bridge
// port it leaves by (bridge-fdb.ts bridgeEgress: 0 when oif is no bridge).

export const SLOT_CAPACITY: u32 = 2048;
const SLOTS: u32 = 16;
/** Slot header: length, cause, attach kind (ATTACH_*), entry, ctinfo, dir; the bytes follow. */
const SLOT_HEADER: usize = 32;
const SLOT_BYTES: usize = SLOT_HEADER + <usize>SLOT_CAPACITY;
let slots: usize = 0;
const swap: usize = memory.data(<i32>SLOT_BYTES, 16);
/** Replies waiting (slots 0 .. waiting - 1). */
export let waiting: u32 = 0;

export const ATTACH_NONE: u32 = 0;
export const ATTACH_TRACKED: u32 = 1;

// Causes of emitted packets (the reference's EmittedPacket.cause, spelled out by the host).
export const C_FORWARDED: u32 = 0;
export const C_SENT_BY_HOST: u32 = 1;
export const C_REJECT_RST: u32 = 2;
/** Parameter: the ICMP code. */
export const C_REJECT_ICMP: u32 = 3;
export const C_KERNEL_RST: u32 = 4;
export const C_PORT_UNREACH: u32 = 5;
export const C_ECHO_REPLY: u32 = 6;
/** Parameter: the port | 1 << 16 for a userland proxy. */
export const C_SYN_ACK: u32 = 7;
export const C_TIME_EXCEEDED: u32 = 8;
export const C_FRAG_NEEDED_FORWARD: u32 = 9;
export const C_FRAG_NEEDED_OUTPUT: u32 = 10;
export const C_PROT_UNREACH: u32 = 11;
/** Parameter: the ICMP code. */
export const C_IP_ERROR: u32 = 12;
/** One of the copies of a frame a bridge floods to several ports. */
export const C_BRIDGED: u32 = 13;
/** ip_expire: fragment reassembly time exceeded. */
export const C_FRAG_TIME: u32 = 14;

export const EMIT_BYTES: u32 = 32;
let emitRecords: usize = 0;
let emitCapacity: u32 = 0;
let emitBytes: usize = 0;
let emitByteCapacity: u32 = 0;
let emitCount: u32 = 0;
let emitUsed: u32 = 0;

/** Installs the emitted-packet area (kept); allocates the reply slots. */
export function initGenerated(
  records: usize,
  capacity: u32,
  bytes: usize,
  byteCapacity: u32,
  slotArea: usize,
): void {
  emitRecords = records;
  emitCapacity = capacity;
  emitBytes = bytes;
  emitByteCapacity = byteCapacity;
  slots = slotArea;
  waiting = 0;
}

export function replySlotAreaBytes(): usize {
  return <usize>SLOTS * SLOT_BYTES;
}

/** Starts a batch's emitted packets. */
export function beginEmitted(): void {
  emitCount = 0;
  emitUsed = 0;
  waiting = 0;
}

/** Emitted packets of the last batch. */
export function emittedCount(): u32 {
  return emitCount;
}

/** Records a packet leaving the host; false when the area is full. */
export function emit(
  frame: u32,
  oif: u32,
  nextHop: u32,
  ip: usize,
  len: u32,
  cause: u32,
  decision: u32,
  port: u32,
): bool {
  if (emitCount === emitCapacity || emitUsed + len > emitByteCapacity) return false;
  const r = emitRecords + <usize>emitCount * EMIT_BYTES;
  store<u32>(r, frame);
  store<u32>(r, oif, 4);
  store<u32>(r, nextHop, 8);
  store<u32>(r, emitUsed, 12);
  store<u32>(r, len, 16);
  store<u32>(r, cause, 20);
  store<u32>(r, decision, 24);
  store<u32>(r, port, 28);
  memory.copy(emitBytes + <usize>emitUsed, ip, len);
  emitCount++;
  emitUsed += len;
  return true;
}

function slotAt(i: u32): usize {
  return slots + <usize>i * SLOT_BYTES;
}

/** Where the next reply's bytes are to be built (SLOT_CAPACITY bytes); 0 when every slot is taken. */
export function nextReplyBuffer(): usize {
  return waiting === SLOTS ? 0 : slotAt(waiting) + SLOT_HEADER;
}

/** Queues the reply built at nextReplyBuffer(), tied to a connection or not (nf_ct_attach). */
export function pushReply(len: u32, cause: u32, attach: u32, entry: u32, ctinfo: u32, dir: u32): void {
  const s = slotAt(waiting);
  store<u32>(s, len);
  store<u32>(s, cause, 4);
  store<u32>(s, attach, 8);
  store<u32>(s, entry, 12);
  store<u32>(s, ctinfo, 16);
  store<u32>(s, dir, 20);
  waiting++;
}

/** Ends a journey that started with `base` replies waiting: its replies are popped in queue order. */
export function endJourneyReplies(base: u32): void {
  let i = base;
  let j = waiting;
  while (j > i + 1) {
    j--;
    const a = slotAt(i);
    const b = slotAt(j);
    const n = SLOT_HEADER + <usize>max(load<u32>(a), load<u32>(b));
    memory.copy(swap, a, n);
    memory.copy(a, b, n);
    memory.copy(b, swap, n);
    i++;
  }
}

/** Reply slot `i`'s fields. */
export function replyBytes(i: u32): usize {
  return slotAt(i) + SLOT_HEADER;
}
export function replyLength(i: u32): u32 {
  return load<u32>(slotAt(i));
}
export function replyCause(i: u32): u32 {
  return load<u32>(slotAt(i), 4);
}
export function replyAttach(i: u32): u32 {
  return load<u32>(slotAt(i), 8);
}
export function replyEntry(i: u32): u32 {
  return load<u32>(slotAt(i), 12);
}
export function replyCtinfo(i: u32): u32 {
  return load<u32>(slotAt(i), 16);
}
export function replyDir(i: u32): u32 {
  return load<u32>(slotAt(i), 20);
}

/** Pops down to `n` waiting replies. */
export function dropRepliesTo(n: u32): void {
  waiting = n;
}
