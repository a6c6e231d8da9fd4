// Differences between what the kernel did with a scenario (KernelResult from test/kernel/netns)
// and what the reference engine did: per-rule and policy counters, and the packets the host
// emitted on each interface, byte for byte (up to the NAT ports the kernel drew at random:
// nat-port-choices.ts). An empty list is agreement.

import type { Ruleset } from '../../src/ir/ruleset.js';
import type { KernelResult } from '../kernel/netns/kernel-result.js';
import { emittedOn } from '../kernel/netns/result-queries.js';
import type { EngineRun } from './engine-run.js';
import { NatPortChoices } from './nat-port-choices.js';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/**
 * The IP datagram of an emitted packet, with what the kernel chooses at random cleared: the IP id
 * (and so the header checksum) of ICMP errors the host generates (ip_select_ident), and a
 * SYN-ACK's initial sequence number and timestamp value (and so its TCP checksum).
 */
function comparable(ip: Uint8Array): string {
  const b = Uint8Array.from(ip);
  const l4 = (b[0]! & 15) * 4;
  // Echo replies the host sends (icmp_reply) take their id from ip_select_ident too.
  const icmpError = b[0]! >>> 4 === 4 && b[9] === 1 && [0, 3, 4, 5, 11, 12].includes(b[l4] ?? 0);
  if (icmpError) b.fill(0, 4, 6).fill(0, 10, 12);
  const synAck = b[0]! >>> 4 === 4 && b[9] === 6 && (b[l4 + 13]! & 0x17) === 0x12;
  if (synAck) {
    b.fill(0, l4 + 4, l4 + 8).fill(0, l4 + 16, l4 + 18);
    // The timestamp option's value (kind 8) is the kernel's own clock.
    for (let i = l4 + 20; i < l4 + (b[l4 + 12]! >>> 4) * 4; ) {
      if (b[i] === 0) break;
      if (b[i] === 1) {
        i++;
        continue;
      }
      if (b[i] === 8) b.fill(0, i + 2, i + 6);
      i += Math.max(2, b[i + 1]!);
    }
  }
  return hex(b);
}

/** Per-rule and policy counters (IPv4) that differ, one line each; `ruleset` holds nfwasm's. */
export function counterDiffs(kernel: Pick<KernelResult, 'counters'>, ruleset: Ruleset): string[] {
  const diffs: string[] = [];
  for (const kt of kernel.counters.ipv4 ?? []) {
    const t = ruleset.tables.find((x) => x.name === kt.table);
    if (!t) {
      diffs.push(`table ${kt.table}: the kernel has it, nfwasm does not`);
      continue;
    }
    for (const kc of kt.chains) {
      const c = t.chains.find((x) => x.name === kc.chain);
      if (!c) {
        diffs.push(`${kt.table} ${kc.chain}: missing in nfwasm`);
        continue;
      }
      if (c.base && (BigInt(kc.packets) !== c.counters.packets || BigInt(kc.bytes) !== c.counters.bytes)) {
        diffs.push(
          `${kt.table} ${kc.chain} policy: kernel ${kc.packets} packets/${kc.bytes} bytes, nfwasm ${c.counters.packets}/${c.counters.bytes}`,
        );
      }
      kc.rules.forEach((kr, i) => {
        const r = c.rules[i];
        if (!r) {
          diffs.push(`${kt.table} ${kc.chain} #${i + 1}: missing in nfwasm`);
          return;
        }
        if (BigInt(kr.packets) !== r.counters.packets || BigInt(kr.bytes) !== r.counters.bytes) {
          diffs.push(
            `${kt.table} ${kc.chain} #${i + 1} (${kr.rule}): kernel ${kr.packets}/${kr.bytes}, nfwasm ${r.counters.packets}/${r.counters.bytes}`,
          );
        }
      });
    }
  }
  return diffs;
}

/**
 * The connection tables after the trace, `conntrack -L` against the engine's listing: protocol,
 * both tuples, TCP state and the ASSURED/UNREPLIED flags (timeouts are left out: the kernel is
 * read a moment after the last packet, on its own clock). ICMP tuples compare addresses only
 * (conntrack's XML listing omits type, code and id). A reply port NAT drew at random is the one
 * allowance, as for packets.
 */
