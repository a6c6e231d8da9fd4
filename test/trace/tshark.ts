// tshark as the oracle: one run per file prints, per frame, a summary line with the fields we
// compare and the frame's bytes as a hex dump (dissection off, so only the frame's own bytes).

import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TsharkFrame {
  readonly number: number;
  /** Section-local interface ID; undefined for classic pcap and for non-packet records. */
  readonly interfaceId: number | undefined;
  readonly interfaceName: string | undefined;
  /** undefined when the record has no timestamp (Simple Packet Block). */
  readonly timeNs: bigint | undefined;
  readonly length: number;
  readonly capturedLength: number;
  readonly hex: string;
}

export interface TsharkResult {
  readonly frames: TsharkFrame[];
  /** tshark's exit status: non-zero when it stopped on a damaged file. */
  readonly status: number;
  readonly stderr: string;
}

let version: string | undefined;

/** tshark's version line, or '' when it is not installed. */
export function tsharkVersion(): string {
  version ??= (spawnSync('tshark', ['-v'], { encoding: 'utf8' }).stdout ?? '').split('\n')[0] ?? '';
  return version;
}

export function tsharkAvailable(): boolean {
  return tsharkVersion() !== '';
}

const COLUMNS =
  'gui.column.format:"No.","%m","T","%Cus:frame.time_epoch:0:R","L","%Cus:frame.len:0:R",' +
  '"C","%Cus:frame.cap_len:0:R","I","%Cus:frame.interface_id:0:R","N","%Cus:frame.interface_name:0:R"';

export function tsharkArgs(file: string): string[] {
  return ['-r', file, '-P', '-x', '--disable-protocol', 'all', '-o', COLUMNS];
}

/** "1340954905.298858000" (or negative) to exact nanoseconds. */
export function epochToNs(text: string): bigint | undefined {
  if (text === '') return undefined;
  const negative = text.startsWith('-');
  const [s = '0', f = ''] = (negative ? text.slice(1) : text).split('.');
  const ns = BigInt(s) * 1_000_000_000n + BigInt(f.padEnd(9, '0').slice(0, 9));
  return negative ? -ns : ns;
}

export function parseTsharkOutput(stdout: string): TsharkFrame[] {
  const frames: TsharkFrame[] = [];
  let current: { head: string[]; hex: string[]; done: boolean } | undefined;
  const finish = (): void => {
    if (!current) return;
    const [number = '', time = '', length = '', captured = '', id = '', ...name] = current.head;
    frames.push({
      number: Number(number),
      timeNs: epochToNs(time),
      length: Number(length),
      capturedLength: Number(captured),
      interfaceId: id === '' ? undefined : Number(id),
      interfaceName: name.length === 0 || name.join(' ') === '' ? undefined : name.join(' '),
      hex: current.hex.join(''),
    });
  };
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const hex = /^([0-9a-f]{4,}) {2}((?:[0-9a-f]{2} )*[0-9a-f]{2})/.exec(line);
    if (hex) {
      // A second dump starting at offset 0 is another data source (reassembly): not the frame.
      if (current && !(current.hex.length > 0 && Number.parseInt(hex[1]!, 16) === 0) && !current.done)
        current.hex.push(hex[2]!.replaceAll(' ', ''));
      else if (current) current.done = true;
    } else if (/^ *\d+ /.test(line) || /^ *\d+$/.test(line)) {
      finish();
      current = { head: line.trimStart().split(' '), hex: [], done: false };
    }
  }
  finish();
  return frames;
}

interface RawRun {
  readonly stdout: string;
  readonly status: number;
  readonly stderr: string;
}

/**
 * tshark costs ~0.3 s of CPU per file, so runs are cached in the temp directory by tshark version
 * and file contents (the corpus is read-only; a changed file gets a new key).
 */
function cachePath(file: string): string {
  const key = createHash('sha1')
    .update(tsharkVersion())
    .update(COLUMNS)
    .update(readFileSync(file))
    .digest('hex');
  const dir = join(tmpdir(), 'nfwasm-tshark-cache');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${key}.json`);
}

function fromRun(run: RawRun): TsharkResult {
  return {
    frames: parseTsharkOutput(run.stdout),
    status: run.status,
    stderr: run.stderr.replace(/^Running as user.*\n/m, ''),
  };
}

export function tshark(file: string): Promise<TsharkResult> {
  const cache = cachePath(file);
  try {
    return Promise.resolve(fromRun(JSON.parse(readFileSync(cache, 'utf8')) as RawRun));
  } catch {
    // not cached yet
  }
  return new Promise((resolve) => {
    execFile('tshark', tsharkArgs(file), { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const run = { stdout, stderr, status: error ? (typeof error.code === 'number' ? error.code : 1) : 0 };
      writeFileSync(cache, JSON.stringify(run));
      resolve(fromRun(run));
    });
  });
}

export function tsharkSync(file: string): TsharkResult {
  const r = spawnSync('tshark', tsharkArgs(file), { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return {
    frames: parseTsharkOutput(r.stdout),
    status: r.status ?? 1,
    stderr: r.stderr.replace(/^Running as user.*\n/m, ''),
  };
}

/** Runs `f` over `items` with at most `limit` at a time. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  f: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
