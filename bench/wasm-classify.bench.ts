// Classification throughput: the WebAssembly classifier (one classify call per batch) vs the
// TypeScript table interpreter vs the reference walk (table-walk.ts over the IR), on generated
// kube-proxy dumps (`simple` layout, so every packet is decided in WebAssembly), packets aimed
// at the service IPs and ports, walked from nat PREROUTING.
//
//   npx tsx bench/wasm-classify.bench.ts                       100 / 1k / 10k / 100k rules
//   npx tsx bench/wasm-classify.bench.ts --sizes 1000 --packets 100000 --batch 4096

import { loadavg } from 'node:os';
import { compile } from '../src/compiler/compile.js';
import { type InterpretCallbacks, TableInterpreter } from '../src/compiler/interpret.js';
import type { MatchContext } from '../src/engine/reference/match-context.js';
import { MATCH_EVALUATORS } from '../src/engine/reference/matches/index.js';
import type { EnginePacket } from '../src/engine/reference/packet.js';
import { walkTable } from '../src/engine/reference/table-walk.js';
import { ACCEPT, CONTINUE } from '../src/engine/verdict.js';
import { ResultKind, WasmClassifier } from '../src/engine/wasm/index.js';
import { parseIptablesSave } from '../src/frontend/iptables/restore-parser.js';
import { formatIpv4 } from '../src/ir/address.js';
import type { Match } from '../src/ir/match.js';
import type { Rule, Ruleset } from '../src/ir/ruleset.js';
import { parsePacketSpec } from '../src/wire/packet-text.js';
import { generateKubeProxyDump, Prng } from './generate/kube-proxy.js';

const args = process.argv.slice(2);
const argValue = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const sizes = (argValue('--sizes') ?? '100,1000,10000,100000').split(',').map(Number);
const seed = Number(argValue('--seed') ?? 1);
const packetCount = Number(argValue('--packets') ?? 200_000);
const batchSize = Number(argValue('--batch') ?? 4096);

/** Best wall time of `runs` runs, in ns. */
function best(runs: number, f: () => void): number {
  let ns = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    f();
    ns = Math.min(ns, Number(process.hrtime.bigint() - t0));
  }
  return ns;
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

function context(): MatchContext & { packet: EnginePacket } {
  return {
    family: 'ipv4',
    hook: 'prerouting',
    table: 'nat',
    packet: undefined as unknown as EnginePacket,
    ct: { state: 'new', direction: 'original', entry: null },
    host: { addressType: () => 'UNICAST', reversePathOk: () => true, interfaceGroup: () => 0 },
    now: 0n,
    random: () => 0,
    ruleState: <T>(_r: Rule, _k: object, init: () => T): T => init(),
    sharedState: <T>(_ns: string, _name: string, init: () => T): T => init(),
  } as MatchContext & { packet: EnginePacket };
}

function referencePps(ruleset: Ruleset, packets: EnginePacket[]): number {
  const table = ruleset.tables.find((t) => t.name === 'nat')!;
  const chain = table.chains.find((c) => c.name === 'PREROUTING')!;
  const ctx = context();
  const cb = {
    match: (m: Match, rule: Rule) => MATCH_EVALUATORS[m.kind].test(m as never, ctx, rule),
    target: () => CONTINUE,
    count: () => {},
  };
  const run = () => {
    for (const p of packets) {
      ctx.packet = p;
      walkTable(table, chain, p.bytes.length, cb);
    }
  };
  run();
  return packets.length / (best(3, run) / 1e9);
}

function interpreterPps(interp: TableInterpreter, packets: EnginePacket[]): number {
  const chain = interp.chainIndex('nat', 'PREROUTING');
  const ctx = context();
  const cb: InterpretCallbacks = { target: (t) => (t.kind === 'DNAT' ? ACCEPT : CONTINUE), count: () => {} };
  const run = () => {
    for (const p of packets) {
      ctx.packet = p;
      interp.walk(chain, ctx, p.bytes.length, cb);
    }
  };
  run();
  return packets.length / (best(3, run) / 1e9);
}

/** Batches filled once (the fill is the trace reader's job); timed: the classify calls. */
function wasmPps(
  wasm: WasmClassifier,
  chain: number,
  packets: EnginePacket[],
): { pps: number; fillPps: number; undecided: number } {
  const batches = [] as ReturnType<WasmClassifier['batch']>[];
  const fill = best(1, () => {
    for (let i = 0; i < packets.length; i += batchSize) {
      const b = wasm.batch(batchSize, batchSize * 64);
      for (const p of packets.slice(i, i + batchSize))
        b.add(p.bytes, { chain, iif: p.iif, oif: p.oif, mark: p.mark });
      batches.push(b);
    }
  });
  const run = () => {
    for (const b of batches) wasm.classify(b);
  };
  run();
  let undecided = 0;
  for (const b of batches) {
    const r = b.results();
    for (let i = 0; i < b.count; i++) if (r[2 * i]! >>> 8 >= ResultKind.UNDECIDED_RULE) undecided++;
  }
  return { pps: packets.length / (best(5, run) / 1e9), fillPps: packets.length / (fill / 1e9), undecided };
}

const fmt = (pps: number): string =>
  pps >= 1e6 ? `${(pps / 1e6).toFixed(2)} M` : `${(pps / 1e3).toFixed(1)} k`;
const ns = (pps: number): string => (1e9 / pps).toFixed(1);

console.log(
  `wasm classify benchmark: kube-proxy (simple) dumps, seed ${seed}, packets to service ports via nat PREROUTING, batch ${batchSize}; node ${process.version}, load average ${loadavg()[0]!.toFixed(2)}`,
);
console.log(
  'rules    packets   wasm pps (ns/pkt)      interp pps (ns/pkt)    reference pps (ns/pkt)  wasm/interp  wasm/ref  undecided  batch fill pps',
);
for (const size of sizes) {
  const dump = generateKubeProxyDump({ rules: size, seed, simple: true });
  const ruleset = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
  const table = compile(ruleset);
  const n = size >= 100_000 ? Math.min(packetCount, 20_000) : packetCount;
  const packets = servicePackets(ruleset, n);
  const interp = new TableInterpreter(table);
  const wasm = new WasmClassifier(table);
  const w = wasmPps(wasm, interp.chainIndex('nat', 'PREROUTING'), packets);
  const slow = packets.slice(0, size >= 10_000 ? Math.min(n, 2000) : Math.min(n, 20_000));
  const i = interpreterPps(interp, slow);
  const r = referencePps(ruleset, slow);
  console.log(
    `${String(dump.rules).padEnd(8)} ${String(n).padEnd(9)} ${`${fmt(w.pps)} (${ns(w.pps)})`.padEnd(22)} ${`${fmt(i)} (${ns(i)})`.padEnd(22)} ${`${fmt(r)} (${ns(r)})`.padEnd(23)} ${`${(w.pps / i).toFixed(1)}x`.padEnd(12)} ${`${(w.pps / r).toFixed(0)}x`.padEnd(9)} ${String(w.undecided).padEnd(10)} ${fmt(w.fillPps)}`,
  );
}
