// The op stream under construction: ops are whole 4-word slots (see format.ts Op).

import { NONE, SLOT_WORDS } from './format.js';
import { WordBuffer } from './word-buffer.js';

export function opHeader(code: number, flags: number, n: number, slots: number): number {
  return (code | (flags << 8) | (n << 16) | (slots << 24)) >>> 0;
}

export class OpStream {
  readonly words = new WordBuffer();

  /** Slots emitted so far (the next op's slot index). */
  get slots(): number {
    return this.words.length / SLOT_WORDS;
  }

  /** Appends one op; returns its slot index. */
  emit(code: number, flags: number, n: number, field: number, data: readonly number[] = []): number {
    const at = this.slots;
    const slots = Math.max(1, Math.ceil((2 + data.length) / SLOT_WORDS));
    if (n > 0xff || slots > 0xff) throw new Error(`op too large (${n} items, ${slots} slots)`);
    this.words.push(opHeader(code, flags, n, slots));
    this.words.push(field);
    this.words.pushAll(data);
    const pad = slots * SLOT_WORDS - 2 - data.length;
    for (let i = 0; i < pad; i++) this.words.push(0);
    return at;
  }

  /**
   * emit() of an op whose data is `a` then `b` (RANGE: lows, highs), or with `pairs` the pairs
   * a[i] & b[i], b[i] (CMP: masked value, mask) — written straight into the stream: the arrays of
   * data a 100k-rule compile built for each op were a fifth of what it allocated.
   */
  emitTwo(
    code: number,
    flags: number,
    field: number,
    a: readonly number[],
    b: readonly number[],
    pairs: boolean,
  ): number {
    const n = a.length;
    const at = this.slots;
    const slots = Math.max(1, Math.ceil((2 + 2 * n) / SLOT_WORDS));
    if (n > 0xff || slots > 0xff) throw new Error(`op too large (${n} items, ${slots} slots)`);
    const w = this.words;
    w.push(opHeader(code, flags, n, slots));
    w.push(field);
    if (pairs)
      for (let i = 0; i < n; i++) {
        w.push((a[i]! & b[i]!) >>> 0);
        w.push(b[i]! >>> 0);
      }
    else {
      for (let i = 0; i < n; i++) w.push(a[i]!);
      for (let i = 0; i < n; i++) w.push(b[i]!);
    }
    for (let i = 2 + 2 * n; i < slots * SLOT_WORDS; i++) w.push(0);
    return at;
  }

  /** Sets word `word` of the op at slot `slot` (a forward reference once its target is known). */
  patch(slot: number, word: number, value: number): void {
    this.words.set(slot * SLOT_WORDS + word, value);
  }
}

export { NONE };
