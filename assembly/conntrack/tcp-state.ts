// The TCP tracker's constants and state-table (tcp-state.ts and tcp_conntracks in
// src/engine/conntrack/tcp.ts; nf_conntrack_proto_tcp.c), and accessors of struct ip_ct_tcp in
// an entry record.

import { S_END, S_MAXACK, S_MAXEND, S_MAXWIN, T_SCALE, T_SIDE, T_SIDE_FLAGS } from './layout';

export const TCP_NONE: u32 = 0;
export const TCP_SYN_SENT: u32 = 1;
export const TCP_SYN_RECV: u32 = 2;
export const TCP_ESTABLISHED: u32 = 3;
export const TCP_FIN_WAIT: u32 = 4;
export const TCP_CLOSE_WAIT: u32 = 5;
export const TCP_LAST_ACK: u32 = 6;
export const TCP_TIME_WAIT: u32 = 7;
export const TCP_CLOSE: u32 = 8;
export const TCP_SYN_SENT2: u32 = 9;
export const TCP_MAX: u32 = 10;
export const TCP_IGNORE: u32 = 11;

export const FLAG_WINDOW_SCALE: u32 = 0x01;
export const FLAG_SACK_PERM: u32 = 0x02;
export const FLAG_CLOSE_INIT: u32 = 0x04;
export const FLAG_BE_LIBERAL: u32 = 0x08;
export const FLAG_DATA_UNACKNOWLEDGED: u32 = 0x10;
export const FLAG_MAXACK_SET: u32 = 0x20;
export const EXP_CHALLENGE_ACK: u32 = 0x40;
export const SIMULTANEOUS_OPEN: u32 = 0x80;

export const TCP_SYN_SET: u32 = 0;
export const TCP_SYNACK_SET: u32 = 1;
export const TCP_FIN_SET: u32 = 2;
export const TCP_ACK_SET: u32 = 3;
export const TCP_RST_SET: u32 = 4;
export const TCP_NONE_SET: u32 = 5;

export const TCP_FIN: u32 = 0x01;
export const TCP_SYN: u32 = 0x02;
export const TCP_RST: u32 = 0x04;
export const TCP_PSH: u32 = 0x08;
export const TCP_ACK: u32 = 0x10;
export const TCP_URG: u32 = 0x20;
export const TCP_ECE: u32 = 0x40;
export const TCP_CWR: u32 = 0x80;

// tcp_conntracks[dir][index][old state], 2 x 6 x 10 bytes (Linux 6.x, as tcp.ts).
// sNO=0 sSS=1 sSR=2 sES=3 sFW=4 sCW=5 sLA=6 sTW=7 sCL=8 sS2=9 sIV=10 sIG=11
const TRANSITIONS: usize = memory.data<u8>([
  // ORIGINAL
  1,
  1,
  11,
  11,
  11,
  11,
  11,
  1,
  1,
  9, // syn
  10,
  10,
  2,
  10,
  10,
  10,
  10,
  10,
  10,
  2, // synack
  10,
  10,
  4,
  4,
  6,
  6,
  6,
  7,
  8,
  10, // fin
  3,
  10,
  3,
  3,
  5,
  5,
  7,
  7,
  8,
  10, // ack
  10,
  8,
  8,
  8,
  8,
  8,
  8,
  8,
  8,
  8, // rst
  10,
  10,
  10,
  10,
  10,
  10,
  10,
  10,
  10,
  10, // none
  // REPLY
  10,
  9,
  10,
  10,
  10,
  10,
  10,
  1,
  10,
  9, // syn
  10,
  2,
  11,
  11,
  11,
  11,
  11,
  11,
  11,
  2, // synack
  10,
  10,
  4,
  4,
  6,
  6,
  6,
  7,
  8,
  10, // fin
  10,
  11,
  2,
  3,
  5,
  5,
  7,
  7,
  8,
  11, // ack
  10,
  8,
  8,
  8,
  8,
  8,
  8,
  8,
  8,
  8, // rst
  10,
  10,
  10,
  10,
  10,
  10,
  10,
  10,
  10,
  10, // none
]);

/** tcpTransition. */
export function tcpTransition(dir: u32, index: u32, oldState: u32): u32 {
  return load<u8>(TRANSITIONS + <usize>(dir * 60 + index * 10 + oldState));
}

/** tcpIndex (get_conntrack_index): RST beats SYN beats FIN beats ACK. */
export function tcpIndex(flags: u32): u32 {
  if ((flags & TCP_RST) !== 0) return TCP_RST_SET;
  if ((flags & TCP_SYN) !== 0) return (flags & TCP_ACK) !== 0 ? TCP_SYNACK_SET : TCP_SYN_SET;
  if ((flags & TCP_FIN) !== 0) return TCP_FIN_SET;
  if ((flags & TCP_ACK) !== 0) return TCP_ACK_SET;
  return TCP_NONE_SET;
}

/** before(seq1, seq2). */
export function before(seq1: u32, seq2: u32): bool {
  return <i32>(seq1 - seq2) < 0;
}

/** after(seq2, seq1). */
export function after(seq2: u32, seq1: u32): bool {
  return before(seq1, seq2);
}

// struct ip_ct_tcp_state of side `s` (0 original sender, 1 reply sender) of entry `e`.
export function sideEnd(e: usize, s: u32): u32 {
  return load<u32>(e + T_SIDE + S_END + ((<usize>s) << 4));
}
export function setSideEnd(e: usize, s: u32, v: u32): void {
  store<u32>(e + T_SIDE + S_END + ((<usize>s) << 4), v);
}
export function sideMaxEnd(e: usize, s: u32): u32 {
  return load<u32>(e + T_SIDE + S_MAXEND + ((<usize>s) << 4));
}
export function setSideMaxEnd(e: usize, s: u32, v: u32): void {
  store<u32>(e + T_SIDE + S_MAXEND + ((<usize>s) << 4), v);
}
export function sideMaxWin(e: usize, s: u32): u32 {
  return load<u32>(e + T_SIDE + S_MAXWIN + ((<usize>s) << 4));
}
export function setSideMaxWin(e: usize, s: u32, v: u32): void {
  store<u32>(e + T_SIDE + S_MAXWIN + ((<usize>s) << 4), v);
}
export function sideMaxAck(e: usize, s: u32): u32 {
  return load<u32>(e + T_SIDE + S_MAXACK + ((<usize>s) << 4));
}
export function setSideMaxAck(e: usize, s: u32, v: u32): void {
  store<u32>(e + T_SIDE + S_MAXACK + ((<usize>s) << 4), v);
}
export function sideScale(e: usize, s: u32): u32 {
  return load<u8>(e + T_SCALE + ((<usize>s) << 1));
}
export function setSideScale(e: usize, s: u32, v: u32): void {
  store<u8>(e + T_SCALE + ((<usize>s) << 1), <u8>v);
}
export function sideFlags(e: usize, s: u32): u32 {
  return load<u8>(e + T_SIDE_FLAGS + ((<usize>s) << 1));
}
export function setSideFlags(e: usize, s: u32, v: u32): void {
  store<u8>(e + T_SIDE_FLAGS + ((<usize>s) << 1), <u8>v);
}
