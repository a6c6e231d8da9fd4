// -m socket: not implemented yet (stub). Replace with the real module: IR type in
// src/ir/matches/socket.ts, options and save order from libxt_socket.c / libipt_ / libip6t_.

import type { MatchExtension } from '../extension.js';
import { notImplemented } from '../stub.js';

export const socketMatch: MatchExtension = notImplemented('socket');
