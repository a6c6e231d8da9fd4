// Rate, sampling and time matches (limit, hashlimit, recent, statistic, time) on packet time:
// each expectation is the kernel's integer arithmetic worked by hand (see the evaluators).

import { describe, expect, it } from 'vitest';
import type { MatchContext } from '../../../src/engine/reference/match-context.js';
import { hashlimitEvaluator } from '../../../src/engine/reference/matches/hashlimit.js';
import { limitEvaluator } from '../../../src/engine/reference/matches/limit.js';
import { recentEvaluator } from '../../../src/engine/reference/matches/recent.js';
import { statisticEvaluator } from '../../../src/engine/reference/matches/statistic.js';
import { timeEvaluator } from '../../../src/engine/reference/matches/time.js';
import type { EnginePacket } from '../../../src/engine/reference/packet.js';
import { parseIptablesSave } from '../../../src/frontend/iptables/restore-parser.js';
import type { Family } from '../../../src/ir/address.js';
import type { Hook, Rule } from '../../../src/ir/ruleset.js';
import { fakeContext, packetFrom, seededRandom } from '../fake-context.js';

const SYN = 'tcp 198.51.100.7:40000 > 203.0.113.1:80 iif eth0 flags S';
const MS = 1_000_000n;
const S = 1000n * MS;

function rule(text: string, family: Family = 'ipv4'): Rule {
  const rs = parseIptablesSave(`*filter\n-A INPUT ${text}\nCOMMIT\n`, {
    file: family === 'ipv4' ? 't.v4' : 't.v6',
    family,
  });
  const chain = rs.tables[0]!.chains.find((c) => c.name === 'INPUT')!;
  return chain.rules[0]!;
}

/** The rule's rate/time matches, all of which must hold (in rule order, as the kernel runs them). */
function evaluate(r: Rule, ctx: MatchContext): boolean | 'hotdrop' {
  for (const m of r.matches) {
    let v: boolean | 'hotdrop';
    switch (m.kind) {
      case 'limit':
        v = limitEvaluator.test(m, ctx, r);
        break;
      case 'hashlimit':
        v = hashlimitEvaluator.test(m, ctx, r);
        break;
      case 'recent':
        v = recentEvaluator.test(m, ctx, r);
        break;
      case 'statistic':
        v = statisticEvaluator.test(m, ctx, r);
        break;
      case 'time':
        v = timeEvaluator.test(m, ctx, r);
        break;
      default:
        continue;
    }
    if (v !== true) return v;
  }
  return true;
}

/**
 * One context kept for a whole run (fakeContext keeps rule and shared state per object), with
 * the packet, clock and hook swapped per call.
 */
function world(opts: { random?: () => number } = {}) {
  let packet: EnginePacket = packetFrom(SYN);
  let now = 0n;
  let hook: Hook = 'input';
  const base = fakeContext(packet, { random: opts.random ?? seededRandom(1) });
  const ctx: MatchContext = {
    get family() {
      return packet.decoded.family;
    },
    get hook() {
      return hook;
    },
    table: 'filter',
    get packet() {
      return packet;
    },
    ct: base.ct,
    host: base.host,
    get now() {
      return now;
    },
    random: () => base.random(),
    ruleState<T>(r: Rule, key: object, init: () => T): T {
      return base.ruleState(r, key, init);
    },
    sharedState<T>(ns: string, name: string, init: () => T): T {
      return base.sharedState(ns, name, init);
    },
  };
  return {
    /** Runs rule `r` on a packet (default: the SYN) at packet time `at` (ns). */
    run(r: Rule, at: bigint, spec: string = SYN, o: { hook?: Hook; socket?: boolean } = {}) {
      packet = packetFrom(spec, {
        timestampNs: at,
        ...(o.socket ? { socket: { uid: 0, gid: 0, groups: [] } } : {}),
      });
      now = at;
      hook = o.hook ?? 'input';
      return evaluate(r, ctx);
    },
    /** Results of `n` packets at the same time. */
    burst(r: Rule, at: bigint, n: number, spec: string = SYN): (boolean | 'hotdrop')[] {
      return Array.from({ length: n }, () => this.run(r, at, spec));
    },
  };
}

