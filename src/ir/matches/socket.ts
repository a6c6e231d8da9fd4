// socket: a local socket matches the packet (kernel xt_socket revision 3; PREROUTING and
// INPUT only).

export interface SocketMatch {
  readonly kind: 'socket';
  /** Only transparent sockets (IP_TRANSPARENT) count. */
  readonly transparent: boolean;
  /** Listening sockets bound to the wildcard address do not count. */
  readonly noWildcard: boolean;
  /** On a match, set the packet's mark from the socket's mark. */
  readonly restoreSocketMark: boolean;
}

declare module '../match.js' {
  interface MatchKinds {
    socket: SocketMatch;
  }
}
