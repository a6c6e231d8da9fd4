// IPv6 address classes as the kernel computes them (__ipv6_addr_type in net/ipv6/addrconf_core.c):
// the IPV6_ADDR_* type bits and the scope source address selection compares
// (__ipv6_addr_src_scope), plus the default address label table (ip6addrlbl_init_table in
// net/ipv6/addrlabel.c, as `ip addrlabel list` shows it in a fresh namespace).

/** IPV6_ADDR_* bits (include/net/ipv6.h). */
export const IPV6_ADDR = {
  any: 0,
  unicast: 0x1,
  multicast: 0x2,
  loopback: 0x10,
  linklocal: 0x20,
  sitelocal: 0x40,
  compatv4: 0x80,
  mapped: 0x1000,
} as const;

/** IPV6_ADDR_SCOPE_* values; -1 is __IPV6_ADDR_SCOPE_INVALID (the unspecified address). */
export const IPV6_SCOPE = {
  invalid: -1,
  nodelocal: 0x1,
  linklocal: 0x2,
  sitelocal: 0x5,
  global: 0xe,
} as const;

export interface Ipv6Class {
  /** IPV6_ADDR_* bits. */
  readonly type: number;
  /** The scope (__ipv6_addr_src_scope). */
  readonly scope: number;
}

const cls = (type: number, scope: number): Ipv6Class => ({ type, scope });

/** ipv6_addr_scope2type: multicast scopes 1, 2 and 5 also carry the loopback/link/site bit. */
function multicastClass(scope: number): Ipv6Class {
  const extra =
    scope === IPV6_SCOPE.nodelocal
      ? IPV6_ADDR.loopback
      : scope === IPV6_SCOPE.linklocal
        ? IPV6_ADDR.linklocal
        : scope === IPV6_SCOPE.sitelocal
          ? IPV6_ADDR.sitelocal
          : 0;
  return cls(IPV6_ADDR.multicast | extra, scope);
}

/** __ipv6_addr_type for an address as four 32-bit words. */
export function ipv6Class(w: readonly number[]): Ipv6Class {
  const st = w[0]! >>> 0;
  const top3 = st >>> 29;
  // Anything not starting with 000 or 111 is global unicast.
  if (top3 !== 0 && top3 !== 7) return cls(IPV6_ADDR.unicast, IPV6_SCOPE.global);
  if (st >>> 24 === 0xff) return multicastClass((st >>> 16) & 0xf);
  if (st >>> 22 === 0xfe80 >>> 6) return cls(IPV6_ADDR.linklocal | IPV6_ADDR.unicast, IPV6_SCOPE.linklocal);
  if (st >>> 22 === 0xfec0 >>> 6) return cls(IPV6_ADDR.sitelocal | IPV6_ADDR.unicast, IPV6_SCOPE.sitelocal);
  if (st >>> 25 === 0xfc00 >>> 9) return cls(IPV6_ADDR.unicast, IPV6_SCOPE.global); // RFC 4193
  if (st === 0 && w[1] === 0) {
    if (w[2] === 0) {
      if (w[3] === 0) return cls(IPV6_ADDR.any, IPV6_SCOPE.invalid);
      // ::1 has link-local scope for source selection (addr-select 3.4).
      if (w[3] === 1) return cls(IPV6_ADDR.loopback | IPV6_ADDR.unicast, IPV6_SCOPE.linklocal);
      return cls(IPV6_ADDR.compatv4 | IPV6_ADDR.unicast, IPV6_SCOPE.global);
    }
    // v4-mapped: neither unicast nor multicast to the kernel, global scope.
    if (w[2] === 0xffff) return cls(IPV6_ADDR.mapped, IPV6_SCOPE.global);
  }
  return cls(IPV6_ADDR.unicast, IPV6_SCOPE.global);
}

/** rt6_need_strict: multicast, link-local and loopback destinations only use routes on the given device. */
export function needsStrictDevice(w: readonly number[]): boolean {
  return (ipv6Class(w).type & (IPV6_ADDR.multicast | IPV6_ADDR.linklocal | IPV6_ADDR.loopback)) !== 0;
}

export const isMulticast6 = (w: readonly number[]): boolean => w[0]! >>> 24 === 0xff;
export const isUnspecified6 = (w: readonly number[]): boolean => w.every((x) => x === 0);

/** ipv6_addr_diff: the number of leading bits two addresses share (128 when equal). */
export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 4; i++) {
    const x = (a[i]! ^ b[i]!) >>> 0;
    if (x !== 0) return i * 32 + Math.clz32(x);
  }
  return 128;
}

/** The default policy table: prefix words, length, label. */
const LABELS: readonly (readonly [readonly number[], number, number])[] = [
  [[0, 0, 0, 1], 128, 0],
  [[0, 0, 0, 0], 96, 3],
  [[0, 0, 0xffff, 0], 96, 4],
  [[0x20010000, 0, 0, 0], 32, 6],
  [[0x20010010, 0, 0, 0], 28, 7],
  [[0x3ffe0000, 0, 0, 0], 16, 12],
  [[0x20020000, 0, 0, 0], 16, 2],
  [[0xfec00000, 0, 0, 0], 10, 11],
  [[0xfc000000, 0, 0, 0], 7, 5],
  [[0, 0, 0, 0], 0, 1],
];

/** ipv6_addr_label with the default table: the label of the longest matching prefix. */
export function addressLabel(w: readonly number[]): number {
  let best = -1;
  let label = 1;
  for (const [prefix, len, l] of LABELS)
    if (len > best && commonPrefixLength(prefix, w) >= len) {
      best = len;
      label = l;
    }
  return label;
}