const from = (src: string, sport = 40000, dport = 80, extra = '') =>
  `tcp ${src}:${sport} > 203.0.113.1:${dport} iif eth0 flags S${extra}`;

describe('limit (xt_limit, HZ 1000: 32 credits per jiffy)', () => {
  it('passes a full burst, then one packet per interval, to the millisecond', () => {
    const w = world();
    const r = rule('-p tcp -m limit --limit 3/min --limit-burst 5 -j ACCEPT');
    // cost = (200000 / 10000) * 32000 = 640000 credits = 20000 jiffies.
    expect(w.burst(r, 0n, 6)).toEqual([true, true, true, true, true, false]);
    expect(w.run(r, 19_999n * MS)).toBe(false); // 639968 credits
    expect(w.run(r, 20_000n * MS)).toBe(true); // failed packets still move `prev`
    expect(w.run(r, 20_001n * MS)).toBe(false);
  });

  it('7/min with burst 5 starts with only 4 packets (user2credits divides first)', () => {
    const w = world();
    const r = rule('-m limit --limit 7/min -j ACCEPT');
    // avg = 85714; cost = 85714 * 32000 / 10000 = 274284; avg * 5 = 428570 > 134217, so the
    // cap is (428570 / 10000) * 32000 = 1344000, 4.9 packets.
    expect(w.burst(r, 0n, 5)).toEqual([true, true, true, true, false]);
    // 1344000 - 4 * 274284 = 246864 left; 27420 more credits = 856.9 jiffies.
    expect(w.run(r, 856n * MS)).toBe(false);
    expect(w.run(r, 857n * MS)).toBe(true);
  });

  it('1/day refills after exactly 86400 s', () => {
    const w = world();
    const r = rule('-m limit --limit 1/day --limit-burst 1 -j ACCEPT');
    expect(w.run(r, 0n)).toBe(true);
    expect(w.run(r, 86_399_999n * MS)).toBe(false);
    expect(w.run(r, 86_400_000n * MS)).toBe(true);
  });

  it('sub-jiffy packet times count as the same jiffy', () => {
    const w = world();
    const r = rule('-m limit --limit 1000/sec --limit-burst 1 -j ACCEPT');
    expect(w.run(r, 0n)).toBe(true);
    expect(w.run(r, MS - 1n)).toBe(false);
    expect(w.run(r, MS)).toBe(true);
  });

  it('keeps one bucket per rule', () => {
    const w = world();
    const a = rule('-m limit --limit 1/sec --limit-burst 1 -j ACCEPT');
    const b = rule('-m limit --limit 1/sec --limit-burst 1 -j ACCEPT');
    expect([w.run(a, 0n), w.run(a, 0n), w.run(b, 0n), w.run(b, 0n)]).toEqual([true, false, true, false]);
  });

  it('wraps the u32 credit increase after 2^27 idle jiffies, as the kernel does', () => {
    const w = world();
    const r = rule('-m limit --limit 1/sec --limit-burst 1 -j ACCEPT');
    expect(w.run(r, 0n)).toBe(true);
    expect(w.run(r, 134_217_728n * MS)).toBe(false); // 2^27 * 32 = 2^32 credits: wraps to 0
    expect(w.run(r, (134_217_728n + 1000n) * MS)).toBe(true);
  });
});

