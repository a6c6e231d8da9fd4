// Whether this machine can run the kernel bench: root (namespaces, veths, iptables) and the
// tools it drives. The bench is optional, so a missing piece is a message, not a failure.

import { tryRun } from '../../test/kernel/netns/sh.js';

export const KERNEL_BENCH_TOOLS = [
  'ip',
  'ethtool',
  'iptables-legacy-restore',
  'iptables-legacy-save',
  'tcpprep',
  'tcpreplay',
] as const;

/** Why the bench cannot run ('' when it can), given who we are and which tools exist. */
export function unavailableReason(isRoot: boolean, installed: (tool: string) => boolean): string {
  if (!isRoot) return 'needs root (network namespaces, veth pairs, iptables)';
  const missing = KERNEL_BENCH_TOOLS.filter((t) => !installed(t));
  return missing.length ? `missing ${missing.join(', ')} (Debian: iproute2 ethtool iptables tcpreplay)` : '';
}

export function kernelBenchUnavailable(): string {
  return unavailableReason(
    process.getuid?.() === 0,
    (tool) => tryRun(['sh', '-c', `command -v ${tool}`]).status === 0,
  );
}
