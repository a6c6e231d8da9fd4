// The TCP tracker (src/engine/conntrack/tcp.ts, function by function; nf_conntrack_proto_tcp.c):
// the state machine (tcp_conntracks), window tracking (tcp_in_window) and the timeout choice
// (nf_conntrack_tcp_packet), on the struct ip_ct_tcp kept in the entry record.

import { storeTimeout } from './expiry';
import {
  E_PROTO_STATE,
  IPS_ASSURED,
  IPS_FIXED_TIMEOUT,
  IPS_SEEN_REPLY,
  P_ACK,
  P_FLAGS,
  P_PAYLOAD,
  P_SACK_EDGES,
  P_SEQ,
  P_TCP_DOFF,
  P_TCP_FLAGS,
  P_TCP_SACKS,
  P_TCP_WSCALE,
  P_WINDOW,
  PF_BAD_CHECKSUM,
  PF_PREROUTING,
  PF_SACK_PERM,
  PF_TCP_OPTIONS,
  PF_WSCALE,
  PROTO_STATE_BYTES,
  ST_CHECKSUM,
  ST_TCP_BE_LIBERAL,
  ST_TCP_CLOSE,
  ST_TCP_CLOSE_WAIT,
  ST_TCP_ESTABLISHED,
  ST_TCP_FIN_WAIT,
  ST_TCP_IGNORE_INVALID_RST,
  ST_TCP_LAST_ACK,
  ST_TCP_LOOSE,
  ST_TCP_MAX_RETRANS,
  ST_TCP_MAX_RETRANS_TIMEOUT,
  ST_TCP_SYN_RECV,
  ST_TCP_SYN_SENT,
  ST_TCP_SYN_SENT2,
  ST_TCP_TIME_WAIT,
  ST_TCP_UNACK,
  T_LAST_ACK,
  T_LAST_DIR,
  T_LAST_END,
  T_LAST_FLAGS,
  T_LAST_INDEX,
  T_LAST_SEQ,
  T_LAST_WIN,
  T_LAST_WSCALE,
  T_RETRANS,
  T_STATE,
} from './layout';
import { refresh } from './refresh';
import { seconds, setting } from './settings';
import { confirmed, expiresIn, setStatus, statusOf } from './table';
import {
  after,
  before,
  EXP_CHALLENGE_ACK,
  FLAG_BE_LIBERAL,
  FLAG_CLOSE_INIT,
  FLAG_DATA_UNACKNOWLEDGED,
  FLAG_MAXACK_SET,
  FLAG_SACK_PERM,
  FLAG_WINDOW_SCALE,
  SIMULTANEOUS_OPEN,
  setSideEnd,
  setSideFlags,
  setSideMaxAck,
  setSideMaxEnd,
  setSideMaxWin,
  setSideScale,
  sideEnd,
  sideFlags,
  sideMaxAck,
  sideMaxEnd,
  sideMaxWin,
  sideScale,
  TCP_ACK,
  TCP_ACK_SET,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CWR,
  TCP_ECE,
  TCP_ESTABLISHED,
  TCP_FIN,
  TCP_FIN_SET,
  TCP_FIN_WAIT,
  TCP_IGNORE,
  TCP_LAST_ACK,
  TCP_MAX,
  TCP_NONE,
  TCP_NONE_SET,
  TCP_PSH,
  TCP_RST,
  TCP_RST_SET,
  TCP_SYN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_SYN_SENT2,
  TCP_SYN_SET,
  TCP_SYNACK_SET,
  TCP_TIME_WAIT,
  TCP_URG,
  tcpIndex,
  tcpTransition,
} from './tcp-state';
import { L4_ACCEPT, L4_ACCEPT_KILL, L4_INVALID, L4_REPEAT } from './verdict';

// tcp_in_window outcomes.
const W_ACCEPT: u32 = 0;
const W_IGNORE: u32 = 1;
const W_INVALID: u32 = 2;

