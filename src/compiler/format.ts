// Table format: the constants and record layouts of a compiled ruleset (see
// docs/table-format.md). Everything is 32-bit little-endian words in one ArrayBuffer, addressed
// by offsets, never pointers, so the same bytes can be written to a file, mapped into
// WebAssembly linear memory and walked there.

export const MAGIC = 0x4357464e; // the bytes "NFWC"
export const FORMAT_VERSION = 4;
/** "No such thing" in any index or id word. */
export const NONE = 0xffffffff;

/** Header words: magic, version, flags, byte length, section count, 3 reserved. */
export const HEADER_WORDS = 8;
export const HEADER = { MAGIC: 0, VERSION: 1, FLAGS: 2, BYTE_LENGTH: 3, SECTION_COUNT: 4 } as const;
export const HEADER_FLAG_IPV6 = 1;
/** Section directory entry: id, byte offset, byte length, record count. */
export const SECTION_ENTRY_WORDS = 4;

export const Section = {
  STRINGS: 1,
  SOURCES: 2,
  TABLES: 3,
  CHAINS: 4,
  HOOKS: 5,
  RULES: 6,
  OPS: 7,
  PARAMS: 8,
  ACTIONS: 9,
  NAT_RANGES: 10,
  STATE_SLOTS: 11,
  INDEXES: 12,
} as const;
export type SectionId = (typeof Section)[keyof typeof Section];
export const SECTION_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Section).map(([k, v]) => [v, k]),
);

/** Fixed record sizes in words (STRINGS, OPS, PARAMS and INDEXES have their own layouts). */
export const RECORD_WORDS = {
  SOURCE: 3, // file string, line, text string
  TABLE: 4, // name string, table kind, first chain, chain count
  CHAIN: 8, // see CHAIN
  HOOK: 4, // hook, priority (i32), table, chain
  RULE: 8, // see RULE
  ACTION: 4, // kind, params offset, params length, NAT range index
  NAT_RANGE: 12, // flags, min port, max port, offset base, from[4], to[4]
  STATE_SLOT: 4, // extern kind, rule, op slot, shared-name string (NONE: per rule)
  INDEX: 12, // see INDEX
} as const;

export const CHAIN = {
  NAME: 0,
  TABLE: 1,
  FIRST_RULE: 2,
  RULE_COUNT: 3,
  /** bit 0: base chain; bits 8-15: hook. */
  FLAGS: 4,
  PRIORITY: 5,
  POLICY: 6,
  SOURCE: 7,
} as const;
export const CHAIN_FLAG_BASE = 1;

export const RULE = {
  OP_START: 0, // first op slot
  OP_SLOTS: 1,
  VERDICT: 2,
  VERDICT_ARG: 3, // chain index (jump/goto) or action index
  SOURCE: 4,
  CHAIN: 5,
  COMMENT: 6, // string id or NONE
  FLAGS: 7,
} as const;
/** The rule holds an UNSUPPORTED op or action: an engine must refuse to run it. */
export const RULE_FLAG_UNSUPPORTED = 1;

export const TABLE_KINDS = ['raw', 'mangle', 'nat', 'filter', 'security'] as const;
export const HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
export const POLICIES = ['ACCEPT', 'DROP'] as const;

export const Verdict = {
  /** No target: count and go on. */
  NONE: 0,
  ACCEPT: 1,
  DROP: 2,
  QUEUE: 3,
  RETURN: 4,
  JUMP: 5,
  GOTO: 6,
  /** An extension target: VERDICT_ARG is its ACTIONS record. */
  ACTION: 7,
} as const;
export const VERDICT_NAMES = ['none', 'ACCEPT', 'DROP', 'QUEUE', 'RETURN', 'jump', 'goto', 'action'] as const;

/**
 * Op slots are 4 words. Word 0: opcode (bits 0-7), flags (8-15), n (16-23: words of the field
 * or items of a list), slots (24-31: slots the op takes, >= 1). Word 1: field or parameter.
 * Words 2.. (continuing into further slots): data.
 */
export const SLOT_WORDS = 4;
export const Op = {
  /** Masked equality: for each of n words, (field[i] & mask[i]) == value[i]; data value,mask pairs. */
  CMP: 1,
  /** Unsigned inclusive range, n words compared lexicographically; data lo[n] then hi[n]. */
  RANGE: 2,
  /** (field & data[0]) != 0. */
  ANY_BITS: 3,
  /** Interface name (field IIF, OIF, PHYS_IN, PHYS_OUT) against string data[0]; flag WILDCARD: prefix match. */
  IFACE: 4,
  /** n port ranges packed lo | hi << 16; field L4_SPORT, L4_DPORT or L4_PORT_EITHER. */
  PORT_LIST: 5,
  /**
   * Transport header present: word 1 minimum bytes at the transport offset, word 2 fragment mode
   * (FragMode), word 3 what a short header gives (0 no match, 1 hotdrop). Precedes L4 field reads.
   */
  L4_GUARD: 6,
  /** TCP option kind data[0] present (tcp_find_option); may hotdrop. */
  TCP_OPTION: 7,
  /** The next word-1 slots are a conjunction of pure ops, negated as a whole with INVERT. */
  BLOCK: 8,
  /** If field == word 2, the rest of the match holds: skip the next word-3 slots. */
  SKIP_IF: 9,
  /** Never holds. */
  FALSE: 10,
  /** A stateful match: word 1 extern kind, word 2 params offset, word 3 state slot. */
  STATEFUL: 16,
  /** A match asking the host model (addrtype, pkttype, rpfilter, owner): as STATEFUL, no slot. */
  HOST: 17,
  /** A match the table cannot express yet: word 1 is the string id of its kind. */
  UNSUPPORTED: 255,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];