describe('hashlimit (revision 3)', () => {
  it('keeps a bucket per source address', () => {
    const w = world();
    const r = rule(
      '-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name h1 -j ACCEPT',
    );
    const a = from('198.51.100.7');
    const b = from('198.51.100.8');
    expect(w.burst(r, 0n, 3, a)).toEqual([true, true, false]);
    expect(w.burst(r, 0n, 3, b)).toEqual([true, true, false]);
    // cost = 10^6 * 137438953 credits; 2^37 per jiffy: 999 jiffies are not quite enough.
    expect(w.run(r, 999n * MS, a)).toBe(false);
    expect(w.run(r, 1000n * MS, a)).toBe(true);
  });

  it('groups by the masked source and by destination port', () => {
    const w = world();
    const r = rule(
      '-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 1 --hashlimit-mode srcip,dstport --hashlimit-srcmask 24 --hashlimit-name h2 -j ACCEPT',
    );
    expect(w.run(r, 0n, from('198.51.100.7', 1, 80))).toBe(true);
    expect(w.run(r, 0n, from('198.51.100.200', 2, 80))).toBe(false); // same /24, same port
    expect(w.run(r, 0n, from('198.51.100.200', 2, 443))).toBe(true);
    expect(w.run(r, 0n, from('198.51.101.7', 1, 80))).toBe(true);
  });

  it('--hashlimit-above matches once the bucket is empty', () => {
    const w = world();
    const r = rule(
      '-m hashlimit --hashlimit-above 2/sec --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-name h3 -j DROP',
    );
    expect(w.burst(r, 0n, 5)).toEqual([false, false, false, true, true]);
    expect(w.run(r, 500n * MS)).toBe(false);
  });

  it('shares a table by name, with the creating rule configuration', () => {
    const w = world();
    const first = rule(
      '-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 2 --hashlimit-name sh -j ACCEPT',
    );
    const second = rule(
      '-m hashlimit --hashlimit-above 1/min --hashlimit-burst 9 --hashlimit-name sh -j DROP',
    );
    expect(w.run(first, 0n)).toBe(true);
    expect(w.run(second, 0n)).toBe(false); // takes the second credit (burst 2, not 9)
    expect(w.run(second, 0n)).toBe(true); // empty: "above"
    expect(w.run(first, 0n)).toBe(false);
  });

  it('forgets idle entries only when the gc runs after they expire', () => {
    const w = world();
    const spec =
      '--hashlimit-upto 1/min --hashlimit-burst 3 --hashlimit-mode srcip --hashlimit-htable-expire 10000';
    const gc = rule(`-m hashlimit ${spec} --hashlimit-htable-gcinterval 1000 --hashlimit-name g1 -j ACCEPT`);
    const slow = rule(
      `-m hashlimit ${spec} --hashlimit-htable-gcinterval 60000 --hashlimit-name g2 -j ACCEPT`,
    );
    for (const r of [gc, slow]) expect(w.burst(r, 0n, 4)).toEqual([true, true, true, false]);
    // Expires at 10000 ms; the gc pass at 10000 ms drops the entry: a fresh, full bucket.
    expect(w.burst(gc, 10_500n * MS, 4)).toEqual([true, true, true, false]);
    // No gc until 60 s: the old entry refills at one packet a minute (10.5 s: none yet).
    expect(w.run(slow, 10_500n * MS)).toBe(false);
    // At 9.999 s the entry has not expired yet (gc at 9000 ms sees expires 10000).
    const early = rule(
      `-m hashlimit ${spec} --hashlimit-htable-gcinterval 1000 --hashlimit-name g3 -j ACCEPT`,
    );
    expect(w.burst(early, 0n, 4)).toEqual([true, true, true, false]);
    expect(w.run(early, 9_999n * MS)).toBe(false);
  });

  it('drops the packet when the table is full', () => {
    const w = world();
    const r = rule(
      '-m hashlimit --hashlimit-upto 1/sec --hashlimit-mode srcip --hashlimit-htable-size 2 --hashlimit-htable-max 2 --hashlimit-name full -j ACCEPT',
    );
    expect(w.run(r, 0n, from('198.51.100.1'))).toBe(true);
    expect(w.run(r, 0n, from('198.51.100.2'))).toBe(true);
    expect(w.run(r, 0n, from('198.51.100.3'))).toBe('hotdrop');
    expect(w.run(r, 0n, from('198.51.100.1'))).toBe(true); // existing keys still work
  });

  it('byte mode: 16-byte chunks against one second of credit', () => {
    const w = world();
    const r = rule('-m hashlimit --hashlimit-upto 1kb/s --hashlimit-name b1 -j ACCEPT');
    // cost 66076419 -> 64527752 credits per chunk; a 40-byte packet is 3 chunks (193583256);
    // the bucket holds 4194304000: 21 packets.
    const res = w.burst(r, 0n, 22);
    expect(res.filter((x) => x === true)).toHaveLength(21);
    expect(res[21]).toBe(false);
    // 129055624 left; 64527632 more at 4194304 per jiffy: 16 jiffies.
    expect(w.run(r, 15n * MS)).toBe(false);
    expect(w.run(r, 16n * MS)).toBe(true);
  });

  it('byte mode with a burst refills an empty bucket while refills remain', () => {
    const w = world();
    // burst 2kb at 1kb/s (cost_to_bytes: 1024 bytes a second): 2 extra refills.
    const r = rule('-m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 2kb --hashlimit-name b2 -j ACCEPT');
    const res = w.burst(r, 0n, 100);
    expect(res.filter((x) => x === true)).toHaveLength(21 * 3);
  });

  it('rate-match: the measured rate per interval, judged on the previous window', () => {
    const w = world();
    const r = rule(
      '-m hashlimit --hashlimit-upto 2/sec --hashlimit-rate-match --hashlimit-htable-expire 60000 --hashlimit-name rm -j ACCEPT',
    );
    // rate 2, burst 5 + 2 = 7 packets in a window. (The default expiry, 1 s, would let the gc
    // at 1000 ms drop the entry and its window.)
    expect(w.burst(r, 0n, 8)).toEqual([true, true, true, true, true, true, true, false]);
    expect(w.run(r, 1000n * MS)).toBe(false); // the last window was over: 8 * 1000 > 1000 * 2
    expect(w.run(r, 1999n * MS)).toBe(false); // window not over yet
    expect(w.run(r, 2000n * MS)).toBe(true); // 2 * 1000 > 1000 * 2 is false
  });

  it('protocols without ports share the port-0 bucket', () => {
    const w = world();
    const r = rule(
      '-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 1 --hashlimit-mode dstport --hashlimit-name hp -j ACCEPT',
    );
    expect(w.run(r, 0n, 'icmp 198.51.100.7 > 203.0.113.1 echo-request id 1 seq 1')).toBe(true);
    expect(w.run(r, 0n, 'icmp 198.51.100.8 > 203.0.113.2 echo-request id 2 seq 1')).toBe(false);
    expect(w.run(r, 0n, from('198.51.100.7', 1, 80))).toBe(true);
    expect(w.run(r, 0n, from('198.51.100.7', 1, 0))).toBe(false); // TCP port 0: the same key
  });

  it('IPv6 tables are separate from IPv4 ones of the same name', () => {
    const w = world();
    const r4 = rule(
      '-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 1 --hashlimit-name dual -j ACCEPT',
    );
    const r6 = rule(
      '-m hashlimit --hashlimit-upto 1/min --hashlimit-burst 1 --hashlimit-name dual -j ACCEPT',
      'ipv6',
    );
    expect(w.run(r4, 0n)).toBe(true);
    expect(w.run(r6, 0n, 'tcp [2001:db8::7]:40000 > [2001:db8::1]:80 flags S')).toBe(true);
    expect(w.run(r6, 0n, 'tcp [2001:db8::7]:40000 > [2001:db8::1]:80 flags S')).toBe(false);
  });
});