function u8at(e: usize, off: u32): u32 {
  return load<u8>(e + off);
}
function setU8(e: usize, off: u32, v: u32): void {
  store<u8>(e + off, <u8>v);
}

/** tcp_valid_flags (tcpError's VALID_FLAGS). */
function validFlags(f: u32): bool {
  return (
    f === TCP_SYN ||
    f === (TCP_SYN | TCP_URG) ||
    f === (TCP_SYN | TCP_ACK) ||
    f === TCP_RST ||
    f === (TCP_RST | TCP_ACK) ||
    f === (TCP_FIN | TCP_ACK) ||
    f === (TCP_FIN | TCP_ACK | TCP_URG) ||
    f === TCP_ACK ||
    f === (TCP_ACK | TCP_URG)
  );
}

/** tcpStateTimeout (tn->timeouts[state]) in seconds. */
export function tcpStateTimeout(state: u32): u32 {
  switch (state) {
    case TCP_SYN_SENT:
      return setting(ST_TCP_SYN_SENT);
    case TCP_SYN_RECV:
      return setting(ST_TCP_SYN_RECV);
    case TCP_ESTABLISHED:
      return setting(ST_TCP_ESTABLISHED);
    case TCP_FIN_WAIT:
      return setting(ST_TCP_FIN_WAIT);
    case TCP_CLOSE_WAIT:
      return setting(ST_TCP_CLOSE_WAIT);
    case TCP_LAST_ACK:
      return setting(ST_TCP_LAST_ACK);
    case TCP_TIME_WAIT:
      return setting(ST_TCP_TIME_WAIT);
    case TCP_CLOSE:
      return setting(ST_TCP_CLOSE);
    case TCP_SYN_SENT2:
      return setting(ST_TCP_SYN_SENT2);
    default:
      return setting(ST_TCP_SYN_SENT);
  }
}

function segFlags(pkt: usize): u32 {
  return load<u8>(pkt, P_TCP_FLAGS);
}

/** segmentEnd (segment_seq_plus_len). */
function segmentEnd(pkt: usize): u32 {
  const f = segFlags(pkt);
  return (
    load<u32>(pkt, P_SEQ) +
    load<u32>(pkt, P_PAYLOAD) +
    ((f & TCP_SYN) !== 0 ? 1 : 0) +
    ((f & TCP_FIN) !== 0 ? 1 : 0)
  );
}

function headerLength(pkt: usize): u32 {
  return load<u8>(pkt, P_TCP_DOFF);
}

/** tcpOptions (tcp_options) into side `s` of `e`. */
function tcpOptions(pkt: usize, e: usize, s: u32): void {
  if (headerLength(pkt) <= 20) return;
  setSideScale(e, s, 0);
  let flags = sideFlags(e, s) & FLAG_BE_LIBERAL;
  const pf = load<u32>(pkt, P_FLAGS);
  if ((pf & PF_TCP_OPTIONS) !== 0) {
    if ((pf & PF_SACK_PERM) !== 0) flags |= FLAG_SACK_PERM;
    if ((pf & PF_WSCALE) !== 0) {
      setSideScale(e, s, min<u32>(load<u8>(pkt, P_TCP_WSCALE), 14));
      flags |= FLAG_WINDOW_SCALE;
    }
  }
  setSideFlags(e, s, flags);
}

/** tcpSack (tcp_sack): the highest SACK right edge beyond `ack`. */
function tcpSack(pkt: usize, ack: u32): u32 {
  let sack = ack;
  if (headerLength(pkt) <= 20) return sack;
  if ((load<u32>(pkt, P_FLAGS) & PF_TCP_OPTIONS) === 0) return sack;
  const n = <u32>load<u8>(pkt, P_TCP_SACKS);
  for (let i: u32 = 0; i < n; i++) {
    const edge = load<u32>(pkt + P_SACK_EDGES + ((<usize>i) << 2));
    if (after(edge, sack)) sack = edge;
  }
  return sack;
}

