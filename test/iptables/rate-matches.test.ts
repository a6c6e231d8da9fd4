// Rate, sampling and miscellaneous matches: limit, recent, statistic, hashlimit, connlimit,
// string, time, nfacct, quota. Expected lines are what the kernel's iptables-legacy-save printed
// (test/kernel/compare.ts).

import { describe, expect, it } from 'vitest';
import type { Family } from '../../src/ir/address.js';
import type { Match } from '../../src/ir/match.js';
import { firstMatches, load, refusal, saveLines } from './helpers.js';

const parse = (spec: string, family: Family = 'ipv4') => load('filter', [`-A INPUT ${spec}`], family, 't.v4');

const roundTrip = (spec: string, family: Family = 'ipv4'): string => saveLines(parse(spec, family))[0]!;

const firstMatch = (spec: string, kind: string, family: Family = 'ipv4'): Match =>
  firstMatches(parse(spec, family)).find((m) => m.kind === kind)!;

const errorOf = (spec: string, family: Family = 'ipv4'): string => refusal(() => parse(spec, family), spec);

const cases: [string, string, Family?][] = [
  // limit
  ['-m limit --limit 7/min', '-A INPUT -m limit --limit 7/min'],
  ['-m limit --limit 3/m', '-A INPUT -m limit --limit 3/min'],
  ['-m limit --limit 5abc/s', '-A INPUT -m limit --limit 5/sec'],
  ['-m limit', '-A INPUT -m limit --limit 3/hour'],
  ['-m limit --limit 3/d --limit-burst 10000', '-A INPUT -m limit --limit 3/day --limit-burst 10000'],
  ['-m limit --limit 3333/sec', '-A INPUT -m limit --limit 3333/sec'],
  ['-m limit --limit 1/day --limit-burst 5000', '-A INPUT -m limit --limit 1/day --limit-burst 5000'],
  ['-m limit --limit 4294967297/sec', '-A INPUT -m limit --limit 1/sec'],
  // recent
  ['-m recent --set', '-A INPUT -m recent --set --name DEFAULT --mask 255.255.255.255 --rsource'],
  [
    '-m recent ! --rcheck --seconds 5 --reap --hitcount 20 --rttl --name foo --rdest --mask 255.255.0.0',
    '-A INPUT -m recent ! --rcheck --seconds 5 --reap --hitcount 20 --rttl --name foo --mask 255.255.0.0 --rdest',
  ],
  [
    '-m recent --set --mask 255.255.255',
    '-A INPUT -m recent --set --name DEFAULT --mask 255.255.0.255 --rsource',
  ],
  [
    '-m recent --rcheck --hitcount 0',
    '-A INPUT -m recent --rcheck --name DEFAULT --mask 255.255.255.255 --rsource',
  ],
  ['-m recent --set --name "a b"', '-A INPUT -m recent --set --name a b --mask 255.255.255.255 --rsource'],
  [
    '-m recent --set --mask ffff::',
    '-A INPUT -m recent --set --name DEFAULT --mask ffff:: --rsource',
    'ipv6',
  ],
  // statistic
  [
    '-m statistic --mode random ! --probability 0.50000000000',
    '-A INPUT -m statistic --mode random ! --probability 0.50000000000',
  ],
  [
    '-m statistic --mode random --probability 0.1',
    '-A INPUT -m statistic --mode random --probability 0.10000000009',
  ],
  [
    '-m statistic --mode random --probability 0.000244140625',
    '-A INPUT -m statistic --mode random --probability 0.00024414062',
  ],
  [
    '-m statistic --mode random --probability 0x0.8',
    '-A INPUT -m statistic --mode random --probability 0.50000000000',
  ],
  ['-m statistic --mode nth --every 3 --packet 0', '-A INPUT -m statistic --mode nth --every 3 --packet 0'],
  [
    '-m statistic --mode nth ! --every 5 --packet 2',
    '-A INPUT -m statistic --mode nth ! --every 5 --packet 2',
  ],
  // hashlimit
  [
    '-m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name aflood --hashlimit-srcmask 8',
    '-A INPUT -m hashlimit --hashlimit-above 10/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name aflood --hashlimit-srcmask 8',
  ],
  [
    '-m hashlimit ! --hashlimit-upto 5 --hashlimit-name a --hashlimit-mode dstport,srcip,dstip,srcport --hashlimit-htable-size 100 --hashlimit-htable-max 200 --hashlimit-htable-gcinterval 300 --hashlimit-htable-expire 400 --hashlimit-dstmask 24',
    '-A INPUT -m hashlimit --hashlimit-above 5/sec --hashlimit-burst 5 --hashlimit-mode srcip,srcport,dstip,dstport --hashlimit-name a --hashlimit-htable-size 100 --hashlimit-htable-max 200 --hashlimit-htable-gcinterval 300 --hashlimit-htable-expire 400 --hashlimit-dstmask 24',
  ],
  [
    '-m hashlimit --hashlimit-upto 1mb/s --hashlimit-name a',
    '-A INPUT -m hashlimit --hashlimit-upto 1mb/s --hashlimit-name a',
  ],
  [
    '-m hashlimit --hashlimit-upto 100kb/s --hashlimit-burst 1mb --hashlimit-name a',
    '-A INPUT -m hashlimit --hashlimit-upto 100kb/s --hashlimit-burst 1mb --hashlimit-name a',
  ],
  [
    '-m hashlimit --hashlimit-upto 5/min --hashlimit-name a --hashlimit-rate-match --hashlimit-rate-interval 10',
    '-A INPUT -m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 5 --hashlimit-name a --hashlimit-htable-expire 60000 --hashlimit-rate-match --hashlimit-rate-interval 10',
  ],
  // connlimit
  [
    '-m connlimit --connlimit-above 15',
    '-A INPUT -m connlimit --connlimit-above 15 --connlimit-mask 32 --connlimit-saddr',
  ],
  [
    '-m connlimit ! --connlimit-above 3 --connlimit-mask 255.255.0.0 --connlimit-daddr',
    '-A INPUT -m connlimit --connlimit-upto 3 --connlimit-mask 16 --connlimit-daddr',
  ],
  [
    '-m connlimit --connlimit-above 3 --connlimit-mask 129',
    '-A INPUT -m connlimit --connlimit-above 3 --connlimit-mask 32 --connlimit-saddr',
  ],
  [
    '-m connlimit --connlimit-above 3 --connlimit-mask ffff:ff00::',
    '-A INPUT -m connlimit --connlimit-above 3 --connlimit-mask 24 --connlimit-saddr',
    'ipv6',
  ],
  // string
  ['-m string --string test --algo kmp', '-A INPUT -m string --string "test" --algo kmp'],
  [
    '-m string ! --string "a\\"b\\\\c" --algo bm --from 10 --to 20 --icase',
    '-A INPUT -m string ! --string "a\\"b\\\\c" --algo bm --from 10 --to 20 --icase',
  ],
  ['-m string --hex-string "ab|41 42|c\\\\|" --algo bm', '-A INPUT -m string --string "abABc|" --algo bm'],
  ['-m string --string "x\\\\" --algo bm', '-A INPUT -m string --hex-string "|785c|" --algo bm'],
  ['-m string --algo bm --from 0 --to 65535 --string "test"', '-A INPUT -m string --string "test" --algo bm'],
  // time
  [
    '-m time --timestart 12:00',
    '-A INPUT -m time --timestart 12:00:00 --timestop 23:59:59 --datestop 2038-01-19T03:14:07',
  ],
  [
    '-m time --datestart 2020-01-29T00:00:00 --timestart 12:00 --timestop 19:00 ! --weekdays Mon,Tue,Wed,Thu,Fri',
    '-A INPUT -m time --timestart 12:00:00 --timestop 19:00:00 --weekdays Sat,Sun --datestart 2020-01-29T00:00:00 --datestop 2038-01-19T03:14:07',
  ],
  [
    '-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz',
    '-A INPUT -m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz',
  ],
  [
    '-m time --timestart 22:00 --timestop 02:00 --contiguous',
    '-A INPUT -m time --timestart 22:00:00 --timestop 02:00:00 --datestop 2038-01-19T03:14:07 --contiguous',
  ],
  ['-m time --weekdays 8', '-A INPUT -m time --weekdays  --datestop 2038-01-19T03:14:07'],
  [
    '-m time --datestart 2020-02-31',
    '-A INPUT -m time --datestart 2020-03-02T00:00:00 --datestop 2038-01-19T03:14:07',
  ],
  ['-m time --datestop 2021', '-A INPUT -m time --datestop 2021-01-01T00:00:00'],
  // quota
  ['-m quota ! --quota 0x10', '-A INPUT -m quota ! --quota 16'],
  ['-m quota --quota 18446744073709551615', '-A INPUT -m quota --quota 18446744073709551615'],
];

