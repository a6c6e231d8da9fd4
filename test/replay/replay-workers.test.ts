import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { genCommand } from '../../src/cli/gen-command.js';
import { replayCommand } from '../../src/cli/replay-command.js';
import { loadRuleset } from '../../src/frontend/load-ruleset.js';
import { parseHostFile } from '../../src/host/index.js';
import { ConnectionSharding } from '../../src/replay/connection-sharding.js';
import { FrameKeyer } from '../../src/replay/frame-keyer.js';
import { ProgressBar } from '../../src/replay/progress-bar.js';
import { ReplayOutputs } from '../../src/replay/replay-outputs.js';
import { replayWithWorkers, WasmRunUnsupported } from '../../src/replay/replay-workers.js';
import { SharedChunks } from '../../src/replay/shared-chunks.js';
import { LinkType, openTrace, PcapngWriter } from '../../src/trace/index.js';

const ROUTED = [
  '--rules',
  'test/fixtures/wasm-engine/docker-routed.v4',
  '--host',
  'test/fixtures/wasm-engine/routed-host.json',
];
const quiet = { progress: { isTTY: false, write: () => {} } };

/**
 * The routed fixture with a rule the WebAssembly walk does not run yet (-m string) in FORWARD:
 * a trace through it falls back to the reference engine at its first forwarded UDP packet.
 */
function unsupportedRules(dir: string): string[] {
  const file = join(dir, 'string.v4');
  writeFileSync(
    file,
    readFileSync(ROUTED[1]!, 'utf8').replace(
      '[5120:402331] -A FORWARD -j DOCKER-USER',
      '-A FORWARD -p udp -m string --string "zz" --algo bm -j DROP\n[5120:402331] -A FORWARD -j DOCKER-USER',
    ),
  );
  return ['--rules', file, '--host', ROUTED[3]!];
}

interface Outputs {
  readonly summary: string;
  readonly counters: string;
  readonly out: Buffer;
  readonly jsonl: string;
  readonly dropped: Buffer;
  readonly json: {
    fates: Record<string, number>;
    fallback?: string;
    workers: number;
    fastPaths?: {
      flowReplays: number;
      flowRefusals: number;
      flowDisplaced: number;
      memoHits: number;
      memoMisses: number;
    };
  };
}

async function replayTo(
  dir: string,
  trace: string,
  name: string,
  extra: string[],
  scenario: string[] = ROUTED,
): Promise<Outputs> {
  const base = join(dir, name);
  const text: string[] = [];
  await replayCommand(
    [
      ...scenario,
      trace,
      ...extra,
      '--counters',
      `${base}.v4`,
      '--out',
      `${base}.pcapng`,
      '--jsonl',
      `${base}.jsonl`,
      '--dropped',
      `${base}.dropped.pcapng`,
      '--json',
      `${base}.json`,
    ],
    (s) => text.push(s),
    quiet,
  );
  return {
    summary: text.join(''),
    counters: readFileSync(`${base}.v4`, 'utf8'),
    out: readFileSync(`${base}.pcapng`),
    jsonl: readFileSync(`${base}.jsonl`, 'utf8'),
    dropped: readFileSync(`${base}.dropped.pcapng`),
    json: JSON.parse(readFileSync(`${base}.json`, 'utf8')),
  };
}

/** A run that only wants counters and the summary (workers then take no per-packet path). */
async function replayCounters(
  dir: string,
  trace: string,
  name: string,
  extra: string[],
  scenario: string[] = ROUTED,
): Promise<Pick<Outputs, 'counters' | 'json'>> {
  const base = join(dir, name);
  await replayCommand(
    [...scenario, trace, ...extra, '--counters', `${base}.v4`, '--json', `${base}.json`],
    () => {},
    quiet,
  );
  return {
    counters: readFileSync(`${base}.v4`, 'utf8'),
    json: JSON.parse(readFileSync(`${base}.json`, 'utf8')),
  };
}

