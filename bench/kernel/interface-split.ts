// Which of tcpreplay's two interfaces each frame leaves by. tcpprep's CIDR mode marks the frames
// whose IPv4 source is in the CIDR, and tcpreplay sends those out its primary interface (-i), the
// rest (non-IPv4 frames included) out the secondary (-I). That reproduces the trace only when
// the CIDR holds the sources of exactly the frames that arrived on one interface, so the split
// is checked frame by frame before anything is sent.

export interface SplitFrame {
  readonly bytes: Uint8Array;
  /** The interface the frame arrived on in the trace. */
  readonly iif: string;
}

export interface InterfaceSplit {
  /** IPv4 prefix handed to `tcpprep --cidr`. */
  readonly cidr: string;
  /** The trace interface whose frames go out tcpreplay's primary interface. */
  readonly primary: string;
  /** Every other trace interface's frames go out the secondary: there must be one. */
  readonly secondary: string;
  readonly primaryFrames: number;
  readonly secondaryFrames: number;
  /** Frames the CIDR would send the wrong way (0-based trace positions, the first 10). */
  readonly misplaced: readonly number[];
  readonly misplacedCount: number;
}

const ipv4Word = (address: string): number =>
  address.split('.').reduce((w, o) => ((w << 8) | Number(o)) >>> 0, 0);
const prefixMask = (length: number): number => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0);

/** `a.b.c.d/len` of the network an address with that prefix length is in. */
export function networkOf(address: string, prefixLength: number): string {
  const net = (ipv4Word(address) & prefixMask(prefixLength)) >>> 0;
  return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${prefixLength}`;
}

/** The IPv4 source of an untagged Ethernet frame as a word, or undefined. */
function ipv4Source(frame: Uint8Array): number | undefined {
  if (frame.length < 34 || frame[12] !== 0x08 || frame[13] !== 0x00) return undefined;
  return ((frame[26]! << 24) | (frame[27]! << 16) | (frame[28]! << 8) | frame[29]!) >>> 0;
}

/**
 * The split of `frames` that sends `primary`'s frames out tcpreplay's primary interface by
 * `cidr`, and every other frame out the secondary; throws when the trace has more than two
 * interfaces.
 */
export function cidrSplit(frames: readonly SplitFrame[], primary: string, cidr: string): InterfaceSplit {
  const [net, len] = cidr.split('/') as [string, string];
  const mask = prefixMask(Number(len));
  const netWord = (ipv4Word(net) & mask) >>> 0;
  const others = new Set<string>();
  let primaryFrames = 0;
  const misplaced: number[] = [];
  let misplacedCount = 0;
  frames.forEach((f, i) => {
    const isPrimary = f.iif === primary;
    if (isPrimary) primaryFrames++;
    else others.add(f.iif);
    const src = ipv4Source(f.bytes);
    const matches = src !== undefined && (src & mask) >>> 0 === netWord;
    if (matches !== isPrimary) {
      misplacedCount++;
      if (misplaced.length < 10) misplaced.push(i);
    }
  });
  if (others.size > 1)
    throw new Error(`tcpreplay has two interfaces; the trace arrives on ${[primary, ...others].join(', ')}`);
  return {
    cidr,
    primary,
    secondary: [...others][0] ?? '',
    primaryFrames,
    secondaryFrames: frames.length - primaryFrames,
    misplaced,
    misplacedCount,
  };
}
