// Network interfaces as `ip -j addr show` prints them: index, name, flags, MAC, MTU, the bridge
// they are enslaved to, and their addresses in the kernel's list order (the order matters:
// source address selection takes the first eligible primary address).

import type { Family } from '../ir/address.js';
import { type Address, parseAddressText } from './ip-text.js';
import type { JsonAt } from './json-reader.js';
import { parseScope } from './scope.js';

/** `linkinfo.info_kind` when known; otherwise inferred: loopback, bridge, veth, ether, or the link type. */
export type InterfaceKind = 'loopback' | 'ether' | 'veth' | 'bridge' | (string & {});

export interface InterfaceAddress extends Address {
  readonly prefixLen: number;
  /** The peer of a point-to-point address (`ip addr add A peer P`). */
  readonly peer?: Address;
  /** The explicitly configured broadcast address (`brd`), if any. */
  readonly broadcast?: Address;
  /** Numeric RT_SCOPE (0 global, 200 site, 253 link, 254 host). */
  readonly scope: number;
  /** IPv4 only: a further address in the subnet of an earlier (primary) one. */
  readonly secondary: boolean;
  readonly noPrefixRoute: boolean;
  readonly label?: string;
  /**
   * IPv6 address state (IFA_F_*), present only when set: a tentative (DAD pending or failed)
   * address is not yet assigned, has no local route and is never a source; a deprecated one is
   * avoided as a source; temporary (privacy) ones rank by use_tempaddr.
   */
  readonly tentative?: true;
  readonly deprecated?: true;
  readonly temporary?: true;
  readonly optimistic?: true;
}

export interface HostInterface {
  readonly index: number;
  readonly name: string;
  readonly kind: InterfaceKind;
  readonly flags: readonly string[];
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  /** Carrier present (IFF_LOWER_UP). */
  readonly lowerUp: boolean;
  readonly mtu?: number;
  readonly mac?: string;
  /** The bridge (or other master device) this interface is a port of. */
  readonly master?: string;
  /** The veth peer or lower device iproute2 names in `link`, when in the same namespace. */
  readonly link?: string;
  readonly addresses: readonly InterfaceAddress[];
}

export function addressesOf(iface: HostInterface, family: Family): InterfaceAddress[] {
  return iface.addresses.filter((a) => a.family === family);
}

function parseInterfaceAddress(at: JsonAt): InterfaceAddress | undefined {
  at.object();
  // iproute2 prints lifetime-only entries (no family, no local) for filtered-out addresses.
  if (!at.field('family').present && !at.field('local').present) return undefined;
  const familyText = at.field('family').string();
  const family: Family | undefined =
    familyText === 'inet' ? 'ipv4' : familyText === 'inet6' ? 'ipv6' : undefined;
  if (!family) {
    // Other families (e.g. AF_PACKET on some builds) carry no IP address for the model.
    return undefined;
  }
  const addrAt = (name: string): Address | undefined =>
    at
      .field(name)
      .optional((f) => parseAddressText(f.string(), family) ?? f.fail(`an ${familyText} address`));
  const local = addrAt('local') ?? at.field('local').fail(`an ${familyText} address`);
  const prefixLen = at.field('prefixlen').uint(family === 'ipv4' ? 32 : 128);
  const peer = addrAt('address');
  const scopeAt = at.field('scope');
  const scope = scopeAt.present ? (parseScope(scopeAt.string()) ?? scopeAt.fail('a scope name')) : 0;
  const flag = (name: string) => at.field(name).optional((f) => f.boolean()) ?? false;
  return Object.freeze({
    family,
    words: local.words,
    prefixLen,
    ...(peer && !sameAddress(peer, local) ? { peer } : {}),
    ...(addrAt('broadcast') ? { broadcast: addrAt('broadcast')! } : {}),
    scope,
    secondary: flag('secondary') || flag('temporary'),
    noPrefixRoute: flag('noprefixroute'),
    ...(at.field('label').present ? { label: at.field('label').string() } : {}),
    ...(flag('tentative') || flag('dadfailed') ? { tentative: true as const } : {}),
    ...(flag('deprecated') ? { deprecated: true as const } : {}),
    ...(flag('temporary') ? { temporary: true as const } : {}),
    ...(flag('optimistic') ? { optimistic: true as const } : {}),
  });
}

