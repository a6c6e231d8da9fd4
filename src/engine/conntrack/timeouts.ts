// Conntrack tunables: the kernel's defaults (net/netfilter/nf_conntrack_proto_*.c, tcp_timeouts[],
// udp_timeouts[], nf_ct_icmp_timeout, ...) under their sysctl names
// (/proc/sys/net/netfilter/nf_conntrack_*), overridable by the values the engine reads from a host.

export interface ConntrackSettings {
  /** nf_conntrack_tcp_timeout_* in seconds (tcp_timeouts[] in nf_conntrack_proto_tcp.c). */
  readonly tcpTimeoutSynSent: number;
  readonly tcpTimeoutSynRecv: number;
  readonly tcpTimeoutEstablished: number;
  readonly tcpTimeoutFinWait: number;
  readonly tcpTimeoutCloseWait: number;
  readonly tcpTimeoutLastAck: number;
  readonly tcpTimeoutTimeWait: number;
  readonly tcpTimeoutClose: number;
  /** No sysctl: TCP_CONNTRACK_SYN_SENT2's timeout (2 minutes). */
  readonly tcpTimeoutSynSent2: number;
  /** nf_conntrack_tcp_timeout_max_retrans (TCP_CONNTRACK_RETRANS). */
  readonly tcpTimeoutMaxRetrans: number;
  /** nf_conntrack_tcp_timeout_unacknowledged (TCP_CONNTRACK_UNACK). */
  readonly tcpTimeoutUnacknowledged: number;
  /** nf_conntrack_tcp_loose: pick up connections already established. */
  readonly tcpLoose: boolean;
  /** nf_conntrack_tcp_be_liberal: only out-of-window RSTs are invalid. */
  readonly tcpBeLiberal: boolean;
  /** nf_conntrack_tcp_max_retrans. */
  readonly tcpMaxRetrans: number;
  /** nf_conntrack_tcp_ignore_invalid_rst. */
  readonly tcpIgnoreInvalidRst: boolean;
  /** nf_conntrack_udp_timeout (UDP_CT_UNREPLIED). */
  readonly udpTimeout: number;
  /** nf_conntrack_udp_timeout_stream (UDP_CT_REPLIED). */
  readonly udpTimeoutStream: number;
  /** nf_conntrack_icmp_timeout / nf_conntrack_icmpv6_timeout. */
  readonly icmpTimeout: number;
  readonly icmpv6Timeout: number;
  /** nf_conntrack_generic_timeout. */
  readonly genericTimeout: number;
  /** nf_conntrack_checksum: verify layer-4 checksums in PREROUTING. */
  readonly checksum: boolean;
  /** nf_conntrack_max (0: no limit). The kernel sizes it from memory; this default is typical. */
  readonly max: number;
  /** nf_conntrack_buckets: hash buckets, which decide where early drop looks. */
  readonly buckets: number;
}

export const DEFAULT_SETTINGS: ConntrackSettings = Object.freeze({
  tcpTimeoutSynSent: 120,
  tcpTimeoutSynRecv: 60,
  tcpTimeoutEstablished: 432000,
  tcpTimeoutFinWait: 120,
  tcpTimeoutCloseWait: 60,
  tcpTimeoutLastAck: 30,
  tcpTimeoutTimeWait: 120,
  tcpTimeoutClose: 10,
  tcpTimeoutSynSent2: 120,
  tcpTimeoutMaxRetrans: 300,
  tcpTimeoutUnacknowledged: 300,
  tcpLoose: true,
  tcpBeLiberal: false,
  tcpMaxRetrans: 3,
  tcpIgnoreInvalidRst: false,
  udpTimeout: 30,
  udpTimeoutStream: 120,
  icmpTimeout: 30,
  icmpv6Timeout: 30,
  genericTimeout: 600,
  checksum: true,
  max: 262144,
  buckets: 65536,
});

// sysctl file name (under /proc/sys/net/netfilter/) -> setting.
export const CONNTRACK_SYSCTLS: Readonly<Record<string, keyof ConntrackSettings>> = {
  nf_conntrack_tcp_timeout_syn_sent: 'tcpTimeoutSynSent',
  nf_conntrack_tcp_timeout_syn_recv: 'tcpTimeoutSynRecv',
  nf_conntrack_tcp_timeout_established: 'tcpTimeoutEstablished',
  nf_conntrack_tcp_timeout_fin_wait: 'tcpTimeoutFinWait',
  nf_conntrack_tcp_timeout_close_wait: 'tcpTimeoutCloseWait',
  nf_conntrack_tcp_timeout_last_ack: 'tcpTimeoutLastAck',
  nf_conntrack_tcp_timeout_time_wait: 'tcpTimeoutTimeWait',
  nf_conntrack_tcp_timeout_close: 'tcpTimeoutClose',
  nf_conntrack_tcp_timeout_max_retrans: 'tcpTimeoutMaxRetrans',
  nf_conntrack_tcp_timeout_unacknowledged: 'tcpTimeoutUnacknowledged',
  nf_conntrack_tcp_loose: 'tcpLoose',
  nf_conntrack_tcp_be_liberal: 'tcpBeLiberal',
  nf_conntrack_tcp_max_retrans: 'tcpMaxRetrans',
  nf_conntrack_tcp_ignore_invalid_rst: 'tcpIgnoreInvalidRst',
  nf_conntrack_udp_timeout: 'udpTimeout',
  nf_conntrack_udp_timeout_stream: 'udpTimeoutStream',
  nf_conntrack_icmp_timeout: 'icmpTimeout',
  nf_conntrack_icmpv6_timeout: 'icmpv6Timeout',
  nf_conntrack_generic_timeout: 'genericTimeout',
  nf_conntrack_checksum: 'checksum',
  nf_conntrack_max: 'max',
  nf_conntrack_buckets: 'buckets',
};

/**
 * Settings from sysctl values (`{ nf_conntrack_tcp_loose: 0, ... }`, names with or without the
 * `net.netfilter.` prefix); unknown names are an error so typos don't pass silently.
 */
export function settingsFromSysctls(values: Readonly<Record<string, number>>): ConntrackSettings {
  const out: ConntrackSettings = { ...DEFAULT_SETTINGS };
  for (const [rawName, value] of Object.entries(values)) {
    const name = rawName.replace(/^net\.netfilter\./, '');
    const key = CONNTRACK_SYSCTLS[name];
    if (!key) throw new Error(`conntrack: unknown sysctl ${rawName}`);
    Object.assign(out, { [key]: typeof DEFAULT_SETTINGS[key] === 'boolean' ? value !== 0 : value });
  }
  return out;
}

const NS_PER_SEC = 1_000_000_000n;

/** Seconds as nanoseconds, the unit of packet timestamps. */
export function seconds(s: number): bigint {
  return BigInt(s) * NS_PER_SEC;
}
