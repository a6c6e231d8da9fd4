// -m multiport (libxt_multiport revision 1): --sports/--source-ports, --dports/
// --destination-ports, --ports; a comma list of up to 15 ports where `a:b` ranges take two.

import type { PortRange } from '../../../ir/common.js';
import type { MultiportMatch } from '../../../ir/matches/multiport.js';
import { bang, type MatchExtension } from '../extension.js';
import { PortError, parsePort } from '../ports.js';

/** XT_MULTI_PORTS: slots in struct xt_multiport_v1. */
const SLOTS = 15;

const PROTO_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 136: 'udplite', 132: 'sctp', 33: 'dccp' };

const DIRECTIONS = {
  sports: 'source',
  dports: 'destination',
  ports: 'either',
} as const satisfies Record<string, MultiportMatch['direction']>;

const SAVE_NAMES: Record<MultiportMatch['direction'], string> = {
  source: '--sports',
  destination: '--dports',
  either: '--ports',
};

export const multiportMatch: MatchExtension<MultiportMatch> = {
  name: 'multiport',
  kinds: ['multiport'],
  options: [
    { name: 'sports', aliases: ['source-ports'], arg: 'required', invert: true },
    { name: 'dports', aliases: ['destination-ports'], arg: 'required', invert: true },
    { name: 'ports', arg: 'required', invert: true },
  ],
  build(uses, ctx, at) {
    if (uses.length === 0)
      ctx.error(at, 'multiport expection an option (one of --sports, --dports, --ports)');
    if (uses.length > 1) {
      ctx.error(
        uses[1]!.at,
        `multiport: option "--${uses[1]!.name}" cannot be used together with "--${uses[0]!.name}"`,
      );
    }
    const use = uses[0]!;
    // Checked while the option is read: a -p after it does not count.
    const proto = use.protocol;
    if (proto?.invert) ctx.error(use.at, 'multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP');
    const protoName = proto ? PROTO_NAMES[proto.protocol] : undefined;
    if (!protoName) {
      ctx.error(
        use.at,
        proto && proto.protocol !== 0
          ? 'multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP'
          : "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
      );
    }
    const ports: PortRange[] = [];
    let slots = 0;
    const items = use.value!.split(',');
    for (const item of items) {
      if (slots >= SLOTS)
        ctx.error(use.valueAt, `too many ports specified (at most ${SLOTS}, a range counts two)`);
      const colon = item.indexOf(':');
      if (colon >= 0 && slots === SLOTS - 1) {
        ctx.error(use.valueAt, `too many ports specified (at most ${SLOTS}, a range counts two)`);
      }
      try {
        if (colon < 0) {
          const p = parsePort(item, protoName);
          ports.push({ from: p, to: p });
          slots++;
        } else {
          const from = parsePort(item.slice(0, colon), protoName);
          const to = parsePort(item.slice(colon + 1), protoName);
          if (from >= to)
            ctx.error(use.valueAt, `invalid portrange specified: \`${item}' (first must be below last)`);
          ports.push({ from, to });
          slots += 2;
        }
      } catch (e) {
        if (e instanceof PortError) ctx.error(use.valueAt, e.message);
        throw e;
      }
    }
    return {
      kind: 'multiport',
      direction: DIRECTIONS[use.name as keyof typeof DIRECTIONS],
      ports,
      invert: use.invert,
    };
  },
  save(m) {
    const list = m.ports.map((r) => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`)).join(',');
    return `${bang(m.invert)}${SAVE_NAMES[m.direction]} ${list}`;
  },
};