/** tcpInitSender (tcp_init_sender). */
function tcpInitSender(e: usize, sender: u32, receiver: u32, pkt: usize, end: u32, win: u32, dir: u32): void {
  setSideEnd(e, sender, end);
  setSideMaxEnd(e, sender, end);
  setSideMaxWin(e, sender, win === 0 ? 1 : win);
  tcpOptions(pkt, e, sender);
  if (
    dir === 1 &&
    !((sideFlags(e, sender) & FLAG_WINDOW_SCALE) !== 0 && (sideFlags(e, receiver) & FLAG_WINDOW_SCALE) !== 0)
  ) {
    setSideScale(e, sender, 0);
    setSideScale(e, receiver, 0);
  }
}

/** maxAckWindow (MAXACKWINDOW). */
function maxAckWindow(e: usize, sender: u32): u32 {
  return max<u32>(sideMaxWin(e, sender), 66000);
}

/** tcpInWindow's fail(): with be_liberal, what would be invalid or ignored passes. */
function fail(e: usize, sender: u32, r: u32): u32 {
  return (sideFlags(e, sender) & FLAG_BE_LIBERAL) !== 0 || setting(ST_TCP_BE_LIBERAL) !== 0 ? W_ACCEPT : r;
}

/** tcpInWindow (tcp_in_window). */
function tcpInWindow(e: usize, dir: u32, index: u32, pkt: usize): u32 {
  const sender = dir;
  const receiver = 1 - dir;
  const flags = segFlags(pkt);
  let seq = load<u32>(pkt, P_SEQ);
  let ack = load<u32>(pkt, P_ACK);
  let sack = ack;
  const winRaw = load<u32>(pkt, P_WINDOW);
  let win = winRaw;
  let end = segmentEnd(pkt);
  const syn = (flags & TCP_SYN) !== 0;
  const ackFlag = (flags & TCP_ACK) !== 0;
  const rst = (flags & TCP_RST) !== 0;
  const state = u8at(e, T_STATE);

  if ((sideFlags(e, receiver) & FLAG_SACK_PERM) !== 0) sack = tcpSack(pkt, sack);

  if (sideMaxWin(e, sender) === 0) {
    if (syn) {
      tcpInitSender(e, sender, receiver, pkt, end, win, dir);
      if (!ackFlag) return W_ACCEPT;
    } else {
      setSideEnd(e, sender, end);
      const swin = win << sideScale(e, sender);
      setSideMaxWin(e, sender, swin === 0 ? 1 : swin);
      setSideMaxEnd(e, sender, end + sideMaxWin(e, sender));
      if (sideMaxWin(e, receiver) === 0) {
        setSideEnd(e, receiver, sack);
        setSideMaxEnd(e, receiver, sack);
      } else if (sack === sideEnd(e, receiver) + 1) {
        setSideEnd(e, receiver, sideEnd(e, receiver) + 1);
      }
    }
  } else if (syn && after(end, sideEnd(e, sender)) && (state === TCP_SYN_SENT || state === TCP_SYN_RECV)) {
    tcpInitSender(e, sender, receiver, pkt, end, win, dir);
    if (dir === 1 && !ackFlag) return W_ACCEPT;
  }

  if (!ackFlag) {
    ack = sideEnd(e, receiver);
    sack = ack;
  } else if (rst && ack === 0) {
    ack = sideEnd(e, receiver);
    sack = ack;
  }

  if (rst && seq === 0 && state === TCP_SYN_SENT) {
    seq = sideEnd(e, sender);
    end = seq;
  }

  if (!before(seq, sideMaxEnd(e, sender) + 1)) {
    const overshot = end - sideMaxEnd(e, sender) + 1;
    const ackOk = after(sack, sideEnd(e, receiver) - maxAckWindow(e, sender) - 1);
    const rWin = sideMaxWin(e, receiver);
    const inRecvWin = rWin !== 0 && after(end, sideEnd(e, sender) - rWin - 1);
    if (inRecvWin && ackOk && overshot <= rWin && before(sack, sideEnd(e, receiver) + 1)) {
      setSideEnd(e, sender, end);
      setSideFlags(e, sender, sideFlags(e, sender) | FLAG_DATA_UNACKNOWLEDGED);
      return fail(e, sender, W_IGNORE);
    }
    return fail(e, sender, W_INVALID); // SEQ is over upper bound
  }
  if (!before(sack, sideEnd(e, receiver) + 1)) return fail(e, sender, W_INVALID); // ACK over upper bound
  const rWin = sideMaxWin(e, receiver);
  const inRecvWin = rWin === 0 || after(end, sideEnd(e, sender) - rWin - 1);
  if (!inRecvWin) return fail(e, sender, W_IGNORE);
  if (!after(sack, sideEnd(e, receiver) - maxAckWindow(e, sender) - 1)) return fail(e, sender, W_IGNORE);

  if (!syn) win = win << sideScale(e, sender);

  const swin = win + (sack - ack);
  if (sideMaxWin(e, sender) < swin) setSideMaxWin(e, sender, swin);
  if (after(end, sideEnd(e, sender))) {
    setSideEnd(e, sender, end);
    setSideFlags(e, sender, sideFlags(e, sender) | FLAG_DATA_UNACKNOWLEDGED);
  }
  if (ackFlag) {
    if ((sideFlags(e, sender) & FLAG_MAXACK_SET) === 0) {
      setSideMaxAck(e, sender, ack);
      setSideFlags(e, sender, sideFlags(e, sender) | FLAG_MAXACK_SET);
    } else if (after(ack, sideMaxAck(e, sender))) {
      setSideMaxAck(e, sender, ack);
    }
  }

  if (sideMaxWin(e, receiver) !== 0 && after(end, sideMaxEnd(e, sender))) {
    setSideMaxWin(e, receiver, sideMaxWin(e, receiver) + (end - sideMaxEnd(e, sender)));
  }
  if (after(sack + win, sideMaxEnd(e, receiver) - 1)) {
    setSideMaxEnd(e, receiver, sack + win);
    if (win === 0) setSideMaxEnd(e, receiver, sideMaxEnd(e, receiver) + 1);
  }
  if (ack === sideEnd(e, receiver))
    setSideFlags(e, receiver, sideFlags(e, receiver) & ~FLAG_DATA_UNACKNOWLEDGED);

  // Retransmission counting (only pure ACK-class segments). retrans saturates at 255 (u8).
  if (index === TCP_ACK_SET) {
    if (
      u8at(e, T_LAST_DIR) === dir &&
      load<u32>(e, T_LAST_SEQ) === seq &&
      load<u32>(e, T_LAST_ACK) === ack &&
      load<u32>(e, T_LAST_END) === end &&
      <u32>load<u16>(e, T_LAST_WIN) === winRaw
    ) {
      const r = u8at(e, T_RETRANS);
      if (r < 255) setU8(e, T_RETRANS, r + 1);
    } else {
      setU8(e, T_LAST_DIR, dir);
      store<u32>(e, seq, T_LAST_SEQ);
      store<u32>(e, ack, T_LAST_ACK);
      store<u32>(e, end, T_LAST_END);
      store<u16>(e, <u16>winRaw, T_LAST_WIN);
      setU8(e, T_RETRANS, 0);
    }
  }
  return W_ACCEPT;
}

