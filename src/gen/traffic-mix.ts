// The share of flows of each kind, as `--mix tcp=60,udp=30,icmp=8,invalid=2` gives it.

export type FlowKind = 'tcp' | 'udp' | 'icmp' | 'invalid';

export const FLOW_KINDS: readonly FlowKind[] = ['tcp', 'udp', 'icmp', 'invalid'];

export type TrafficMix = Readonly<Record<FlowKind, number>>;

export const DEFAULT_MIX: TrafficMix = { tcp: 60, udp: 30, icmp: 8, invalid: 2 };

/** Parses `kind=weight,...`; kinds not named get weight 0. Throws RangeError on bad input. */
export function parseTrafficMix(text: string): TrafficMix {
  const mix: Record<FlowKind, number> = { tcp: 0, udp: 0, icmp: 0, invalid: 0 };
  for (const part of text.split(',')) {
    const [name, value, extra] = part.split('=');
    const kind = FLOW_KINDS.find((k) => k === name?.trim());
    const weight = Number(value);
    if (!kind || extra !== undefined || value === undefined || !(weight >= 0))
      throw new RangeError(`bad traffic mix '${part}' (expected e.g. tcp=60,udp=30,icmp=8,invalid=2)`);
    mix[kind] = weight;
  }
  if (FLOW_KINDS.every((k) => mix[k] === 0)) throw new RangeError('traffic mix: all weights are 0');
  return mix;
}
