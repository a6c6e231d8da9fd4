// Compile-time and interpreter-throughput benchmark of the compiled table on generated
// kube-proxy dumps.
//
//   npx tsx bench/compile.bench.ts                1k / 10k / 100k rules
//   npx tsx bench/compile.bench.ts --sizes 1000,10000 --packets 20000 --seed 7
//
// For each size: compile time (best of runs, indexes on), the table's size and index count, and
// the TypeScript interpreter's packets/s through nat PREROUTING (KUBE-SERVICES → KUBE-SVC →
// KUBE-SEP → DNAT) with and without the classification indexes, for packets to random
// service ports. Acceptance later (WebAssembly engine): 100k rules compile in < 1 s.

import { loadavg } from 'node:os';
import { compile } from '../src/compiler/compile.js';
import { type InterpretCallbacks, TableInterpreter } from '../src/compiler/interpret.js';
import type { MatchContext } from '../src/engine/reference/match-context.js';
import type { EnginePacket } from '../src/engine/reference/packet.js';
import { ACCEPT, CONTINUE } from '../src/engine/verdict.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { formatIpv4 } from '../src/ir/address.js';
import type { Rule, Ruleset } from '../src/ir/ruleset.js';
import { parsePacketSpec } from '../src/wire/packet-text.js';
import { generateKubeProxyDump, Prng } from './generate/kube-proxy.js';

const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (argValue('--sizes') ?? '1000,10000,100000').split(',').map(Number);
const seed = Number(argValue('--seed') ?? 1);
const packetCount = Number(argValue('--packets') ?? 20000);

function best<T>(runs: number, f: () => T): { ms: number; value: T } {
  let ms = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    value = f();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, value: value as T };
}

/** Packets to the services KUBE-SERVICES dispatches on (destination/32 + tcp/udp port). */
function servicePackets(ruleset: Ruleset, n: number): EnginePacket[] {
  const targets: string[] = [];
  const nat = ruleset.tables.find((t) => t.name === 'nat')!;
  for (const r of nat.chains.find((c) => c.name === 'KUBE-SERVICES')!.rules) {
    const d = r.matches.find((m) => m.kind === 'destination');
    const l4 = r.matches.find((m) => m.kind === 'tcp' || m.kind === 'udp');
    if (d?.kind === 'destination' && (l4?.kind === 'tcp' || l4?.kind === 'udp') && l4.dport)
      targets.push(
        `${l4.kind} 10.244.1.7:40000 > ${formatIpv4(d.net.addr[0]!)}:${l4.dport.value.from} iif eth0`,
      );
  }
  const prng = new Prng(seed);
  return Array.from({ length: n }, () => {
    const spec = parsePacketSpec(targets[prng.below(targets.length)]!);
    if ('error' in spec) throw new Error(spec.error);
    return {
      bytes: spec.bytes,
      decoded: spec.packet,
      timestampNs: 0n,
      iif: spec.iif,
      oif: null,
      physIn: null,
      physOut: null,
      bridged: false,
      macSrc: null,
      macDst: null,
      mark: 0,
      socket: null,
    };
  });
}

function context(prng: Prng): MatchContext & { packet: EnginePacket } {
  const states = new Map<Rule, Map<object, unknown>>();
  const ctx = {
    family: 'ipv4' as const,
    hook: 'prerouting' as const,
    table: 'nat' as const,
    packet: undefined as unknown as EnginePacket,
    ct: { state: 'new' as const, direction: 'original' as const, entry: null },
    host: {
      addressType: () => 'UNICAST' as const,
      reversePathOk: () => true,
      interfaceGroup: () => 0,
    },
    now: 0n,
    random: () => prng.nextU32(),
    ruleState<T>(rule: Rule, key: object, init: () => T): T {
      let m = states.get(rule);
      if (!m) {
        m = new Map();
        states.set(rule, m);
      }
      if (!m.has(key)) m.set(key, init());
      return m.get(key) as T;
    },
    sharedState<T>(_ns: string, _name: string, init: () => T): T {
      return init();
    },
  };
  return ctx;
}

function throughput(interp: TableInterpreter, packets: EnginePacket[], useIndexes: boolean): number {
  const chain = interp.chainIndex('nat', 'PREROUTING');
  const ctx = context(new Prng(seed));
  const cb: InterpretCallbacks = {
    target: (t) => (t.kind === 'DNAT' ? ACCEPT : CONTINUE),
    count: () => {},
  };
  const run = () => {
    for (const p of packets) {
      ctx.packet = { ...p };
      interp.walk(chain, ctx, p.bytes.length, cb, { useIndexes });
    }
  };
  run(); // warm up (and decode the extern params once)
  const { ms } = best(3, run);
  return packets.length / (ms / 1000);
}

console.log(
  `compiled table benchmark: kube-proxy dumps, seed ${seed}, ${packetCount} packets to service ports; node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'rules    compile ms  (parse ms)  table KiB  indexes  interpreter pps: indexed / linear   speed-up',
);
for (const size of sizes) {
  const dump = generateKubeProxyDump({ rules: size, seed });
  const parsed = best(1, () => parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' }));
  const ruleset = parsed.value;
  const compiled = best(size >= 100_000 ? 3 : 5, () => compile(ruleset));
  const linearTable = compile(ruleset, undefined, { indexes: false });
  const packets = servicePackets(ruleset, size >= 100_000 ? Math.min(packetCount, 2000) : packetCount);
  const indexed = throughput(new TableInterpreter(compiled.value), packets, true);
  const linear = throughput(new TableInterpreter(linearTable), packets, false);
  console.log(
    `${String(dump.rules).padEnd(8)} ${compiled.ms.toFixed(1).padStart(10)}  ${parsed.ms.toFixed(0).padStart(9)}  ` +
      `${(compiled.value.buffer.byteLength / 1024).toFixed(0).padStart(9)}  ${String(compiled.value.sections[12][0]).padStart(7)}  ` +
      `${indexed.toFixed(0).padStart(17)} / ${linear.toFixed(0).padEnd(10)} ${(indexed / linear).toFixed(1)}x`,
  );
}
