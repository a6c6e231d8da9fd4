// Interned strings (interface names, chain names, comments, source text, set and list names):
// the table refers to them by index. Section layout: count, count + 1 byte offsets into the
// UTF-8 blob that follows (offsets relative to the blob), the blob padded to a word.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class StringTableBuilder {
  private readonly ids = new Map<string, number>();
  private readonly list: string[] = [];

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(s, id);
      this.list.push(s);
    }
    return id;
  }

  /** Appends a string known to be unique (source text), skipping the interning map. */
  add(s: string): number {
    this.list.push(s);
    return this.list.length - 1;
  }

  get count(): number {
    return this.list.length;
  }

  /** The section's words. */
  encode(): Uint32Array {
    const joined = encoder.encode(this.list.join(''));
    const ascii = joined.length === this.list.reduce((n, x) => n + x.length, 0);
    // Mostly ASCII: one encode of everything, byte offsets equal to character offsets.
    const parts = ascii ? null : this.list.map((x) => encoder.encode(x));
    const n = this.list.length;
    const out = new Uint32Array(n + 2 + Math.ceil(joined.length / 4));
    out[0] = n;
    let off = 0;
    for (let i = 0; i < n; i++) {
      out[1 + i] = off;
      off += parts ? parts[i]!.length : this.list[i]!.length;
    }
    out[n + 1] = off;
    new Uint8Array(out.buffer, (n + 2) * 4, joined.length).set(joined);
    return out;
  }
}

/** Decodes a STRINGS section (already bounds-checked by the loader). */
export function decodeStrings(words: Uint32Array): string[] {
  const count = words[0]!;
  const blobByte = words.byteOffset + (count + 2) * 4;
  const bytes = new Uint8Array(words.buffer, blobByte, words[count + 1]!);
  const out: string[] = new Array(count);
  // Mostly ASCII: decode the blob once and cut it by byte offsets, which are then char offsets.
  const all = decoder.decode(bytes);
  if (all.length === bytes.length) {
    for (let i = 0; i < count; i++) out[i] = all.slice(words[1 + i]!, words[2 + i]!);
    return out;
  }
  for (let i = 0; i < count; i++) {
    out[i] = decoder.decode(bytes.subarray(words[1 + i]!, words[2 + i]!));
  }
  return out;
}
