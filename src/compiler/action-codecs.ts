// Parameter codecs of the extension targets the table expresses (ACTIONS records). The NAT
// targets keep their mapping in NAT_RANGES instead (nat-ranges.ts), so they have no parameters.

import { makeNet } from '../ir/address.js';
import type { Target } from '../ir/target.js';
import type { ConnmarkTarget } from '../ir/targets/CONNMARK.js';
import { CT_EVENTS, type CtTarget } from '../ir/targets/CT.js';
import type { NetmapTarget } from '../ir/targets/NETMAP.js';
import type { NflogTarget } from '../ir/targets/NFLOG.js';
import type { RejectTarget } from '../ir/targets/REJECT.js';
import type { HopCountMode } from '../ir/targets/TTL.js';
import type { ActionKind } from './format.js';
import { type Codec, type ParamIo, withoutUndefined } from './param-io.js';

type ParamActionKind = Exclude<ActionKind, 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT'>;
type TargetOf<K extends string> = Extract<Target, { kind: K }>;

const HOP_MODES: readonly HopCountMode[] = ['set', 'inc', 'dec'];

const reject: Codec<RejectTarget> = (io, t) => {
  const kind = io.oneOf(['icmp', 'icmpv6', 'tcp-reset'] as const, t?.reply.kind);
  const r = t?.reply;
  if (kind === 'tcp-reset') return { kind: 'REJECT', reply: { kind } };
  const type = io.u32(r?.kind === 'tcp-reset' ? 0 : r?.type);
  const code = io.u32(r?.kind === 'tcp-reset' ? 0 : r?.code);
  return { kind: 'REJECT', reply: { kind, type, code } };
};

const connmark: Codec<ConnmarkTarget> = (io, t) => {
  const mode = io.oneOf(['set', 'save', 'restore'] as const, t?.mode);
  const shiftOf = (s: ConnmarkTarget['shift']) =>
    io.opt(s, s !== undefined, (v) => ({
      direction: io.oneOf(['left', 'right'] as const, v?.direction),
      bits: io.u32(v?.bits),
    }));
  if (mode === 'set') {
    const s = t?.mode === 'set' ? t : undefined;
    return withoutUndefined({
      kind: 'CONNMARK',
      mode,
      value: io.u32(s?.value),
      ctmask: io.u32(s?.ctmask),
      shift: shiftOf(s?.shift),
    });
  }
  const s = t?.mode === 'set' ? undefined : t;
  return withoutUndefined({
    kind: 'CONNMARK',
    mode,
    nfmask: io.u32(s?.nfmask),
    ctmask: io.u32(s?.ctmask),
    shift: shiftOf(s?.shift),
  });
};

/** NETMAP's network: family from the table, address then mask words. */
function netmap(family: 'ipv4' | 'ipv6'): Codec<NetmapTarget> {
  return (io, t) => {
    const addr = io.list(t?.net.addr, (w) => io.u32(w));
    const mask = io.list(t?.net.mask, (w) => io.u32(w));
    return { kind: 'NETMAP', net: t ? t.net : makeNet(family, addr, mask) };
  };
}

// --notrack first: the WebAssembly walk reads only that word.
const ct: Codec<CtTarget> = (io, t) =>
  withoutUndefined({
    kind: 'CT',
    notrack: io.bool(t?.notrack),
    helper: io.opt(t?.helper, t?.helper !== undefined, (v) => io.str(v)),
    timeout: io.opt(t?.timeout, t?.timeout !== undefined, (v) => io.str(v)),
    ctEvents: io.opt(t?.ctEvents, t?.ctEvents !== undefined, (v) =>
      io.list(v, (e) => io.oneOf(CT_EVENTS, e)),
    ),
    expEvents: io.opt(t?.expEvents, t?.expEvents !== undefined, (v) =>
      io.list(v, (e) => io.oneOf(['new'] as const, e)),
    ),
    zone: io.opt(t?.zone, t?.zone !== undefined, (z) => ({
      id: io.u32(z?.id),
      fromMark: io.bool(z?.fromMark),
      direction: io.oneOf(['both', 'original', 'reply'] as const, z?.direction),
    })),
  });

