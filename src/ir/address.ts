// IP addresses and networks as numbers: IPv4 is one 32-bit word, IPv6 four, big-endian word
// order. Kept as plain number arrays (not bigint, not strings) so the compiler can copy them
// straight into the WebAssembly table.

export type Family = 'ipv4' | 'ipv6';

/** An address with a mask. `prefixLen` is null only for a non-contiguous mask (iptables allows them). */
export interface IpNet {
  readonly family: Family;
  /** Address words, already masked (iptables stores addr & mask). */
  readonly addr: readonly number[];
  readonly mask: readonly number[];
  readonly prefixLen: number | null;
}

/** An inclusive address range, as the iprange match and NAT ranges use. */
export interface IpRange {
  readonly family: Family;
  readonly from: readonly number[];
  readonly to: readonly number[];
}

export function wordCount(family: Family): number {
  return family === 'ipv4' ? 1 : 4;
}

/** Mask words for a prefix length. */
export function prefixMask(family: Family, len: number): number[] {
  const words: number[] = [];
  for (let i = 0; i < wordCount(family); i++) {
    const bits = Math.max(0, Math.min(32, len - i * 32));
    words.push(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
  }
  return words;
}

/** Prefix length of a mask, or null when its one-bits are not contiguous. */
export function maskPrefixLen(mask: readonly number[]): number | null {
  // Fast path: the common all-ones / all-zeros / contiguous single word.
  if (mask.length === 1) {
    const w = mask[0]! >>> 0;
    const inv = ~w >>> 0;
    // The zero bits must be one low run: then the prefix is the count of leading ones.
    return (inv & (inv + 1)) === 0 ? Math.clz32(inv) : null;
  }
  let len = 0;
  let ended = false;
  for (const w of mask) {
    for (let b = 31; b >= 0; b--) {
      const set = ((w >>> b) & 1) === 1;
      if (set && ended) return null;
      if (set) len++;
      else ended = true;
    }
  }
  return len;
}

// Contiguous masks are shared: large rulesets hold hundreds of thousands of addresses.
const INTERNED_MASKS: Record<Family, (readonly number[])[]> = { ipv4: [], ipv6: [] };

function internedMask(family: Family, len: number): readonly number[] {
  const cache = INTERNED_MASKS[family];
  let m = cache[len];
  if (!m) {
    m = Object.freeze(prefixMask(family, len));
    cache[len] = m;
  }
  return m;
}

export function makeNet(family: Family, addr: readonly number[], mask: readonly number[]): IpNet {
  const prefixLen = maskPrefixLen(mask);
  return {
    family,
    addr: addr.map((w, i) => (w & (mask[i] ?? 0)) >>> 0),
    mask: prefixLen === null ? Object.freeze([...mask]) : internedMask(family, prefixLen),
    prefixLen,
  };
}

export function netFromPrefix(family: Family, addr: readonly number[], len: number): IpNet {
  return makeNet(family, addr, prefixMask(family, len));
}

export function formatIpv4(word: number): string {
  return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
}

/** RFC 5952 text form: lowercase, longest run of two or more zero groups compressed. */
export function formatIpv6(words: readonly number[]): string {
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // IPv4-mapped and IPv4-compatible forms are printed with a dotted tail, as inet_ntop does.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    const tail = formatIpv4(words[3]!);
    if (bestLen === 6 && words[3]! > 1) return `::${tail}`;
    if (bestLen === 5) return `::ffff:${tail}`;
  }
  const hex = (g: number) => g.toString(16);
  if (bestStart < 0) return groups.map(hex).join(':');
  const head = groups.slice(0, bestStart).map(hex).join(':');
  const tail = groups
    .slice(bestStart + bestLen)
    .map(hex)
    .join(':');
  return `${head}::${tail}`;
}

export function formatAddress(family: Family, words: readonly number[]): string {
  return family === 'ipv4' ? formatIpv4(words[0]!) : formatIpv6(words);
}
