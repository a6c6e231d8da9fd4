// -m socket (xt_socket socket_match / socket_mt6_v1_v2_v3; PREROUTING and INPUT): a local
// socket the packet belongs to. The host supplies the lookup (HostView.lookupSocket); a host
// without it has no sockets, and then nothing matches.

import type { SocketMatch } from '../../../ir/matches/socket.js';
import type { MatchEvaluator } from '../match-evaluator.js';

export const socketEvaluator: MatchEvaluator<SocketMatch> = {
  kind: 'socket',
  test: (m, ctx) => {
    const p = ctx.packet;
    // Non-first fragments carry no ports to look up with.
    if ((p.decoded.fragment?.offset ?? 0) !== 0) return false;
    const sk = ctx.host.lookupSocket ? ctx.host.lookupSocket(ctx.family, p.bytes, p.iif) : null;
    if (!sk) return false;
    // Listeners on the wildcard address do not count unless --nowildcard (full sockets only).
    const wildcard = !m.noWildcard && sk.fullSock && sk.wildcardBound;
    const transparent = m.transparent ? sk.transparent : true;
    // --restore-skmark copies sk_mark before deciding, for full sockets that would match.
    if (m.restoreSocketMark && !wildcard && transparent && sk.fullSock) p.mark = sk.mark >>> 0;
    return !wildcard && transparent;
  },
};
