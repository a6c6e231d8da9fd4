// Protocol names as iptables resolves them: its built-in table (libxtables xtables_chain_protos)
// first, then the system's /etc/protocols, here Debian netbase's, so results do not depend on the
// machine nfwasm runs on.

/** xtables_chain_protos, in its order (the first name for a number is the one printed). */
const XTABLES_PROTOS: readonly (readonly [string, number])[] = [
  ['tcp', 6],
  ['sctp', 132],
  ['udp', 17],
  ['udplite', 136],
  ['icmp', 1],
  ['ipv6-icmp', 58],
  ['icmpv6', 58],
  ['esp', 50],
  ['ah', 51],
  ['mobility-header', 135],
  ['ipv6-mh', 135],
  ['mh', 135],
  ['dccp', 33],
  ['ipcomp', 108],
  ['all', 0],
];

/** Debian netbase /etc/protocols: name and number (aliases are upper-case names, never reached after lowercasing). */
const ETC_PROTOCOLS: readonly (readonly [string, number])[] = [
  ['ip', 0],
  ['hopopt', 0],
  ['icmp', 1],
  ['igmp', 2],
  ['ggp', 3],
  ['ipencap', 4],
  ['st', 5],
  ['tcp', 6],
  ['egp', 8],
  ['igp', 9],
  ['pup', 12],
  ['udp', 17],
  ['hmp', 20],
  ['xns-idp', 22],
  ['rdp', 27],
  ['iso-tp4', 29],
  ['dccp', 33],
  ['xtp', 36],
  ['ddp', 37],
  ['idpr-cmtp', 38],
  ['ipv6', 41],
  ['ipv6-route', 43],
  ['ipv6-frag', 44],
  ['idrp', 45],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['skip', 57],
  ['ipv6-icmp', 58],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['rspf', 73],
  ['vmtp', 81],
  ['eigrp', 88],
  ['ospf', 89],
  ['ax.25', 93],
  ['ipip', 94],
  ['etherip', 97],
  ['encap', 98],
  ['pim', 103],
  ['ipcomp', 108],
  ['vrrp', 112],
  ['l2tp', 115],
  ['isis', 124],
  ['sctp', 132],
  ['fc', 133],
  ['mobility-header', 135],
  ['udplite', 136],
  ['mpls-in-ip', 137],
  ['manet', 138],
  ['hip', 139],
  ['shim6', 140],
  ['wesp', 141],
  ['rohc', 142],
  ['ethernet', 143],
  ['mptcp', 262],
];

/** xtables_parse_protocol after iptables lowercased the argument; undefined when unknown. */
export function protocolNumber(
  name: string,
  parseNumber: (s: string) => number | undefined,
): number | undefined {
  const n = parseNumber(name);
  if (n !== undefined) return n;
  for (const [pname, num] of XTABLES_PROTOS) if (pname === name) return num;
  for (const [pname, num] of ETC_PROTOCOLS) if (pname === name && num <= 255) return num;
  return undefined;
}

/** proto_to_name as iptables-save uses it: built-in names, then /etc/protocols, else undefined. */
export function protocolName(num: number): string | undefined {
  for (const [pname, n] of XTABLES_PROTOS) if (n === num) return pname;
  if (num === 0) return undefined;
  for (const [pname, n] of ETC_PROTOCOLS) if (n === num) return pname;
  return undefined;
}

/** The match module implicitly loaded for `-p NAME` (find_proto). */
export function protocolMatchName(num: number): string | undefined {
  return protocolName(num);
}
