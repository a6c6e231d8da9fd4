import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { genCommand } from '../../src/cli/gen-command.js';
import { replayCommand } from '../../src/cli/replay-command.js';
import { ProgressBar } from '../../src/replay/progress-bar.js';
import { openTrace } from '../../src/trace/index.js';

const SCENARIO = ['--rules', 'examples/docker-host/rules.v4', '--host', 'examples/docker-host/host.json'];

describe('progress bar', () => {
  it('draws packets, Mpps and ETA on a TTY', () => {
    const out: string[] = [];
    let t = 0;
    const bar = new ProgressBar(
      { isTTY: true, write: (s: string) => out.push(s) },
      { totalBytes: 1000, now: () => t },
    );
    t = 1000;
    bar.update(4096, 250);
    bar.finish();
    expect(out[0]).toMatch(/25\.0% 4096 packets 0\.004 Mpps ETA 3s/);
    expect(out.at(-1)).toBe('\r\x1b[K');
  });

  it('stays quiet when the stream is not a TTY', () => {
    const out: string[] = [];
    let t = 0;
    const bar = new ProgressBar(
      { isTTY: false, write: (s: string) => out.push(s) },
      { totalBytes: 1000, now: () => t },
    );
    t = 5000;
    bar.update(4096, 500);
    bar.finish();
    expect(out).toEqual([]);
  });
});

describe('nfwasm replay outputs', () => {
  it('writes the JSON summary, per-packet JSON lines and the dropped packets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-replay-'));
    const trace = join(dir, 'gen.pcapng');
    genCommand([...SCENARIO, '-o', trace, '--packets', '1500', '--flows', '100', '--seed', '5'], () => {});
    let printed = '';
    const progress: string[] = [];
    await replayCommand(
      [
        ...SCENARIO,
        trace,
        '--json',
        join(dir, 's.json'),
        '--jsonl',
        join(dir, 'p.jsonl'),
        '--dropped',
        join(dir, 'd.pcapng'),
      ],
      (s) => {
        printed += s;
      },
      { progress: { isTTY: false, write: (s: string) => progress.push(s) } },
    );
    expect(progress).toEqual([]);
    expect(printed).toMatch(/packets by fate:/);
    expect(printed).toMatch(/conntrack:\n +\d+ +entries at the end/);
    const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    expect(summary.packets).toBe(1500);
    expect(summary.seconds).toBeGreaterThan(0);
    expect(summary.pps).toBeGreaterThan(0);
    expect(summary.topRules.length).toBeGreaterThan(0);
    expect(summary.conntrack.stats.insert).toBeGreaterThan(0);
    const lines = readFileSync(join(dir, 'p.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.number)).toEqual(Array.from({ length: 1500 }, (_, i) => i + 1));
    const fates: Record<string, number> = {};
    for (const l of lines) fates[l.fate] = (fates[l.fate] ?? 0) + 1;
    expect(fates).toEqual(summary.fates);
    const rejected = lines.find((l) => l.fate === 'rejected');
    expect(rejected.decidedBy).toMatch(/^filter INPUT #2 examples\/docker-host\/rules\.v4:\d+$/);
    expect(lines.find((l) => l.fate === 'forwarded').emitted[0].packet).toMatch(/^(tcp|udp|icmp) /);
    const dropped = [...openTrace(join(dir, 'd.pcapng')).packetsSync()];
    expect(dropped.length).toBe((summary.fates.dropped ?? 0) + (summary.fates.rejected ?? 0));
    expect(dropped.some((p) => p.comments[0]?.startsWith('rejected: filter INPUT #2'))).toBe(true);
  });
});

