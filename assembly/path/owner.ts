// -m owner (xt_owner owner_mt) on the packet path, where no packet has a sending socket: what the
// host sends of its own (trace interface `@local`) goes out as from a raw socket without an
// owner, and the kernel's own answers and forwarded packets have none either (the reference's
// matches/owner.ts, whose packets carry no socket). Without a socket the match holds only when
// every option given is negated ((info->match ^ info->invert) == 0), and never with
// --suppl-groups, which cannot be negated. Parameters as the owner codec writes them: each of
// socket-exists (invert), uid (from, to, invert), gid (from, to, invert) and suppl-groups behind a
// presence word.

export function ownerHolds(p: usize): bool {
  let q = p;
  // --socket-exists
  if (load<u32>(q) !== 0) {
    if (load<u32>(q, 4) === 0) return false;
    q += 8;
  } else q += 4;
  // --uid-owner, --gid-owner
  for (let i = 0; i < 2; i++) {
    if (load<u32>(q) !== 0) {
      if (load<u32>(q, 12) === 0) return false;
      q += 16;
    } else q += 4;
  }
  // --suppl-groups
  return load<u32>(q) === 0;
}