describe('recent', () => {
  const set = (extra = '') => rule(`-m recent --set --name SSH ${extra}-j ACCEPT`);
  const check = (opts: string) => rule(`-m recent --rcheck ${opts} --name SSH -j DROP`);

  it('counts hits inside --seconds, the window edge included', () => {
    const w = world();
    const s = set();
    const c = check('--seconds 60 --hitcount 4');
    for (const t of [0n, 1n, 2n]) expect(w.run(s, t * S)).toBe(true);
    expect(w.run(c, 3n * S)).toBe(false); // 3 hits
    expect(w.run(s, 3n * S)).toBe(true);
    expect(w.run(c, 3n * S)).toBe(true);
    expect(w.run(c, 60n * S)).toBe(true); // since = 0: the stamp at 0 still counts
    expect(w.run(c, 60n * S + MS)).toBe(false); // now 3 hits
    expect(w.run(c, 60n * S, from('198.51.100.8'))).toBe(false); // another address
  });

  it('--rcheck without --seconds matches any listed address; hitcount counts every stamp', () => {
    const w = world();
    const s = set();
    expect(w.run(check(''), 0n)).toBe(false);
    w.run(s, 0n);
    expect(w.run(check(''), 1000n * S)).toBe(true);
    expect(w.run(check('--hitcount 2'), 1000n * S)).toBe(false);
    w.run(s, 2000n * S);
    expect(w.run(check('--hitcount 2'), 3000n * S)).toBe(true);
  });

  it('--update refreshes only when it matches; `! --update` when it does not', () => {
    const w = world();
    const s = set();
    const u = rule('-m recent --update --seconds 10 --name SSH -j DROP');
    const notU = rule('-m recent ! --update --seconds 10 --name SSH -j DROP');
    w.run(s, 0n);
    expect(w.run(u, 9n * S)).toBe(true); // refreshed at 9 s
    expect(w.run(u, 18n * S)).toBe(true); // within 10 s of 9 s
    expect(w.run(notU, 29n * S)).toBe(true); // stale: the check failed, ! makes it true and refreshes
    expect(w.run(u, 30n * S)).toBe(true); // thanks to that refresh at 29 s
  });

  it('--remove drops the address', () => {
    const w = world();
    w.run(set(), 0n);
    const rm = rule('-m recent --remove --name SSH -j ACCEPT');
    expect(w.run(rm, S)).toBe(true);
    expect(w.run(rm, S)).toBe(false);
    expect(w.run(check(''), S)).toBe(false);
  });

  it('--rdest and --mask choose and mask the address; the list keeps its creator mask', () => {
    const w = world();
    const s = rule('-m recent --set --name NET --mask 255.255.255.0 --rdest -j ACCEPT');
    const c = rule('-m recent --rcheck --name NET --rdest -j DROP'); // its own mask is /32
    w.run(s, 0n, 'tcp 198.51.100.7:1 > 203.0.113.1:80 flags S');
    expect(w.run(c, 0n, 'tcp 192.0.2.1:1 > 203.0.113.99:80 flags S')).toBe(true);
    expect(w.run(c, 0n, 'tcp 192.0.2.1:1 > 203.0.114.1:80 flags S')).toBe(false);
  });

  it('keeps 100 addresses, evicting the least recently set or updated', () => {
    const w = world();
    const s = set();
    const addr = (i: number) => from(`10.0.${i >> 8}.${i & 255}`);
    for (let i = 1; i <= 100; i++) w.run(s, BigInt(i) * MS, addr(i));
    expect(w.run(check(''), S, addr(1))).toBe(true); // --rcheck does not refresh
    w.run(s, S, addr(101));
    expect(w.run(check(''), S, addr(1))).toBe(false);
    expect(w.run(check(''), S, addr(2))).toBe(true);
    w.run(rule('-m recent --update --name SSH -j DROP'), S, addr(2)); // refresh 2
    w.run(s, S, addr(102)); // evicts 3
    expect(w.run(check(''), S, addr(2))).toBe(true);
    expect(w.run(check(''), S, addr(3))).toBe(false);
  });

  it('--hitcount beyond 32 works (the ring covers the largest hitcount)', () => {
    const w = world();
    const s = set();
    for (let i = 0; i < 40; i++) w.run(s, BigInt(i) * MS);
    expect(w.run(check('--hitcount 40'), S)).toBe(true);
    expect(w.run(check('--hitcount 41'), S)).toBe(false);
  });

  it('--rttl compares the stored TTL; forwarded packets count one more', () => {
    const w = world();
    w.run(set(), 0n, from('198.51.100.7', 1, 80, ' ttl 64'));
    const c = check('--rttl');
    expect(w.run(c, S, from('198.51.100.7', 1, 80, ' ttl 63'))).toBe(false);
    expect(w.run(c, S, from('198.51.100.7', 1, 80, ' ttl 64'))).toBe(true);
    // In FORWARD (an output device, no socket) TTL 63 is taken as 64.
    const fwd = (ttl: number) => w.run(c, S, from('198.51.100.7', 1, 80, ` ttl ${ttl}`), { hook: 'forward' });
    expect(fwd(63)).toBe(true);
    expect(fwd(64)).toBe(false);
    // OUTPUT with a local socket: no adjustment.
    expect(w.run(c, S, from('198.51.100.7', 1, 80, ' ttl 64'), { hook: 'output', socket: true })).toBe(true);
  });

  it('--reap removes the oldest entry when its last stamp left the window', () => {
    const w = world();
    const s = set();
    w.run(s, 0n, from('198.51.100.1'));
    w.run(s, 5n * S, from('198.51.100.2'));
    const reap = check('--seconds 3 --reap');
    expect(w.run(reap, 6n * S, from('198.51.100.2'))).toBe(true); // reaps .1 (last seen 0 s)
    expect(w.run(check(''), 6n * S, from('198.51.100.1'))).toBe(false);
    expect(w.run(check(''), 6n * S, from('198.51.100.2'))).toBe(true);
  });

  it('--seconds * HZ is a 32-bit product: 4294968 s is a 704 ms window at HZ 1000', () => {
    const w = world();
    w.run(set(), 0n);
    expect(w.run(check('--seconds 4294967'), 100_000n * S)).toBe(true);
    expect(w.run(check('--seconds 4294968'), 704n * MS)).toBe(true);
    expect(w.run(check('--seconds 4294968'), 705n * MS)).toBe(false);
  });

  it('`!` inverts --set and --rcheck', () => {
    const w = world();
    expect(w.run(rule('-m recent ! --set --name SSH -j ACCEPT'), 0n)).toBe(false);
    expect(w.run(rule('-m recent ! --rcheck --name SSH -j ACCEPT'), 0n)).toBe(false);
    expect(w.run(rule('-m recent ! --rcheck --name SSH -j ACCEPT'), 0n, from('198.51.100.9'))).toBe(true);
  });
});

