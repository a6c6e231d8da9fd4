// Connection-state and metadata matches: state, conntrack, mark, connmark, helper, connbytes,
// connlimit, addrtype, physdev, owner, rpfilter, devgroup, realm, cpu, socket, policy, set,
// nfacct, quota. Matches come from parsing real rules; the expected results are the kernel
// functions' (named in each evaluator).

import { describe, expect, it } from 'vitest';
import type {
  CtEntryView,
  CtTupleKey,
  CtTupleView,
  CtView,
  HostView,
  MatchContext,
  SocketView,
} from '../../../src/engine/reference/match-context.js';
import type { MatchEvaluator } from '../../../src/engine/reference/match-evaluator.js';
import { MATCH_EVALUATORS } from '../../../src/engine/reference/matches/index.js';
import { UnsupportedError } from '../../../src/engine/reference/matches/not-evaluated.js';
import type { EnginePacket } from '../../../src/engine/reference/packet.js';
import { parseIptablesSave } from '../../../src/index.js';
import { type Family, formatIpv4 } from '../../../src/ir/address.js';
import type { Match } from '../../../src/ir/match.js';
import type { Rule, TableName } from '../../../src/ir/ruleset.js';
import { type FakeContextOptions, fakeContext, NO_CT, packetFrom, SIMPLE_HOST } from '../fake-context.js';

// ---- helpers --------------------------------------------------------------------------------

interface ParsedRule {
  readonly rule: Rule;
  /** The rule's one non-base match (the last one). */
  readonly match: Match;
}

function parseRule(text: string, o: { table?: TableName; chain?: string; family?: Family } = {}): ParsedRule {
  const family = o.family ?? 'ipv4';
  const table = o.table ?? 'filter';
  const chain = o.chain ?? 'INPUT';
  const rs = parseIptablesSave(`*${table}\n-A ${chain} ${text}\nCOMMIT\n`, {
    file: family === 'ipv4' ? 't.v4' : 't.v6',
    family,
  });
  const rule = rs.tables[0]!.chains.find((c) => c.rules.length > 0)!.rules[0]!;
  return { rule, match: rule.matches[rule.matches.length - 1]! };
}

/** Runs a parsed rule's last match through its evaluator. */
function run(p: ParsedRule, ctx: MatchContext): boolean | 'hotdrop' {
  const ev = MATCH_EVALUATORS[p.match.kind] as MatchEvaluator;
  return ev.test(p.match, ctx, p.rule);
}

function test1(
  rule: string,
  packet: EnginePacket,
  o: FakeContextOptions & { table?: TableName; chain?: string } = {},
): boolean | 'hotdrop' {
  const p = parseRule(rule, { table: o.table, chain: o.chain, family: packet.decoded.family });
  return run(p, fakeContext(packet, o));
}

const ip4 = (s: string): number[] => [s.split('.').reduce((a, b) => ((a << 8) | Number(b)) >>> 0, 0)];

function tuple(src: string, sport: number, dst: string, dport: number): CtTupleView {
  return { src: ip4(src), dst: ip4(dst), srcPort: sport, dstPort: dport };
}

/** A confirmed TCP connection 198.51.100.7:40000 -> 203.0.113.1:80, overridable. */
function entry(o: Partial<CtEntryView> = {}): CtEntryView {
  return {
    protocol: 6,
    original: tuple('198.51.100.7', 40000, '203.0.113.1', 80),
    reply: tuple('203.0.113.1', 80, '198.51.100.7', 40000),
    seenReply: false,
    assured: false,
    confirmed: true,
    expected: false,
    srcNat: false,
    dstNat: false,
    mark: 0,
    expiresSeconds: 100,
    helper: null,
    packets: { original: 1n, reply: 0n },
    bytes: { original: 60n, reply: 0n },
    ...o,
  };
}

function ctOf(
  state: CtView['state'],
  e: CtEntryView | null,
  direction: CtView['direction'] = 'original',
): CtView {
  return { state, direction, entry: e };
}

const INVALID: CtView = { state: 'invalid', direction: 'original', entry: null };
const SYN = 'tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S';

// ---- state ----------------------------------------------------------------------------------

describe('state (xt_conntrack statebit)', () => {
  const pkt = packetFrom(SYN);
  it('tests the ctinfo base state, invalid and untracked', () => {
    expect(test1('-m state --state NEW', pkt, { ct: ctOf('new', entry()) })).toBe(true);
    expect(test1('-m state --state ESTABLISHED', pkt, { ct: ctOf('new', entry()) })).toBe(false);
    expect(test1('-m state --state ESTABLISHED', pkt, { ct: ctOf('established', entry(), 'reply') })).toBe(
      true,
    );
    expect(test1('-m state --state INVALID', pkt, { ct: INVALID })).toBe(true);
    expect(test1('-m state --state INVALID', pkt, { ct: NO_CT })).toBe(false);
    expect(test1('-m state --state UNTRACKED', pkt, { ct: NO_CT })).toBe(true);
    expect(test1('-m state --state RELATED,ESTABLISHED', pkt, { ct: ctOf('related', entry()) })).toBe(true);
  });
  it('inverts the whole set', () => {
    expect(test1('-m state ! --state NEW,ESTABLISHED', pkt, { ct: ctOf('new', entry()) })).toBe(false);
    expect(test1('-m state ! --state NEW,ESTABLISHED', pkt, { ct: INVALID })).toBe(true);
    expect(test1('-m state ! --state NEW', pkt, { ct: NO_CT })).toBe(true);
  });
  it('is not affected by the NAT bits of the entry', () => {
    expect(test1('-m state --state NEW', pkt, { ct: ctOf('new', entry({ srcNat: true })) })).toBe(true);
    expect(test1('-m state ! --state NEW', pkt, { ct: ctOf('new', entry({ dstNat: true })) })).toBe(false);
  });
});