/** tcpError (tcp_error): false when the segment is invalid. */
function tcpError(pkt: usize): bool {
  if (headerLength(pkt) < 20) return false;
  const pf = load<u32>(pkt, P_FLAGS);
  if (setting(ST_CHECKSUM) !== 0 && (pf & PF_PREROUTING) !== 0 && (pf & PF_BAD_CHECKSUM) !== 0) return false;
  return validFlags(segFlags(pkt) & ~(TCP_ECE | TCP_CWR | TCP_PSH));
}

/** tcpNew (tcp_new): false when the first packet cannot open a connection. */
function tcpNew(e: usize, pkt: usize): bool {
  const newState = tcpTransition(0, tcpIndex(segFlags(pkt)), TCP_NONE);
  if (newState >= TCP_MAX) return false;
  memory.fill(e + E_PROTO_STATE, 0, PROTO_STATE_BYTES);
  const end = segmentEnd(pkt);
  const window = load<u32>(pkt, P_WINDOW);
  setSideEnd(e, 0, end);
  setSideMaxWin(e, 0, window === 0 ? 1 : window);
  if (newState === TCP_SYN_SENT) {
    setSideMaxEnd(e, 0, end);
    tcpOptions(pkt, e, 0);
  } else {
    if (setting(ST_TCP_LOOSE) === 0) return false;
    setSideMaxEnd(e, 0, end + sideMaxWin(e, 0));
    setSideFlags(e, 0, FLAG_SACK_PERM | FLAG_BE_LIBERAL);
    setSideFlags(e, 1, FLAG_SACK_PERM | FLAG_BE_LIBERAL);
  }
  setU8(e, T_LAST_INDEX, TCP_NONE_SET);
  return true;
}

