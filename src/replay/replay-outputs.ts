// The per-packet outputs of a replay (`--out`, `--jsonl`, `--dropped`), each a file or, for `-`,
// standard output. They are opened once per command and written in trace order; a run that is
// done again (the WebAssembly engine's fallback to the reference engine) continues after the
// last packet already written instead of writing it twice, which a pipe could not take back.

import { FunctionSink, PcapngWriter } from '../trace/index.js';
import { LineFile } from './line-file.js';
import type { OutcomeWants, PacketOutcome } from './packet-outcome.js';

export interface OutputPaths {
  readonly out?: string | undefined;
  readonly jsonl?: string | undefined;
  readonly dropped?: string | undefined;
}

/** Standard output as text (JSON lines, summaries) and as bytes (pcapng). */
export interface StandardOutput {
  readonly text: (s: string) => void;
  readonly bytes: (b: Uint8Array) => void;
}

export class ReplayOutputs {
  private readonly out: PcapngWriter | undefined;
  private readonly jsonl: LineFile | undefined;
  private readonly dropped: PcapngWriter | undefined;
  /** The highest packet number written so far. */
  private written = 0;
  readonly wants: OutcomeWants;

  constructor(paths: OutputPaths, stdout: StandardOutput) {
    const pcapng = (path: string | undefined) =>
      path === undefined
        ? undefined
        : path === '-'
          ? new PcapngWriter(new FunctionSink(stdout.bytes))
          : PcapngWriter.toFile(path);
    this.out = pcapng(paths.out);
    this.dropped = pcapng(paths.dropped);
    this.jsonl =
      paths.jsonl === undefined ? undefined : new LineFile(paths.jsonl === '-' ? stdout.text : paths.jsonl);
    this.wants = { out: !!this.out, jsonl: !!this.jsonl, dropped: !!this.dropped };
  }

  /** Whether any output needs every packet's outcome. */
  get perPacket(): boolean {
    return this.wants.out || this.wants.jsonl || this.wants.dropped;
  }

  /** Writes a packet's outcome, unless a previous run wrote that packet already. */
  write(o: PacketOutcome): void {
    if (o.number <= this.written) return;
    this.written = o.number;
    if (this.jsonl && o.jsonl !== undefined) this.jsonl.writeLine(o.jsonl);
    if (this.dropped && o.dropped) {
      const d = o.dropped;
      this.dropped.writePacket(this.dropped.interfaceFor(d.iif, d.linkType), o.timestampNs, d.data, {
        comment: d.comment,
        direction: 'inbound',
      });
    }
    if (this.out && o.sent)
      for (const e of o.sent)
        this.out.writePacket(this.out.interfaceFor(e.oif, e.linkType), o.timestampNs, e.bytes, {
          comment: e.comment,
          direction: 'outbound',
        });
  }

  close(): void {
    // File and function sinks finish synchronously: the promises are already settled.
    void this.out?.close();
    void this.dropped?.close();
    this.jsonl?.close();
  }
}
