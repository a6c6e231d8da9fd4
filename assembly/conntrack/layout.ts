// Linear-memory records of conntrack in WebAssembly (mirrored by src/engine/wasm/conntrack.ts):
// the connection entry (struct nf_conn, src/engine/conntrack/entry.ts), the decoded packet the
// host hands in (CtPacket, src/engine/conntrack/packet.ts), the per-packet result, and the
// settings record (ConntrackSettings, src/engine/conntrack/timeouts.ts).

export const CT_NONE: u32 = 0xffffffff;

// Entry: 128 bytes. The reply tuple is the inverted original one unless EF_NAT_REPLY: then
// it is stored (nat-store.ts: in the spare address words of an IPv4 entry, in the side record
// E_NAT points to for IPv6).
export const ENTRY_BYTES: u32 = 128;
export const E_TIMEOUT: u32 = 0; // i64 ns: relative before confirmation, absolute after
export const E_SRC: u32 = 8; // 4 words, network order as the host writes them (IPv4: word 0)
export const E_DST: u32 = 24;
export const E_SPORT: u32 = 40; // u16: port or ICMP id
export const E_DPORT: u32 = 42; // u16
export const E_PROTO: u32 = 44; // u8
export const E_FLAGS: u32 = 45; // u8: EF_*
export const E_ICMP_TYPE: u32 = 46; // u8
export const E_ICMP_CODE: u32 = 47; // u8
export const E_STATUS: u32 = 48; // u16: IPS_*
export const E_ZONE: u32 = 50; // u16
export const E_MARK: u32 = 52; // u32
export const E_ID: u32 = 56; // u32: allocation order (ConnEntry.id)
export const E_NEXT: u32 = 60; // 2 x u32: hash chain link of the original / reply node
export const E_NAT: u32 = 68; // u32: IPv6 NAT side record address (CT_NONE: none)
export const E_PROTO_STATE: u32 = 72; // 56 bytes: TCP state, or UDP stream timestamp
export const PROTO_STATE_BYTES: u32 = 56;

export const EF_IPV6: u8 = 1;
export const EF_USED: u8 = 2;
export const EF_NAT_REPLY: u8 = 4; // the reply tuple is stored (nat-store.ts)
export const EF_BYSOURCE: u8 = 8; // in the NAT by-source index

// UDP: stream timestamp (i64 ns) at E_PROTO_STATE.
export const E_UDP_STREAM_TS: u32 = E_PROTO_STATE;

// TCP (struct ip_ct_tcp): two sides of 4 words (td_end, td_maxend, td_maxwin, td_maxack), then
// last_seq, last_ack, last_end, last_win (u16), td_scale/flags per side, state, last_dir,
// retrans, last_index, last_wscale, last_flags.
export const T_SIDE: u32 = E_PROTO_STATE; // side s at T_SIDE + 16 * s
export const S_END: u32 = 0;
export const S_MAXEND: u32 = 4;
export const S_MAXWIN: u32 = 8;
export const S_MAXACK: u32 = 12;
export const T_LAST_SEQ: u32 = 104;
export const T_LAST_ACK: u32 = 108;
export const T_LAST_END: u32 = 112;
export const T_LAST_WIN: u32 = 116; // u16
export const T_SCALE: u32 = 118; // u8 at T_SCALE + 2 * s
export const T_SIDE_FLAGS: u32 = 119; // u8 at T_SIDE_FLAGS + 2 * s
export const T_STATE: u32 = 122;
export const T_LAST_DIR: u32 = 123;
export const T_RETRANS: u32 = 124;
export const T_LAST_INDEX: u32 = 125;
export const T_LAST_WSCALE: u32 = 126;
export const T_LAST_FLAGS: u32 = 127;

