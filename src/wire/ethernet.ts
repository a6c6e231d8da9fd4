// Ethernet II frames with up to two 802.1Q / 802.1ad tags, as the kernel's eth_type_trans and
// the VLAN code see them.

import { ByteView } from './byte-view.js';
import { get8, get16, put16 } from './bytes.js';

export const ETH_HEADER_LEN = 14;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_8021AD = 0x88a8;
/** QinQ stacks deeper than this are reported as malformed rather than walked. */
export const MAX_VLAN_TAGS = 2;

export function isVlanEtherType(t: number): boolean {
  return t === ETH_P_8021Q || t === ETH_P_8021AD;
}

/** Checked view of an Ethernet header at `off` in `buf` (bytes up to `end` are available). */
export class EthernetView extends ByteView {
  /** null when the header and its VLAN tags fit; otherwise why not. */
  check(): string | null {
    if (this.end - this.off < ETH_HEADER_LEN)
      return `ethernet header truncated (${this.end - this.off} of 14 bytes)`;
    let tags = 0;
    let type = get16(this.buf, this.off + 12);
    while (isVlanEtherType(type)) {
      if (++tags > MAX_VLAN_TAGS) return `more than ${MAX_VLAN_TAGS} VLAN tags`;
      if (this.end - this.off < ETH_HEADER_LEN + 4 * tags) return 'VLAN tag truncated';
      type = get16(this.buf, this.off + 12 + 4 * tags);
    }
    return null;
  }

  get dstOffset(): number {
    return this.off;
  }
  get srcOffset(): number {
    return this.off + 6;
  }
  /** Group bit of the destination: multicast or broadcast. */
  get dstIsMulticast(): boolean {
    return (get8(this.buf, this.off) & 1) === 1;
  }
  get dstIsBroadcast(): boolean {
    for (let i = 0; i < 6; i++) if (get8(this.buf, this.off + i) !== 0xff) return false;
    return true;
  }
  /** The type field right after the addresses (a TPID when tagged). */
  get outerEtherType(): number {
    return get16(this.buf, this.off + 12);
  }
  set outerEtherType(v: number) {
    put16(this.buf, this.off + 12, v);
  }
  get vlanCount(): number {
    let n = 0;
    while (n <= MAX_VLAN_TAGS && isVlanEtherType(get16(this.buf, this.off + 12 + 4 * n))) n++;
    return n;
  }
  /** Tag control information of tag `i` (0 = outermost). */
  vlanTci(i: number): number {
    return get16(this.buf, this.off + 14 + 4 * i);
  }
  vlanId(i: number): number {
    return this.vlanTci(i) & 0x0fff;
  }
  vlanPcp(i: number): number {
    return this.vlanTci(i) >>> 13;
  }
  /** The ethertype of the payload, after any tags. */
  get etherType(): number {
    return get16(this.buf, this.off + 12 + 4 * this.vlanCount);
  }
  get headerLength(): number {
    return ETH_HEADER_LEN + 4 * this.vlanCount;
  }
  get payloadOffset(): number {
    return this.off + this.headerLength;
  }
}

export interface EthernetFields {
  /** 6 bytes each. */
  readonly dst: ArrayLike<number>;
  readonly src: ArrayLike<number>;
  readonly etherType: number;
  /** Tags outermost first; TPID defaults to 802.1Q. */
  readonly vlans?: readonly { readonly id: number; readonly pcp?: number; readonly tpid?: number }[];
}

/** Writes an Ethernet header at `off`; returns its length. */
export function writeEthernet(buf: Uint8Array, off: number, f: EthernetFields): number {
  for (let i = 0; i < 6; i++) {
    buf[off + i] = f.dst[i] ?? 0;
    buf[off + 6 + i] = f.src[i] ?? 0;
  }
  let o = off + 12;
  for (const v of f.vlans ?? []) {
    put16(buf, o, v.tpid ?? ETH_P_8021Q);
    put16(buf, o + 2, ((v.pcp ?? 0) << 13) | (v.id & 0x0fff));
    o += 4;
  }
  put16(buf, o, f.etherType);
  return o + 2 - off;
}