describe('round trips agree with the kernel', () => {
  for (const [spec, expected, family] of cases) {
    it(spec, () => expect(roundTrip(spec, family)).toBe(expected));
  }
});

describe('IR values', () => {
  it('limit holds the interval in microseconds and the burst', () => {
    expect(firstMatch('-m limit --limit 7/min --limit-burst 3', 'limit')).toEqual({
      kind: 'limit',
      intervalUs: 8571400,
      burst: 3,
    });
  });
  it('recent', () => {
    expect(firstMatch('-m recent --update --seconds 60 --hitcount 3 --name sshd --rdest', 'recent')).toEqual({
      kind: 'recent',
      command: 'update',
      invert: false,
      seconds: 60,
      reap: false,
      hitCount: 3,
      ttl: false,
      name: 'sshd',
      side: 'destination',
      mask: [0xffffffff],
    });
  });
  it('statistic keeps the kernel fixed-point threshold', () => {
    expect(firstMatch('-m statistic --mode random --probability 0.5', 'statistic')).toEqual({
      kind: 'statistic',
      invert: false,
      mode: 'random',
      threshold: 0x40000000,
    });
    expect(firstMatch('-m statistic --mode nth --every 10 --packet 1', 'statistic')).toMatchObject({
      mode: 'nth',
      every: 10,
      packet: 1,
    });
  });
  it('hashlimit', () => {
    expect(
      firstMatch(
        '-m hashlimit --hashlimit-above 10/sec --hashlimit-mode dstip,srcip --hashlimit-name x',
        'hashlimit',
      ),
    ).toMatchObject({
      above: true,
      rate: { unit: 'packets', intervalUs: 100000, burst: 5 },
      key: ['srcip', 'dstip'],
      expireMs: 1000,
      gcIntervalMs: 1000,
    });
  });
  it('connlimit, string, time, quota', () => {
    expect(firstMatch('-m connlimit ! --connlimit-upto 3 --connlimit-mask 24', 'connlimit')).toEqual({
      kind: 'connlimit',
      limit: 3,
      above: true,
      prefixLen: 24,
      key: 'source',
    });
    expect(firstMatch('-m string --hex-string "a|0d0a|" --algo kmp', 'string')).toMatchObject({
      pattern: [0x61, 0x0d, 0x0a],
      algorithm: 'kmp',
      from: 0,
      to: 65535,
    });
    expect(firstMatch('-m time --timestart 1:2 --weekdays Sa,Su --datestart 2021', 'time')).toMatchObject({
      dayTimeStart: 3720,
      dayTimeStop: 86399,
      weekdays: (1 << 6) | (1 << 7),
      dateStart: 1609459200,
      dateStop: 0x7fffffff,
    });
    expect(firstMatch('-m quota --quota 18446744073709551615', 'quota')).toEqual({
      kind: 'quota',
      bytes: 18446744073709551615n,
      invert: false,
    });
  });
});

