// The host a ruleset runs on: its interfaces, routes, sysctls and local sockets, as read from a
// host file. Immutable; lookups live in routing.ts (IPv6: routing6.ts), address-type.ts,
// source-address.ts (IPv6: source-address6.ts) and sockets.ts.

import type { Route } from './fib.js';
import type { HostInterface } from './interfaces.js';
import type { Address } from './ip-text.js';
import type { Listener, UserlandProxy } from './sockets.js';
import type { Sysctls } from './sysctl.js';

export interface Neighbour {
  readonly address: Address;
  readonly dev: string;
  /** Link-layer address as text (aa:bb:cc:dd:ee:ff); null for an incomplete entry. */
  readonly mac: string | null;
}

export interface Host {
  readonly file: string;
  /** In ifindex order, as the kernel's device list (lo first): source selection depends on it. */
  readonly interfaces: readonly HostInterface[];
  /** Every route: the dump's tables plus the `local` table the kernel derives from addresses. */
  readonly routes: readonly Route[];
  readonly sysctl: Sysctls;
  readonly listeners: readonly Listener[];
  /** Known neighbours (`ip -j neigh`): addresses with the interface and link-layer address. */
  readonly neighbours: readonly Neighbour[];
  readonly proxies: readonly UserlandProxy[];
  /** The interface of this name, if any. */
  interface(name: string): HostInterface | undefined;
}