// Packet record (160 bytes).
export const PKT_BYTES: u32 = 160;
export const P_FLAGS: u32 = 0; // PF_*
export const P_PROTO: u32 = 4;
export const P_LENGTH: u32 = 8;
export const P_SPORT: u32 = 12; // u16
export const P_DPORT: u32 = 14; // u16
export const P_ICMP_TYPE: u32 = 16; // u8
export const P_ICMP_CODE: u32 = 17; // u8
export const P_ICMP_ID: u32 = 18; // u16
export const P_TCP_FLAGS: u32 = 20; // u8
export const P_TCP_DOFF: u32 = 21; // u8: header length in bytes
export const P_TCP_WSCALE: u32 = 22; // u8
export const P_TCP_SACKS: u32 = 23; // u8: number of SACK right edges (up to 4)
export const P_SEQ: u32 = 24;
export const P_ACK: u32 = 28;
export const P_WINDOW: u32 = 32;
export const P_PAYLOAD: u32 = 36;
export const P_SACK_EDGES: u32 = 40; // 4 words
export const P_SRC: u32 = 56; // 4 words
export const P_DST: u32 = 72; // 4 words
export const P_ZONE: u32 = 88;
export const P_NOW: u32 = 96; // i64 ns
// The packet quoted by an ICMP error (QuotedPacket).
export const P_Q_FLAGS: u32 = 104; // QF_*
export const P_Q_PROTO: u32 = 108;
export const P_Q_SPORT: u32 = 112; // u16
export const P_Q_DPORT: u32 = 114; // u16
export const P_Q_ICMP_TYPE: u32 = 116; // u8
export const P_Q_ICMP_CODE: u32 = 117; // u8
export const P_Q_ICMP_ID: u32 = 118; // u16
export const P_Q_SRC: u32 = 120; // 4 words
export const P_Q_DST: u32 = 136; // 4 words

export const QF_PRESENT: u32 = 1;
export const QF_UNPARSABLE: u32 = 2;
export const QF_PORTS: u32 = 4;
export const QF_ICMP: u32 = 8;

export const PF_IPV6: u32 = 1;
export const PF_UNPARSABLE: u32 = 2;
export const PF_BAD_CHECKSUM: u32 = 4;
export const PF_BAD_UDP_LENGTH: u32 = 8;
export const PF_PORTS: u32 = 16;
export const PF_TCP: u32 = 32;
export const PF_ICMP: u32 = 64;
export const PF_PREROUTING: u32 = 128;
export const PF_TCP_OPTIONS: u32 = 256;
export const PF_SACK_PERM: u32 = 512;
export const PF_WSCALE: u32 = 1024;

// Result record (16 bytes): kind, ctinfo | direction << 8, entry index, confirm verdict.
export const OUT_BYTES: u32 = 16;
export const K_TRACKED: u32 = 0;
export const K_INVALID: u32 = 1;
export const K_UNTRACKED: u32 = 2;
export const K_DROP: u32 = 3;
// enum ip_conntrack_info.
export const IP_CT_ESTABLISHED: u32 = 0;
export const IP_CT_RELATED: u32 = 1;
export const IP_CT_NEW: u32 = 2;
export const IP_CT_ESTABLISHED_REPLY: u32 = 3;
export const IP_CT_RELATED_REPLY: u32 = 4;
// Confirm verdicts.
export const C_NONE: u32 = 0;
export const C_ACCEPT: u32 = 1;
export const C_DROP: u32 = 2;

// Settings record (u32 words).
export const SETTINGS_WORDS: u32 = 28;
export const ST_TCP_SYN_SENT: u32 = 0;
export const ST_TCP_SYN_RECV: u32 = 1;
export const ST_TCP_ESTABLISHED: u32 = 2;
export const ST_TCP_FIN_WAIT: u32 = 3;
export const ST_TCP_CLOSE_WAIT: u32 = 4;
export const ST_TCP_LAST_ACK: u32 = 5;
export const ST_TCP_TIME_WAIT: u32 = 6;
export const ST_TCP_CLOSE: u32 = 7;
export const ST_TCP_SYN_SENT2: u32 = 8;
export const ST_TCP_MAX_RETRANS_TIMEOUT: u32 = 9;
export const ST_TCP_UNACK: u32 = 10;
export const ST_TCP_LOOSE: u32 = 11;
export const ST_TCP_BE_LIBERAL: u32 = 12;
export const ST_TCP_MAX_RETRANS: u32 = 13;
export const ST_TCP_IGNORE_INVALID_RST: u32 = 14;
export const ST_UDP: u32 = 15;
export const ST_UDP_STREAM: u32 = 16;
export const ST_ICMP: u32 = 17;
export const ST_ICMPV6: u32 = 18;
export const ST_GENERIC: u32 = 19;
export const ST_CHECKSUM: u32 = 20;
export const ST_MAX: u32 = 21;
export const ST_BUCKETS: u32 = 22;
export const ST_HASH_SEED: u32 = 23;
export const ST_CAPACITY: u32 = 24;

