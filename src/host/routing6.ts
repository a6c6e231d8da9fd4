// IPv6 route lookup with the kernel's semantics, as `ip -6 route get` reports it
// (inet6_rtm_getroute):
// - output (no `iif`): ip6_route_output_flags. Multicast, link-local and loopback destinations
//   (rt6_need_strict), and an `oif` without a source address, make the lookup strict: only
//   routes on that device (RT6_LOOKUP_F_IFACE). Otherwise `oif` only ranks routes on it first.
//   The source is ip6_route_get_saddr: the route's prefsrc, else ipv6_dev_get_saddr on the
//   route's device; the kernel reports it whether or not `from` was given.
// - input (`iif`): ip6_route_input_lookup, the same lookup ranked (and, for rt6_need_strict
//   destinations, restricted) by the incoming device. The kernel checks neither the source nor
//   the forwarding switch here: ip6_forward drops later when net.ipv6.conf.all.forwarding is 0,
//   which the result's `forwarding` says.
// Local and anycast routes deliver through the loopback device (ip6_rt_get_dev_rcu). Reject
// routes answer with ip6_rt_type_to_error's errno; no route at all is ENETUNREACH.

import type { RouteType } from './fib.js';
import { type Fib6Choice, fib6Lookup, loopbackName } from './fib6-lookup.js';
import type { Host } from './host.js';
import type { Address } from './ip-text.js';
import { isUnspecified6, needsStrictDevice } from './ipv6-class.js';
import type { RouteErrno, RouteFailed, RouteResult } from './routing.js';
import { selectSourceAddress6 } from './source-address6.js';

export interface RouteQuery6 {
  /** Source address (`from`), four 32-bit words; `::` counts as none. */
  readonly src?: readonly number[];
  /** Input interface: look up as a received packet (`iif`). */
  readonly iif?: string;
  /** Output interface (`oif`, SO_BINDTODEVICE). */
  readonly oif?: string;
  /** Packet mark (only consulted by policy rules, which host files do not carry). */
  readonly mark?: number;
}

const REJECT: Partial<Record<RouteType, RouteErrno>> = {
  blackhole: 'EINVAL',
  unreachable: 'EHOSTUNREACH',
  prohibit: 'EACCES',
};

const fail = (errno: RouteErrno, reason: string, type?: RouteType): RouteFailed =>
  Object.freeze({ ok: false, errno, reason, ...(type ? { type } : {}) });

function answer(
  host: Host,
  choice: Fib6Choice | undefined,
  extra: (c: Fib6Choice) => { prefsrc?: Address; forwarding?: boolean },
): RouteResult {
  if (!choice) return fail('ENETUNREACH', 'no route');
  const { route } = choice;
  const err = REJECT[route.type];
  if (err) return fail(err, `${route.type} route`, route.type);
  const type =
    route.type === 'local' || route.type === 'anycast' || route.type === 'multicast' ? route.type : 'unicast';
  const delivered = type === 'local' || type === 'anycast';
  return Object.freeze({
    ok: true,
    type,
    oif: delivered ? loopbackName(host) : choice.dev,
    ...(choice.gateway && !delivered ? { gateway: choice.gateway } : {}),
    route,
    ...extra(choice),
  });
}

/** Looks up an IPv6 destination like `ip -6 route get DST [from SRC] [iif IF] [oif IF] [mark M]`. */
export function routeLookup6(host: Host, dst: readonly number[], q: RouteQuery6 = {}): RouteResult {
  const strict = needsStrictDevice(dst);
  if (q.iif !== undefined) {
    if (!host.interface(q.iif)) return fail('ENODEV', `no device ${q.iif}`);
    const forwarding = host.sysctl.number('net.ipv6.conf.all.forwarding') !== 0;
    return answer(host, fib6Lookup(host, dst, q.iif, strict), (c) =>
      c.route.type === 'unicast' ? { forwarding } : {},
    );
  }
  if (q.oif !== undefined && !host.interface(q.oif)) return fail('ENODEV', `no device ${q.oif}`);
  const anySrc = q.src === undefined || isUnspecified6(q.src);
  const choice = fib6Lookup(host, dst, q.oif, strict || (q.oif !== undefined && anySrc));
  return answer(host, choice, (c) => {
    const prefsrc = c.route.prefsrc ?? selectSourceAddress6(host, c.dev, dst);
    return prefsrc ? { prefsrc } : {};
  });
}