describe('replay --engine', () => {
  const ROUTED = [
    '--rules',
    'test/fixtures/wasm-engine/docker-routed.v4',
    '--host',
    'test/fixtures/wasm-engine/routed-host.json',
  ];
  const quiet = { progress: { isTTY: false, write: () => {} } };

  it('wasm and reference write the same counters, packets and records on a trace the path handles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-engine-'));
    // nfwasm gen's default mix: the host's own packets (@local) and invalid ones included.
    const trace = join(dir, 'trace.pcapng');
    genCommand([...ROUTED, '-o', trace, '--packets', '3000'], () => {});
    const outputs = async (engine: string) => {
      const text: string[] = [];
      const base = join(dir, engine);
      await replayCommand(
        [
          ...ROUTED,
          trace,
          '--engine',
          engine,
          '--counters',
          `${base}.v4`,
          '--out',
          `${base}.pcapng`,
          '--jsonl',
          `${base}.jsonl`,
        ],
        (s) => text.push(s),
        quiet,
      );
      return {
        summary: text.join(''),
        counters: readFileSync(`${base}.v4`, 'utf8'),
        out: readFileSync(`${base}.pcapng`),
        jsonl: readFileSync(`${base}.jsonl`, 'utf8'),
      };
    };
    const w = await outputs('wasm');
    const r = await outputs('reference');
    expect(w.summary).toMatch(/WebAssembly engine\)/);
    expect(r.summary).toMatch(/reference engine\)/);
    // The WebAssembly engine says how much its shortcuts answered; the reference has none.
    const replayed = /(\d+) {2}packets whose way after conntrack the flow cache replayed \((\d+)%\)/.exec(
      w.summary,
    );
    const memo = /(\d+) {2}walks the walk memo replayed, of (\d+) it could have/.exec(w.summary);
    expect(Number(replayed?.[1])).toBeGreaterThan(100);
    expect(Number(memo?.[1])).toBeGreaterThan(100);
    expect(Number(memo?.[1])).toBeLessThanOrEqual(Number(memo?.[2]));
    // Flows the host's INPUT drops, whose packets go on coming (the counters agree below).
    const refused =
      /(\d+) {2}new connections' first packets it dropped as their flow's first was dropped/.exec(w.summary);
    expect(Number(refused?.[1])).toBeGreaterThan(10);
    expect(r.summary).not.toMatch(/fast paths/);
    expect(w.counters).toBe(r.counters);
    expect(w.out.equals(r.out)).toBe(true);
    expect(w.jsonl.split('\n').length).toBe(r.jsonl.split('\n').length);
  });

  it('runs a trace the WebAssembly path does not handle yet on the reference engine, and says why', async () => {
    const text: string[] = [];
    const dir = 'test/fixtures/scenarios/engine-mangle';
    // -m string, which the walk does not run, in front of the scenario's FORWARD rules.
    const rules = join(mkdtempSync(join(tmpdir(), 'nfwasm-string-')), 'string.v4');
    writeFileSync(
      rules,
      readFileSync(`${dir}/rules.v4`, 'utf8').replace(
        ':POSTROUTING ACCEPT [0:0]\n',
        ':POSTROUTING ACCEPT [0:0]\n-A FORWARD -p udp -m string --string "zz" --algo bm\n',
      ),
    );
    await replayCommand(
      ['--rules', rules, '--host', `${dir}/host.json`, `${dir}/trace.pcapng`],
      (s) => text.push(s),
      quiet,
    );
    expect(text.join('')).toMatch(
      /reference engine\)\n\(the reference engine ran the trace: packet 1: .*string/,
    );
    // The figures of the WebAssembly run it gave up on are not the run's.
    expect(text.join('')).not.toMatch(/fast paths/);
  });

  it("runs the bundled example, whose containers are on docker0's ports, in WebAssembly", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nfwasm-example-'));
    const engine = async (name: string) => {
      const text: string[] = [];
      const counters = join(dir, `${name}.v4`);
      await replayCommand(
        [...SCENARIO, 'examples/docker-host/trace.pcapng', '--engine', name, '--counters', counters],
        (s) => text.push(s),
        quiet,
      );
      return { summary: text.join(''), counters: readFileSync(counters, 'utf8') };
    };
    const wasm = await engine('wasm');
    expect(wasm.summary).toMatch(/WebAssembly engine\)/);
    expect(wasm.summary).not.toMatch(/the reference engine ran the trace/);
    expect(wasm.counters).toBe((await engine('reference')).counters);
  });
});
