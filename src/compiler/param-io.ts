// Parameters of extern matches and actions, written and read by one description per kind: a
// codec is a function of (io, value) that returns the value; writing, io records each field and
// returns it; reading, the value is undefined and io returns the next field from the words. So
// the layout (fields in the order the codec names them) cannot drift between the two sides.
//
// Encoding: u32/i32 one word; bool 0/1; string a STRINGS id; u64 low word then high word;
// optional a presence word (0/1) then the value; list a count then the items.

import type { WordBuffer } from './word-buffer.js';

export interface ParamIo {
  u32(v: number | undefined): number;
  i32(v: number | undefined): number;
  bool(v: boolean | undefined): boolean;
  str(v: string | undefined): string;
  u64(v: bigint | undefined): bigint;
  oneOf<T extends string>(values: readonly T[], v: T | undefined): T;
  opt<T>(v: T | undefined, present: boolean, item: (v: T | undefined) => T): T | undefined;
  list<T>(v: readonly T[] | undefined, item: (v: T | undefined) => T): T[];
}

export type Codec<T> = (io: ParamIo, v: T | undefined) => T;

export class ParamWriter implements ParamIo {
  constructor(
    readonly out: WordBuffer,
    private readonly intern: (s: string) => number,
  ) {}
  u32(v: number | undefined): number {
    this.out.push(v!);
    return v!;
  }
  i32(v: number | undefined): number {
    this.out.push(v! | 0);
    return v!;
  }
  bool(v: boolean | undefined): boolean {
    this.out.push(v ? 1 : 0);
    return v!;
  }
  str(v: string | undefined): string {
    this.out.push(this.intern(v!));
    return v!;
  }
  u64(v: bigint | undefined): bigint {
    this.out.push(Number(BigInt.asUintN(32, v!)));
    this.out.push(Number(BigInt.asUintN(32, v! >> 32n)));
    return v!;
  }
  oneOf<T extends string>(values: readonly T[], v: T | undefined): T {
    const i = values.indexOf(v!);
    if (i < 0) throw new Error(`value ${String(v)} not among ${values.join(', ')}`);
    this.out.push(i);
    return v!;
  }
  opt<T>(v: T | undefined, present: boolean, item: (v: T | undefined) => T): T | undefined {
    this.out.push(present ? 1 : 0);
    if (present) item(v);
    return v;
  }
  list<T>(v: readonly T[] | undefined, item: (v: T | undefined) => T): T[] {
    this.out.push(v!.length);
    for (const x of v!) item(x);
    return [...v!];
  }
}

export class ParamReader implements ParamIo {
  constructor(
    private readonly words: Uint32Array,
    public at: number,
    private readonly strings: readonly string[],
  ) {}
  private next(): number {
    if (this.at >= this.words.length) throw new Error('parameters run past the PARAMS section');
    return this.words[this.at++]!;
  }
  u32(): number {
    return this.next();
  }
  i32(): number {
    return this.next() | 0;
  }
  bool(): boolean {
    return this.next() !== 0;
  }
  str(): string {
    const id = this.next();
    const s = this.strings[id];
    if (s === undefined) throw new Error(`string id ${id} out of range`);
    return s;
  }
  u64(): bigint {
    const lo = BigInt(this.next());
    return (BigInt(this.next()) << 32n) | lo;
  }
  oneOf<T extends string>(values: readonly T[]): T {
    const i = this.next();
    const v = values[i];
    if (v === undefined) throw new Error(`enumeration index ${i} out of range`);
    return v;
  }
  opt<T>(_v: T | undefined, _present: boolean, item: (v: T | undefined) => T): T | undefined {
    return this.next() ? item(undefined) : undefined;
  }
  list<T>(_v: readonly T[] | undefined, item: (v: T | undefined) => T): T[] {
    const n = this.next();
    if (n > this.words.length) throw new Error(`list of ${n} items cannot fit`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(undefined));
    return out;
  }
}

/** Drops properties a reader left undefined, so decoded objects look like the IR's. */
export function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** `{ value, invert }` around a codec. */
export function negated<T>(
  io: ParamIo,
  v: { readonly value: T; readonly invert: boolean } | undefined,
  inner: (v: T | undefined) => T,
): { readonly value: T; readonly invert: boolean } {
  return { value: inner(v?.value), invert: io.bool(v?.invert) };
}