function expectSameOutputs(a: Outputs, b: Outputs): void {
  expect(b.counters).toBe(a.counters);
  expect(b.out.equals(a.out)).toBe(true);
  expect(b.jsonl).toBe(a.jsonl);
  expect(b.dropped.equals(a.dropped)).toBe(true);
  expect(b.json.fates).toEqual(a.json.fates);
  expect(b.json.fallback).toBe(a.json.fallback);
}

describe('replay --workers', () => {
  it('writes the same counters, packets, records and fates with 1, 2 and 3 workers (WebAssembly engine)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-workers-'));
    const trace = join(dir, 'trace.pcapng');
    genCommand(
      [...ROUTED, '-o', trace, '--packets', '20000', '--flows', '300', '--mix', 'tcp=60,udp=40'],
      () => {},
    );
    const one = await replayTo(dir, trace, 'w1', ['--workers', '1']);
    const two = await replayTo(dir, trace, 'w2', ['--workers', '2']);
    const three = await replayTo(dir, trace, 'w3', ['--workers', '3']);
    expect(one.summary).toMatch(/WebAssembly engine\)/);
    expect(two.summary).toMatch(/WebAssembly engine, 2 workers\)/);
    expect(three.json.workers).toBe(3);
    // The trace exercises what sharding must keep together: DNAT'd and MASQUERADEd connections.
    expect(one.jsonl).toMatch(/"ct":\{"state":"ESTABLISHED"/);
    expect(one.counters).toMatch(/\[[1-9]\d*:\d+\] -A DOCKER ! -i docker0 -p tcp -m tcp --dport 80 -j DNAT/);
    expect(one.counters).toMatch(
      /\[[1-9]\d*:\d+\] -A POSTROUTING -s 172\.17\.0\.0\/16 ! -o docker0 -j MASQUERADE/,
    );
    expect(one.out.length).toBeGreaterThan(1000);
    expectSameOutputs(one, two);
    expectSameOutputs(one, three);
    // Each connection's packets meet the flow cache of one worker alike, so the workers'
    // replays add up to one engine's, but for flows the cache lost for want of room: a lost
    // flow's next packet records its way again instead of replaying it. Which flows share a set
    // (and crowd each other out) depends on the split and on the flow hash (one engine lost 2
    // of this trace's flows on 2026-11-22), so the replays may differ by at most the flows
    // lost. Each worker's memo learns on its own. Refused flows, counted apart, give way to the
    // others (and to each other, which is why their count depends on the split).
    expect(one.json.fastPaths!.flowReplays).toBeGreaterThan(5000);
    for (const run of [one, two, three]) expect(run.json.fastPaths!.flowRefusals).toBeGreaterThan(500);
    for (const run of [two, three]) {
      const f = run.json.fastPaths!;
      const lost = one.json.fastPaths!.flowDisplaced + f.flowDisplaced;
      const apart = Math.abs(f.flowReplays - one.json.fastPaths!.flowReplays);
      expect(
        apart,
        `${f.flowReplays} replays against ${one.json.fastPaths!.flowReplays}`,
      ).toBeLessThanOrEqual(lost);
    }
    expect(three.json.fastPaths!.memoHits).toBeGreaterThan(0);
    // Without per-packet outputs both take their lean paths (no packet objects).
    for (const workers of ['1', '2']) {
      const countersOnly = await replayCounters(dir, trace, `c${workers}`, ['--workers', workers]);
      expect(countersOnly.counters).toBe(one.counters);
      expect(countersOnly.json.fates).toEqual(one.json.fates);
    }
  });

  it('falls back to the reference engine as one worker does, naming the same packet', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-workers-'));
    const scenario = unsupportedRules(dir);
    const trace = join(dir, 'trace.pcapng');
    genCommand([...scenario, '-o', trace, '--packets', '2500', '--flows', '60', '--seed', '3'], () => {});
    const one = await replayTo(dir, trace, 'w1', [], scenario);
    const two = await replayTo(dir, trace, 'w2', ['--workers', '2'], scenario);
    expect(one.json.fallback).toMatch(/^packet \d+: the WebAssembly engine does not handle/);
    expect(two.summary).toMatch(
      /reference engine, 2 workers\)\n\(the reference engine ran the trace: packet/,
    );
    expectSameOutputs(one, two);
    const countersOnly = await replayCounters(dir, trace, 'w2c', ['--workers', '2'], scenario);
    expect(countersOnly.json.fallback).toBe(one.json.fallback);
    expect(countersOnly.counters).toBe(one.counters);
  });

  it("keeps kube-proxy's DNAT'd connections whole: cluster IPs from pods, outside clients and the host", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-workers-kube-'));
    // Without ICMP's per-destination rate limit, whose state no sharding keeps whole.
    const host = JSON.parse(readFileSync('test/fixtures/wasm-engine/routed-kube-host.json', 'utf8'));
    host.sysctl['net.ipv4.icmp_ratelimit'] = 0;
    writeFileSync(join(dir, 'host.json'), JSON.stringify(host));
    const kube = ['--rules', 'test/fixtures/wasm-engine/kube-proxy-8.v4', '--host', join(dir, 'host.json')];
    const trace = join(dir, 'trace.pcapng');
    genCommand([...kube, '-o', trace, '--packets', '20000', '--flows', '300'], () => {});
    const one = await replayCounters(dir, trace, 'k1', ['--workers', '1'], kube);
    const two = await replayCounters(dir, trace, 'k2', ['--workers', '2'], kube);
    expect(one.counters).toMatch(/\[[1-9]\d*:\d+\] -A KUBE-SEP-\w+ -p tcp .*-j DNAT/);
    expect(two.counters).toBe(one.counters);
    expect(two.json.fates).toEqual(one.json.fates);
  });

  it('keeps fragments with their datagram: the kernel scenarios with fragments give the same outputs on 1 and 3 workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-workers-frag-'));
    const root = 'test/fixtures/scenarios';
    // Out of order, NAT'd, local, overlapping: what decides where a fragment must go.
    const names = ['frag-out-of-order', 'frag-forward-masquerade', 'frag-local-delivery', 'frag-overlap'];
    for (const name of names) {
      const scenario = ['--rules', `${root}/${name}/rules.v4`, '--host', `${root}/${name}/host.json`];
      const trace = `${root}/${name}/trace.pcapng`;
      const one = await replayTo(dir, trace, `${name}-1`, ['--workers', '1'], scenario);
      const three = await replayTo(dir, trace, `${name}-3`, ['--workers', '3'], scenario);
      expectSameOutputs(one, three);
    }
  });

  it('runs on one worker, and says why, when the ruleset keeps state across connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-workers-'));
    const rules = join(dir, 'limit.v4');
    writeFileSync(
      rules,
      '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m limit --limit 5/sec -j ACCEPT\nCOMMIT\n',
    );
    const text: string[] = [];
    await replayCommand(
      ['--rules', rules, '--host', ROUTED[3]!, 'examples/docker-host/trace.pcapng', '--workers', '2'],
      (s) => text.push(s),
      quiet,
    );
    expect(text.join('')).toMatch(
      /\(one worker: -m limit at .*limit\.v4:5 counts packets of every connection\)/,
    );
  });
});