describe('errors', () => {
  const errors: [string, string][] = [
    ['-m limit --limit 10001/sec', 't.v4:2:27: Rate too fast'],
    ['-m limit --limit 3/x', 't.v4:2:27: bad rate "3/x"'],
    ['-m limit --limit 3/d --limit-burst 10001', 't.v4:2:45: limit: bad value for option "--limit-burst"'],
    ['-m limit --limit 1/day', 't.v4:2'],
    ['-m recent --rsource', "t.v4:2:13: recent: you must specify one of `--set'"],
    ['-m recent --set --rttl', 't.v4:2:26: recent: option "--rttl" cannot be used together with "--set"'],
    ['-m recent --update --reap', 't.v4:2:29: recent: option "--reap" also requires "--seconds"'],
    ['-m statistic', 't.v4:2:13: --probability must be specified when using random mode'],
    [
      '-m statistic --mode nth ! --every 5',
      't.v4:2:36: statistic: option "--every" also requires "--packet"',
    ],
    ['-m statistic --mode nth ! --every 5 --packet 5', 't.v4:2:55: the --packet p must be 0 <= p <= n-1'],
    ['-m hashlimit --hashlimit-upto 5', 't.v4:2:13: hashlimit: option "--hashlimit-name" must be specified'],
    [
      '-m hashlimit --hashlimit-upto 5 --hashlimit-name a --hashlimit-mode foo',
      't.v4:2:78: hashlimit: Bad value for "--hashlimit-mode" option: "foo"',
    ],
    [
      '-m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr',
      't.v4:2:44: connlimit: option "--connlimit-saddr" cannot be used together with "--connlimit-daddr"',
    ],
    ['-m string --string x', 't.v4:2:13: string: option "--algo" must be specified'],
    ['-m string --hex-string "|4" --algo bm', 't.v4:2:33: Odd number of hex digits'],
    ['-m string --string x --algo fsm', 't.v4:2:38: string: the kernel has no search algorithm "fsm"'],
    ['-m time --timestart 24:00', 't.v4:2:30: invalid time "24:00"'],
    ['-m time --weekdays 0', 't.v4:2:29: No, the week does NOT begin with Sunday.'],
    ['-m time --days Mon', 't.v4:2:18: unknown option "--days"'],
    ['-m quota', 't.v4:2:13: quota: option "--quota" must be specified'],
    ['-m nfacct --nfacct-name foo', 't.v4:2'],
  ];
  for (const [spec, message] of errors) {
    it(spec, () => expect(errorOf(spec)).toContain(message));
  }
});