// ---- conntrack ------------------------------------------------------------------------------

describe('conntrack (conntrack_mt, revision 3)', () => {
  const pkt = packetFrom(SYN);
  const ESTAB = ctOf('established', entry({ seenReply: true, assured: true }));
  it('adds the virtual SNAT/DNAT states to the ctinfo state', () => {
    const natted = ctOf('established', entry({ dstNat: true }));
    expect(test1('-m conntrack --ctstate DNAT', pkt, { ct: natted })).toBe(true);
    expect(test1('-m conntrack --ctstate ESTABLISHED', pkt, { ct: natted })).toBe(true);
    expect(test1('-m conntrack --ctstate SNAT', pkt, { ct: natted })).toBe(false);
    expect(test1('-m conntrack ! --ctstate DNAT', pkt, { ct: natted })).toBe(false);
  });
  it('without a ct, only --ctstate decides: other options neither fail nor pass alone', () => {
    // ct == NULL: return match_flags & XT_CONNTRACK_STATE after the state test.
    expect(test1('-m conntrack --ctstate INVALID --ctproto 17', pkt, { ct: INVALID })).toBe(true);
    expect(test1('-m conntrack --ctproto 6', pkt, { ct: INVALID })).toBe(false);
    expect(test1('-m conntrack ! --ctstatus ASSURED', pkt, { ct: NO_CT })).toBe(false);
    expect(test1('-m conntrack ! --ctstate NEW --ctdir REPLY', pkt, { ct: NO_CT })).toBe(true);
  });
  it('tests direction, protocol, addresses and ports of both tuples', () => {
    expect(test1('-m conntrack --ctdir ORIGINAL', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-m conntrack --ctdir REPLY', pkt, { ct: ESTAB })).toBe(false);
    expect(test1('-m conntrack --ctproto tcp', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-m conntrack ! --ctproto tcp', pkt, { ct: ESTAB })).toBe(false);
    // Host bits of the given address do not matter: ((tuple ^ given) & mask) == 0.
    expect(test1('-m conntrack --ctorigsrc 198.51.100.99/24', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-m conntrack --ctreplsrc 203.0.113.1', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-m conntrack ! --ctrepldst 198.51.100.0/24', pkt, { ct: ESTAB })).toBe(false);
    expect(test1('-p tcp -m conntrack --ctproto tcp --ctorigdstport 79:81', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-p tcp -m conntrack --ctproto tcp ! --ctorigdstport 80', pkt, { ct: ESTAB })).toBe(false);
    expect(test1('-p tcp -m conntrack --ctproto tcp --ctreplsrcport 80', pkt, { ct: ESTAB })).toBe(true);
  });
  it('compares ICMP ids and type<<8|code as ports, and 0 for portless protocols', () => {
    const icmp = ctOf(
      'established',
      entry({
        protocol: 1,
        original: tuple('198.51.100.7', 7, '203.0.113.1', 0x0800),
        reply: tuple('203.0.113.1', 7, '198.51.100.7', 0x0000),
      }),
    );
    const p = packetFrom('icmp 198.51.100.7 > 203.0.113.1 echo-request id 7 seq 1');
    expect(test1('-p icmp -m conntrack --ctproto icmp --ctorigsrcport 7', p, { ct: icmp })).toBe(true);
    expect(test1('-p icmp -m conntrack --ctproto icmp --ctorigdstport 2048', p, { ct: icmp })).toBe(true);
    const gre = ctOf('established', entry({ protocol: 47, original: tuple('1.2.3.4', 0, '5.6.7.8', 0) }));
    expect(test1('-m conntrack --ctproto 47 --ctorigsrcport 0', p, { ct: gre })).toBe(true);
  });
  it('tests status bits as any-of; NONE never matches', () => {
    expect(test1('-m conntrack --ctstatus ASSURED', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-m conntrack --ctstatus EXPECTED,CONFIRMED', pkt, { ct: ESTAB })).toBe(true);
    expect(test1('-m conntrack --ctstatus EXPECTED', pkt, { ct: ESTAB })).toBe(false);
    expect(test1('-m conntrack --ctstatus NONE', pkt, { ct: ESTAB })).toBe(false);
    expect(test1('-m conntrack ! --ctstatus NONE', pkt, { ct: ESTAB })).toBe(true);
    const first = ctOf('new', entry({ confirmed: false }));
    expect(test1('-m conntrack --ctstatus CONFIRMED', pkt, { ct: first })).toBe(false);
  });
  it('tests the remaining seconds inclusively', () => {
    const e = (s: number): CtView => ctOf('established', entry({ expiresSeconds: s }));
    expect(test1('-m conntrack --ctexpire 10:20', pkt, { ct: e(10) })).toBe(true);
    expect(test1('-m conntrack --ctexpire 10:20', pkt, { ct: e(20) })).toBe(true);
    expect(test1('-m conntrack --ctexpire 10:20', pkt, { ct: e(21) })).toBe(false);
    expect(test1('-m conntrack ! --ctexpire 10:20', pkt, { ct: e(9) })).toBe(true);
  });
});

// ---- mark, connmark, helper, connbytes ------------------------------------------------------

describe('mark and connmark', () => {
  it('mark: (mark & mask) == value, value not masked', () => {
    const m = (mark: number): EnginePacket => packetFrom(SYN, { mark });
    expect(test1('-m mark --mark 0x5', m(5))).toBe(true);
    expect(test1('-m mark --mark 0x1/0x1', m(0xff))).toBe(true);
    expect(test1('-m mark --mark 0x5/0x1', m(5))).toBe(false);
    expect(test1('-m mark ! --mark 0x5/0x1', m(5))).toBe(true);
    expect(test1('-m mark --mark 0xffffffff', m(0xffffffff))).toBe(true);
  });
  it('connmark: ct->mark under the mask; no ct never matches, even negated', () => {
    const pkt = packetFrom(SYN);
    const c = ctOf('established', entry({ mark: 0x80000001 }));
    expect(test1('-m connmark --mark 0x80000000/0x80000000', pkt, { ct: c })).toBe(true);
    expect(test1('-m connmark ! --mark 0x1', pkt, { ct: c })).toBe(true);
    expect(test1('-m connmark ! --mark 0x1', pkt, { ct: NO_CT })).toBe(false);
    expect(test1('-m connmark ! --mark 0x1', pkt, { ct: INVALID })).toBe(false);
  });
});

describe('helper (helper_mt: the master connection helper)', () => {
  const pkt = packetFrom('tcp 198.51.100.7:40001 > 203.0.113.1:20 iif eth0 flags S');
  const related = ctOf('related', entry({ expected: true, masterHelper: 'ftp' }));
  it('matches expected connections whose master has the helper', () => {
    expect(test1('-m helper --helper ftp', pkt, { ct: related })).toBe(true);
    expect(test1('-m helper --helper sip', pkt, { ct: related })).toBe(false);
    expect(test1('-m helper ! --helper sip', pkt, { ct: related })).toBe(true);
  });
  it("compares only strlen(helper) bytes: a longer rule name starting with the helper's matches", () => {
    expect(test1('-m helper --helper ftp-21', pkt, { ct: related })).toBe(true);
    expect(test1('-m helper --helper ft', pkt, { ct: related })).toBe(false);
  });
  it("ignores the connection's own helper; without master the result is the inversion", () => {
    const control = ctOf('established', entry({ helper: 'ftp' }));
    expect(test1('-m helper --helper ftp', pkt, { ct: control })).toBe(false);
    expect(test1('-m helper ! --helper ftp', pkt, { ct: control })).toBe(true);
    expect(test1('-m helper ! --helper ftp', pkt, { ct: NO_CT })).toBe(true);
  });
});

describe('connbytes', () => {
  const pkt = packetFrom(SYN);
  const c = ctOf(
    'established',
    entry({ packets: { original: 4n, reply: 6n }, bytes: { original: 400n, reply: 1100n } }),
  );
  it('counts packets / bytes per direction or both', () => {
    expect(
      test1('-m connbytes --connbytes 10 --connbytes-mode packets --connbytes-dir both', pkt, { ct: c }),
    ).toBe(true);
    expect(
      test1('-m connbytes --connbytes 5 --connbytes-mode packets --connbytes-dir original', pkt, { ct: c }),
    ).toBe(false);
    expect(
      test1('-m connbytes --connbytes 0:1100 --connbytes-mode bytes --connbytes-dir reply', pkt, { ct: c }),
    ).toBe(true);
  });
  it('avgpkt divides bytes by packets (integer), 0 with no packets', () => {
    // (400 + 1100) / 10 = 150
    expect(
      test1('-m connbytes --connbytes 150:150 --connbytes-mode avgpkt --connbytes-dir both', pkt, { ct: c }),
    ).toBe(true);
    expect(
      test1('-m connbytes --connbytes 0:0 --connbytes-mode avgpkt --connbytes-dir original', pkt, {
        ct: ctOf('new', entry({ packets: { original: 0n, reply: 0n }, bytes: { original: 0n, reply: 0n } })),
      }),
    ).toBe(true);
  });
  it('inverted: outside the range; without ct never', () => {
    expect(
      test1('-m connbytes ! --connbytes 1:9 --connbytes-mode packets --connbytes-dir both', pkt, { ct: c }),
    ).toBe(true);
    expect(
      test1('-m connbytes ! --connbytes 1:10 --connbytes-mode packets --connbytes-dir both', pkt, { ct: c }),
    ).toBe(false);
    expect(
      test1('-m connbytes ! --connbytes 1:9 --connbytes-mode packets --connbytes-dir both', pkt, {
        ct: NO_CT,
      }),
    ).toBe(false);
  });
});

// ---- connlimit ------------------------------------------------------------------------------

/** A small conntrack table: entries by original tuple; find() looks at both directions. */
class FakeTable {
  readonly entries: CtEntryView[] = [];
  add(e: CtEntryView): CtEntryView {
    this.entries.push(e);
    return e;
  }
  remove(e: CtEntryView): void {
    this.entries.splice(this.entries.indexOf(e), 1);
  }
  view(state: CtView['state'], e: CtEntryView | null, packetTuple: CtTupleKey | null = null): CtView {
    const same = (a: CtTupleView, b: CtTupleKey, proto: number): boolean =>
      proto === b.protocol &&
      a.srcPort === b.srcPort &&
      a.dstPort === b.dstPort &&
      a.src[0] === b.src[0] &&
      a.dst[0] === b.dst[0];
    return {
      state,
      direction: 'original',
      entry: e,
      packetTuple: () => packetTuple,
      find: (t, zone) =>
        this.entries.find(
          (x) => (x.zone ?? 0) === zone && (same(x.original, t, x.protocol) || same(x.reply, t, x.protocol)),
        ) ?? null,
    };
  }
}

function conn(src: string, sport: number, o: Partial<CtEntryView> = {}): CtEntryView {
  return entry({
    original: tuple(src, sport, '203.0.113.1', 22),
    reply: tuple('203.0.113.1', 22, src, sport),
    ...o,
  });
}

/** A rule's connlimit outcome for connection `e`'s packet at `ms` milliseconds, in `shared`'s rule state. */
function connlimitAt(
  r: ParsedRule,
  shared: MatchContext,
  table: FakeTable,
): (e: CtEntryView, ms: number, state?: CtView['state']) => boolean | 'hotdrop' {
  return (e, ms, state = 'new') =>
    run(r, {
      ...shared,
      now: BigInt(ms) * 1_000_000n,
      packet: packetFrom(
        `tcp ${formatIpv4(e.original.src[0]!)}:${e.original.srcPort} > 203.0.113.1:22 iif eth0 flags S`,
      ),
      ct: table.view(state, e),
    });
}

describe('connlimit (per-rule nf_conncount lists)', () => {
  const rule = parseRule('-p tcp --syn --dport 22 -m connlimit --connlimit-above 2');
  const syn = (src: string, sport: number): EnginePacket =>
    packetFrom(`tcp ${src}:${sport} > 203.0.113.1:22 iif eth0 flags S`);

  it('counts the connections the rule has seen per source, the current one included', () => {
    const table = new FakeTable();
    const ctx = (src: string, sport: number, e: CtEntryView): MatchContext =>
      fakeContext(syn(src, sport), { ct: table.view('new', e) });
    // Per-rule state lives in the context's ruleState: keep one context, swap packet and ct.
    const shared = fakeContext(syn('198.51.100.7', 1000), { ct: table.view('new', null) });
    const step = (src: string, sport: number): boolean | 'hotdrop' => {
      const e = conn(src, sport, { confirmed: false });
      const c = ctx(src, sport, e);
      const r = run(rule, { ...shared, packet: c.packet, ct: c.ct });
      table.add({ ...e, confirmed: true }); // confirmed at the end of the path
      return r;
    };
    expect(step('198.51.100.7', 1000)).toBe(false); // 1
    expect(step('198.51.100.7', 1001)).toBe(false); // 2
    expect(step('198.51.100.7', 1002)).toBe(true); // 3 > 2
    expect(step('198.51.100.8', 1000)).toBe(false); // another source: 1
  });

  it('drops connections gone from the table or TCP-closed, and counts a connection once', () => {
    const table = new FakeTable();
    const shared = fakeContext(syn('198.51.100.7', 1), { ct: table.view('new', null) });
    const through = (e: CtEntryView, state: CtView['state'] = 'new'): boolean | 'hotdrop' => {
      const p = syn('198.51.100.7', e.original.srcPort);
      return run(rule, { ...shared, packet: p, ct: table.view(state, e) });
    };
    const a = table.add(conn('198.51.100.7', 1));
    const b = table.add(conn('198.51.100.7', 2));
    expect(through(a)).toBe(false); // [a]
    expect(through(b)).toBe(false); // [a b]
    expect(through(a, 'established')).toBe(false); // still 2: a is already listed
    const c = table.add(conn('198.51.100.7', 3));
    expect(through(c)).toBe(true); // [a b c] = 3
    table.remove(b);
    const closedA = { ...a, tcpClosed: true };
    table.remove(a);
    table.add(closedA);
    const d = table.add(conn('198.51.100.7', 4));
    expect(through(d)).toBe(false); // a closed, b gone: [c d]
  });

  it('groups by the masked address, and --connlimit-upto is the complement', () => {
    const table = new FakeTable();
    const upto = parseRule('-p tcp --dport 22 -m connlimit --connlimit-upto 1 --connlimit-mask 24');
    const shared = fakeContext(syn('198.51.100.7', 1), { ct: table.view('new', null) });
    const through = (src: string, sport: number): boolean | 'hotdrop' => {
      const e = table.add(conn(src, sport));
      return run(upto, { ...shared, packet: syn(src, sport), ct: table.view('new', e) });
    };
    expect(through('198.51.100.7', 1)).toBe(true); // 1 <= 1
    expect(through('198.51.100.200', 1)).toBe(false); // same /24: 2
    expect(through('198.51.101.7', 1)).toBe(true); // other /24
  });

  it('keys by destination with --connlimit-daddr', () => {
    const table = new FakeTable();
    const r = parseRule('-p tcp --dport 22 -m connlimit --connlimit-above 1 --connlimit-daddr');
    const shared = fakeContext(syn('198.51.100.7', 1), { ct: table.view('new', null) });
    const through = (src: string, sport: number): boolean | 'hotdrop' => {
      const e = table.add(conn(src, sport));
      return run(r, { ...shared, packet: syn(src, sport), ct: table.view('new', e) });
    };
    expect(through('198.51.100.7', 1)).toBe(false);
    expect(through('192.0.2.9', 1)).toBe(true); // same destination 203.0.113.1
  });

  it("an established connection's packets add nothing: they prune the list, once a jiffy", () => {
    const table = new FakeTable();
    const upto = parseRule('-p tcp --dport 22 -m connlimit --connlimit-upto 1');
    const shared = fakeContext(syn('198.51.100.7', 1), { ct: table.view('new', null) });
    const step = connlimitAt(upto, shared, table);
    const at = (e: CtEntryView, state: CtView['state'], ms: number) => step(e, ms, state);
    const a = table.add(conn('198.51.100.7', 1));
    const b = table.add(conn('198.51.100.7', 2, { confirmed: false }));
    expect(at(a, 'new', 0)).toBe(true); // [a]
    expect(at(b, 'new', 10)).toBe(false); // [a b]
    table.remove(b); // b never confirmed
    // a's later packets (ESTABLISHED) add nothing and prune b: 1 again.
    expect(at(a, 'established', 20)).toBe(true);
    // An assured connection is never added to a list that exists: it only prunes.
    const c = table.add(conn('198.51.100.7', 3, { assured: true }));
    expect(at(c, 'new', 30)).toBe(true); // [a]
    const d = table.add(conn('198.51.100.7', 4));
    expect(at(d, 'new', 40)).toBe(false); // walks and adds: [a d]
    table.remove(d);
    expect(at(a, 'established', 40)).toBe(false); // the walk pruned in this jiffy: still 2
    expect(at(a, 'established', 41)).toBe(true); // the next jiffy prunes d: 1
    // A list pruned empty: a count of 0 drops the packet.
    table.remove(a);
    table.add({ ...a, tcpClosed: true });
    expect(at(a, 'established', 50)).toBe('hotdrop');
  });

  it('within the jiffy of its last pruning, a new connection is appended without a walk', () => {
    const table = new FakeTable();
    const shared = fakeContext(syn('198.51.100.7', 1), { ct: table.view('new', null) });
    const at = connlimitAt(rule, shared, table);
    const a = conn('198.51.100.7', 1, { confirmed: false });
    const b = conn('198.51.100.7', 2, { confirmed: false });
    const c = conn('198.51.100.7', 3, { confirmed: false });
    expect(at(a, 0)).toBe(false); // [a], list made at jiffy 0
    expect(at(b, 0)).toBe(false); // same jiffy: appended, a (gone) not evicted: [a b]
    expect(at(c, 0)).toBe(true); // [a b c] = 3 > 2
    expect(at(c, 1)).toBe(false); // the next jiffy walks: a and b gone, c listed: [c]
  });

  it('prunes up to 64 closed connections in one walk (CONNCOUNT_GC_MAX_COLLECT)', () => {
    const table = new FakeTable();
    const upto = parseRule('-p tcp --dport 22 -m connlimit --connlimit-upto 3');
    const shared = fakeContext(syn('198.51.100.7', 1), { ct: table.view('new', null) });
    const count = connlimitAt(upto, shared, table);
    const open = Array.from({ length: 70 }, (_, i) => table.add(conn('198.51.100.7', 100 + i)));
    open.forEach((e, i) => {
      count(e, 10 * i);
    });
    for (const e of open) {
      table.remove(e);
      table.add({ ...e, tcpClosed: true });
    }
    // 65 evicted, then the walk stops: 5 closed ones left, plus the new one.
    const next = table.add(conn('198.51.100.7', 999));
    expect(count(next, 10_000)).toBe(false); // 6 > 3
    expect(count(table.add(conn('198.51.100.7', 998)), 10_010)).toBe(true); // the rest pruned: [999 998]
  });

  it('without a ct uses the packet tuple, and hotdrops when there is none', () => {
    const table = new FakeTable();
    const p = syn('198.51.100.7', 5);
    const t: CtTupleKey = { protocol: 6, ...tuple('198.51.100.7', 5, '203.0.113.1', 22) };
    expect(run(rule, fakeContext(p, { ct: table.view('untracked', null, t) }))).toBe(false);
    expect(run(rule, fakeContext(p, { ct: table.view('invalid', null, null) }))).toBe('hotdrop');
  });
});

// ---- addrtype -------------------------------------------------------------------------------

describe('addrtype', () => {
  const calls: (string | undefined)[] = [];
  const host: HostView = {
    ...SIMPLE_HOST,
    addressType: (_f, addr, dev) => {
      calls.push(dev);
      return addr[0] === ip4('203.0.113.1')[0] ? 'local' : 'unicast';
    },
  };
  it('IPv4: the route type is one of the set, each side inverted on its own', () => {
    const pkt = packetFrom(SYN);
    expect(test1('-m addrtype --dst-type LOCAL', pkt, { host })).toBe(true);
    expect(test1('-m addrtype --src-type LOCAL', pkt, { host })).toBe(false);
    expect(test1('-m addrtype ! --src-type LOCAL --dst-type LOCAL,BROADCAST', pkt, { host })).toBe(true);
    expect(test1('-m addrtype --src-type UNICAST ! --dst-type LOCAL', pkt, { host })).toBe(false);
  });
  it('--limit-iface-in looks up on the input device', () => {
    calls.length = 0;
    test1('-m addrtype --dst-type LOCAL --limit-iface-in', packetFrom(SYN), { host });
    expect(calls).toEqual(['eth0']);
  });
  it('IPv6: every listed class must hold (UNICAST,MULTICAST never matches)', () => {
    const host6: HostView = {
      ...SIMPLE_HOST,
      addressType: (_f, addr) => (addr[3] === 1 ? 'local' : 'unicast'),
    };
    const pkt = packetFrom('tcp [2001:db8::7]:40000 > [2001:db8::1]:443 iif eth0 flags S');
    expect(test1('-m addrtype --dst-type UNICAST', pkt, { host: host6 })).toBe(true);
    expect(test1('-m addrtype --dst-type MULTICAST', pkt, { host: host6 })).toBe(false);
    expect(test1('-m addrtype --dst-type UNICAST,MULTICAST', pkt, { host: host6 })).toBe(false);
    expect(test1('-m addrtype --dst-type LOCAL', pkt, { host: host6 })).toBe(true);
    expect(test1('-m addrtype --src-type LOCAL', pkt, { host: host6 })).toBe(false);
    expect(test1('-m addrtype --dst-type UNICAST,LOCAL', pkt, { host: host6 })).toBe(true);
    const mc = packetFrom('udp [fe80::1]:5353 > [ff02::fb]:5353 iif eth0');
    expect(test1('-m addrtype --dst-type MULTICAST', mc, { host: host6 })).toBe(true);
    expect(test1('-m addrtype --src-type UNICAST', mc, { host: host6 })).toBe(true);
  });
});

// ---- physdev --------------------------------------------------------------------------------

describe('physdev', () => {
  const routed = packetFrom(SYN);
  const bridgedIn = packetFrom(SYN, { physIn: 'veth1', bridged: true });
  const bridgedFwd = packetFrom(SYN, { physIn: 'veth1', physOut: 'veth2', bridged: true });
  it('without bridge info matches only when every option is negated', () => {
    expect(test1('-m physdev ! --physdev-is-bridged', routed)).toBe(true);
    expect(test1('-m physdev ! --physdev-in veth1 ! --physdev-is-in', routed)).toBe(true);
    expect(test1('-m physdev --physdev-is-in', routed)).toBe(false);
    expect(test1('-m physdev ! --physdev-is-in --physdev-in veth1', routed)).toBe(false);
  });
  it('is-bridged means a bridge output port exists', () => {
    expect(test1('-m physdev --physdev-is-bridged', bridgedIn, { chain: 'FORWARD' })).toBe(false);
    expect(test1('-m physdev --physdev-is-bridged', bridgedFwd, { chain: 'FORWARD' })).toBe(true);
    expect(test1('-m physdev --physdev-is-in', bridgedIn)).toBe(true);
    expect(test1('-m physdev ! --physdev-is-out', bridgedIn)).toBe(true);
  });
  it('names: + is a prefix; --physdev-out without an output port fails even negated', () => {
    expect(test1('-m physdev --physdev-in veth+', bridgedIn)).toBe(true);
    expect(test1('-m physdev ! --physdev-in veth1', bridgedIn)).toBe(false);
    expect(test1('-m physdev --physdev-out veth2', bridgedFwd, { chain: 'FORWARD' })).toBe(true);
    expect(test1('-m physdev ! --physdev-out veth2', bridgedFwd, { chain: 'FORWARD' })).toBe(false);
    expect(test1('-m physdev ! --physdev-out veth2', bridgedIn, { chain: 'FORWARD' })).toBe(false);
    // --physdev-in with no input port is not tested.
    const outOnly = packetFrom(SYN, { physOut: 'veth2', bridged: true });
    expect(test1('-m physdev --physdev-in veth1', outOnly, { chain: 'FORWARD' })).toBe(true);
  });
});

// ---- owner ----------------------------------------------------------------------------------

describe('owner (OUTPUT)', () => {
  const out = { chain: 'OUTPUT' } as const;
  const noSock = packetFrom('tcp 203.0.113.1:40000 > 198.51.100.7:80 flags S');
  const sock = packetFrom('tcp 203.0.113.1:40000 > 198.51.100.7:80 flags S', {
    socket: { uid: 1000, gid: 100, groups: [27, 999] },
  });
  it('without a socket: only when every option is negated; never with --suppl-groups', () => {
    expect(test1('-m owner --uid-owner 0', noSock, out)).toBe(false);
    expect(test1('-m owner ! --uid-owner 0', noSock, out)).toBe(true);
    expect(test1('-m owner ! --socket-exists', noSock, out)).toBe(true);
    expect(test1('-m owner --uid-owner 0 ! --gid-owner 0', noSock, out)).toBe(false);
    expect(test1('-m owner ! --gid-owner 27 --suppl-groups', noSock, out)).toBe(false);
  });
  it('with a socket: fsuid / fsgid ranges, supplementary groups, ! --socket-exists', () => {
    expect(test1('-m owner --socket-exists', sock, out)).toBe(true);
    expect(test1('-m owner ! --socket-exists', sock, out)).toBe(false);
    expect(test1('-m owner --uid-owner 1000', sock, out)).toBe(true);
    expect(test1('-m owner --uid-owner 0-999', sock, out)).toBe(false);
    expect(test1('-m owner ! --uid-owner 0-999', sock, out)).toBe(true);
    expect(test1('-m owner --gid-owner 27', sock, out)).toBe(false);
    expect(test1('-m owner --gid-owner 27 --suppl-groups', sock, out)).toBe(true);
    expect(test1('-m owner ! --gid-owner 27 --suppl-groups', sock, out)).toBe(false);
  });
});

// ---- rpfilter -------------------------------------------------------------------------------

describe('rpfilter (raw PREROUTING)', () => {
  const raw = { table: 'raw', chain: 'PREROUTING' } as const;
  let seen: Parameters<HostView['reversePathOk']>[4] | null = null;
  const failing: HostView = {
    ...SIMPLE_HOST,
    reversePathOk: (_f, _s, _d, _i, opts) => {
      seen = opts;
      return false;
    },
  };
  it('asks the host, passing the options and the mark only with --validmark', () => {
    const p = packetFrom(SYN, { mark: 7 });
    expect(test1('-m rpfilter', p, { ...raw, host: failing })).toBe(false);
    expect(seen).toEqual({ loose: false, validMark: false, mark: 0, acceptLocal: false, tos: 0 });
    expect(
      test1('-m rpfilter --loose --validmark --accept-local --invert', p, { ...raw, host: failing }),
    ).toBe(true);
    expect(seen).toEqual({ loose: true, validMark: true, mark: 7, acceptLocal: true, tos: 0 });
  });
  it('passes loopback input and 0.0.0.0 to broadcast / 224.0.0.x without a lookup', () => {
    expect(
      test1('-m rpfilter', packetFrom('udp 127.0.0.1:1 > 127.0.0.1:2 iif lo'), { ...raw, host: failing }),
    ).toBe(true);
    const dhcp = packetFrom('udp 0.0.0.0:68 > 255.255.255.255:67 iif eth0');
    expect(test1('-m rpfilter', dhcp, { ...raw, host: failing })).toBe(true);
    expect(test1('-m rpfilter --invert', dhcp, { ...raw, host: failing })).toBe(false);
    const igmp = packetFrom('udp 0.0.0.0:1 > 224.0.0.22:2 iif eth0');
    expect(test1('-m rpfilter', igmp, { ...raw, host: failing })).toBe(true);
    const other = packetFrom('udp 0.0.0.0:1 > 203.0.113.1:2 iif eth0');
    expect(test1('-m rpfilter', other, { ...raw, host: failing })).toBe(false);
  });
  it('IPv6: a :: source passes', () => {
    const p = packetFrom('udp [::]:546 > [ff02::1:2]:547 iif eth0');
    expect(test1('-m rpfilter', p, { ...raw, host: failing })).toBe(true);
  });
});

// ---- devgroup, realm, cpu -------------------------------------------------------------------

describe('devgroup, realm, cpu', () => {
  const host: HostView = { ...SIMPLE_HOST, interfaceGroup: (n) => (n === 'eth0' ? 0x13 : 0) };
  it('devgroup: ((group ^ value) & mask) == 0 for in / out device', () => {
    const p = packetFrom(SYN);
    expect(test1('-m devgroup --src-group 0x3/0xf', p, { host })).toBe(true);
    expect(test1('-m devgroup --src-group 0x13', p, { host })).toBe(true);
    expect(test1('-m devgroup --src-group 0x3', p, { host })).toBe(false);
    expect(test1('-m devgroup ! --src-group 0x3', p, { host })).toBe(true);
    const fwd = packetFrom('tcp 198.51.100.7:1 > 192.0.2.1:80 iif eth0 oif eth1 flags S');
    expect(test1('-m devgroup --src-group 0x13 --dst-group 0x0', fwd, { host, chain: 'FORWARD' })).toBe(true);
  });
  it('realm: 0 without realms; id == tclassid & mask', () => {
    const p = packetFrom(SYN);
    expect(test1('-m realm --realm 0', p)).toBe(true);
    expect(test1('-m realm --realm 5', p)).toBe(false);
    const realmHost: HostView = { ...SIMPLE_HOST, routeRealm: () => 0x10005 };
    expect(test1('-m realm --realm 5/0xffff', p, { host: realmHost })).toBe(true);
    expect(test1('-m realm ! --realm 5', p, { host: realmHost })).toBe(true);
  });
  it('cpu: the engine is CPU 0', () => {
    const p = packetFrom(SYN);
    expect(test1('-m cpu --cpu 0', p)).toBe(true);
    expect(test1('-m cpu --cpu 1', p)).toBe(false);
    expect(test1('-m cpu ! --cpu 1', p)).toBe(true);
  });
});

// ---- socket, policy, set, nfacct, quota -----------------------------------------------------

describe('socket', () => {
  const pre = { table: 'mangle', chain: 'PREROUTING' } as const;
  const hostWith = (s: SocketView | null): HostView => ({ ...SIMPLE_HOST, lookupSocket: () => s });
  const listener: SocketView = { fullSock: true, wildcardBound: true, transparent: false, mark: 9 };
  const bound: SocketView = { fullSock: true, wildcardBound: false, transparent: true, mark: 9 };
  it('no socket lookup on the host: never matches', () => {
    expect(test1('-m socket', packetFrom(SYN), pre)).toBe(false);
  });
  it('ignores wildcard listeners unless --nowildcard; --transparent needs IP_TRANSPARENT', () => {
    expect(test1('-m socket', packetFrom(SYN), { ...pre, host: hostWith(listener) })).toBe(false);
    expect(test1('-m socket --nowildcard', packetFrom(SYN), { ...pre, host: hostWith(listener) })).toBe(true);
    expect(
      test1('-m socket --transparent --nowildcard', packetFrom(SYN), { ...pre, host: hostWith(listener) }),
    ).toBe(false);
    expect(test1('-m socket --transparent', packetFrom(SYN), { ...pre, host: hostWith(bound) })).toBe(true);
  });
  it('--restore-skmark sets the packet mark when it matches', () => {
    const p = packetFrom(SYN);
    expect(test1('-m socket --restore-skmark', p, { ...pre, host: hostWith(bound) })).toBe(true);
    expect(p.mark).toBe(9);
    const q = packetFrom(SYN);
    expect(test1('-m socket --restore-skmark', q, { ...pre, host: hostWith(listener) })).toBe(false);
    expect(q.mark).toBe(0);
  });
});

describe('policy, set, nfacct', () => {
  const p = packetFrom(SYN);
  it('policy: no IPsec, so --pol none matches and --pol ipsec does not', () => {
    expect(test1('-m policy --dir in --pol none', p)).toBe(true);
    expect(test1('-m policy --dir in --pol ipsec', p)).toBe(false);
    expect(test1('-m policy --dir out --pol ipsec --proto esp', p, { chain: 'OUTPUT' })).toBe(false);
  });
  it('set: refused (no ipsets)', () => {
    const m: Match = {
      kind: 'set',
      setName: 'x',
      directions: ['src'],
      invert: false,
      returnNomatch: false,
      skipCounterUpdate: false,
      skipSubcounterUpdate: false,
    };
    const ev = MATCH_EVALUATORS.set as MatchEvaluator;
    expect(() => ev.test(m, fakeContext(p), parseRule('-p tcp').rule)).toThrow(UnsupportedError);
  });
  it('nfacct: a quota-less object always matches and counts', () => {
    const m: Match = { kind: 'nfacct', name: 'web' };
    const ctx = fakeContext(p);
    const ev = MATCH_EVALUATORS.nfacct as MatchEvaluator;
    expect(ev.test(m, ctx, parseRule('-p tcp').rule)).toBe(true);
    expect(ev.test(m, ctx, parseRule('-p tcp').rule)).toBe(true);
    expect(ctx.sharedState('nfacct', 'web', () => null)).toEqual({
      packets: 2n,
      bytes: BigInt(2 * p.bytes.length),
    });
  });
});

describe('quota (per rule, by packet length)', () => {
  it('matches while the packet fits, then never again (even smaller packets)', () => {
    const big = packetFrom('udp 198.51.100.7:1 > 203.0.113.1:2 iif eth0 len 72'); // 100 bytes
    const small = packetFrom('udp 198.51.100.7:1 > 203.0.113.1:2 iif eth0 len 2'); // 30 bytes
    expect(big.bytes.length).toBe(100);
    const r = parseRule('-m quota --quota 230');
    const ctx = fakeContext(big);
    const go = (pkt: EnginePacket): boolean | 'hotdrop' => run(r, { ...ctx, packet: pkt });
    expect(go(big)).toBe(true); // 130 left
    expect(go(big)).toBe(true); // 30 left
    expect(go(big)).toBe(false); // does not fit: quota becomes 0
    expect(go(small)).toBe(false);
  });
  it('inverted: matches once exhausted; another rule has its own quota', () => {
    const pkt = packetFrom('udp 198.51.100.7:1 > 203.0.113.1:2 iif eth0 len 72');
    const r = parseRule('-m quota ! --quota 100');
    const other = parseRule('-m quota ! --quota 100');
    const ctx = fakeContext(pkt);
    expect(run(r, ctx)).toBe(false);
    expect(run(r, ctx)).toBe(true);
    expect(run(other, ctx)).toBe(false);
  });
});