export const OP_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Op).map(([k, v]) => [v, k.toLowerCase().replace('_', '-')]),
);

export const OP_FLAG_INVERT = 1;
export const OP_FLAG_WILDCARD = 2;

/** L4_GUARD word 2: what a non-first fragment gives. */
export const FragMode = {
  /** Not tested (the header is read at the transport offset anyway). */
  IGNORE: 0,
  /** No match. */
  NO_MATCH: 1,
  /** tcp_mt: hotdrop at IPv4 fragment offset 8 bytes, else no match. */
  TCP: 2,
} as const;

/** Packet fields the ops read; each is 1 word unless fieldWords says otherwise. */
export const Field = {
  SRC: 1,
  DST: 2,
  PROTO: 3,
  FRAG_OFFSET: 4,
  IIF: 5,
  OIF: 6,
  MARK: 7,
  DSFIELD: 8,
  L3_LENGTH: 9,
  TTL: 10,
  L4_SPORT: 16,
  L4_DPORT: 17,
  L4_PORT_EITHER: 18,
  TCP_FLAGS: 19,
  ICMP_TYPE: 20,
  ICMP_CODE: 21,
  CT_ENTRY: 32,
  CT_TRACKED: 33,
  CT_STATE_BITS: 34,
  CT_DIRECTION: 35,
  CT_PROTO: 36,
  CT_MARK: 37,
  CT_ORIG_SRC: 38,
  CT_ORIG_DST: 39,
  CT_REPL_SRC: 40,
  CT_REPL_DST: 41,
  CT_ORIG_SPORT: 42,
  CT_ORIG_DPORT: 43,
  CT_REPL_SPORT: 44,
  CT_REPL_DPORT: 45,
  CT_STATUS_BITS: 46,
  CT_EXPIRES: 47,
  MAC_PRESENT: 48,
  MAC_SRC: 49,
  /** br_netfilter's bridge info (physdev): 1 when the packet has a bridge input or output port. */
  PHYS_INFO: 50,
  PHYS_IN_PRESENT: 51,
  PHYS_OUT_PRESENT: 52,
  /** The bridge ports themselves, as string ids (IFACE ops; '' when there is none). */
  PHYS_IN: 53,
  PHYS_OUT: 54,
} as const;
export type FieldId = (typeof Field)[keyof typeof Field];
export const FIELD_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(Field).map(([k, v]) => [v, k.toLowerCase().replaceAll('_', '-')]),
);

const ADDRESS_FIELDS: ReadonlySet<number> = new Set([
  Field.SRC,
  Field.DST,
  Field.CT_ORIG_SRC,
  Field.CT_ORIG_DST,
  Field.CT_REPL_SRC,
  Field.CT_REPL_DST,
]);

export function isAddressField(f: number): boolean {
  return ADDRESS_FIELDS.has(f);
}

/** Fields that need a passed L4_GUARD before them in the same rule. */
export function isTransportField(f: number): boolean {
  return f >= Field.L4_SPORT && f <= Field.ICMP_CODE;
}

/** CT_STATUS_BITS: IPS_* bit numbers. */
export const CT_STATUS_BITS = { expected: 0, 'seen-reply': 1, assured: 2, confirmed: 3 } as const;

/** Extern kinds of STATEFUL / HOST ops and their match kinds. */
export const EXTERN_KINDS = [
  'limit',
  'statistic',
  'quota',
  'recent',
  'connlimit',
  'hashlimit',
  'addrtype',
  'pkttype',
  'rpfilter',
  'owner',
] as const;
export type ExternKind = (typeof EXTERN_KINDS)[number];
export const STATEFUL_KINDS: ReadonlySet<string> = new Set([
  'limit',
  'statistic',
  'quota',
  'recent',
  'connlimit',
  'hashlimit',
]);

