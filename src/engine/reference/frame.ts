// What reaches the engine: a frame as captured on an interface, and the pseudo-interface on
// which the host's own packets appear in a trace.

import type { LinkType } from '../../wire/packet.js';

/**
 * The trace interface name of packets the host itself sends: the engine runs them down the
 * OUTPUT path (routed by their destination, no owning socket), as a raw socket's packets.
 */
export const LOCAL_INTERFACE = '@local';

/** A frame as it arrives on an interface. */
export interface Frame {
  readonly bytes: Uint8Array;
  readonly linkType: LinkType;
  /** The interface it arrived on (the capture's if_name). */
  readonly iif: string;
  readonly timestampNs: bigint;
}