const nflog: Codec<NflogTarget> = (io, t) =>
  withoutUndefined({
    kind: 'NFLOG',
    group: io.u32(t?.group),
    prefix: io.opt(t?.prefix, t?.prefix !== undefined, (p) => io.str(p)),
    copy: io.opt(t?.copy, t?.copy !== undefined, (c) => ({
      kind: io.oneOf(['size', 'range'] as const, c?.kind),
      bytes: io.u32(c?.bytes),
    })),
    threshold: io.u32(t?.threshold),
  });

const simple =
  <K extends 'NOTRACK' | 'TRACE' | 'CHECKSUM'>(kind: K) =>
  (): TargetOf<K> =>
    ({ kind }) as TargetOf<K>;

const ttl: Codec<TargetOf<'TTL'>> = (io, t) => ({
  kind: 'TTL',
  mode: io.oneOf(HOP_MODES, t?.mode),
  value: io.u32(t?.value),
});
const hl: Codec<TargetOf<'HL'>> = (io, t) => ({
  kind: 'HL',
  mode: io.oneOf(HOP_MODES, t?.mode),
  value: io.u32(t?.value),
});

export function actionCodecs(family: 'ipv4' | 'ipv6'): {
  readonly [K in ParamActionKind]: Codec<TargetOf<K>>;
} {
  return {
    REJECT: reject,
    MARK: (io, t) => ({ kind: 'MARK', value: io.u32(t?.value), mask: io.u32(t?.mask) }),
    CONNMARK: connmark,
    NETMAP: netmap(family),
    LOG: (io, t) =>
      withoutUndefined({
        kind: 'LOG',
        level: io.u32(t?.level),
        prefix: io.opt(t?.prefix, t?.prefix !== undefined, (p) => io.str(p)),
        tcpSequence: io.bool(t?.tcpSequence),
        tcpOptions: io.bool(t?.tcpOptions),
        ipOptions: io.bool(t?.ipOptions),
        uid: io.bool(t?.uid),
        macDecode: io.bool(t?.macDecode),
      }),
    NFLOG: nflog,
    NOTRACK: simple('NOTRACK'),
    CT: ct,
    TRACE: simple('TRACE'),
    CHECKSUM: simple('CHECKSUM'),
    TTL: ttl,
    HL: hl,
    TOS: (io, t) => ({ kind: 'TOS', value: io.u32(t?.value), mask: io.u32(t?.mask) }),
    DSCP: (io, t) => ({ kind: 'DSCP', dscp: io.u32(t?.dscp) }),
    TCPMSS: (io, t) => {
      const pmtu = io.bool(t ? t.mss === 'pmtu' : undefined);
      return { kind: 'TCPMSS', mss: pmtu ? 'pmtu' : io.u32(t?.mss === 'pmtu' ? 0 : t?.mss) };
    },
    CLASSIFY: (io, t) => ({ kind: 'CLASSIFY', major: io.u32(t?.major), minor: io.u32(t?.minor) }),
    NFQUEUE: (io, t) => ({
      kind: 'NFQUEUE',
      queue: io.u32(t?.queue),
      count: io.u32(t?.count),
      bypass: io.bool(t?.bypass),
      cpuFanout: io.bool(t?.cpuFanout),
    }),
  };
}

const CODECS = { ipv4: actionCodecs('ipv4'), ipv6: actionCodecs('ipv6') };

export function actionCodec(family: 'ipv4' | 'ipv6', kind: ParamActionKind): Codec<Target> {
  return CODECS[family][kind] as Codec<Target>;
}

export type { ParamActionKind, ParamIo };
