// The reference table's expiry index: confirmed connections in a binary min-heap so that
// `expire(now)` visits only the ones that may have expired instead of every entry (the
// WebAssembly table files them in a radix heap instead, assembly/conntrack/expiry.ts; which
// entries a sweep deletes is the same, only the order differs, and nothing observes it).
//
// Timeouts are rewritten on every packet, mostly upwards. So a connection is keyed by a lower
// bound of its timeout: one that grew keeps its key until it reaches the top, where it is
// re-keyed and sifted down; one that shrank below its key is re-keyed and sifted up at once
// (ConnEntry's timeout setter calls `lowered`).

import type { ConnEntry } from './entry.js';

interface Slot {
  readonly entry: ConnEntry;
  /** A lower bound of entry.timeout. */
  key: bigint;
}

export class ExpiryHeap {
  private readonly heap: Slot[] = [];
  private readonly position = new Map<ConnEntry, number>();

  get size(): number {
    return this.heap.length;
  }

  /** Files a connection just confirmed (its timeout now absolute). */
  add(entry: ConnEntry): void {
    if (this.position.has(entry)) return;
    this.heap.push({ entry, key: entry.timeout });
    this.position.set(entry, this.heap.length - 1);
    this.siftUp(this.heap.length - 1);
  }

  /** Takes a connection out (deletion); nothing when it is not filed. */
  remove(entry: ConnEntry): void {
    const i = this.position.get(entry);
    if (i === undefined) return;
    this.position.delete(entry);
    const lastSlot = this.heap.pop()!;
    if (i === this.heap.length) return;
    this.place(lastSlot, i);
    this.siftDown(this.siftUp(i));
  }

  /** A filed connection's timeout went down: key it by the new one. */
  lowered(entry: ConnEntry): void {
    const i = this.position.get(entry);
    if (i === undefined) return;
    const slot = this.heap[i]!;
    if (entry.timeout >= slot.key) return;
    slot.key = entry.timeout;
    this.siftUp(i);
  }

  /** Hands every filed connection whose timeout is <= now to `drop`, which must remove it. */
  due(now: bigint, drop: (entry: ConnEntry) => void): number {
    let n = 0;
    while (this.heap.length > 0 && this.heap[0]!.key <= now) {
      const top = this.heap[0]!;
      if (top.entry.timeout <= now) {
        drop(top.entry);
        this.remove(top.entry);
        n++;
      } else {
        top.key = top.entry.timeout;
        this.siftDown(0);
      }
    }
    return n;
  }

  private place(slot: Slot, i: number): void {
    this.heap[i] = slot;
    this.position.set(slot.entry, i);
  }

  /** Returns where the slot at `i` ended up. */
  private siftUp(i: number): number {
    const slot = this.heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent]!;
      if (p.key <= slot.key) break;
      this.place(p, i);
      i = parent;
    }
    this.place(slot, i);
    return i;
  }

  private siftDown(i: number): void {
    const slot = this.heap[i]!;
    const n = this.heap.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.heap[child + 1]!.key < this.heap[child]!.key) child++;
      const c = this.heap[child]!;
      if (c.key >= slot.key) break;
      this.place(c, i);
      i = child;
    }
    this.place(slot, i);
  }
}