function conntrackDiffs(kernel: KernelResult, run: EngineRun, natPorts: NatPortChoices): string[] {
  const PORTED = new Set([6, 17, 33, 132, 136]);
  const ep = (addr: string, port: number | string | undefined, ported: boolean) =>
    ported ? `${addr}:${port ?? 0}` : addr;
  const line = (proto: number, o: Endpoints, r: Endpoints, state: string, flags: readonly string[]) => {
    const ported = PORTED.has(proto);
    const key = `${proto} ${o.src}:${o.sport ?? 0} ${o.dst}:${o.dport ?? 0}`;
    const random = natPorts.randomReplyPort.has(key);
    return `${proto} ${ep(o.src, o.sport, ported)} > ${ep(o.dst, o.dport, ported)} reply ${ep(
      r.src,
      random ? '*' : r.sport,
      ported,
    )} > ${ep(r.dst, random ? '*' : r.dport, ported)} ${state} [${[...flags].sort().join(',')}]`;
  };
  const theirs = kernel.conntrack
    .filter((c) => c.family === 'ipv4')
    .map((c) => line(c.protonum, c.original, c.reply, c.state ?? '', c.flags))
    .sort();
  const word = (w: number) => `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  const mine = run.engine
    .connections()
    .filter((c) => c.original.family === 'ipv4')
    .map((c) => {
      const t = (x: typeof c.original): Endpoints => ({
        src: word(x.src[0]!),
        dst: word(x.dst[0]!),
        sport: x.sport,
        dport: x.dport,
      });
      const flags = [
        ...(c.statusNames.includes('ASSURED') ? ['ASSURED'] : []),
        ...(c.statusNames.includes('SEEN_REPLY') ? [] : ['UNREPLIED']),
      ];
      return line(c.protocol, t(c.original), t(c.reply), c.tcpState ?? '', flags);
    })
    .sort();
  const diffs: string[] = [];
  const left = [...mine];
  for (const k of theirs) {
    const i = left.indexOf(k);
    if (i >= 0) left.splice(i, 1);
    else diffs.push(`conntrack: the kernel has ${k}, nfwasm does not`);
  }
  for (const m of left) diffs.push(`conntrack: nfwasm has ${m}, the kernel does not`);
  return diffs;
}

interface Endpoints {
  readonly src: string;
  readonly dst: string;
  readonly sport?: number | undefined;
  readonly dport?: number | undefined;
}

function emittedDiffs(kernel: KernelResult, run: EngineRun, natPorts: NatPortChoices): string[] {
  const diffs: string[] = [];
  const ours = new Map<string, string[]>();
  for (const r of run.results)
    for (const e of r.emitted) ours.set(e.oif, [...(ours.get(e.oif) ?? []), comparable(e.bytes)]);
  const bridges = new Set(Object.values(kernel.bridgePorts));
  const names = new Set([
    ...ours.keys(),
    ...Object.keys(kernel.emitted).map((n) => kernel.bridgePorts[n] ?? n),
    ...bridges,
  ]);
  for (const name of names) {
    const theirs = emittedOn(kernel, name).map((p) => {
      const frame = Buffer.from(p.hex, 'hex');
      const ipStart = frame.readUInt16BE(12) === 0x8100 ? 18 : 14;
      return comparable(natPorts.substitute(frame.subarray(ipStart)));
    });
    const mine = ours.get(name) ?? [];
    const n = Math.max(theirs.length, mine.length);
    for (let i = 0; i < n; i++) {
      if (theirs[i] !== mine[i]) {
        diffs.push(
          `${name} emitted #${i + 1}:\n      kernel ${theirs[i] ?? '(nothing)'}\n      nfwasm ${mine[i] ?? '(nothing)'}`,
        );
      }
    }
  }
  return diffs;
}

export function differences(kernel: KernelResult, run: EngineRun): string[] {
  // Ports the kernel's NAT drew at random, replaced by the engine's (nat-port-choices.ts).
  const natPorts = new NatPortChoices(kernel.conntrack, run.engine.connections(), run.ruleset);
  return [
    ...counterDiffs(kernel, run.engine.rulesetWithCounters()),
    ...emittedDiffs(kernel, run, natPorts),
    ...conntrackDiffs(kernel, run, natPorts),
  ];
}
