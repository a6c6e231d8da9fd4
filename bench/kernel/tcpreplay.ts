// tcpprep and tcpreplay: the cache file that splits the pcap between two interfaces, the replay
// at top speed from the sender namespace, and what tcpreplay says it did.

import { inNs, run, runAsync, tryRun } from '../../test/kernel/netns/sh.js';

export interface TcpreplayStats {
  /** "Actual: N packets (B bytes) sent in S seconds". */
  readonly packets: number;
  readonly bytes: number;
  readonly seconds: number;
  /** tcpreplay's own rate ("Rated: ... pps"). */
  readonly pps: number;
  /** Summed over both interfaces. */
  readonly failed: number;
  readonly retried: number;
}

/** The summary tcpreplay prints at the end of a run. */
export function parseTcpreplayOutput(text: string): TcpreplayStats {
  const actual = /Actual: (\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds/.exec(text);
  const rated = /Rated: [\d.]+ Bps, [\d.]+ Mbps, ([\d.]+) pps/.exec(text);
  if (!actual || !rated) throw new Error(`tcpreplay printed no summary:\n${text.trim()}`);
  const sum = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
  return {
    packets: Number(actual[1]),
    bytes: Number(actual[2]),
    seconds: Number(actual[3]),
    pps: Number(rated[1]),
    failed: sum(/Failed packets:\s+(\d+)/g),
    retried: sum(/Retried packets \([A-Z]+\):\s+(\d+)/g),
  };
}

/** Writes tcpprep's cache for `pcap`: frames with a source in `cidr` go out the primary interface. */
export function tcpprepCidr(pcap: string, cache: string, cidr: string): void {
  run(['tcpprep', `--cidr=${cidr}`, '--pcap', pcap, '--cachefile', cache, '--no-arg-comment']);
}

export interface ReplayOptions {
  readonly ns: string;
  readonly pcap: string;
  readonly cache: string;
  readonly primaryDev: string;
  readonly secondaryDev: string;
  /** Passes over the file (tcpreplay --loop; the same connections each time). */
  readonly loop: number;
  /**
   * CPU to pin tcpreplay to: a veth hands each frame to the backlog of the CPU that sent it, so a
   * sender that migrates could let frames overtake each other.
   */
  readonly cpu?: number;
}

export async function tcpreplay(options: ReplayOptions): Promise<TcpreplayStats> {
  const argv = [
    'tcpreplay',
    '--topspeed',
    '--preload-pcap',
    '--no-flow-stats',
    `--loop=${options.loop}`,
    `--cachefile=${options.cache}`,
    `--intf1=${options.primaryDev}`,
    `--intf2=${options.secondaryDev}`,
    options.pcap,
  ];
  const pinned =
    options.cpu !== undefined && tryRun(['sh', '-c', 'command -v taskset']).status === 0
      ? ['taskset', '-c', String(options.cpu), ...argv]
      : argv;
  return parseTcpreplayOutput(await runAsync(inNs(options.ns, pinned)));
}
