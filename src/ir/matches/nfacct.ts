// nfacct: always matches and adds the packet to a named extended-accounting object
// (kernel xt_nfacct; the object must exist in the network namespace, see nfacct(8)).

export interface NfacctMatch {
  readonly kind: 'nfacct';
  /** The accounting object's name (1-31 bytes). */
  readonly name: string;
}

declare module '../match.js' {
  interface MatchKinds {
    nfacct: NfacctMatch;
  }
}
