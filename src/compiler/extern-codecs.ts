// Parameter codecs of the matches an engine runs itself with state or host knowledge (STATEFUL
// and HOST ops): each names its IR fields in the order they sit in PARAMS.

import type { Match } from '../ir/match.js';
import { ADDRESS_TYPE_ORDER, type AddrtypeMatch } from '../ir/matches/addrtype.js';
import type { ConnlimitMatch } from '../ir/matches/connlimit.js';
import type { HashlimitMatch } from '../ir/matches/hashlimit.js';
import type { LimitMatch } from '../ir/matches/limit.js';
import type { IdRange, OwnerMatch } from '../ir/matches/owner.js';
import type { PkttypeMatch } from '../ir/matches/pkttype.js';
import type { QuotaMatch } from '../ir/matches/quota.js';
import type { RecentMatch } from '../ir/matches/recent.js';
import type { RpfilterMatch } from '../ir/matches/rpfilter.js';
import type { StatisticMatch } from '../ir/matches/statistic.js';
import type { ExternKind } from './format.js';
import { type Codec, negated, type ParamIo, withoutUndefined } from './param-io.js';

// The kernel's avg (1/10000 s units, a u32), not the IR's microseconds, which can pass 2^32.
const limit: Codec<LimitMatch> = (io, m) => ({
  kind: 'limit',
  intervalUs: io.u32(m === undefined ? undefined : m.intervalUs / 100) * 100,
  burst: io.u32(m?.burst),
});

const statistic: Codec<StatisticMatch> = (io, m) => {
  const invert = io.bool(m?.invert);
  const mode = io.oneOf(['random', 'nth'] as const, m?.mode);
  if (mode === 'random') {
    return { kind: 'statistic', invert, mode, threshold: io.u32(m?.mode === 'random' ? m.threshold : 0) };
  }
  const nth = m?.mode === 'nth' ? m : undefined;
  return { kind: 'statistic', invert, mode, every: io.u32(nth?.every), packet: io.u32(nth?.packet) };
};

const quota: Codec<QuotaMatch> = (io, m) => ({
  kind: 'quota',
  bytes: io.u64(m?.bytes),
  invert: io.bool(m?.invert),
});

const recent: Codec<RecentMatch> = (io, m) =>
  withoutUndefined({
    kind: 'recent',
    command: io.oneOf(['set', 'check', 'update', 'remove'] as const, m?.command),
    invert: io.bool(m?.invert),
    seconds: io.opt(m?.seconds, m?.seconds !== undefined, (v) => io.u32(v)),
    reap: io.bool(m?.reap),
    hitCount: io.opt(m?.hitCount, m?.hitCount !== undefined, (v) => io.u32(v)),
    ttl: io.bool(m?.ttl),
    name: io.str(m?.name),
    side: io.oneOf(['source', 'destination'] as const, m?.side),
    mask: io.list(m?.mask, (w) => io.u32(w)),
  });

const connlimit: Codec<ConnlimitMatch> = (io, m) => ({
  kind: 'connlimit',
  limit: io.u32(m?.limit),
  above: io.bool(m?.above),
  prefixLen: io.u32(m?.prefixLen),
  key: io.oneOf(['source', 'destination'] as const, m?.key),
});

const hashlimit: Codec<HashlimitMatch> = (io, m) => {
  const above = io.bool(m?.above);
  const unit = io.oneOf(['packets', 'bytes'] as const, m?.rate.unit);
  const r = m?.rate;
  const rate: HashlimitMatch['rate'] =
    unit === 'packets'
      ? {
          unit,
          // The kernel's avg is a u64 of microseconds (XT_HASHLIMIT_SCALE_v2).
          intervalUs: Number(
            io.u64(r === undefined ? undefined : BigInt(r.unit === 'packets' ? r.intervalUs : 0)),
          ),
          burst: io.u32(r?.burst),
        }
      : { unit, cost: io.u32(r?.unit === 'bytes' ? r.cost : 0), burst: io.u32(r?.burst) };
  return withoutUndefined({
    kind: 'hashlimit',
    above,
    rate,
    key: io.list(m?.key, (k) => io.oneOf(['srcip', 'srcport', 'dstip', 'dstport'] as const, k)),
    srcPrefixLen: io.u32(m?.srcPrefixLen),
    dstPrefixLen: io.u32(m?.dstPrefixLen),
    name: io.str(m?.name),
    htableSize: io.u32(m?.htableSize),
    htableMax: io.u32(m?.htableMax),
    gcIntervalMs: io.u32(m?.gcIntervalMs),
    expireMs: io.u32(m?.expireMs),
    rateMatch: io.opt(m?.rateMatch, m?.rateMatch !== undefined, (v) => ({ intervalS: io.u32(v?.intervalS) })),
  });
};

function typeSet(io: ParamIo, v: AddrtypeMatch['source']): AddrtypeMatch['source'] {
  return io.opt(v, v !== undefined, (t) =>
    negated(io, t, (types) => io.list(types, (x) => io.oneOf(ADDRESS_TYPE_ORDER, x))),
  );
}

const addrtype: Codec<AddrtypeMatch> = (io, m) =>
  withoutUndefined({
    kind: 'addrtype',
    source: typeSet(io, m?.source),
    destination: typeSet(io, m?.destination),
    limitInterface: io.opt(m?.limitInterface, m?.limitInterface !== undefined, (v) =>
      io.oneOf(['in', 'out'] as const, v),
    ),
  });

const pkttype: Codec<PkttypeMatch> = (io, m) => ({
  kind: 'pkttype',
  type: negated(io, m?.type, (t) => io.oneOf(['unicast', 'broadcast', 'multicast', 'otherhost'] as const, t)),
});

const rpfilter: Codec<RpfilterMatch> = (io, m) => ({
  kind: 'rpfilter',
  loose: io.bool(m?.loose),
  validMark: io.bool(m?.validMark),
  acceptLocal: io.bool(m?.acceptLocal),
  invert: io.bool(m?.invert),
});

const idRange = (io: ParamIo, r: IdRange | undefined): IdRange => ({
  from: io.u32(r?.from),
  to: io.u32(r?.to),
});

const owner: Codec<OwnerMatch> = (io, m) =>
  withoutUndefined({
    kind: 'owner',
    socketExists: io.opt(m?.socketExists, m?.socketExists !== undefined, (v) =>
      negated(io, v, () => true as const),
    ),
    uid: io.opt(m?.uid, m?.uid !== undefined, (v) => negated(io, v, (r) => idRange(io, r))),
    gid: io.opt(m?.gid, m?.gid !== undefined, (v) => negated(io, v, (r) => idRange(io, r))),
    supplementaryGroups: io.opt(
      m?.supplementaryGroups,
      m?.supplementaryGroups !== undefined,
      () => true as const,
    ),
  });

type ExternMatch = Extract<Match, { kind: ExternKind }>;

/** Each extern kind's codec, as a codec over any match of that kind. */
export const EXTERN_CODECS: { readonly [K in ExternKind]: Codec<Extract<Match, { kind: K }>> } = {
  limit,
  statistic,
  quota,
  recent,
  connlimit,
  hashlimit,
  addrtype,
  pkttype,
  rpfilter,
  owner,
};

export function externCodec(kind: ExternKind): Codec<ExternMatch> {
  return EXTERN_CODECS[kind] as Codec<ExternMatch>;
}
