// CONNMARK: change the connection's mark (ct->mark) or copy it to/from the packet's mark
// (xt_CONNMARK revision 2, struct xt_connmark_tginfo2).

/** After the masking, the moved bits are shifted by `bits` in `direction` (0 = no shift). */
export interface MarkShift {
  readonly direction: 'left' | 'right';
  readonly bits: number;
}

export type ConnmarkTarget =
  /** ctmark = ((ctmark & ~ctmask) ^ ctmark value) shifted. */
  | {
      readonly kind: 'CONNMARK';
      readonly mode: 'set';
      readonly value: number;
      readonly ctmask: number;
      readonly shift?: MarkShift;
    }
  /**
   * 'save': ctmark = (ctmark & ~ctmask) ^ ((mark & nfmask) shifted).
   * 'restore': mark = (mark & ~nfmask) ^ ((ctmark & ctmask) shifted).
   */
  | {
      readonly kind: 'CONNMARK';
      readonly mode: 'save' | 'restore';
      readonly nfmask: number;
      readonly ctmask: number;
      readonly shift?: MarkShift;
    };

declare module '../target.js' {
  interface TargetKinds {
    CONNMARK: ConnmarkTarget;
  }
}
