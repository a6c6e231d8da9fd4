// Small value types shared by several matches and targets.

/** An inclusive port range; a single port has from === to. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** A value and whether the condition on it is negated (`! --opt value`). */
export interface Negated<T> {
  readonly value: T;
  readonly invert: boolean;
}

/** A 32-bit value compared under a mask: matches when (x & mask) === value. */
export interface MaskedValue {
  readonly value: number;
  readonly mask: number;
}