// Protocols.
export const IPPROTO_ICMP: u32 = 1;
export const IPPROTO_TCP: u32 = 6;
export const IPPROTO_UDP: u32 = 17;
export const IPPROTO_GRE: u32 = 47;
export const IPPROTO_ICMPV6: u32 = 58;
export const IPPROTO_SCTP: u32 = 132;
export const IPPROTO_UDPLITE: u32 = 136;

// Status bits (src/engine/conntrack/status.ts).
export const IPS_EXPECTED: u32 = 1 << 0;
export const IPS_SEEN_REPLY: u32 = 1 << 1;
export const IPS_ASSURED: u32 = 1 << 2;
export const IPS_CONFIRMED: u32 = 1 << 3;
export const IPS_SRC_NAT: u32 = 1 << 4;
export const IPS_DST_NAT: u32 = 1 << 5;
export const IPS_NAT_MASK: u32 = IPS_SRC_NAT | IPS_DST_NAT;
export const IPS_SEQ_ADJUST: u32 = 1 << 6;
export const IPS_SRC_NAT_DONE: u32 = 1 << 7;
export const IPS_DST_NAT_DONE: u32 = 1 << 8;
export const IPS_NAT_DONE_MASK: u32 = IPS_SRC_NAT_DONE | IPS_DST_NAT_DONE;
export const IPS_DYING: u32 = 1 << 9;
export const IPS_FIXED_TIMEOUT: u32 = 1 << 10;
export const IPS_NAT_CLASH: u32 = 1 << 12;

export const NS_PER_SEC: i64 = 1_000_000_000;

// NAT range record (struct nf_nat_range2, NatRange2 in src/engine/conntrack/nat-range.ts):
// flags, min / max address (4 words each, IPv4 in word 0), min / max / base port.
export const RANGE_BYTES: u32 = 48;
export const R_FLAGS: u32 = 0;
export const R_MIN_ADDR: u32 = 4;
export const R_MAX_ADDR: u32 = 20;
export const R_MIN_PROTO: u32 = 36;
export const R_MAX_PROTO: u32 = 40;
export const R_BASE_PROTO: u32 = 44;
export const NF_NAT_RANGE_MAP_IPS: u32 = 1 << 0;
export const NF_NAT_RANGE_PROTO_SPECIFIED: u32 = 1 << 1;
export const NF_NAT_RANGE_PROTO_RANDOM: u32 = 1 << 2;
export const NF_NAT_RANGE_PERSISTENT: u32 = 1 << 3;
export const NF_NAT_RANGE_PROTO_RANDOM_FULLY: u32 = 1 << 4;
export const NF_NAT_RANGE_PROTO_OFFSET: u32 = 1 << 5;
export const NF_NAT_RANGE_PROTO_RANDOM_ALL: u32 = NF_NAT_RANGE_PROTO_RANDOM | NF_NAT_RANGE_PROTO_RANDOM_FULLY;

// Manip types and hooks (Manip, Hook).
export const MANIP_SRC: u32 = 0;
export const MANIP_DST: u32 = 1;
export const HOOK_PREROUTING: u32 = 0;
export const HOOK_INPUT: u32 = 1;
export const HOOK_FORWARD: u32 = 2;
export const HOOK_OUTPUT: u32 = 3;
export const HOOK_POSTROUTING: u32 = 4;

// Rewrite record (Rewrite in src/engine/conntrack/nat.ts), written by natPacket: present,
// manip, what the layer-4 value is (RW_NONE, RW_PORT, RW_ICMP_ID), the value, the address.
export const REWRITE_BYTES: u32 = 32;
export const W_PRESENT: u32 = 0;
export const W_MANIP: u32 = 4;
export const W_KIND: u32 = 8;
export const W_VALUE: u32 = 12;
export const W_ADDR: u32 = 16;
export const RW_NONE: u32 = 0;
export const RW_PORT: u32 = 1;
export const RW_ICMP_ID: u32 = 2;
