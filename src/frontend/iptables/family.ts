// Which family a ruleset file is for, when the user does not say (-4/-6): ip6tables dumps are
// recognised by name or by IPv6 content.

import type { Family } from '../../ir/address.js';

export function detectFamily(path: string, text: string): Family {
  if (/ip6tables|(^|[/_.-])(rules|v)6\b|6\.rules$|\.v6$/.test(path)) return 'ipv6';
  // IPv6 addresses in -s/-d, or ICMPv6, mean ip6tables.
  if (/(^|\s)(-s|-d|--source|--destination|--src|--dst)\s+!?\s*[0-9a-fA-F]*:[0-9a-fA-F:./]*/m.test(text))
    return 'ipv6';
  // ICMPv6 as a protocol or match, not in a chain's name (`:icmpv6-input`, `-j icmpv6-input`).
  if (/(^|\s)(-p|--protocol|-m|--match)\s+!?\s*(icmpv6|ipv6-icmp|icmp6)(\s|$)|--icmpv6-type\b/m.test(text))
    return 'ipv6';
  return 'ipv4';
}