/** tcpCanEarlyDrop (tcp_can_early_drop). */
function tcpCanEarlyDrop(e: usize): bool {
  const s = u8at(e, T_STATE);
  return (
    s === TCP_FIN_WAIT || s === TCP_LAST_ACK || s === TCP_TIME_WAIT || s === TCP_CLOSE || s === TCP_CLOSE_WAIT
  );
}

/** resetSide. */
function resetSide(e: usize, s: u32): void {
  setSideEnd(e, s, 0);
  setSideMaxEnd(e, s, 0);
  setSideMaxWin(e, s, 0);
  setSideMaxAck(e, s, 0);
  setSideScale(e, s, 0);
  setSideFlags(e, s, sideFlags(e, s) & FLAG_BE_LIBERAL);
}

/** established (nf_conntrack_tcp_established). */
function established(e: usize): bool {
  return u8at(e, T_STATE) === TCP_ESTABLISHED && (statusOf(e) & IPS_ASSURED) !== 0;
}

/** handleInvalid (nf_tcp_handle_invalid). */
function handleInvalid(e: usize, dir: u32, index: u32, now: i64): void {
  const status = statusOf(e);
  if ((status & IPS_ASSURED) === 0 || (status & IPS_FIXED_TIMEOUT) !== 0) return;
  if (index !== TCP_RST_SET && index !== TCP_FIN_SET) return;
  const lastIndex = u8at(e, T_LAST_INDEX);
  if (u8at(e, T_LAST_DIR) !== dir && (lastIndex === TCP_FIN_SET || lastIndex === TCP_RST_SET)) {
    const expires = expiresIn(e, now);
    if (expires < seconds(120)) return;
    const timeout = seconds(setting(ST_TCP_UNACK));
    if (expires > timeout) storeTimeout(e, now + timeout);
  } else {
    setU8(e, T_LAST_INDEX, index);
    setU8(e, T_LAST_DIR, dir);
  }
}

/** ignored: the sIG path remembers the packet so a later answer can resynchronise. */
function ignored(e: usize, dir: u32, index: u32, oldState: u32, pkt: usize): u32 {
  setU8(e, T_LAST_INDEX, index);
  setU8(e, T_LAST_DIR, dir);
  store<u32>(e, load<u32>(pkt, P_SEQ), T_LAST_SEQ);
  store<u32>(e, segmentEnd(pkt), T_LAST_END);
  store<u16>(e, <u16>load<u32>(pkt, P_WINDOW), T_LAST_WIN);
  if (index === TCP_SYN_SET && dir === 0) {
    // tcp_options into a scratch side: only the options matter.
    let lastFlags: u32 = 0;
    let lastWscale: u32 = 0;
    const pf = load<u32>(pkt, P_FLAGS);
    if (headerLength(pkt) > 20 && (pf & PF_TCP_OPTIONS) !== 0) {
      if ((pf & PF_WSCALE) !== 0) {
        lastFlags |= FLAG_WINDOW_SCALE;
        lastWscale = min<u32>(load<u8>(pkt, P_TCP_WSCALE), 14);
      }
      if ((pf & PF_SACK_PERM) !== 0) lastFlags |= FLAG_SACK_PERM;
    }
    if (oldState === TCP_LAST_ACK) lastFlags |= EXP_CHALLENGE_ACK;
    setU8(e, T_LAST_FLAGS, lastFlags);
    setU8(e, T_LAST_WSCALE, lastWscale);
  }
  if (oldState === TCP_SYN_SENT && index === TCP_ACK_SET && dir === 1)
    store<u32>(e, load<u32>(pkt, P_ACK), T_LAST_ACK);
  return L4_ACCEPT;
}

