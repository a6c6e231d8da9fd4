// The batch format shared with assembly/layout.ts: record sizes in 32-bit words and the result
// encoding. A batch is META records (one per packet), CT records (connection facts, shared by
// index), the packets' IP bytes back to back, an interface registry and a result array, all in
// WebAssembly linear memory.

/**
 * Per packet: byte offset in the packet area, byte length, base chain, iif | oif << 16
 * (interface registry indexes, 0 = none), mark, CT record index (NONE: no connection facts,
 * read as zeros), MAC bytes 0-3 big-endian, MAC bytes 4-5 | present << 16.
 */
export const META_WORDS = 8;
export const META = {
  OFFSET: 0,
  LENGTH: 1,
  CHAIN: 2,
  IFACES: 3,
  MARK: 4,
  CT: 5,
  MAC_HI: 6,
  MAC_LO: 7,
} as const;

/**
 * Connection facts, as the CT_* fields of the table read them: entry, tracked, state bits,
 * direction, protocol, ct mark, orig src[4], orig dst[4], reply src[4], reply dst[4], orig
 * sport, orig dport, reply sport, reply dport, status bits, expires. Conntrack in WebAssembly
 * will write these same records.
 */
export const CT_WORDS = 28;
export const CT = {
  ENTRY: 0,
  TRACKED: 1,
  STATE_BITS: 2,
  DIRECTION: 3,
  PROTO: 4,
  MARK: 5,
  ORIG_SRC: 6,
  ORIG_DST: 10,
  REPL_SRC: 14,
  REPL_DST: 18,
  ORIG_SPORT: 22,
  ORIG_DPORT: 23,
  REPL_SPORT: 24,
  REPL_DPORT: 25,
  STATUS_BITS: 26,
  EXPIRES: 27,
} as const;

/** Interface registry entry: table string id (NONE when the table never names it), name address, length. */
export const IFACE_WORDS = 4;

/** Result: word 0 verdict | kind << 8, word 1 the deciding global rule or chain (policy). */
export const RESULT_WORDS = 2;
export const ResultKind = {
  RULE: 0,
  POLICY: 1,
  /** A match dropped the packet (truncated or evil fragment); word 1 the rule. */
  HOTDROP: 2,
  /** The walk reached an op or target evaluated only on the host; word 1 the rule. */
  UNDECIDED_RULE: 3,
  /** The packet's headers are not decoded here (IPv6 extension headers, malformed). */
  UNDECIDED_PACKET: 4,
  /** Jump stack or counter log overflow. */
  UNDECIDED_LIMIT: 5,
} as const;
/** Word 0 verdicts (the table's verdict codes); 0 when undecided. */
export const RESULT_VERDICTS = [null, 'ACCEPT', 'DROP', 'QUEUE'] as const;

/** Bytes after the last packet that the decoder may read (transport fields are read unguarded). */
export const PACKET_PAD = 64;