/** ACTIONS kinds: extension targets, by index; UNSUPPORTED_ACTION keeps the kind as a string. */
export const ACTION_KINDS = [
  'REJECT',
  'MARK',
  'CONNMARK',
  'DNAT',
  'SNAT',
  'MASQUERADE',
  'REDIRECT',
  'NETMAP',
  'LOG',
  'NFLOG',
  'NOTRACK',
  'TRACE',
  'CHECKSUM',
  'TTL',
  'HL',
  'TOS',
  'DSCP',
  'TCPMSS',
  'CLASSIFY',
  'NFQUEUE',
  'CT',
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const UNSUPPORTED_ACTION = 255;
export const NAT_ACTIONS: ReadonlySet<string> = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT']);

/** NAT_RANGES word 0 bits (the kernel's NF_NAT_RANGE_* meanings). */
export const NatFlag = {
  MAP_IPS: 1,
  PROTO_SPECIFIED: 2,
  PROTO_OFFSET: 4,
  RANDOM: 8,
  RANDOM_FULLY: 16,
  PERSISTENT: 32,
} as const;

/**
 * INDEXES: word 0 is the index count, then INDEX records, then a pool the records point into
 * (all offsets in words from the section start).
 */
export const INDEX = {
  CHAIN: 0,
  RUN_START: 1, // first rule (global index) covered
  RUN_END: 2, // one past the last
  KEY1_FIELDS: 3,
  KEY1_WORDS: 4,
  KEY2_FIELDS: 5,
  KEY2_WORDS: 6,
  DESCRIPTORS: 7, // KEY1_FIELDS + KEY2_FIELDS descriptors of KEY_DESCRIPTOR_WORDS
  CAPACITY: 8, // slots of the first-level table (a power of two)
  SLOTS: 9,
  /** Words of each first-level slot after its key: 0, or (when KEY2_WORDS > 0) 3 + KEY2_WORDS. */
  TAIL_WORDS: 10,
  /** IndexKind: EXACT (the words above) or TREE (TREE's words). */
  KIND: 11,
} as const;
export const IndexKind = { EXACT: 0, TREE: 1 } as const;
/** A TREE record's words after CHAIN, RUN_START, RUN_END (KIND stays word 11). */
export const TREE = {
  /** bit 0 (TREE_FLAG_PORTS): some node splits on a port. */
  FLAGS: 3,
  ROOTS: 4, // word offset of TREES root node offsets
  TREES: 5, // tree count, 1 to MAX_TREES
  NODES: 6, // node count, all trees
  LIST_WORDS: 7, // words of leaf lists, all trees
  /** Word offset of the run's rule boxes: BOX_WORDS per rule, in run order. */
  BOXES: 8,
} as const;
/**
 * A rule box (rule-boxes.ts), 8 words (32 bytes: a box check reads one or two cache lines, not
 * two of a 48-byte box most of the time): source lo, hi; destination lo, hi; protocol lo | hi <<
 * 8; source port lo | hi << 16; destination port lo | hi << 16 (the packet's values are 8 and 16
 * bits wide); flags (BOX_FLAG_EXACT). Bounds are inclusive. A packet (that passes the
 * TREE_PORT_BYTES guard) outside it fails one of the rule's leading pure tests. An empty box is
 * written source lo 0xffffffff, hi 0.
 */
export const BOX_WORDS = 8;
export const BOX = { SRC: 0, DST: 2, PROTO: 4, SPORT: 5, DPORT: 6 } as const;
export const BOX_FLAGS = 7;
/** Every op of the rule is the box's: a packet inside matches the rule. */
export const BOX_FLAG_EXACT = 1;
/** Trees per TREE record at most (src/compiler/build-tree.ts's groups). */
export const MAX_TREES = 4;
export const TREE_FLAG_PORTS = 1;
/**
 * Tree nodes are 4 words. Inner: dimension (index in TREE_DIMS), threshold (a key <= it goes
 * left), left node, right node (word offsets). Leaf: TREE_LEAF, list offset, list length, 0.
 */
export const TREE_NODE_WORDS = 4;
export const TREE_LEAF = 0xff;
/** The fields a tree splits on, by dimension; the port ones only read behind a passed guard. */
export const TREE_DIMS = [Field.SRC, Field.DST, Field.PROTO, Field.L4_SPORT, Field.L4_DPORT] as const;
/** Transport bytes a packet needs for the tree to use its ports (no L4_GUARD asks for more). */
export const TREE_PORT_BYTES = 20;
/** field, words, mask[4]. */
export const KEY_DESCRIPTOR_WORDS = 6;
/**
 * A first-level slot's sub-index word when the slot's one rule is exactly its keys (every op a
 * key test or the guard): a packet with the key that passes the guard and has the second-level
 * key matches the rule, whose ops need not run. The slot's tail (INDEX.TAIL_WORDS) then holds the
 * rule's guard (min length, frag mode, short mode) and second-level key values.
 */
export const SUB_EXACT_ONE = 0xfffffffe;
/**
 * First-level slot: list offset, list length (0: empty), sub-index offset (NONE, or
 * SUB_EXACT_ONE), then the key, then INDEX.TAIL_WORDS words.
 * A list of one rule is not written: the slot holds the rule (global index) instead of its offset,
 * so a lookup reads one cache line less (most kube-proxy services have one rule per address).
 */
export const SLOT1_HEADER_WORDS = 3;
/** Sub-index: guard min length, frag mode, short mode, capacity, then slots. */
export const SUB_HEADER_WORDS = 4;
/** Second-level slot: list offset (or the rule, for one), list length, then the key. */
export const SLOT2_HEADER_WORDS = 2;