/** tcpPacket (nf_conntrack_tcp_packet). */
export function tcpPacket(e: usize, dir: u32, pkt: usize, now: i64): u32 {
  if (!tcpError(pkt)) return L4_INVALID;
  if (!confirmed(e)) {
    if (!tcpNew(e, pkt)) return L4_INVALID;
  }
  const flags = segFlags(pkt);
  let oldState = u8at(e, T_STATE);
  const index = tcpIndex(flags);
  let newState = tcpTransition(dir, index, oldState);
  let skipWindow = false;
  const lastIndex = u8at(e, T_LAST_INDEX);
  const lastDir = u8at(e, T_LAST_DIR);

  switch (newState) {
    case TCP_SYN_SENT: {
      if (oldState < TCP_TIME_WAIT) break;
      if (
        ((sideFlags(e, dir) | sideFlags(e, 1 - dir)) & FLAG_CLOSE_INIT) !== 0 ||
        (lastDir === dir && lastIndex === TCP_RST_SET)
      ) {
        return L4_REPEAT;
      }
      return ignored(e, dir, index, oldState, pkt);
    }
    case TCP_IGNORE: {
      if (
        index === TCP_SYNACK_SET &&
        lastIndex === TCP_SYN_SET &&
        lastDir !== dir &&
        load<u32>(pkt, P_ACK) === load<u32>(e, T_LAST_END)
      ) {
        oldState = TCP_SYN_SENT;
        newState = TCP_SYN_RECV;
        const last = lastDir;
        const lastEnd = load<u32>(e, T_LAST_END);
        const lastWin = <u32>load<u16>(e, T_LAST_WIN);
        setSideEnd(e, last, lastEnd);
        setSideMaxEnd(e, last, lastEnd);
        setSideMaxWin(e, last, lastWin === 0 ? 1 : lastWin);
        setSideScale(e, last, u8at(e, T_LAST_WSCALE));
        const lf = u8at(e, T_LAST_FLAGS) & ~EXP_CHALLENGE_ACK;
        setU8(e, T_LAST_FLAGS, lf);
        setSideFlags(e, last, lf);
        resetSide(e, dir);
        break;
      }
      return ignored(e, dir, index, oldState, pkt);
    }
    case TCP_MAX:
      return L4_INVALID;
    case TCP_TIME_WAIT:
      if (
        oldState === TCP_LAST_ACK &&
        index === TCP_ACK_SET &&
        lastDir !== dir &&
        lastIndex === TCP_SYN_SET &&
        (u8at(e, T_LAST_FLAGS) & EXP_CHALLENGE_ACK) !== 0
      ) {
        setU8(e, T_LAST_FLAGS, u8at(e, T_LAST_FLAGS) & ~EXP_CHALLENGE_ACK);
        return L4_ACCEPT;
      }
      break;
    case TCP_SYN_SENT2:
      setU8(e, T_LAST_FLAGS, u8at(e, T_LAST_FLAGS) | SIMULTANEOUS_OPEN);
      break;
    case TCP_SYN_RECV:
      if (dir === 1 && index === TCP_ACK_SET && (u8at(e, T_LAST_FLAGS) & SIMULTANEOUS_OPEN) !== 0)
        newState = TCP_ESTABLISHED;
      break;
    case TCP_CLOSE: {
      if (index !== TCP_RST_SET) break;
      if (tcpCanEarlyDrop(e)) {
        skipWindow = true;
        break;
      }
      const other = 1 - dir;
      const seq = load<u32>(pkt, P_SEQ);
      if ((sideFlags(e, other) & FLAG_MAXACK_SET) !== 0 && lastIndex !== TCP_SYN_SET) {
        if (seq === 0 && !established(e)) break;
        if (before(seq, sideMaxAck(e, other)) && setting(ST_TCP_IGNORE_INVALID_RST) === 0) return L4_INVALID;
        if (!established(e) || seq === sideMaxAck(e, other)) break;
        if (lastIndex === TCP_ACK_SET && lastDir === dir && seq === load<u32>(e, T_LAST_END)) break;
        newState = oldState;
      }
      const status = statusOf(e);
      const ackNo = load<u32>(pkt, P_ACK);
      if (
        (((status & IPS_SEEN_REPLY) !== 0 && lastIndex === TCP_SYN_SET) ||
          ((status & IPS_ASSURED) === 0 && lastIndex === TCP_ACK_SET)) &&
        ackNo === load<u32>(e, T_LAST_END)
      ) {
        skipWindow = true;
        break;
      }
      if (
        oldState === TCP_SYN_SENT &&
        lastIndex === TCP_ACK_SET &&
        lastDir === 1 &&
        seq === load<u32>(e, T_LAST_ACK)
      ) {
        skipWindow = true;
      }
      break;
    }
    default:
      break;
  }

  if (!skipWindow) {
    const res = tcpInWindow(e, dir, index, pkt);
    if (res === W_IGNORE) return L4_ACCEPT;
    if (res !== W_ACCEPT) {
      handleInvalid(e, dir, index, now);
      return L4_INVALID;
    }
  }

  // In window.
  setU8(e, T_LAST_INDEX, index);
  setU8(e, T_LAST_DIR, dir);
  setU8(e, T_STATE, newState);
  if (oldState !== newState && newState === TCP_FIN_WAIT)
    setSideFlags(e, dir, sideFlags(e, dir) | FLAG_CLOSE_INIT);

  const stateTimeout = tcpStateTimeout(newState);
  const maxRetransTimeout = setting(ST_TCP_MAX_RETRANS_TIMEOUT);
  const unack = setting(ST_TCP_UNACK);
  let timeout: u32;
  if (u8at(e, T_RETRANS) >= setting(ST_TCP_MAX_RETRANS) && stateTimeout > maxRetransTimeout)
    timeout = maxRetransTimeout;
  else if (index === TCP_RST_SET) timeout = setting(ST_TCP_CLOSE);
  else if (((sideFlags(e, 0) | sideFlags(e, 1)) & FLAG_DATA_UNACKNOWLEDGED) !== 0 && stateTimeout > unack)
    timeout = unack;
  else if (load<u16>(e, T_LAST_WIN) === 0 && stateTimeout > maxRetransTimeout) timeout = maxRetransTimeout;
  else timeout = stateTimeout;

  const status = statusOf(e);
  if ((status & IPS_SEEN_REPLY) === 0) {
    if ((flags & TCP_RST) !== 0) return L4_ACCEPT_KILL;
    if (index === TCP_SYN_SET && oldState === TCP_SYN_SENT) return L4_ACCEPT;
    if (newState === TCP_ESTABLISHED && timeout > unack) timeout = unack;
  } else if (
    (status & IPS_ASSURED) === 0 &&
    (oldState === TCP_SYN_RECV || oldState === TCP_ESTABLISHED) &&
    newState === TCP_ESTABLISHED
  ) {
    setStatus(e, IPS_ASSURED);
  }
  refresh(e, now, seconds(timeout));
  return L4_ACCEPT;
}
