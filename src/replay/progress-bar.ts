// A one-line progress bar on a terminal (packets, Mpps, ETA from how far into the file the reader
// is); silent when the stream is not a TTY, so logs and pipes stay clean.

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(s: string): unknown;
}

export interface ProgressBarOptions {
  /** Bytes in the trace file (0: unknown, no ETA). */
  readonly totalBytes: number;
  /** Milliseconds between redraws (default 200). */
  readonly intervalMs?: number;
  /** Clock in ms (tests pass their own). */
  readonly now?: () => number;
}

const WIDTH = 24;

export class ProgressBar {
  private readonly started: number;
  private lastDraw: number;
  private drawn = false;
  private readonly enabled: boolean;
  private readonly now: () => number;

  constructor(
    private readonly stream: ProgressStream,
    private readonly o: ProgressBarOptions,
  ) {
    this.enabled = stream.isTTY === true;
    this.now = o.now ?? (() => performance.now());
    this.started = this.now();
    this.lastDraw = this.started;
  }

  /** Whether it draws at all (a terminal): a run without one need not report every packet. */
  get active(): boolean {
    return this.enabled;
  }

  /** Cheap to call for every packet: it looks at the clock every 4096 packets only. */
  update(packets: number, bytesDone: number): void {
    if (!this.enabled || (packets & 4095) !== 0) return;
    const t = this.now();
    if (t - this.lastDraw < (this.o.intervalMs ?? 200)) return;
    this.lastDraw = t;
    this.stream.write(`\r${this.line(packets, bytesDone, t)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the line once done. */
  finish(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[K');
  }

  line(packets: number, bytesDone: number, t: number): string {
    const seconds = Math.max((t - this.started) / 1000, 1e-9);
    const fraction = this.o.totalBytes > 0 ? Math.min(1, bytesDone / this.o.totalBytes) : 0;
    const filled = Math.round(fraction * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]`;
    const eta = fraction > 0 ? formatSeconds((seconds * (1 - fraction)) / fraction) : '?';
    return `${bar} ${(fraction * 100).toFixed(1)}% ${packets} packets ${(packets / seconds / 1e6).toFixed(3)} Mpps ETA ${eta}`;
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
