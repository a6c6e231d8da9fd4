// One ClassBench filter line (db_generator's output format, as the NeuroCuts/HiCuts/EffiCuts
// baselines use it):
//
//   @192.151.10.0/24<TAB>10.0.0.0/8<TAB>0 : 65535<TAB>1024 : 65535<TAB>0x06/0xFF<TAB>0x0000/0x0200
//
// source prefix, destination prefix, source and destination port ranges (inclusive), protocol
// value/mask and the (optional) flags value/mask. Priority is line order.

import { NfwasmError } from '../../errors.js';

export interface ClassBenchFilter {
  /** Network byte order as a number, already masked to the prefix. */
  readonly src: number;
  readonly srcLen: number;
  readonly dst: number;
  readonly dstLen: number;
  readonly sportLo: number;
  readonly sportHi: number;
  readonly dportLo: number;
  readonly dportHi: number;
  readonly proto: number;
  /** 0 (any protocol) or 0xff. */
  readonly protoMask: number;
  /** The 16-bit flags field, when present (not a TCP flags test: see ruleset.ts). */
  readonly flags: number;
  readonly flagsMask: number;
  /** 1-based line of the file. */
  readonly line: number;
  /** The line as written (without its newline). */
  readonly text: string;
}

/** A cursor over one line; every failure names file:line:column. */
class LineScanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly file: string,
    readonly line: number,
  ) {}

  fail(detail: string, at = this.pos): never {
    throw new NfwasmError({ file: this.file, line: this.line, column: at + 1 }, detail);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipBlanks(): number {
    const start = this.pos;
    while (this.pos < this.text.length && (this.text[this.pos] === ' ' || this.text[this.pos] === '\t'))
      this.pos++;
    return this.pos - start;
  }

  expect(ch: string, what: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${what}, found ${this.found()}`);
    this.pos++;
  }

  found(): string {
    return this.atEnd() ? 'the end of the line' : `'${this.text[this.pos]}'`;
  }

  /** Decimal number in [0, max]. */
  decimal(what: string, max: number): number {
    const start = this.pos;
    while (
      this.pos < this.text.length &&
      this.text.charCodeAt(this.pos) >= 48 &&
      this.text.charCodeAt(this.pos) <= 57
    )
      this.pos++;
    if (this.pos === start) this.fail(`expected ${what}, found ${this.found()}`);
    const v = Number(this.text.slice(start, this.pos));
    if (v > max) this.fail(`${what} ${v} is out of range 0-${max}`, start);
    return v;
  }

  /** `0x` and hex digits, in [0, max]. */
  hex(what: string, max: number): number {
    const start = this.pos;
    if (this.text[this.pos] !== '0' || (this.text[this.pos + 1] !== 'x' && this.text[this.pos + 1] !== 'X'))
      this.fail(`expected ${what} as 0x..., found ${this.found()}`);
    this.pos += 2;
    const digits = this.pos;
    while (this.pos < this.text.length && /[0-9a-fA-F]/.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === digits) this.fail(`expected hex digits of ${what}, found ${this.found()}`);
    const v = Number.parseInt(this.text.slice(digits, this.pos), 16);
    if (v > max) this.fail(`${what} 0x${v.toString(16)} is out of range 0-0x${max.toString(16)}`, start);
    return v;
  }

  separator(what: string): void {
    if (this.skipBlanks() === 0) this.fail(`expected whitespace before ${what}, found ${this.found()}`);
  }
}

function prefix(s: LineScanner, what: string): { addr: number; len: number } {
  let addr = 0;
  for (let i = 0; i < 4; i++) {
    if (i > 0) s.expect('.', `'.' in the ${what} address`);
    addr = addr * 256 + s.decimal(`${what} address byte`, 255);
  }
  s.expect('/', `'/' and the ${what} prefix length`);
  const lenAt = s.pos;
  const len = s.decimal(`${what} prefix length`, 32);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  if ((addr & ~mask) >>> 0 !== 0) s.fail(`${what} address has bits set beyond /${len}`, lenAt);
  return { addr: addr >>> 0, len };
}

function portRange(s: LineScanner, what: string): { lo: number; hi: number } {
  const at = s.pos;
  const lo = s.decimal(`${what} port`, 65535);
  s.skipBlanks();
  s.expect(':', `':' in the ${what} port range`);
  s.skipBlanks();
  const hi = s.decimal(`${what} port`, 65535);
  if (lo > hi) s.fail(`${what} port range ${lo} : ${hi} is empty`, at);
  return { lo, hi };
}

/** Parses one non-blank filter line (`text` without its newline). */
export function parseFilterLine(text: string, file: string, line: number): ClassBenchFilter {
  const s = new LineScanner(text, file, line);
  s.skipBlanks();
  s.expect('@', "'@' starting a filter");
  const src = prefix(s, 'source');
  s.separator('the destination prefix');
  const dst = prefix(s, 'destination');
  s.separator('the source port range');
  const sp = portRange(s, 'source');
  s.separator('the destination port range');
  const dp = portRange(s, 'destination');
  s.separator('the protocol');
  const proto = s.hex('the protocol', 0xff);
  s.expect('/', "'/' and the protocol mask");
  const maskAt = s.pos;
  const protoMask = s.hex('the protocol mask', 0xff);
  if (protoMask !== 0 && protoMask !== 0xff)
    s.fail(`protocol mask 0x${protoMask.toString(16)} is neither 0x00 (any) nor 0xFF (exact)`, maskAt);
  if ((proto & ~protoMask) !== 0) s.fail('protocol has bits set outside its mask', maskAt);
  let flags = 0;
  let flagsMask = 0;
  if (s.skipBlanks() > 0 && !s.atEnd()) {
    flags = s.hex('the flags', 0xffff);
    s.expect('/', "'/' and the flags mask");
    flagsMask = s.hex('the flags mask', 0xffff);
    s.skipBlanks();
  }
  if (!s.atEnd()) s.fail(`unexpected ${s.found()} after the filter`);
  return {
    src: src.addr,
    srcLen: src.len,
    dst: dst.addr,
    dstLen: dst.len,
    sportLo: sp.lo,
    sportHi: sp.hi,
    dportLo: dp.lo,
    dportHi: dp.hi,
    proto,
    protoMask,
    flags,
    flagsMask,
    line,
    text,
  };
}

/** Every filter of a file, in priority (line) order; blank lines are skipped. */
export function parseFilters(text: string, file: string): ClassBenchFilter[] {
  const out: ClassBenchFilter[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (l.trim() === '') continue;
    out.push(parseFilterLine(l, file, i + 1));
  }
  return out;
}
