// The TCP tracker: nf_conntrack_proto_tcp.c's state machine (tcp_conntracks[][][]), its window
// checks (tcp_in_window) and timeout choice (nf_conntrack_tcp_packet), for Linux 6.x.
//
// Window tracking is modelled as the kernel does it, field by field: td_end / td_maxend /
// td_maxwin / td_maxack per side, window scaling negotiated on SYN and SYN-ACK, SACK right
// edges when both sides permitted SACK, the "overshot" tolerance, retransmission counting,
// and be_liberal. Not modelled: sequence adjustment by NAT helpers (nf_ct_seq_offset is 0),
// SYN proxy, and per-connection timeout policies (cttimeout).

import type { Hook } from '../../ir/ruleset.js';
import type { ConnEntry, ProtoState } from './entry.js';
import { ACCEPT, invalid, type L4Verdict } from './l4-verdict.js';
import type { TcpSegment } from './packet.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from './packet.js';
import { IPS_ASSURED, IPS_FIXED_TIMEOUT, IPS_SEEN_REPLY } from './status.js';
import {
  after,
  before,
  EXP_CHALLENGE_ACK,
  emptyTcpState,
  FLAG_BE_LIBERAL,
  FLAG_CLOSE_INIT,
  FLAG_DATA_UNACKNOWLEDGED,
  FLAG_MAXACK_SET,
  FLAG_SACK_PERM,
  FLAG_WINDOW_SCALE,
  SIMULTANEOUS_OPEN,
  TCP_ACK_SET,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_SET,
  TCP_FIN_WAIT,
  TCP_IGNORE,
  TCP_LAST_ACK,
  TCP_MAX,
  TCP_NONE,
  TCP_NONE_SET,
  TCP_RST_SET,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_SYN_SENT2,
  TCP_SYN_SET,
  TCP_SYNACK_SET,
  TCP_TIME_WAIT,
  type TcpSide,
  type TcpState,
  u32,
} from './tcp-state.js';
import { type ConntrackSettings, seconds } from './timeouts.js';
import type { Direction } from './tuple.js';

const sSS = TCP_SYN_SENT;
const sSR = TCP_SYN_RECV;
const sES = TCP_ESTABLISHED;
const sFW = TCP_FIN_WAIT;
const sCW = TCP_CLOSE_WAIT;
const sLA = TCP_LAST_ACK;
const sTW = TCP_TIME_WAIT;
const sCL = TCP_CLOSE;
const sS2 = TCP_SYN_SENT2;
const sIV = TCP_MAX;
const sIG = TCP_IGNORE;

