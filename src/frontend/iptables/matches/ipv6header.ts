// -m ipv6header: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/ipv6header.ts, options and save order from libxt_ipv6header.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const ipv6headerMatch: MatchExtension = notImplemented('ipv6header');
