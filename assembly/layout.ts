// Constants of the compiled table (mirrors src/compiler/format.ts) and of the batch format
// (mirrors src/engine/wasm/layout.ts). The differential test catches any drift.

// Table header and directory.
export const HEADER_FLAGS: u32 = 8; // byte offset of word 2
export const HEADER_SECTION_COUNT: u32 = 16;
export const DIRECTORY: u32 = 32;
export const FLAG_IPV6: u32 = 1;

export const S_STRINGS: u32 = 1;
export const S_CHAINS: u32 = 4;
export const S_RULES: u32 = 6;
export const S_OPS: u32 = 7;
export const S_PARAMS: u32 = 8;
export const S_ACTIONS: u32 = 9;
export const S_NAT_RANGES: u32 = 10;
export const S_STATE_SLOTS: u32 = 11;
export const S_INDEXES: u32 = 12;

// Record sizes in bytes.
export const CHAIN_BYTES: u32 = 32;
export const RULE_BYTES: u32 = 32;
export const SLOT_BYTES: u32 = 16;
export const ACTION_BYTES: u32 = 16;
export const INDEX_WORDS: u32 = 12;
export const KEY_DESCRIPTOR_WORDS: u32 = 6;
export const SLOT1_HEADER_WORDS: u32 = 3;
export const INDEX_TAIL_WORDS: u32 = 10;
export const SUB_EXACT_ONE: u32 = 0xfffffffe;
export const SUB_HEADER_WORDS: u32 = 4;
export const SLOT2_HEADER_WORDS: u32 = 2;
// INDEXES record word 11: kind; TREE records (src/compiler/build-tree.ts).
export const INDEX_KIND: u32 = 11;
export const INDEX_TREE: u32 = 1;
export const TREE_RUN_START: u32 = 1;
export const TREE_FLAGS: u32 = 3;
export const TREE_ROOTS: u32 = 4;
export const TREE_TREES: u32 = 5;
export const TREE_BOXES: u32 = 8;
export const BOX_WORDS: u32 = 8;
export const BOX_FLAGS_BYTE: u32 = 28;
export const BOX_FLAG_EXACT: u32 = 1;
export const MAX_TREES: u32 = 4;
export const TREE_FLAG_PORTS: u32 = 1;
export const TREE_LEAF: u32 = 0xff;
export const TREE_PORT_BYTES: u32 = 20;

export const NONE: u32 = 0xffffffff;

// Verdicts (RULES word 2).
export const V_NONE: u32 = 0;
export const V_ACCEPT: u32 = 1;
export const V_DROP: u32 = 2;
export const V_QUEUE: u32 = 3;
export const V_RETURN: u32 = 4;
export const V_JUMP: u32 = 5;
export const V_GOTO: u32 = 6;

// Opcodes.
export const OP_CMP: u32 = 1;
export const OP_RANGE: u32 = 2;
export const OP_ANY_BITS: u32 = 3;
export const OP_IFACE: u32 = 4;
export const OP_PORT_LIST: u32 = 5;
export const OP_L4_GUARD: u32 = 6;
export const OP_TCP_OPTION: u32 = 7;
export const OP_BLOCK: u32 = 8;
export const OP_SKIP_IF: u32 = 9;
export const OP_FALSE: u32 = 10;
export const OP_STATEFUL: u32 = 16;
export const OP_HOST: u32 = 17;
export const OP_FLAG_INVERT: u32 = 1;
export const OP_FLAG_WILDCARD: u32 = 2;

// Extern kinds (EXTERN_KINDS) and action kinds (ACTION_KINDS) run here.
export const X_LIMIT: u32 = 0;
export const X_STATISTIC: u32 = 1;
export const X_QUOTA: u32 = 2;
export const X_RECENT: u32 = 3;
export const X_CONNLIMIT: u32 = 4;
export const X_HASHLIMIT: u32 = 5;
export const X_ADDRTYPE: u32 = 6;
export const X_PKTTYPE: u32 = 7;
export const X_RPFILTER: u32 = 8;
export const X_OWNER: u32 = 9;
export const A_REJECT: u32 = 0;
export const A_MARK: u32 = 1;
export const A_CONNMARK: u32 = 2;
export const A_DNAT: u32 = 3;
export const A_SNAT: u32 = 4;
export const A_MASQUERADE: u32 = 5;
export const A_REDIRECT: u32 = 6;
export const A_NETMAP: u32 = 7;
export const A_NOTRACK: u32 = 10;
export const A_TTL: u32 = 13;
export const A_TOS: u32 = 15;
export const A_DSCP: u32 = 16;
export const A_TCPMSS: u32 = 17;
export const A_CT: u32 = 20;
// NAT_RANGES records (src/compiler/nat-ranges.ts): 12 words.
export const NAT_RANGE_BYTES: u32 = 48;
// STATE_SLOTS records (words): extern kind, rule, op slot, shared name.
export const STATE_SLOT_BYTES: u32 = 16;

// Fields.
export const F_IIF: u32 = 5;
export const F_OIF: u32 = 6;
export const F_PHYS_IN: u32 = 53;
export const F_L4_SPORT: u32 = 16;
export const F_L4_DPORT: u32 = 17;

// Op outcomes (also the guard's).
export const NO: u32 = 0;
export const YES: u32 = 1;
export const HOTDROP: u32 = 2;
export const UNDECIDED: u32 = 3;

// Batch: per-packet META record (8 words): byte offset in the packet area, byte length, base
// chain, iif | oif << 16 (interface registry indexes), mark, ct record index (NONE: no facts),
// MAC bytes 0-3 (big-endian), MAC bytes 4-5 | present << 16.
export const META_BYTES: u32 = 32;
// CT record (28 words): entry, tracked, state bits, direction, proto, mark, orig src[4],
// orig dst[4], reply src[4], reply dst[4], orig sport, orig dport, reply sport, reply dport,
// status bits, expires.
export const CT_BYTES: u32 = 112;
// Interface registry entry (4 words): table string id (NONE), name address, name length, 0.
export const IFACE_BYTES: u32 = 16;

// Result (2 words): verdict | kind << 8, then the rule or chain index.
export const RESULT_BYTES: u32 = 8;
export const R_RULE: u32 = 0;
export const R_POLICY: u32 = 1;
export const R_HOTDROP: u32 = 2;
export const R_UNDECIDED_RULE: u32 = 3;
export const R_UNDECIDED_PACKET: u32 = 4;
export const R_UNDECIDED_LIMIT: u32 = 5;
