// One tracked connection (struct nf_conn): its two tuples, status, mark, timeout and the
// protocol's private state.

import type { Hook } from '../../ir/ruleset.js';
import type { ExpiryHeap } from './expiry-heap.js';
import { IPS_CONFIRMED } from './status.js';
import type { TcpState } from './tcp-state.js';
import type { Direction, Tuple } from './tuple.js';

/** Per-protocol state: the TCP tracker's, UDP's stream timestamp, or nothing. */
export type ProtoState =
  | { readonly kind: 'tcp'; readonly tcp: TcpState }
  | { readonly kind: 'udp'; streamTs: bigint }
  | { readonly kind: 'none' };

export class ConnEntry {
  /** Allocation order, for listings and to break ties deterministically. */
  readonly id: number;
  readonly tuple: { original: Tuple; reply: Tuple };
  /** Conntrack zone, the same in both directions (NF_CT_DEFAULT_ZONE_DIR). */
  readonly zone: number;
  /** IPS_* bits. */
  status = 0;
  /** ct mark (CONNMARK, `ct mark set`). */
  mark = 0;
  #timeout = 0n;
  /** The table's expiry index while the connection is filed there (a shorter timeout tells it). */
  #expiry: ExpiryHeap | null = null;
  proto: ProtoState;
  /** Packets and bytes per direction (nf_conn_acct), as `conntrack -L -o extended` shows. */
  readonly packets = { original: 0, reply: 0 };
  readonly bytes = { original: 0, reply: 0 };
  /** The hook where each NAT manip was set up, for explanations. */
  natHooks: { src?: Hook; dst?: Hook } = {};

  constructor(id: number, original: Tuple, reply: Tuple, zone: number, proto: ProtoState) {
    this.id = id;
    this.tuple = { original, reply };
    this.zone = zone;
    this.proto = proto;
  }

  /**
   * ct->timeout: before confirmation a relative timeout, afterwards the absolute expiry
   * time in ns (the kernel adds nfct_time_stamp in __nf_conntrack_confirm).
   */
  get timeout(): bigint {
    return this.#timeout;
  }

  set timeout(t: bigint) {
    const lower = t < this.#timeout;
    this.#timeout = t;
    if (lower) this.#expiry?.lowered(this);
  }

  /** Set by the table when it files the connection in its expiry index, cleared on deletion. */
  set expiryIndex(index: ExpiryHeap | null) {
    this.#expiry = index;
  }

  get confirmed(): boolean {
    return (this.status & IPS_CONFIRMED) !== 0;
  }

  /** nf_ct_is_expired: (s32)(timeout - now) <= 0; only meaningful once confirmed. */
  isExpired(now: bigint): boolean {
    return this.confirmed && this.timeout <= now;
  }

  /** nf_ct_expires: time left, 0 when expired. */
  expiresIn(now: bigint): bigint {
    if (!this.confirmed) return this.timeout;
    return this.timeout > now ? this.timeout - now : 0n;
  }

  /**
   * __nf_ct_refresh_acct: set the timeout (relative before confirmation) and count the
   * packet, unless the timeout is fixed (IPS_FIXED_TIMEOUT).
   */
  refresh(dir: Direction, now: bigint, extra: bigint, bytes: number, fixedTimeout: boolean): void {
    if (!fixedTimeout) this.timeout = this.confirmed ? now + extra : extra;
    this.account(dir, bytes);
  }

  account(dir: Direction, bytes: number): void {
    this.packets[dir]++;
    this.bytes[dir] += bytes;
  }
}