describe('replayWithWorkers in small rounds', () => {
  /**
   * One run through replayWithWorkers in rounds of `roundPackets`: frames in shared chunks (the
   * default), read by the workers from the file (`traceFd`), and with `keyer` keyed in
   * WebAssembly (frame-keyer.ts), read from the file or staged.
   */
  const run = async (
    scenario: string[],
    trace: string,
    jsonl: string | undefined,
    engine: 'wasm' | 'reference',
    traceFd?: number,
    keyer?: { staging: boolean; stagingBytes?: number; roundPackets: number },
  ) => {
    const rules = { file: scenario[1]!, text: readFileSync(scenario[1]!, 'utf8') };
    const hostText = { file: scenario[3]!, text: readFileSync(scenario[3]!, 'utf8') };
    const outputs = new ReplayOutputs(jsonl ? { jsonl } : {}, { text: () => {}, bytes: () => {} });
    const ruleset = loadRuleset(rules.text, { file: rules.file }).ruleset;
    const host = parseHostFile(hostText.text, { file: hostText.file });
    const sharding = new ConnectionSharding(ruleset, host, 2);
    const frameKeyer = keyer
      ? new FrameKeyer(sharding, 2, { chunkSize: 2048, batchCapacity: 64, maxRecordLength: 4096, ...keyer })
      : undefined;
    // Small chunks, so chunks are read into again while rounds that used them are in flight.
    const chunks = new SharedChunks();
    const reader = openTrace(
      trace,
      frameKeyer ? frameKeyer.readerOptions : { allocateChunk: chunks.allocate, chunkSize: 2048 },
    );
    try {
      return await replayWithWorkers({
        chunks,
        workers: 2,
        init: {
          rules,
          host: hostText,
          engine,
          seed: 1,
          wants: outputs.wants,
          ...(traceFd === undefined ? {} : { traceFd }),
        },
        ruleset,
        host,
        reader,
        outputs,
        progress: new ProgressBar({ isTTY: false, write: () => {} }, { totalBytes: 0 }),
        roundPackets: keyer?.roundPackets ?? 10,
        sharding,
        ...(frameKeyer ? { keyer: frameKeyer } : {}),
      });
    } finally {
      reader.close();
      outputs.close();
    }
  };

  it('merges many rounds back in trace order, and reports the first packet the WebAssembly engine does not take', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-rounds-'));
    const scenario = unsupportedRules(dir);
    const trace = join(dir, 'trace.pcapng');
    genCommand([...scenario, '-o', trace, '--packets', '2500', '--flows', '60', '--seed', '3'], () => {});
    const one = await replayTo(dir, trace, 'one', ['--engine', 'reference'], scenario);
    const r = await run(scenario, trace, join(dir, 'rounds.jsonl'), 'reference');
    expect(readFileSync(join(dir, 'rounds.jsonl'), 'utf8')).toBe(one.jsonl);
    expect(r.summary.fates).toEqual(one.json.fates);
    const failed = await run(scenario, trace, join(dir, 'failed.jsonl'), 'wasm').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(WasmRunUnsupported);
    const wasmOne = await replayTo(dir, trace, 'wasm-one', [], scenario);
    expect(wasmOne.json.fallback).toMatch(/^packet \d+: /);
    expect((failed as Error).message).toBe(wasmOne.json.fallback);
    // The rounds of 10 packets before the failing one were written, in order, and nothing after.
    const failing = Number(/^packet (\d+)/.exec(wasmOne.json.fallback!)![1]);
    expect(failing).toBeGreaterThan(10);
    const written = readFileSync(join(dir, 'failed.jsonl'), 'utf8');
    expect(written.split('\n').length - 1).toBe(Math.floor((failing - 1) / 10) * 10);
    expect(one.jsonl.startsWith(written)).toBe(true);
  });

  it('gives workers the same frames whether they copy them out of the shared chunks or read them from the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-rounds-'));
    const trace = join(dir, 'trace.pcapng');
    genCommand([...ROUTED, '-o', trace, '--packets', '3000', '--flows', '80', '--seed', '5'], () => {});
    const chunked = await run(ROUTED, trace, undefined, 'wasm');
    const fd = openSync(trace, 'r');
    const fromFile = await run(ROUTED, trace, undefined, 'wasm', fd).finally(() => closeSync(fd));
    const one = await replayCounters(dir, trace, 'one', ['--workers', '1']);
    expect(fromFile.summary.fates).toEqual(one.json.fates);
    expect(chunked.summary.fates).toEqual(one.json.fates);
    expect([...fromFile.counters]).toEqual([...chunked.counters]);
    expect(fromFile.counters.some((n: number) => n > 0)).toBe(true);
  });

  it('gives workers the same frames when the main thread keys them in WebAssembly: read from the file, or staged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-rounds-'));
    const trace = join(dir, 'trace.pcapng');
    genCommand([...ROUTED, '-o', trace, '--packets', '3000', '--flows', '80', '--seed', '7'], () => {});
    const one = await replayCounters(dir, trace, 'one', ['--workers', '1']);
    const fd = openSync(trace, 'r');
    const keyedFile = await run(ROUTED, trace, undefined, 'wasm', fd, {
      staging: false,
      roundPackets: 50,
    }).finally(() => closeSync(fd));
    // Staging regions of 8 KiB: rounds end early, every few frames.
    const staged = await run(ROUTED, trace, undefined, 'wasm', undefined, {
      staging: true,
      stagingBytes: 8192,
      roundPackets: 200,
    });
    const chunked = await run(ROUTED, trace, undefined, 'wasm');
    expect(keyedFile.summary.fates).toEqual(one.json.fates);
    expect(staged.summary.fates).toEqual(one.json.fates);
    expect([...keyedFile.counters]).toEqual([...chunked.counters]);
    expect([...staged.counters]).toEqual([...chunked.counters]);
  });

  it('reads raw IP frames (LINKTYPE_RAW, told apart by their version) from the file as one worker takes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-rounds-'));
    const ethernet = join(dir, 'ethernet.pcapng');
    genCommand([...ROUTED, '-o', ethernet, '--packets', '3000', '--flows', '80', '--seed', '6'], () => {});
    const trace = join(dir, 'raw.pcapng');
    const writer = PcapngWriter.toFile(trace);
    for (const p of openTrace(ethernet).packetsSync()) {
      if (p.data[12] !== 0x08 || p.data[13] !== 0x00 || p.interfaceName?.startsWith('@')) continue;
      const id = writer.interfaceFor(p.interfaceName ?? 'eth0', LinkType.Raw);
      writer.writePacket(id, p.timestampNs ?? 0n, p.data.subarray(14));
    }
    await writer.close();
    const one = await replayCounters(dir, trace, 'raw1', ['--workers', '1']);
    const two = await replayCounters(dir, trace, 'raw2', ['--workers', '2']);
    expect(one.json.fates.forwarded).toBeGreaterThan(100);
    expect(two.json.fates).toEqual(one.json.fates);
    expect(two.counters).toBe(one.counters);
  });
});

