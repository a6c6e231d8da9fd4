// What went wrong (or was merely lossy) while reading a trace. Readers never throw on bad input:
// each problem is counted, the first few are kept with their byte offsets, and reading either
// goes on (the damage is local) or stops (the framing can no longer be trusted).

export type TraceProblemKind =
  /** The file starts with neither a pcap magic nor a pcapng Section Header Block. */
  | 'bad-magic'
  /** A pcap major version other than 2, or a pcapng section whose major version is not 1 (skipped). */
  | 'unsupported-version'
  /** The file ends inside a header, record or block. */
  | 'truncated'
  /** A pcapng block length below 12 or not a multiple of 4, or a pcap record length over the limit. */
  | 'bad-length'
  /** A pcapng block whose trailing length differs from its leading one. */
  | 'length-mismatch'
  /** A packet's captured length runs past the end of its block. */
  | 'packet-exceeds-block'
  /** Captured length larger than the original length (the packet is kept). */
  | 'captured-exceeds-original'
  /** Captured length larger than the interface's snap length (the packet is kept). */
  | 'captured-exceeds-snaplen'
  /** The packet was cut by the capture's snap length (captured < original; kept). */
  | 'snaplen-cut'
  /** A packet names an interface that no Interface Description Block declared (dropped). */
  | 'unknown-interface'
  /** A block too short for its fixed fields, or an option running past its block (dropped). */
  | 'malformed-block'
  /** An option list that runs past its block; the options read so far are kept. */
  | 'malformed-option'
  /** A block type this reader does not know (skipped, as the pcapng spec says). */
  | 'unknown-block'
  /** A timestamp that does not fit signed 64-bit nanoseconds (saturated). */
  | 'timestamp-overflow';

export interface TraceProblem {
  readonly kind: TraceProblemKind;
  /** Byte offset in the file of the header, record or block concerned. */
  readonly offset: number;
  readonly detail: string;
}

export interface TraceProblems {
  /** Number of problems of all kinds. */
  readonly total: number;
  readonly counts: Readonly<Partial<Record<TraceProblemKind, number>>>;
  /** The first problems in file order (at most `TraceProblemLog.keep`). */
  readonly first: readonly TraceProblem[];
  /** Reading ended before the end of the file because the framing could not be trusted. */
  readonly stopped: boolean;
}

/** Mutable collector behind `TraceProblems`. */
export class TraceProblemLog implements TraceProblems {
  total = 0;
  readonly counts: Partial<Record<TraceProblemKind, number>> = {};
  readonly first: TraceProblem[] = [];
  stopped = false;

  constructor(readonly keep = 10) {}

  add(kind: TraceProblemKind, offset: number, detail: string): void {
    this.total++;
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    if (this.first.length < this.keep) this.first.push({ kind, offset, detail });
  }

  /** Records a problem after which reading cannot go on. */
  stop(kind: TraceProblemKind, offset: number, detail: string): void {
    this.add(kind, offset, detail);
    this.stopped = true;
  }

  count(kind: TraceProblemKind): number {
    return this.counts[kind] ?? 0;
  }

  snapshot(): TraceProblems {
    return { total: this.total, counts: { ...this.counts }, first: [...this.first], stopped: this.stopped };
  }
}

/** One line per kind with its count and first offset, for CLIs and test failures. */
export function formatTraceProblems(problems: TraceProblems): string {
  if (problems.total === 0) return 'no problems';
  const lines = Object.entries(problems.counts).map(([kind, n]) => {
    const first = problems.first.find((p) => p.kind === kind);
    return `${kind}: ${n}` + (first ? ` (first at byte ${first.offset}: ${first.detail})` : '');
  });
  if (problems.stopped) lines.push('reading stopped early');
  return lines.join('\n');
}
