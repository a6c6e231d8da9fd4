// pcapng option lists: (code u16, length u16, value padded to 32 bits)..., ended by opt_endofopt
// or by the end of the block.

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const IF_NAME = 2;
export const IF_DESCRIPTION = 3;
export const IF_TSRESOL = 9;
export const IF_FCSLEN = 13;
export const IF_TSOFFSET = 14;
export const EPB_FLAGS = 2;
export const SHB_USERAPPL = 4;

/** Calls `visit(code, valueStart, valueLength)` per option; returns false if the list overran `end`. */
export function forEachOption(
  view: DataView,
  start: number,
  end: number,
  littleEndian: boolean,
  visit: (code: number, valueStart: number, valueLength: number) => void,
): boolean {
  let p = start;
  while (p + 4 <= end) {
    const code = view.getUint16(p, littleEndian);
    const length = view.getUint16(p + 2, littleEndian);
    if (code === OPT_ENDOFOPT) return true;
    if (p + 4 + length > end) return false;
    visit(code, p + 4, length);
    p += 4 + ((length + 3) & ~3);
  }
  // Fewer than 4 bytes left without opt_endofopt: tolerated (writers omit it) unless non-empty.
  return p >= end;
}

const utf8 = new TextDecoder('utf-8');

/** A UTF-8 option value; trailing NULs (some writers add them) are dropped. */
export function optionString(bytes: Uint8Array, start: number, length: number): string {
  let n = length;
  while (n > 0 && bytes[start + n - 1] === 0) n--;
  return utf8.decode(bytes.subarray(start, start + n));
}