describe("replay outputs on '-'", () => {
  it('writes --jsonl - and --out - to standard output, the summary to standard error, and no file named -', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-stdout-'));
    const trace = 'examples/docker-host/trace.pcapng';
    const scenario = ['--rules', 'examples/docker-host/rules.v4', '--host', 'examples/docker-host/host.json'];
    await replayCommand(
      [...scenario, trace, '--jsonl', join(dir, 'p.jsonl'), '--out', join(dir, 'o.pcapng')],
      () => {},
      quiet,
    );
    const stdout: string[] = [];
    const stderr: string[] = [];
    await replayCommand([...scenario, trace, '--jsonl', '-'], (s) => stdout.push(s), {
      ...quiet,
      stderr: (s) => stderr.push(s),
    });
    expect(stdout.join('')).toBe(readFileSync(join(dir, 'p.jsonl'), 'utf8'));
    expect(stderr.join('')).toMatch(/packets by fate:/);
    const bytes: Uint8Array[] = [];
    await replayCommand([...scenario, trace, '--out', '-'], () => {}, {
      ...quiet,
      stdoutBytes: (b) => bytes.push(b),
      stderr: () => {},
    });
    expect(Buffer.concat(bytes).equals(readFileSync(join(dir, 'o.pcapng')))).toBe(true);
    expect(existsSync('-')).toBe(false);
  });

  it('refuses two outputs on standard output', async () => {
    await expect(
      replayCommand(
        ['--rules', 'r', '--host', 'h', 't.pcapng', '--jsonl', '-', '--counters', '-'],
        () => {},
        quiet,
      ),
    ).rejects.toThrow(UsageError);
  });
});
