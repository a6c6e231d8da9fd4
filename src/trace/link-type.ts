// Link-layer header types (LINKTYPE_* of tcpdump.org/linktypes.html) that traces carry. Readers
// pass any value through; these are the ones the replay engine understands.

export const LinkType = {
  /** LINKTYPE_ETHERNET: IEEE 802.3 Ethernet header. */
  Ethernet: 1,
  /** LINKTYPE_RAW: raw IPv4 or IPv6, told apart by the version nibble. */
  Raw: 101,
  /** LINKTYPE_LINUX_SLL: Linux "cooked" capture v1 (tcpdump -i any before libpcap 1.10). */
  LinuxSll: 113,
  /** LINKTYPE_IPV4: raw IPv4 only. */
  Ipv4: 228,
  /** LINKTYPE_IPV6: raw IPv6 only. */
  Ipv6: 229,
  /** LINKTYPE_LINUX_SLL2: Linux "cooked" capture v2, with the ingress interface index. */
  LinuxSll2: 276,
} as const;

export type KnownLinkType = (typeof LinkType)[keyof typeof LinkType];

const NAMES: ReadonlyMap<number, string> = new Map([
  [LinkType.Ethernet, 'ETHERNET'],
  [LinkType.Raw, 'RAW'],
  [LinkType.LinuxSll, 'LINUX_SLL'],
  [LinkType.Ipv4, 'IPV4'],
  [LinkType.Ipv6, 'IPV6'],
  [LinkType.LinuxSll2, 'LINUX_SLL2'],
]);

/** True for the link types the replay engine can decode. */
export function isKnownLinkType(linkType: number): linkType is KnownLinkType {
  return NAMES.has(linkType);
}

/** The LINKTYPE_ name without its prefix, or `LINKTYPE_<n>` for others. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}
