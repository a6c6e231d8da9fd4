// The sysctls the packet path depends on, with the kernel's defaults for the ones a host file
// leaves out. Values are kept as the file gives them (sysctl prints numbers; some hold text).

/** Kernel defaults (fresh network namespace, br_netfilter loaded as Docker does). */
export const SYSCTL_DEFAULTS: Readonly<Record<string, number>> = {
  'net.ipv4.ip_forward': 0,
  'net.ipv6.conf.all.forwarding': 0,
  'net.ipv4.conf.all.route_localnet': 0,
  'net.ipv4.conf.all.rp_filter': 0,
  'net.ipv4.conf.all.accept_local': 0,
  'net.ipv4.conf.all.send_redirects': 1,
  'net.ipv4.conf.all.src_valid_mark': 0,
  'net.ipv4.conf.all.bc_forwarding': 0,
  'net.ipv6.bindv6only': 0,
  'net.netfilter.nf_conntrack_tcp_loose': 1,
  'net.netfilter.nf_conntrack_tcp_be_liberal': 0,
  'net.netfilter.nf_conntrack_max': 262144,
  'net.bridge.bridge-nf-call-iptables': 1,
  'net.bridge.bridge-nf-call-ip6tables': 1,
  'net.bridge.bridge-nf-call-arptables': 1,
  // Conntrack timeouts, seconds (nf_conntrack_proto_*.c).
  'net.netfilter.nf_conntrack_generic_timeout': 600,
  'net.netfilter.nf_conntrack_tcp_timeout_syn_sent': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_syn_recv': 60,
  'net.netfilter.nf_conntrack_tcp_timeout_established': 432000,
  'net.netfilter.nf_conntrack_tcp_timeout_fin_wait': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_close_wait': 60,
  'net.netfilter.nf_conntrack_tcp_timeout_last_ack': 30,
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait': 120,
  'net.netfilter.nf_conntrack_tcp_timeout_close': 10,
  'net.netfilter.nf_conntrack_tcp_timeout_max_retrans': 300,
  'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged': 300,
  'net.netfilter.nf_conntrack_udp_timeout': 30,
  'net.netfilter.nf_conntrack_udp_timeout_stream': 120,
  'net.netfilter.nf_conntrack_icmp_timeout': 30,
  'net.netfilter.nf_conntrack_icmpv6_timeout': 30,
};

export class Sysctls {
  readonly #values: ReadonlyMap<string, number | string>;

  constructor(values: ReadonlyMap<string, number | string>) {
    // sysctl(8) accepts `/` as the separator too; the kernel's names are the dotted ones.
    this.#values = new Map([...values].map(([k, v]) => [k.replaceAll('/', '.'), v]));
    Object.freeze(this);
  }

  /** The value the file gives, or the kernel default, or undefined. */
  get(name: string): number | string | undefined {
    return this.#values.get(name) ?? SYSCTL_DEFAULTS[name];
  }

  /** A numeric sysctl; `fallback` when neither the file nor the defaults know it. */
  number(name: string, fallback = 0): number {
    const v = this.get(name);
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return Number(v.trim());
    return fallback;
  }

  /**
   * A per-interface IPv4 setting (`net.ipv4.conf.<dev>.<name>`): the device's value, else
   * `default`'s (what the device inherited when it was created), combined with `all`'s the way
   * the kernel's IN_DEV_* macro does for this setting.
   */
  ipv4Conf(dev: string, name: string, combine: 'or' | 'and' | 'max' | 'dev'): number {
    const all = this.number(`net.ipv4.conf.all.${name}`);
    const own = this.#values.has(`net.ipv4.conf.${dev}.${name}`)
      ? this.number(`net.ipv4.conf.${dev}.${name}`)
      : this.number(`net.ipv4.conf.default.${name}`, all);
    switch (combine) {
      case 'or':
        return all || own ? 1 : 0;
      case 'and':
        return all && own ? 1 : 0;
      case 'max':
        return Math.max(all, own);
      case 'dev':
        return own;
    }
  }

  /**
   * A per-interface IPv6 setting (`net.ipv6.conf.<dev>.<name>`, idev->cnf): the device's value,
   * else `all`'s for `forwarding` (writing all.forwarding sets every device's, addrconf_forward_change),
   * else `default`'s (what the device inherited when it was created), else `all`'s.
   */
  ipv6Conf(dev: string, name: string): number {
    const key = (scope: string) => `net.ipv6.conf.${scope}.${name}`;
    if (this.#values.has(key(dev))) return this.number(key(dev));
    if (name === 'forwarding' && this.#values.has(key('all'))) return this.number(key('all'));
    if (this.#values.has(key('default'))) return this.number(key('default'));
    return this.number(key('all'));
  }

  /** Whether the file sets this sysctl itself. */
  has(name: string): boolean {
    return this.#values.has(name);
  }

  entries(): IterableIterator<[string, number | string]> {
    return this.#values.entries();
  }
}