describe('statistic', () => {
  it('random 0.5: one draw per evaluation, low 31 bits against the threshold', () => {
    const w = world({ random: seededRandom(42) });
    const r = rule('-m statistic --mode random --probability 0.5 -j ACCEPT');
    let hits = 0;
    for (let i = 0; i < 10000; i++) if (w.run(r, BigInt(i) * MS) === true) hits++;
    expect(hits).toBe(5070);
    // Independently: the same draws through the kernel's test.
    const draw = seededRandom(42);
    let expected = 0;
    for (let i = 0; i < 10000; i++) if ((draw() & 0x7fffffff) < 0x40000000) expected++;
    expect(hits).toBe(expected);
  });

  it('random 0 never, 1 always', () => {
    const w = world();
    const never = rule('-m statistic --mode random --probability 0 -j ACCEPT');
    const always = rule('-m statistic --mode random --probability 1 -j ACCEPT');
    for (let i = 0; i < 100; i++) {
      expect(w.run(never, 0n)).toBe(false);
      expect(w.run(always, 0n)).toBe(true);
    }
  });

  it('nth: the packet that wraps the counter matches; the counter starts at --packet', () => {
    const w = world();
    const seq = (text: string, n: number) => {
      const r = rule(`-m statistic ${text} -j ACCEPT`);
      return Array.from({ length: n }, () => (w.run(r, 0n) === true ? 1 : 0)).join('');
    };
    expect(seq('--mode nth --every 3 --packet 0', 9)).toBe('001001001');
    expect(seq('--mode nth --every 3 --packet 1', 9)).toBe('010010010');
    expect(seq('--mode nth --every 3 --packet 2', 9)).toBe('100100100');
    expect(seq('--mode nth --every 1 --packet 0', 4)).toBe('1111');
    expect(seq('--mode nth ! --every 2 --packet 0', 4)).toBe('1010');
  });
});

