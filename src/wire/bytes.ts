// Big-endian field access on a Uint8Array. Reads past the end yield 0 (undefined coerces to 0
// under the bit operators) instead of throwing: views only read what check() has validated, and a
// fuzzed header must never turn into an exception.

export function get8(b: Uint8Array, o: number): number {
  return b[o]! | 0;
}

export function get16(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) & 0xffff;
}

export function get32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function put8(b: Uint8Array, o: number, v: number): void {
  b[o] = v;
}

export function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 8;
  b[o + 1] = v;
}

export function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

/** Text form of the 6-byte MAC address at `o` (allocates: for explanations, not the hot path). */
export function formatMac(b: Uint8Array, o: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 6; i++)
    parts.push(
      get8(b, o + i)
        .toString(16)
        .padStart(2, '0'),
    );
  return parts.join(':');
}

/** Parses `aa:bb:cc:dd:ee:ff` (also `-` separated) into `out` at `o`; false when malformed. */
export function parseMac(text: string, out: Uint8Array, o: number): boolean {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) return false;
  for (let i = 0; i < 6; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return false;
    out[o + i] = Number.parseInt(p, 16);
  }
  return true;
}
