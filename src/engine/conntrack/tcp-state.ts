// The TCP tracker's per-connection state (struct ip_ct_tcp, struct ip_ct_tcp_state) and its
// constants (enum tcp_conntrack, IP_CT_TCP_FLAG_*), numbered as in the kernel.

/** enum tcp_conntrack. */
export const TCP_NONE = 0;
export const TCP_SYN_SENT = 1;
export const TCP_SYN_RECV = 2;
export const TCP_ESTABLISHED = 3;
export const TCP_FIN_WAIT = 4;
export const TCP_CLOSE_WAIT = 5;
export const TCP_LAST_ACK = 6;
export const TCP_TIME_WAIT = 7;
export const TCP_CLOSE = 8;
export const TCP_SYN_SENT2 = 9;
/** sIV: invalid transition. */
export const TCP_MAX = 10;
/** sIG: ignored packet. */
export const TCP_IGNORE = 11;

export const TCP_STATE_NAMES = [
  'NONE',
  'SYN_SENT',
  'SYN_RECV',
  'ESTABLISHED',
  'FIN_WAIT',
  'CLOSE_WAIT',
  'LAST_ACK',
  'TIME_WAIT',
  'CLOSE',
  'SYN_SENT2',
] as const;

export type TcpStateName = (typeof TCP_STATE_NAMES)[number];

/** IP_CT_TCP_FLAG_* (per direction) and the tracker's private last_flags bits. */
export const FLAG_WINDOW_SCALE = 0x01;
export const FLAG_SACK_PERM = 0x02;
export const FLAG_CLOSE_INIT = 0x04;
export const FLAG_BE_LIBERAL = 0x08;
export const FLAG_DATA_UNACKNOWLEDGED = 0x10;
export const FLAG_MAXACK_SET = 0x20;
export const EXP_CHALLENGE_ACK = 0x40;
export const SIMULTANEOUS_OPEN = 0x80;

/** enum tcp_bit_set: which row of the transition table a segment uses. */
export const TCP_SYN_SET = 0;
export const TCP_SYNACK_SET = 1;
export const TCP_FIN_SET = 2;
export const TCP_ACK_SET = 3;
export const TCP_RST_SET = 4;
export const TCP_NONE_SET = 5;

/** struct ip_ct_tcp_state: what the tracker knows about one side's sequence space. */
export interface TcpSide {
  /** max of seq + len */
  tdEnd: number;
  /** max of ack + max(win, 1) */
  tdMaxEnd: number;
  /** max(win) */
  tdMaxWin: number;
  /** max of ack */
  tdMaxAck: number;
  /** window scale factor */
  tdScale: number;
  /** IP_CT_TCP_FLAG_* */
  flags: number;
}

/** struct ip_ct_tcp. `seen[0]` is the original direction's sender, `seen[1]` the reply's. */
export interface TcpState {
  state: number;
  seen: [TcpSide, TcpSide];
  /** Direction of the last packet that updated these fields: 0 original, 1 reply. */
  lastDir: number;
  retrans: number;
  lastIndex: number;
  lastSeq: number;
  lastAck: number;
  lastEnd: number;
  lastWin: number;
  lastWscale: number;
  lastFlags: number;
}

export function emptySide(): TcpSide {
  return { tdEnd: 0, tdMaxEnd: 0, tdMaxWin: 0, tdMaxAck: 0, tdScale: 0, flags: 0 };
}

/** The zeroed state (memset(&ct->proto.tcp, 0, ...)). */
export function emptyTcpState(): TcpState {
  return {
    state: TCP_NONE,
    seen: [emptySide(), emptySide()],
    lastDir: 0,
    retrans: 0,
    lastIndex: 0,
    lastSeq: 0,
    lastAck: 0,
    lastEnd: 0,
    lastWin: 0,
    lastWscale: 0,
    lastFlags: 0,
  };
}

/** before(seq1, seq2): seq1 precedes seq2 in 32-bit sequence space. */
export function before(seq1: number, seq2: number): boolean {
  return ((seq1 - seq2) | 0) < 0;
}

/** after(seq2, seq1). */
export function after(seq2: number, seq1: number): boolean {
  return before(seq1, seq2);
}

export function u32(x: number): number {
  return x >>> 0;
}