describe('time (UTC)', () => {
  // 2024-01-01 was a Monday.
  const at = (iso: string) => BigInt(Date.parse(`${iso}Z`)) * MS;

  it('a window that wraps past midnight, both ends inclusive', () => {
    const w = world();
    const r = rule('-m time --timestart 22:00 --timestop 06:00 -j ACCEPT');
    const t = (iso: string) => w.run(r, at(iso));
    expect(t('2024-01-01T21:59:59')).toBe(false);
    expect(t('2024-01-01T22:00:00')).toBe(true);
    expect(t('2024-01-01T23:59:59.999')).toBe(true);
    expect(t('2024-01-02T00:00:00')).toBe(true);
    expect(t('2024-01-02T06:00:00.999')).toBe(true); // whole seconds: 06:00:00
    expect(t('2024-01-02T06:00:01')).toBe(false);
  });

  it('weekdays apply to the calendar day unless --contiguous', () => {
    const w = world();
    const plain = rule('-m time --timestart 23:00 --timestop 01:00 --weekdays Mon -j ACCEPT');
    const contiguous = rule(
      '-m time --timestart 23:00 --timestop 01:00 --weekdays Mon --contiguous -j ACCEPT',
    );
    const both = (iso: string) => [w.run(plain, at(iso)), w.run(contiguous, at(iso))];
    expect(both('2024-01-01T23:30:00')).toEqual([true, true]); // Monday night
    expect(both('2024-01-02T00:30:00')).toEqual([false, true]); // Tuesday morning
    expect(both('2024-01-01T00:30:00')).toEqual([true, false]); // Monday morning = Sunday's window
  });

  it('equal start and stop times match the whole day', () => {
    const w = world();
    const r = rule('-m time --timestart 12:00 --timestop 12:00 -j ACCEPT');
    expect(w.run(r, at('2024-01-01T03:00:00'))).toBe(true);
  });

  it('monthdays, datestart and datestop (inclusive, whole seconds)', () => {
    const w = world();
    const md = rule('-m time --monthdays 29 -j ACCEPT');
    expect(w.run(md, at('2024-02-29T12:00:00'))).toBe(true);
    expect(w.run(md, at('2023-03-01T12:00:00'))).toBe(false);
    expect(w.run(md, at('2023-12-29T00:00:00'))).toBe(true);
    const dates = rule('-m time --datestart 2024-03-01T10:00:00 --datestop 2024-03-02 -j ACCEPT');
    expect(w.run(dates, at('2024-03-01T09:59:59.999'))).toBe(false);
    expect(w.run(dates, at('2024-03-01T10:00:00'))).toBe(true);
    expect(w.run(dates, at('2024-03-02T00:00:00.5'))).toBe(true);
    expect(w.run(dates, at('2024-03-02T00:00:01'))).toBe(false);
  });

  it('the default datestop (2^31 - 1) ends every time match in January 2038', () => {
    const w = world();
    const r = rule('-m time --weekdays Mon,Tue,Wed,Thu,Fri,Sat,Sun -j ACCEPT');
    expect(w.run(r, 2_147_483_647n * S)).toBe(true);
    expect(w.run(r, 2_147_483_648n * S)).toBe(false);
  });

  it('--kerneltz is UTC', () => {
    const w = world();
    const r = rule('-m time --timestart 09:00 --timestop 17:00 --kerneltz -j ACCEPT');
    expect(w.run(r, at('2024-06-03T08:59:59'))).toBe(false);
    expect(w.run(r, at('2024-06-03T09:00:00'))).toBe(true);
  });
});
