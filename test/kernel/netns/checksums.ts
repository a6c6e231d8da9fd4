// Whether a captured IPv4 frame's IP and TCP/UDP/ICMP checksums are complete and correct: with
// TX checksum offload left on, veths hand captures packets whose checksums the "hardware" was
// meant to finish, so this is how tests see that build-host switched offload off.

function sum16(b: Buffer, start: number, end: number, acc = 0): number {
  for (let i = start; i < end; i += 2) acc += (b[i]! << 8) | (i + 1 < end ? b[i + 1]! : 0);
  return acc;
}

const fold = (s: number) => {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
};

/** True when every checksum in an Ethernet/IPv4 frame verifies (other frames: true). */
export function ipv4ChecksumsOk(frame: Buffer): boolean {
  if (frame.readUInt16BE(12) !== 0x0800) return true;
  const o = 14;
  const ihl = (frame[o]! & 15) * 4;
  if (fold(sum16(frame, o, o + ihl)) !== 0xffff) return false;
  const total = frame.readUInt16BE(o + 2);
  const proto = frame[o + 9]!;
  if (frame.readUInt16BE(o + 6) & 0x3fff) return true; // fragments: no L4 header to check
  const l4 = o + ihl;
  const end = o + total;
  if (proto === 1) return fold(sum16(frame, l4, end)) === 0xffff;
  if (proto !== 6 && proto !== 17) return true;
  if (proto === 17 && frame.readUInt16BE(l4 + 6) === 0) return true; // UDP without checksum
  const pseudo = sum16(frame, o + 12, o + 20) + proto + (end - l4);
  return fold(sum16(frame, l4, end, pseudo)) === 0xffff;
}
