// Matches on fields every rule can test without a module: iptables' `-s -d -i -o -p -f`.

import type { IpNet } from './address.js';

export interface SourceMatch {
  readonly kind: 'source';
  readonly net: IpNet;
  readonly invert: boolean;
}

export interface DestinationMatch {
  readonly kind: 'destination';
  readonly net: IpNet;
  readonly invert: boolean;
}

/** Interface name match; `wildcard` is iptables' trailing `+` (prefix match). */
export interface InterfaceMatch {
  readonly kind: 'in-interface' | 'out-interface';
  readonly name: string;
  readonly wildcard: boolean;
  readonly invert: boolean;
}

/** Layer-4 protocol number (IPPROTO_*); `-p all` is simply no protocol match. */
export interface ProtocolMatch {
  readonly kind: 'protocol';
  readonly protocol: number;
  readonly invert: boolean;
}

/** IPv4 `-f`: the packet is a second or later fragment (fragment offset != 0). */
export interface FragmentMatch {
  readonly kind: 'fragment';
  readonly invert: boolean;
}

export type BaseMatch = SourceMatch | DestinationMatch | InterfaceMatch | ProtocolMatch | FragmentMatch;
