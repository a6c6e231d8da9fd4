// Host-namespace state around the rules that decides packet fate or explains it: the sysctls in
// effect and the kernel's SNMP counters (where a packet dropped outside netfilter went).

import { inNs, run } from './sh.js';

const RELEVANT =
  /^net\.ipv4\.(ip_forward|ip_local_port_range|conf\.[^.]+\.(rp_filter|route_localnet|accept_local|forwarding|proxy_arp|accept_redirects|send_redirects|bc_forwarding|arp_ignore|arp_filter|src_valid_mark))$|^net\.ipv6\.conf\.[^.]+\.(forwarding|disable_ipv6)$|^net\.bridge\.|^net\.netfilter\.nf_conntrack_(?!count$|buckets$|max$|expect_max$|frag6)/;

export function readSysctls(ns: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of run(inNs(ns, ['sysctl', '-a'])).split('\n')) {
    const m = /^(\S+) = (.*)$/.exec(line);
    if (m && RELEVANT.test(m[1]!)) out[m[1]!] = m[2]!.replace(/\t/g, ' ');
  }
  return out;
}

/** Non-zero counters of /proc/net/snmp, /proc/net/netstat (and snmp6), keyed "Group.Name". */
export function readSnmp(ns: string): Record<string, number> {
  const out: Record<string, number> = {};
  const text = run(
    inNs(ns, ['sh', '-c', 'cat /proc/net/snmp /proc/net/netstat; cat /proc/net/snmp6 2>/dev/null || true']),
  );
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\w+): (.*)$/.exec(lines[i]!);
    const next = head && /^(\w+): (.*)$/.exec(lines[i + 1] ?? '');
    if (head && next && head[1] === next[1] && !/^-?\d/.test(head[2]!.split(' ')[0]!)) {
      const names = head[2]!.split(' ');
      const values = next[2]!.split(' ');
      names.forEach((n, j) => {
        const v = Number(values[j]);
        if (v) out[`${head[1]}.${n}`] = v;
      });
      i++;
      continue;
    }
    const six = /^(\S+)\s+(\d+)$/.exec(lines[i]!);
    if (six && Number(six[2])) out[`Ip6.${six[1]}`] = Number(six[2]);
  }
  return out;
}
