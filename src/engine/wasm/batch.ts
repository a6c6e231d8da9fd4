// A batch in WebAssembly memory: typed-array views over its META, CT, bytes and result areas,
// rebuilt whenever memory grows (growing detaches the old ArrayBuffer).

import { NONE } from '../../compiler/format.js';
import type { WasmClassifier } from './classifier.js';
import { CT_WORDS, META, META_WORDS, PACKET_PAD, RESULT_WORDS } from './layout.js';

export interface BatchLayout {
  readonly meta: number;
  readonly ct: number;
  readonly bytes: number;
  readonly results: number;
}

/** What one table walk needs to know about a packet besides its bytes. */
export interface PacketMeta {
  /** Base chain index (TableInterpreter.chainIndex / chainIndexOf). */
  readonly chain: number;
  readonly iif: string | null;
  readonly oif: string | null;
  readonly mark: number;
  /** Source MAC (6 bytes) when the packet came in an Ethernet frame. */
  readonly macSrc?: Uint8Array | null;
  /** CT record index from addCt, or NONE. */
  readonly ct?: number;
}

export class WasmBatch {
  readonly layout: BatchLayout;
  count = 0;
  ctCount = 0;
  private used = 0;
  private buffer: ArrayBuffer | null = null;
  private u32 = new Uint32Array(0);
  private u8 = new Uint8Array(0);

  constructor(
    private readonly owner: WasmClassifier,
    readonly capacity: number,
    readonly byteCapacity: number,
    readonly ctCapacity: number,
  ) {
    const x = owner.exports;
    this.layout = {
      meta: x.alloc(capacity * META_WORDS * 4) >>> 0,
      ct: x.alloc(Math.max(1, ctCapacity) * CT_WORDS * 4) >>> 0,
      bytes: x.alloc(byteCapacity + PACKET_PAD) >>> 0,
      results: x.alloc(capacity * RESULT_WORDS * 4) >>> 0,
    };
  }

  /** Views over the whole memory, rebuilt after a grow. */
  views(): { u32: Uint32Array; u8: Uint8Array } {
    const b = this.owner.exports.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.u32 = new Uint32Array(b);
      this.u8 = new Uint8Array(b);
    }
    return { u32: this.u32, u8: this.u8 };
  }

  clear(): void {
    this.count = 0;
    this.ctCount = 0;
    this.used = 0;
  }

  /** Room for one more packet of `length` bytes. */
  fits(length: number): boolean {
    return this.count < this.capacity && this.used + length <= this.byteCapacity;
  }

  /** Appends a packet (IP bytes from the IP header on); returns its index in the batch. */
  add(bytes: Uint8Array, m: PacketMeta): number {
    if (!this.fits(bytes.length)) throw new Error('nfwasm wasm: batch is full');
    const { u32, u8 } = this.views();
    u8.set(bytes, this.layout.bytes + this.used);
    const w = (this.layout.meta >>> 2) + this.count * META_WORDS;
    u32[w + META.OFFSET] = this.used;
    u32[w + META.LENGTH] = bytes.length;
    u32[w + META.CHAIN] = m.chain;
    u32[w + META.IFACES] = this.owner.interfaceIndex(m.iif) | (this.owner.interfaceIndex(m.oif) << 16);
    u32[w + META.MARK] = m.mark >>> 0;
    u32[w + META.CT] = m.ct ?? NONE;
    const mac = m.macSrc;
    u32[w + META.MAC_HI] = mac ? ((mac[0]! << 24) | (mac[1]! << 16) | (mac[2]! << 8) | mac[3]!) >>> 0 : 0;
    u32[w + META.MAC_LO] = mac ? ((mac[4]! << 8) | mac[5]! | 0x10000) >>> 0 : 0;
    this.used += bytes.length;
    return this.count++;
  }

  /** Appends a CT record (CT_WORDS words, see layout.ts); returns its index. */
  addCt(record: ArrayLike<number>): number {
    if (this.ctCount >= this.ctCapacity) throw new Error('nfwasm wasm: batch CT area is full');
    const { u32 } = this.views();
    const w = (this.layout.ct >>> 2) + this.ctCount * CT_WORDS;
    for (let i = 0; i < CT_WORDS; i++) u32[w + i] = (record[i] ?? 0) >>> 0;
    return this.ctCount++;
  }

  /** The results of the last classify: RESULT_WORDS words per packet. */
  results(): Uint32Array {
    const { u32 } = this.views();
    const at = this.layout.results >>> 2;
    return u32.subarray(at, at + this.count * RESULT_WORDS);
  }
}