// tcp_conntracks[dir][index][old state] (Linux 6.x; older kernels differ in the ORIGINAL
// SYN-ACK row and the REPLY SYN in TIME_WAIT).
const TRANSITIONS: readonly (readonly (readonly number[])[])[] = [
  [
    // ORIGINAL   sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
    /* syn    */ [sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2],
    /* synack */ [sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
  [
    // REPLY      sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
    /* syn    */ [sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2],
    /* synack */ [sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR],
    /* fin    */ [sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV],
    /* ack    */ [sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG],
    /* rst    */ [sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL],
    /* none   */ [sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV],
  ],
];

/** tcp_conntracks lookup, exposed for tests and explanations. */
export function tcpTransition(dir: Direction, index: number, oldState: number): number {
  return TRANSITIONS[dir === 'original' ? 0 : 1]![index]![oldState]!;
}

/** get_conntrack_index: RST beats SYN beats FIN beats ACK. */
export function tcpIndex(flags: number): number {
  if (flags & TCP_RST) return TCP_RST_SET;
  if (flags & TCP_SYN) return flags & TCP_ACK ? TCP_SYNACK_SET : TCP_SYN_SET;
  if (flags & TCP_FIN) return TCP_FIN_SET;
  if (flags & TCP_ACK) return TCP_ACK_SET;
  return TCP_NONE_SET;
}

// tcp_valid_flags: the combinations of FIN/SYN/RST/ACK/URG the tracker accepts (PSH, ECE, CWR free).
const VALID_FLAGS = new Set<number>([
  TCP_SYN,
  TCP_SYN | TCP_URG,
  TCP_SYN | TCP_ACK,
  TCP_RST,
  TCP_RST | TCP_ACK,
  TCP_FIN | TCP_ACK,
  TCP_FIN | TCP_ACK | TCP_URG,
  TCP_ACK,
  TCP_ACK | TCP_URG,
]);

/** The state's timeout (tn->timeouts[state]) in seconds. */
export function tcpStateTimeout(s: ConntrackSettings, state: number): number {
  switch (state) {
    case TCP_SYN_SENT:
      return s.tcpTimeoutSynSent;
    case TCP_SYN_RECV:
      return s.tcpTimeoutSynRecv;
    case TCP_ESTABLISHED:
      return s.tcpTimeoutEstablished;
    case TCP_FIN_WAIT:
      return s.tcpTimeoutFinWait;
    case TCP_CLOSE_WAIT:
      return s.tcpTimeoutCloseWait;
    case TCP_LAST_ACK:
      return s.tcpTimeoutLastAck;
    case TCP_TIME_WAIT:
      return s.tcpTimeoutTimeWait;
    case TCP_CLOSE:
      return s.tcpTimeoutClose;
    case TCP_SYN_SENT2:
      return s.tcpTimeoutSynSent2;
    default:
      return s.tcpTimeoutSynSent; // TCP_CONNTRACK_NONE: timeouts[UNSPEC] is SYN_SENT's
  }
}

/** segment_seq_plus_len: the sequence number after this segment (SYN and FIN count one). */
function segmentEnd(seg: TcpSegment): number {
  return u32(seg.seq + seg.payloadLength + (seg.flags & TCP_SYN ? 1 : 0) + (seg.flags & TCP_FIN ? 1 : 0));
}

function headerLength(seg: TcpSegment): number {
  return seg.headerLength ?? 20;
}

/** tcp_options: window scale and SACK-permitted, when the header carries options. */
function tcpOptions(seg: TcpSegment, side: TcpSide): void {
  if (headerLength(seg) <= 20) return;
  side.tdScale = 0;
  side.flags &= FLAG_BE_LIBERAL;
  const o = seg.options;
  if (!o) return;
  if (o.sackPerm) side.flags |= FLAG_SACK_PERM;
  if (o.wscale !== undefined) {
    side.tdScale = Math.min(o.wscale, 14); // TCP_MAX_WSCALE
    side.flags |= FLAG_WINDOW_SCALE;
  }
}

/** tcp_sack: the highest SACK right edge beyond `ack`. */
function tcpSack(seg: TcpSegment, ack: number): number {
  let sack = ack;
  if (headerLength(seg) <= 20) return sack;
  for (const edge of seg.options?.sackRightEdges ?? []) if (after(u32(edge), sack)) sack = u32(edge);
  return sack;
}

/** tcp_init_sender: a SYN or SYN-ACK (re)initialises its sender's window data. */
function tcpInitSender(
  sender: TcpSide,
  receiver: TcpSide,
  seg: TcpSegment,
  end: number,
  win: number,
  dir: Direction,
): void {
  sender.tdEnd = end;
  sender.tdMaxEnd = end;
  sender.tdMaxWin = win === 0 ? 1 : win;
  tcpOptions(seg, sender);
  // RFC 1323: scaling only when both sides sent the option.
  if (dir === 'reply' && !(sender.flags & FLAG_WINDOW_SCALE && receiver.flags & FLAG_WINDOW_SCALE)) {
    sender.tdScale = 0;
    receiver.tdScale = 0;
  }
}

function maxAckWindow(sender: TcpSide): number {
  return Math.max(sender.tdMaxWin, 66000); // MAXACKWINDOW (MAXACKWINCONST 66000)
}

type WindowResult = 'accept' | 'ignore' | { readonly invalid: string };

/** tcp_in_window: is the segment within the windows seen so far? Updates them when it is. */
function tcpInWindow(
  t: TcpState,
  dir: Direction,
  index: number,
  seg: TcpSegment,
  settings: ConntrackSettings,
): WindowResult {
  const sender = t.seen[dir === 'original' ? 0 : 1];
  const receiver = t.seen[dir === 'original' ? 1 : 0];
  // nf_tcp_log_invalid: with be_liberal, what would be invalid or ignored passes unexamined.
  const fail = (r: 'ignore' | { readonly invalid: string }): WindowResult =>
    sender.flags & FLAG_BE_LIBERAL || settings.tcpBeLiberal ? 'accept' : r;
  let seq = u32(seg.seq);
  let ack = u32(seg.ack);
  let sack = ack;
  const winRaw = seg.window;
  let win = winRaw;
  let end = segmentEnd(seg);
  const syn = (seg.flags & TCP_SYN) !== 0;
  const ackFlag = (seg.flags & TCP_ACK) !== 0;
  const rst = (seg.flags & TCP_RST) !== 0;

  if (receiver.flags & FLAG_SACK_PERM) sack = tcpSack(seg, sack);

  if (sender.tdMaxWin === 0) {
    if (syn) {
      tcpInitSender(sender, receiver, seg, end, win, dir);
      if (!ackFlag) return 'accept'; // simultaneous open
    } else {
      // Mid-stream pick-up: take what the packet says.
      sender.tdEnd = end;
      const swin = u32(win << sender.tdScale);
      sender.tdMaxWin = swin === 0 ? 1 : swin;
      sender.tdMaxEnd = u32(end + sender.tdMaxWin);
      if (receiver.tdMaxWin === 0) {
        receiver.tdEnd = sack;
        receiver.tdMaxEnd = sack;
      } else if (sack === u32(receiver.tdEnd + 1)) {
        receiver.tdEnd = u32(receiver.tdEnd + 1); // likely a keepalive reply
      }
    }
  } else if (syn && after(end, sender.tdEnd) && (t.state === TCP_SYN_SENT || t.state === TCP_SYN_RECV)) {
    // RFC 793 re-initialisation with higher sequence numbers.
    tcpInitSender(sender, receiver, seg, end, win, dir);
    if (dir === 'reply' && !ackFlag) return 'accept';
  }

  if (!ackFlag) {
    ack = receiver.tdEnd;
    sack = ack;
  } else if (rst && ack === 0) {
    ack = receiver.tdEnd; // broken stacks: RST+ACK with ack 0
    sack = ack;
  }

  if (rst && seq === 0 && t.state === TCP_SYN_SENT) {
    seq = sender.tdEnd; // RST answering a SYN
    end = seq;
  }

  if (!before(seq, u32(sender.tdMaxEnd + 1))) {
    const overshot = u32(end - sender.tdMaxEnd + 1);
    const ackOk = after(sack, u32(receiver.tdEnd - maxAckWindow(sender) - 1));
    const inRecvWin = receiver.tdMaxWin !== 0 && after(end, u32(sender.tdEnd - receiver.tdMaxWin - 1));
    if (inRecvWin && ackOk && overshot <= receiver.tdMaxWin && before(sack, u32(receiver.tdEnd + 1))) {
      // More than the window allows, but acked later: remember the end so the ACK passes.
      sender.tdEnd = end;
      sender.flags |= FLAG_DATA_UNACKNOWLEDGED;
      return fail('ignore');
    }
    return fail({ invalid: 'SEQ is over upper bound (over the window of the receiver)' });
  }
  if (!before(sack, u32(receiver.tdEnd + 1))) {
    return fail({ invalid: 'ACK is over upper bound (ACKed data not seen yet)' });
  }
  const inRecvWin = receiver.tdMaxWin === 0 || after(end, u32(sender.tdEnd - receiver.tdMaxWin - 1));
  if (!inRecvWin) return fail('ignore'); // already-acked data retransmitted
  if (!after(sack, u32(receiver.tdEnd - maxAckWindow(sender) - 1))) return fail('ignore'); // overly delayed ACK

  if (!syn) win = u32(win << sender.tdScale);

  const swin = u32(win + u32(sack - ack));
  if (sender.tdMaxWin < swin) sender.tdMaxWin = swin;
  if (after(end, sender.tdEnd)) {
    sender.tdEnd = end;
    sender.flags |= FLAG_DATA_UNACKNOWLEDGED;
  }
  if (ackFlag) {
    if (!(sender.flags & FLAG_MAXACK_SET)) {
      sender.tdMaxAck = ack;
      sender.flags |= FLAG_MAXACK_SET;
    } else if (after(ack, sender.tdMaxAck)) {
      sender.tdMaxAck = ack;
    }
  }

  if (receiver.tdMaxWin !== 0 && after(end, sender.tdMaxEnd)) {
    receiver.tdMaxWin = u32(receiver.tdMaxWin + u32(end - sender.tdMaxEnd));
  }
  if (after(u32(sack + win), u32(receiver.tdMaxEnd - 1))) {
    receiver.tdMaxEnd = u32(sack + win);
    if (win === 0) receiver.tdMaxEnd = u32(receiver.tdMaxEnd + 1);
  }
  if (ack === receiver.tdEnd) receiver.flags &= ~FLAG_DATA_UNACKNOWLEDGED;

  // Retransmission counting (only pure ACK-class segments).
  const dirNum = dir === 'original' ? 0 : 1;
  if (index === TCP_ACK_SET) {
    if (
      t.lastDir === dirNum &&
      t.lastSeq === seq &&
      t.lastAck === ack &&
      t.lastEnd === end &&
      t.lastWin === winRaw
    ) {
      t.retrans++;
    } else {
      t.lastDir = dirNum;
      t.lastSeq = seq;
      t.lastAck = ack;
      t.lastEnd = end;
      t.lastWin = winRaw;
      t.retrans = 0;
    }
  }
  return 'accept';
}

/** tcp_error: flag combinations and header sanity (checksum only in PREROUTING). */
function tcpError(
  seg: TcpSegment,
  hook: Hook,
  badChecksum: boolean,
  settings: ConntrackSettings,
): string | null {
  if (headerLength(seg) < 20) return 'truncated packet';
  if (settings.checksum && hook === 'prerouting' && badChecksum) return 'bad checksum';
  if (!VALID_FLAGS.has(seg.flags & ~(TCP_ECE | TCP_CWR | TCP_PSH))) return 'invalid tcp flag combination';
  return null;
}

/**
 * tcp_new: the first packet of a would-be connection. A SYN starts SYN_SENT; anything else the
 * table allows from NONE (a bare ACK) is a mid-stream pick-up, only with nf_conntrack_tcp_loose.
 */
function tcpNew(seg: TcpSegment, settings: ConntrackSettings): TcpState | string {
  const newState = tcpTransition('original', tcpIndex(seg.flags), TCP_NONE);
  if (newState >= TCP_MAX) return 'invalid new';
  const t = emptyTcpState();
  const s0 = t.seen[0];
  s0.tdEnd = segmentEnd(seg);
  s0.tdMaxWin = seg.window === 0 ? 1 : seg.window;
  if (newState === TCP_SYN_SENT) {
    s0.tdMaxEnd = s0.tdEnd;
    tcpOptions(seg, s0);
  } else {
    if (!settings.tcpLoose) return 'invalid new (nf_conntrack_tcp_loose=0)';
    s0.tdMaxEnd = u32(s0.tdEnd + s0.tdMaxWin);
    // Window scaling is unknown mid-stream: assume SACK and be liberal.
    s0.flags = FLAG_SACK_PERM | FLAG_BE_LIBERAL;
    t.seen[1].flags = FLAG_SACK_PERM | FLAG_BE_LIBERAL;
  }
  t.lastIndex = TCP_NONE_SET;
  return t;
}

/** tcp_can_early_drop: closing states may be evicted even when assured. */
export function tcpCanEarlyDrop(t: TcpState): boolean {
  return (
    t.state === TCP_FIN_WAIT ||
    t.state === TCP_LAST_ACK ||
    t.state === TCP_TIME_WAIT ||
    t.state === TCP_CLOSE ||
    t.state === TCP_CLOSE_WAIT
  );
}

function resetSide(side: TcpSide): void {
  side.tdEnd = 0;
  side.tdMaxEnd = 0;
  side.tdMaxWin = 0;
  side.tdMaxAck = 0;
  side.tdScale = 0;
  side.flags &= FLAG_BE_LIBERAL;
}

/** nf_conntrack_tcp_established. */
function established(entry: ConnEntry, t: TcpState): boolean {
  return t.state === TCP_ESTABLISHED && (entry.status & IPS_ASSURED) !== 0;
}

export interface TcpPacketContext {
  readonly now: bigint;
  readonly hook: Hook;
  readonly badChecksum: boolean;
  readonly bytes: number;
  readonly settings: ConntrackSettings;
}

/** The entry's TCP tracker state, or null for other protocols (and before its first packet). */
export function tcpStateOf(entry: ConnEntry): TcpState | null {
  const p: ProtoState = entry.proto;
  return p.kind === 'tcp' ? p.tcp : null;
}

/** nf_tcp_handle_invalid: an out-of-window FIN/RST answering one from the other side shortens the timeout. */
function handleInvalid(
  entry: ConnEntry,
  t: TcpState,
  dirNum: number,
  index: number,
  ctx: TcpPacketContext,
): void {
  if (!(entry.status & IPS_ASSURED) || entry.status & IPS_FIXED_TIMEOUT) return;
  if (index !== TCP_RST_SET && index !== TCP_FIN_SET) return;
  if (t.lastDir !== dirNum && (t.lastIndex === TCP_FIN_SET || t.lastIndex === TCP_RST_SET)) {
    const expires = entry.expiresIn(ctx.now);
    if (expires < seconds(120)) return;
    const timeout = seconds(ctx.settings.tcpTimeoutUnacknowledged);
    if (expires > timeout) entry.timeout = ctx.now + timeout;
  } else {
    t.lastIndex = index;
    t.lastDir = dirNum;
  }
}

/** nf_conntrack_tcp_packet. */
export function tcpPacket(
  entry: ConnEntry,
  dir: Direction,
  seg: TcpSegment,
  ctx: TcpPacketContext,
): L4Verdict {
  const s = ctx.settings;
  const err = tcpError(seg, ctx.hook, ctx.badChecksum, s);
  if (err) return invalid(err);

  let t = tcpStateOf(entry);
  if (!entry.confirmed) {
    const fresh = tcpNew(seg, s);
    if (typeof fresh === 'string') return invalid(fresh);
    entry.proto = { kind: 'tcp', tcp: fresh };
    t = fresh;
  }
  if (!t) throw new Error('conntrack: TCP entry without TCP state');

  const dirNum = dir === 'original' ? 0 : 1;
  let oldState = t.state;
  const index = tcpIndex(seg.flags);
  let newState = tcpTransition(dir, index, oldState);
  let skipWindow = false;

  switch (newState) {
    case TCP_SYN_SENT: {
      if (oldState < TCP_TIME_WAIT) break;
      // RFC 1122 reopen from TIME_WAIT/CLOSE, or a client aborting and starting over.
      if (
        (t.seen[dirNum]!.flags | t.seen[1 - dirNum]!.flags) & FLAG_CLOSE_INIT ||
        (t.lastDir === dirNum && t.lastIndex === TCP_RST_SET)
      ) {
        return { kind: 'repeat' };
      }
      // fall through to the ignore handling
      return ignored(entry, t, dir, index, oldState, seg);
    }
    case TCP_IGNORE:
      if (
        index === TCP_SYNACK_SET &&
        t.lastIndex === TCP_SYN_SET &&
        t.lastDir !== dirNum &&
        u32(seg.ack) === t.lastEnd
      ) {
        // This SYN-ACK answers a SYN we ignored: client and server are in sync, we are not.
        oldState = TCP_SYN_SENT;
        newState = TCP_SYN_RECV;
        const last = t.seen[t.lastDir]!;
        last.tdEnd = t.lastEnd;
        last.tdMaxEnd = t.lastEnd;
        last.tdMaxWin = t.lastWin === 0 ? 1 : t.lastWin;
        last.tdScale = t.lastWscale;
        t.lastFlags &= ~EXP_CHALLENGE_ACK;
        last.flags = t.lastFlags;
        resetSide(t.seen[dirNum]!);
        break;
      }
      return ignored(entry, t, dir, index, oldState, seg);
    case TCP_MAX:
      return invalid(`packet (index ${index}) in dir ${dirNum} invalid, state ${oldState}`);
    case TCP_TIME_WAIT:
      // RFC 5961 challenge ACK to a SYN must not count as acking the last FIN.
      if (
        oldState === TCP_LAST_ACK &&
        index === TCP_ACK_SET &&
        t.lastDir !== dirNum &&
        t.lastIndex === TCP_SYN_SET &&
        t.lastFlags & EXP_CHALLENGE_ACK
      ) {
        t.lastFlags &= ~EXP_CHALLENGE_ACK;
        return ACCEPT;
      }
      break;
    case TCP_SYN_SENT2:
      t.lastFlags |= SIMULTANEOUS_OPEN;
      break;
    case TCP_SYN_RECV:
      if (dir === 'reply' && index === TCP_ACK_SET && t.lastFlags & SIMULTANEOUS_OPEN)
        newState = TCP_ESTABLISHED;
      break;
    case TCP_CLOSE: {
      if (index !== TCP_RST_SET) break;
      if (tcpCanEarlyDrop(t)) {
        skipWindow = true; // closing: the tuple may be reused already, skip the checks
        break;
      }
      const other = t.seen[1 - dirNum]!;
      if (other.flags & FLAG_MAXACK_SET && t.lastIndex !== TCP_SYN_SET) {
        const seq = u32(seg.seq);
        if (seq === 0 && !established(entry, t)) break;
        if (before(seq, other.tdMaxAck) && !s.tcpIgnoreInvalidRst) return invalid('invalid rst');
        if (!established(entry, t) || seq === other.tdMaxAck) break;
        // RST following data in the same direction ("RST train").
        if (t.lastIndex === TCP_ACK_SET && t.lastDir === dirNum && seq === t.lastEnd) break;
        // Not exact: keep the state for a possible challenge ACK.
        newState = oldState;
      }
      if (
        ((entry.status & IPS_SEEN_REPLY && t.lastIndex === TCP_SYN_SET) ||
          (!(entry.status & IPS_ASSURED) && t.lastIndex === TCP_ACK_SET)) &&
        u32(seg.ack) === t.lastEnd
      ) {
        skipWindow = true; // RST to a SYN or ACK we let through: drop our entry
        break;
      }
      if (
        oldState === TCP_SYN_SENT &&
        t.lastIndex === TCP_ACK_SET &&
        t.lastDir === 1 &&
        u32(seg.seq) === t.lastAck
      ) {
        skipWindow = true; // RST answering a challenge ACK
      }
      break;
    }
    default:
      break;
  }

  if (!skipWindow) {
    const res = tcpInWindow(t, dir, index, seg, s);
    if (res === 'ignore') return ACCEPT;
    if (res !== 'accept') {
      handleInvalid(entry, t, dirNum, index, ctx);
      return invalid(res.invalid);
    }
  }

  // From here on the packet is in window.
  t.lastIndex = index;
  t.lastDir = dirNum;
  t.state = newState;
  if (oldState !== newState && newState === TCP_FIN_WAIT) t.seen[dirNum]!.flags |= FLAG_CLOSE_INIT;

  const stateTimeout = tcpStateTimeout(s, newState);
  let timeout: number;
  if (t.retrans >= s.tcpMaxRetrans && stateTimeout > s.tcpTimeoutMaxRetrans) timeout = s.tcpTimeoutMaxRetrans;
  else if (index === TCP_RST_SET) timeout = s.tcpTimeoutClose;
  else if (
    (t.seen[0].flags | t.seen[1].flags) & FLAG_DATA_UNACKNOWLEDGED &&
    stateTimeout > s.tcpTimeoutUnacknowledged
  )
    timeout = s.tcpTimeoutUnacknowledged;
  else if (t.lastWin === 0 && stateTimeout > s.tcpTimeoutMaxRetrans) timeout = s.tcpTimeoutMaxRetrans;
  else timeout = stateTimeout;

  if (!(entry.status & IPS_SEEN_REPLY)) {
    // Only a RST in reply: not a connection worth keeping.
    if (seg.flags & TCP_RST) {
      entry.account(dir, ctx.bytes);
      return { kind: 'accept-kill' };
    }
    // A retransmitted SYN does not renew the timeout (port reuse would keep it alive forever).
    if (index === TCP_SYN_SET && oldState === TCP_SYN_SENT) return ACCEPT;
    // Picked up mid-stream and unanswered: no 5-day timeout.
    if (newState === TCP_ESTABLISHED && timeout > s.tcpTimeoutUnacknowledged)
      timeout = s.tcpTimeoutUnacknowledged;
  } else if (
    !(entry.status & IPS_ASSURED) &&
    (oldState === TCP_SYN_RECV || oldState === TCP_ESTABLISHED) &&
    newState === TCP_ESTABLISHED
  ) {
    entry.status |= IPS_ASSURED;
  }
  entry.refresh(dir, ctx.now, seconds(timeout), ctx.bytes, (entry.status & IPS_FIXED_TIMEOUT) !== 0);
  return ACCEPT;
}

/** The sIG path: remember the packet so a later answer can resynchronise, and let it pass. */
function ignored(
  _entry: ConnEntry,
  t: TcpState,
  dir: Direction,
  index: number,
  oldState: number,
  seg: TcpSegment,
): L4Verdict {
  const dirNum = dir === 'original' ? 0 : 1;
  t.lastIndex = index;
  t.lastDir = dirNum;
  t.lastSeq = u32(seg.seq);
  t.lastEnd = segmentEnd(seg);
  t.lastWin = seg.window;
  if (index === TCP_SYN_SET && dir === 'original') {
    // A SYN in ORIGINAL: note its options in case the server answers it.
    const seen: TcpSide = { tdEnd: 0, tdMaxEnd: 0, tdMaxWin: 0, tdMaxAck: 0, tdScale: 0, flags: 0 };
    t.lastFlags = 0;
    t.lastWscale = 0;
    tcpOptions(seg, seen);
    if (seen.flags & FLAG_WINDOW_SCALE) {
      t.lastFlags |= FLAG_WINDOW_SCALE;
      t.lastWscale = seen.tdScale;
    }
    if (seen.flags & FLAG_SACK_PERM) t.lastFlags |= FLAG_SACK_PERM;
    if (oldState === TCP_LAST_ACK) t.lastFlags |= EXP_CHALLENGE_ACK;
  }
  if (oldState === TCP_SYN_SENT && index === TCP_ACK_SET && dir === 'reply') t.lastAck = u32(seg.ack);
  return ACCEPT;
}
