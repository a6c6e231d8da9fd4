// "What the kernel did" with a scenario: the JSON the engine's results will be compared with.

export interface KernelResult {
  readonly format: 'nfwasm-kernel-result/1';
  readonly scenario: string;
  /** `uname -r` of the kernel that produced it. */
  readonly kernel: string;
  /** The trace as replayed: one entry per packet, in trace order. */
  readonly injected: readonly InjectedPacket[];
  /** Per family loaded (rules.v4 → ipv4, rules.v6 → ipv6): iptables-save -c after the replay. */
  readonly counters: { readonly ipv4?: readonly TableCounters[]; readonly ipv6?: readonly TableCounters[] };
  /** conntrack -L (both families) after the replay. */
  readonly conntrack: readonly ConntrackEntry[];
  /**
   * Frames the host sent, by host interface (a bridge's traffic under each port it left by),
   * in the order the kernel sent them; ARP/ND/MLD housekeeping is in `linkControl` instead.
   */
  readonly emitted: Readonly<Record<string, readonly EmittedPacket[]>>;
  readonly linkControl: Readonly<Record<string, readonly EmittedPacket[]>>;
  /** Host interface → the bridge it is a port of. */
  readonly bridgePorts: Readonly<Record<string, string>>;
  /** Sysctls in effect in the host namespace that decide packet fate (after the host JSON's). */
  readonly sysctl: Readonly<Record<string, string>>;
  /** Non-zero SNMP counters of the host namespace (/proc/net/snmp, netstat), e.g. "Ip.InAddrErrors". */
  readonly snmp: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
}

export interface InjectedPacket {
  readonly index: number;
  readonly ifName: string;
  /** Host interface whose peer actually sent it (a bridge's first port for a bridge). */
  readonly via: string;
  /** Seconds after the replay started. */
  readonly at: number;
  readonly summary: string;
}

export interface EmittedPacket {
  /** Position among all frames the host emitted, over every interface. */
  readonly seq: number;
  /** Seconds after the replay started (kernel receive timestamp at the peer). */
  readonly at: number;
  readonly hex: string;
  /** tcpdump-like description, for people and loose assertions. */
  readonly summary: string;
}

export interface TableCounters {
  readonly table: string;
  readonly chains: readonly ChainCounters[];
}

export interface ChainCounters {
  readonly chain: string;
  /** Built-in chains: the policy and its counters; user chains: null and zeros. */
  readonly policy: string | null;
  readonly packets: number;
  readonly bytes: number;
  readonly rules: readonly RuleCounters[];
}

export interface RuleCounters {
  /** 1-based, as `iptables -L --line-numbers` numbers rules. */
  readonly index: number;
  /** The rule as iptables-save prints it, without counters ("-A INPUT -p tcp ... -j ACCEPT"). */
  readonly rule: string;
  readonly packets: number;
  readonly bytes: number;
}

export interface ConntrackTuple {
  readonly src: string;
  readonly dst: string;
  readonly sport?: number;
  readonly dport?: number;
  /** ICMP: type, code, id. */
  readonly type?: number;
  readonly code?: number;
  readonly id?: number;
}

export interface ConntrackEntry {
  readonly family: 'ipv4' | 'ipv6';
  readonly proto: string;
  readonly protonum: number;
  readonly original: ConntrackTuple;
  /** The reply tuple: a NAT'ed connection's rewritten addresses and ports show here. */
  readonly reply: ConntrackTuple;
  /** TCP state (SYN_SENT, ESTABLISHED, ...); absent for other protocols. */
  readonly state?: string;
  /** Seconds left at read time. */
  readonly timeout: number;
  readonly mark: number;
  readonly zone?: number;
  /** Status flags conntrack prints: ASSURED, UNREPLIED. */
  readonly flags: readonly string[];
}