function sameAddress(a: Address, b: Address): boolean {
  return a.family === b.family && a.words.every((w, i) => w === b.words[i]);
}

interface RawInterface {
  readonly iface: Omit<HostInterface, 'kind'>;
  readonly infoKind?: string;
  readonly linkType?: string;
  readonly otherNetns: boolean;
}

function parseRawInterface(at: JsonAt): RawInterface {
  at.object();
  const flags = at.field('flags').optional((f) => f.array().map((x) => x.string())) ?? [];
  const str = (name: string) => at.field(name).optional((f) => f.string());
  const master = str('master');
  const link = at.field('link').value === null ? undefined : str('link');
  const mtu = at.field('mtu').optional((f) => f.uint());
  const mac = str('address');
  const addresses = (at.field('addr_info').optional((f) => f.array()) ?? [])
    .map(parseInterfaceAddress)
    .filter((a): a is InterfaceAddress => a !== undefined);
  const infoKind = at.field('linkinfo').optional((li) =>
    li
      .object()
      .field('info_kind')
      .optional((k) => k.string()),
  );
  return {
    iface: {
      index: at.field('ifindex').uint(),
      name: at.field('ifname').string(),
      flags: Object.freeze(flags),
      up: flags.includes('UP'),
      lowerUp: flags.includes('LOWER_UP'),
      ...(mtu !== undefined ? { mtu } : {}),
      ...(mac !== undefined ? { mac } : {}),
      ...(master !== undefined ? { master } : {}),
      ...(link !== undefined ? { link } : {}),
      addresses: Object.freeze(addresses),
    },
    ...(infoKind !== undefined ? { infoKind } : {}),
    ...(str('link_type') !== undefined ? { linkType: str('link_type')! } : {}),
    otherNetns: at.field('link_netnsid').present,
  };
}

/**
 * Reads `ip -j addr show`. Without `-d` iproute2 prints no `linkinfo`, so kinds are inferred:
 * an interface named as another's `master` or listed in `bridges` is a bridge; one whose peer
 * lives in another namespace, or whose `link` names an interface that links back, is a veth.
 */
export function parseInterfaces(
  at: JsonAt,
  bridges: ReadonlyMap<string, readonly string[]>,
): HostInterface[] {
  const raws = at.array().map((item) => ({ at: item, raw: parseRawInterface(item) }));
  const byName = new Map<string, RawInterface>();
  const byIndex = new Set<number>();
  for (const { at: item, raw } of raws) {
    if (byIndex.has(raw.iface.index))
      item.field('ifindex').fail('an ifindex not used by an earlier interface');
    if (byName.has(raw.iface.name)) item.field('ifname').fail('a name not used by an earlier interface');
    byIndex.add(raw.iface.index);
    byName.set(raw.iface.name, raw);
  }
  // The `bridges` key names ports a dump may not show as enslaved (e.g. a dump without master).
  const bridgeOf = new Map<string, string>();
  for (const [bridge, ports] of bridges) for (const port of ports) bridgeOf.set(port, bridge);
  const masters = new Set(raws.map((r) => r.raw.iface.master ?? bridgeOf.get(r.raw.iface.name)));
  return raws.map(({ raw }) => {
    const master = raw.iface.master ?? bridgeOf.get(raw.iface.name);
    const iface = master === undefined ? raw.iface : { ...raw.iface, master };
    let kind: InterfaceKind;
    if (raw.infoKind) kind = raw.infoKind;
    else if (iface.flags.includes('LOOPBACK') || raw.linkType === 'loopback') kind = 'loopback';
    else if (bridges.has(iface.name) || masters.has(iface.name)) kind = 'bridge';
    else if (
      raw.otherNetns ||
      (iface.link !== undefined && byName.get(iface.link)?.iface.link === iface.name)
    )
      kind = 'veth';
    else kind = raw.linkType ?? 'other';
    return Object.freeze({ ...iface, kind });
  });
}
