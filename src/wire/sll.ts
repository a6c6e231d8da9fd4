// Linux "cooked" capture header (DLT_LINUX_SLL, 16 bytes), what tcpdump -i any writes.
// Layout: packet type, ARPHRD type, link-address length, 8 address bytes, protocol.

import { get16 } from './bytes.js';

export const SLL_HEADER_LEN = 16;

/** sll_pkttype values (include/uapi/linux/if_packet.h). */
export const SLL_PKTTYPE = ['host', 'broadcast', 'multicast', 'otherhost', 'outgoing'] as const;

export class SllView {
  constructor(
    public buf: Uint8Array,
    public off = 0,
    public end = buf.length,
  ) {}

  check(): string | null {
    return this.end - this.off < SLL_HEADER_LEN
      ? `linux-sll header truncated (${this.end - this.off} of 16 bytes)`
      : null;
  }
  get packetType(): number {
    return get16(this.buf, this.off);
  }
  get arphrdType(): number {
    return get16(this.buf, this.off + 2);
  }
  get addressLength(): number {
    return get16(this.buf, this.off + 4);
  }
  get addressOffset(): number {
    return this.off + 6;
  }
  /** The ethertype of the payload. */
  get protocol(): number {
    return get16(this.buf, this.off + 14);
  }
  get payloadOffset(): number {
    return this.off + SLL_HEADER_LEN;
  }
}
