// -m icmp6: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/icmp6.ts, options and save order from libxt_icmp6.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const icmp6Match: MatchExtension = notImplemented('icmp6');
