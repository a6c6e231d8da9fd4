// NAT and packet-mangling targets: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP, TPROXY, TEE, TTL,
// HL, TOS, DSCP. Expected save lines are what iptables-legacy-save 1.8.9 printed for the same
// input on Linux 6.x (test/kernel/compare.ts).

import { describe, expect, it } from 'vitest';
import { expectRefused as expectError, expectSaves, targetOf } from './helpers.js';

describe('DNAT', () => {
  it('round-trips IPv4 forms as the kernel saves them', () => {
    expectSaves('nat', [
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.9:80-90/100',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.9:80-90/100',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination :80',
        '-A PREROUTING -p tcp -j DNAT --to-destination :80',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 10:80',
        '-A PREROUTING -p tcp -j DNAT --to-destination :80',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4 --random --persistent',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4 --random --persistent',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:http',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:0x50-0120',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-90/5x',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-90/5',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.4:80-80',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80',
      ],
      [
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.9-1.2.3.4',
        '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.9-1.2.3.4',
      ],
      [
        '-A PREROUTING ! -p tcp -j DNAT --to-destination 1.2.3.4:80',
        '-A PREROUTING ! -p tcp -j DNAT --to-destination 1.2.3.4:80',
      ],
      [
        '-A PREROUTING -p icmp -j DNAT --to-destination 1.2.3.4:80',
        '-A PREROUTING -p icmp -j DNAT --to-destination 1.2.3.4:80',
      ],
      ['-A PREROUTING -p tcp -j DNAT --to 1.2.3.4', '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4'],
      [
        '-A OUTPUT -p tcp -j DNAT --to-destination 1.2.3.4',
        '-A OUTPUT -p tcp -j DNAT --to-destination 1.2.3.4',
      ],
    ]);
  });

  it('round-trips IPv6 forms, bracketed only when ports follow', () => {
    expectSaves(
      'nat',
      [
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1]:80',
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1]:80',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1]',
          '-A PREROUTING -p tcp -j DNAT --to-destination fd00::1',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1-fd00::5]:80-90/100',
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1-fd00::5]:80-90/100',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination fd00::1:80',
          '-A PREROUTING -p tcp -j DNAT --to-destination fd00::1:80',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination []:80',
          '-A PREROUTING -p tcp -j DNAT --to-destination :80',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination [FD00::0001]:80',
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1]:80',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination [::ffff:1.2.3.4]:80',
          '-A PREROUTING -p tcp -j DNAT --to-destination [::ffff:1.2.3.4]:80',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1]x:80',
          '-A PREROUTING -p tcp -j DNAT --to-destination [fd00::1]:80',
        ],
        [
          '-A PREROUTING -p tcp -j DNAT --to-destination fd00::1-fd00::2',
          '-A PREROUTING -p tcp -j DNAT --to-destination fd00::1-fd00::2',
        ],
      ],
      'ipv6',
    );
  });

  it('builds the shared NAT range', () => {
    expect(
      targetOf('nat', '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4-1.2.3.9:80-90/100 --random'),
    ).toEqual({
      kind: 'DNAT',
      range: {
        addresses: { family: 'ipv4', from: [0x01020304], to: [0x01020309] },
        ports: { from: 80, to: 90 },
        portOffsetBase: 100,
        random: true,
        randomFully: false,
        persistent: false,
      },
    });
    expect(targetOf('nat', '-A PREROUTING -p udp -j DNAT --to-destination :53')).toEqual({
      kind: 'DNAT',
      range: { ports: { from: 53, to: 53 }, random: false, randomFully: false, persistent: false },
    });
    expect(targetOf('nat', '-A PREROUTING -j DNAT --to-destination fd00::1', 'ipv6')).toMatchObject({
      range: { addresses: { family: 'ipv6', from: [0xfd000000, 0, 0, 1], to: [0xfd000000, 0, 0, 1] } },
    });
  });

  it('refuses what iptables refuses', () => {
    expectError(
      'nat',
      '-A PREROUTING -j DNAT --to-destination 1.2.3.4:80',
      't.v4:2:40',
      'Need TCP, UDP, SCTP or DCCP',
    );
    expectError(
      'nat',
      '-A PREROUTING -p udplite -j DNAT --to-destination 1.2.3.4:80',
      't.v4:2:51',
      'Need TCP, UDP',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT',
      't.v4:2:25',
      'option "--to-destination" must be specified',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:90-80',
      't.v4:2:47',
      "Port range `80' funky",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80:90',
      't.v4:2:47',
      'Bad IP address "1.2.3.4:80:90"',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-90/0',
      't.v4:2:47',
      "Port `0' not valid",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 01.2.3.4',
      't.v4:2:47',
      'Bad IP address "01.2.3.4"',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 10',
      't.v4:2:47',
      'Bad IP address "10"',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination [1.2.3.4]:80',
      't.v4:2:47',
      'Invalid address format',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:',
      't.v4:2:47',
      "Port `' not valid",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80x',
      't.v4:2:47',
      "Garbage after port value: `x'",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-90x',
      't.v4:2:47',
      "Garbage after port range: `x'",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:70000',
      't.v4:2:47',
      "Port `70000' not valid",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:80-http',
      't.v4:2:47',
      "Port `http' not valid",
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4 ! --random',
      't.v4:2:55',
      '--random',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination fe80::1%lo',
      't.v6:2:47',
      'Bad IP address "fe80::1%lo"',
      'ipv6',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4',
      't.v6:2:47',
      'Bad IP address "1.2.3.4"',
      'ipv6',
    );
    expectError(
      'nat',
      '-A PREROUTING -p icmpv6 -j DNAT --to-destination [fd00::1]:80',
      't.v6:2:50',
      'Need TCP',
      'ipv6',
    );
  });

  it('is refused outside nat PREROUTING/OUTPUT', () => {
    expectError(
      'nat',
      '-A INPUT -p tcp -j DNAT --to-destination 1.2.3.4',
      't.v4:2',
      'only usable from PREROUTING/OUTPUT',
    );
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4',
      't.v4:2',
      'only valid in the nat table',
    );
  });
});

describe('SNAT', () => {
  it('round-trips, dropping a shifted-portmap base the structure cannot hold', () => {
    expectSaves('nat', [
      [
        '-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:80-90/100',
        '-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:80-90/0',
      ],
      [
        '-A POSTROUTING -j SNAT --to-source 1.2.3.4 --persistent --random-fully --random',
        '-A POSTROUTING -j SNAT --to-source 1.2.3.4 --random --random-fully --persistent',
      ],
      ['-A INPUT -j SNAT --to-source 1.2.3.4', '-A INPUT -j SNAT --to-source 1.2.3.4'],
      [
        '-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4-1.2.3.1',
        '-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4-1.2.3.1',
      ],
    ]);
    expectSaves(
      'nat',
      [
        [
          '-A POSTROUTING -p tcp -j SNAT --to-source [fd00::1]:80-90/100',
          '-A POSTROUTING -p tcp -j SNAT --to-source [fd00::1]:80-90/0',
        ],
        [
          '-A POSTROUTING -p tcp -j SNAT --to-source [fd00::1]:80-90 --random-fully',
          '-A POSTROUTING -p tcp -j SNAT --to-source [fd00::1]:80-90 --random-fully',
        ],
        ['-A POSTROUTING -j SNAT --to-source [fd00::1]', '-A POSTROUTING -j SNAT --to-source fd00::1'],
      ],
      'ipv6',
    );
  });

  it('builds the range with a zero offset base', () => {
    expect(
      targetOf('nat', '-A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:80-90/100 --random-fully'),
    ).toEqual({
      kind: 'SNAT',
      range: {
        addresses: { family: 'ipv4', from: [0x01020304], to: [0x01020304] },
        ports: { from: 80, to: 90 },
        portOffsetBase: 0,
        random: false,
        randomFully: true,
        persistent: false,
      },
    });
  });

  it('is refused from OUTPUT', () => {
    expectError(
      'nat',
      '-A OUTPUT -j SNAT --to-source 1.2.3.4',
      't.v4:2',
      'only usable from POSTROUTING/INPUT',
    );
  });
});

describe('MASQUERADE', () => {
  it('round-trips', () => {
    expectSaves('nat', [
      ['-A POSTROUTING -j MASQUERADE', '-A POSTROUTING -j MASQUERADE'],
      [
        '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000 --random --random-fully',
        '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000 --random --random-fully',
      ],
      [
        '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000/5',
        '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000/0',
      ],
      [
        '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000',
        '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000',
      ],
    ]);
    expectSaves(
      'nat',
      [
        [
          '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000 --random',
          '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1000-2000 --random',
        ],
      ],
      'ipv6',
    );
  });

  it('builds a ports-only range', () => {
    expect(targetOf('nat', '-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-65535')).toEqual({
      kind: 'MASQUERADE',
      range: { ports: { from: 1024, to: 65535 }, random: false, randomFully: false, persistent: false },
    });
  });

  it('refuses ports without a port protocol, bad ports and other hooks', () => {
    expectError(
      'nat',
      '-A POSTROUTING -j MASQUERADE --to-ports 1000',
      't.v4:2:41',
      'Need TCP, UDP, SCTP or DCCP',
    );
    expectError(
      'nat',
      '-A POSTROUTING -p udp -j MASQUERADE --to-ports -1000',
      't.v4:2:48',
      "Port `-1000' not valid",
    );
    expectError(
      'nat',
      '-A POSTROUTING -p udp -j MASQUERADE --to-ports 1.2.3.4:1000',
      't.v4:2:48',
      "Garbage after port value: `.2.3.4:1000'",
    );
    expectError('nat', '-A OUTPUT -j MASQUERADE', 't.v4:2', 'only usable from POSTROUTING');
  });
});

describe('REDIRECT', () => {
  it('round-trips', () => {
    expectSaves('nat', [
      [
        '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080',
        '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080',
      ],
      [
        '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090 --random',
        '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090 --random',
      ],
      ['-A PREROUTING -j REDIRECT', '-A PREROUTING -j REDIRECT'],
      ['-A OUTPUT -j REDIRECT', '-A OUTPUT -j REDIRECT'],
      ['-A PREROUTING -p tcp -j REDIRECT --to-ports=80', '-A PREROUTING -p tcp -j REDIRECT --to-ports 80'],
      ['-A PREROUTING -p tcp -j REDIRECT --to-ports 0', '-A PREROUTING -p tcp -j REDIRECT --to-ports 0'],
    ]);
    expectSaves(
      'nat',
      [
        [
          '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080 --random',
          '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080 --random',
        ],
      ],
      'ipv6',
    );
  });

  it('builds the range', () => {
    expect(targetOf('nat', '-A PREROUTING -j REDIRECT')).toEqual({
      kind: 'REDIRECT',
      range: { random: false, randomFully: false, persistent: false },
    });
  });

  it('refuses a shifted portmap, colon ranges and POSTROUTING', () => {
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080-8090/5',
      't.v4:2:45',
      'Shifted portmap ranges not supported',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j REDIRECT --to-ports 8080:8090',
      't.v4:2:45',
      'Invalid port:port syntax - use dash',
    );
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j REDIRECT --to-ports :80',
      't.v4:2:45',
      "Port `:80' not valid",
    );
    expectError('nat', '-A POSTROUTING -j REDIRECT', 't.v4:2', 'only usable from PREROUTING/OUTPUT');
  });
});

describe('NETMAP', () => {
  it('round-trips, masking the address as the kernel stores it', () => {
    expectSaves('nat', [
      ['-A PREROUTING -j NETMAP --to 10.0.0.0/8', '-A PREROUTING -j NETMAP --to 10.0.0.0/8'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3/8', '-A PREROUTING -j NETMAP --to 10.0.0.0/8'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3', '-A PREROUTING -j NETMAP --to 10.1.2.3/32'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3/255.255.0.0', '-A PREROUTING -j NETMAP --to 10.1.0.0/16'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3/255.0.255.0', '-A PREROUTING -j NETMAP --to 10.1.2.3/32'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3/33', '-A PREROUTING -j NETMAP --to 10.1.2.3/32'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3/0x10', '-A PREROUTING -j NETMAP --to 10.1.0.0/16'],
      ['-A PREROUTING -j NETMAP --to 10.1.2.3/0', '-A PREROUTING -j NETMAP --to 0.0.0.0/0'],
      ['-A PREROUTING -j NETMAP --to 10.1/16', '-A PREROUTING -j NETMAP --to 10.0.0.0/16'],
      ['-A PREROUTING -j NETMAP --to 010.1.2.3/24', '-A PREROUTING -j NETMAP --to 8.1.2.0/24'],
      ['-A PREROUTING -j NETMAP --to localhost/8', '-A PREROUTING -j NETMAP --to 127.0.0.0/8'],
      ['-A INPUT -j NETMAP --to 1.2.3.4/24', '-A INPUT -j NETMAP --to 1.2.3.0/24'],
      ['-A POSTROUTING -j NETMAP --to 1.2.3.4/24', '-A POSTROUTING -j NETMAP --to 1.2.3.0/24'],
    ]);
    expectSaves(
      'nat',
      [
        ['-A POSTROUTING -j NETMAP --to fd00::1/64', '-A POSTROUTING -j NETMAP --to fd00::/64'],
        ['-A POSTROUTING -j NETMAP --to fd00::1/ffff:ffff::', '-A POSTROUTING -j NETMAP --to fd00::/32'],
        ['-A POSTROUTING -j NETMAP --to fd00::1/ffff::ffff', '-A POSTROUTING -j NETMAP --to fd00::1/128'],
      ],
      'ipv6',
    );
  });

  it('builds an IpNet', () => {
    expect(targetOf('nat', '-A PREROUTING -j NETMAP --to 10.1.2.3/16')).toEqual({
      kind: 'NETMAP',
      net: { family: 'ipv4', addr: [0x0a010000], mask: [0xffff0000], prefixLen: 16 },
    });
  });

  it('refuses bad masks and a missing --to', () => {
    expectError(
      'nat',
      '-A PREROUTING -j NETMAP --to 10.1.2.3/x',
      't.v4:2:30',
      'neither a valid network mask nor valid CIDR (0-32)',
    );
    expectError('nat', '-A PREROUTING -j NETMAP --to 1.2.3.4/', 't.v4:2:30', 'neither a valid network mask');
    expectError('nat', '-A POSTROUTING -j NETMAP', 't.v4:2:19', 'NETMAP: option "--to" must be specified');
    expectError(
      'nat',
      '-A POSTROUTING -j NETMAP --to fd00::1/129',
      't.v6:2:31',
      'nor valid CIDR (0-128)',
      'ipv6',
    );
  });
});

describe('TPROXY', () => {
  it('round-trips with every field printed', () => {
    expectSaves('mangle', [
      [
        '-A PREROUTING -p tcp -j TPROXY --on-port 8080',
        '-A PREROUTING -p tcp -j TPROXY --on-port 8080 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0',
      ],
      [
        '-A PREROUTING -p udp -j TPROXY --on-port 8080 --on-ip 1.2.3.4 --tproxy-mark 0x1/0xff',
        '-A PREROUTING -p udp -j TPROXY --on-port 8080 --on-ip 1.2.3.4 --tproxy-mark 0x1/0xff',
      ],
      [
        '-A PREROUTING -p tcp -j TPROXY --on-port http --tproxy-mark 5',
        '-A PREROUTING -p tcp -j TPROXY --on-port 80 --on-ip 0.0.0.0 --tproxy-mark 0x5/0xffffffff',
      ],
      [
        '-A PREROUTING -p tcp -j TPROXY --on-port 70000',
        '-A PREROUTING -p tcp -j TPROXY --on-port 4464 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0',
      ],
      [
        '-A PREROUTING -p tcp -j TPROXY --on-port ""',
        '-A PREROUTING -p tcp -j TPROXY --on-port 0 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0',
      ],
      [
        '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip 10',
        '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.10 --tproxy-mark 0x0/0x0',
      ],
      [
        '-A PREROUTING -j TPROXY --on-port 1 -p tcp',
        '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0',
      ],
      [
        '-A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark 5/0',
        '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip 0.0.0.0 --tproxy-mark 0x5/0x0',
      ],
    ]);
    expectSaves(
      'mangle',
      [
        [
          '-A PREROUTING -p tcp -j TPROXY --on-port 1',
          '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip :: --tproxy-mark 0x0/0x0',
        ],
        [
          '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip fd00::1 --tproxy-mark 0x10/0x10',
          '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip fd00::1 --tproxy-mark 0x10/0x10',
        ],
      ],
      'ipv6',
    );
  });

  it('leaves the unconstraining fields out of the IR', () => {
    expect(targetOf('mangle', '-A PREROUTING -p tcp -j TPROXY --on-port 0 --on-ip 0.0.0.0')).toEqual({
      kind: 'TPROXY',
      port: 0,
    });
    expect(
      targetOf('mangle', '-A PREROUTING -p udp -j TPROXY --on-port 53 --on-ip 1.2.3.4 --tproxy-mark 0x1/0x1'),
    ).toEqual({
      kind: 'TPROXY',
      port: 53,
      address: [0x01020304],
      mark: { value: 1, mask: 1 },
    });
  });

  it('refuses what iptables or the kernel refuses', () => {
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j TPROXY --on-port 0x50',
      't.v4:2:42',
      'Port "0x50" does not resolve to anything',
    );
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j TPROXY --on-port -5',
      't.v4:2:42',
      'Port "-5" does not resolve',
    );
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j TPROXY --on-ip 1.2.3.4',
      't.v4:2:25',
      'option "--on-port" must be specified',
    );
    expectError('mangle', '-A PREROUTING -j TPROXY --on-port 1', 't.v4:2:15:', 'only with -p tcp or -p udp');
    expectError(
      'mangle',
      '-A PREROUTING ! -p tcp -j TPROXY --on-port 1',
      't.v4:2:24:',
      'only with -p tcp or -p udp',
    );
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark 1/2/3',
      't.v4:2:58',
      'trailing garbage',
    );
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark 0x100000000',
      't.v4:2:58',
      'bad integer value',
    );
    expectError(
      'mangle',
      '-A PREROUTING -p tcp -j TPROXY --on-port 1 --on-ip 1.2.3.4/24',
      't.v4:2:52',
      "host `1.2.3.4/24' not found",
    );
    expectError('mangle', '-A INPUT -p tcp -j TPROXY --on-port 1', 't.v4:2', 'only usable from PREROUTING');
    expectError(
      'nat',
      '-A PREROUTING -p tcp -j TPROXY --on-port 1',
      't.v4:2',
      'only valid in the mangle table',
    );
  });
});

describe('TEE', () => {
  it('round-trips in any table', () => {
    expectSaves('mangle', [
      ['-A PREROUTING -j TEE --gateway 1.2.3.4', '-A PREROUTING -j TEE --gateway 1.2.3.4'],
      [
        '-A POSTROUTING -j TEE --gateway 1.2.3.4 --oif eth0',
        '-A POSTROUTING -j TEE --gateway 1.2.3.4 --oif eth0',
      ],
      ['-A PREROUTING -j TEE --gateway 10', '-A PREROUTING -j TEE --gateway 0.0.0.10'],
      [
        '-A PREROUTING -j TEE --gateway 1.2.3.4 --oif abcdefghijklmnopqrstu',
        '-A PREROUTING -j TEE --gateway 1.2.3.4 --oif abcdefghijklmno',
      ],
      ['-A PREROUTING -j TEE --gateway 1.2.3.4 --oif ""', '-A PREROUTING -j TEE --gateway 1.2.3.4'],
    ]);
    expectSaves('filter', [['-A INPUT -j TEE --gateway 1.2.3.4', '-A INPUT -j TEE --gateway 1.2.3.4']]);
    expectSaves(
      'mangle',
      [
        [
          '-A PREROUTING -j TEE --gateway fd00::1 --oif eth0',
          '-A PREROUTING -j TEE --gateway fd00::1 --oif eth0',
        ],
      ],
      'ipv6',
    );
  });

  it('builds the gateway and interface', () => {
    expect(targetOf('mangle', '-A PREROUTING -j TEE --gateway 1.2.3.4 --oif eth0')).toEqual({
      kind: 'TEE',
      gateway: [0x01020304],
      oif: 'eth0',
    });
  });

  it('refuses a zero or missing gateway', () => {
    expectError('mangle', '-A PREROUTING -j TEE --gateway 0.0.0.0', 't.v4:2:15:', 'zero address');
    expectError(
      'mangle',
      '-A PREROUTING -j TEE --oif eth0',
      't.v4:2:18',
      'option "--gateway" must be specified',
    );
  });
});

describe('TTL and HL', () => {
  it('round-trips', () => {
    expectSaves('mangle', [
      ['-A PREROUTING -j TTL --ttl-set 64', '-A PREROUTING -j TTL --ttl-set 64'],
      ['-A PREROUTING -j TTL --ttl-dec 1', '-A PREROUTING -j TTL --ttl-dec 1'],
      ['-A PREROUTING -j TTL --ttl-inc 0x10', '-A PREROUTING -j TTL --ttl-inc 16'],
      ['-A PREROUTING -j TTL --ttl-set 0', '-A PREROUTING -j TTL --ttl-set 0'],
    ]);
    expectSaves(
      'mangle',
      [
        ['-A PREROUTING -j HL --hl-set 64', '-A PREROUTING -j HL --hl-set 64'],
        ['-A PREROUTING -j HL --hl-dec 2', '-A PREROUTING -j HL --hl-dec 2'],
        ['-A PREROUTING -j HL --hl-inc 3', '-A PREROUTING -j HL --hl-inc 3'],
      ],
      'ipv6',
    );
  });

  it('builds mode and value', () => {
    expect(targetOf('mangle', '-A PREROUTING -j TTL --ttl-dec 3')).toEqual({
      kind: 'TTL',
      mode: 'dec',
      value: 3,
    });
    expect(targetOf('mangle', '-A FORWARD -j HL --hl-inc 1', 'ipv6')).toEqual({
      kind: 'HL',
      mode: 'inc',
      value: 1,
    });
  });

  it('refuses bad values, no action, two actions, other tables and the other family', () => {
    expectError('mangle', '-A PREROUTING -j TTL --ttl-inc 0', 't.v4:2:32', 'out of range (1-255)');
    expectError('mangle', '-A PREROUTING -j TTL --ttl-set 256', 't.v4:2:32', 'out of range (0-255)');
    expectError('mangle', '-A PREROUTING -j TTL', 't.v4:2:18', 'TTL: You must specify an action');
    expectError(
      'mangle',
      '-A PREROUTING -j TTL --ttl-set 1 --ttl-inc 1',
      't.v4:2:34',
      'cannot be used together',
    );
    expectError('filter', '-A INPUT -j TTL --ttl-set 1', 't.v4:2', 'only valid in the mangle table');
    expectError('filter', '-A INPUT -j HL --hl-inc 3', 't.v6:2', 'only valid in the mangle table', 'ipv6');
    expectError('mangle', '-A PREROUTING -j HL --hl-set 1', 't.v4:2:18', 'HL');
    expectError('mangle', '-A PREROUTING -j TTL --ttl-set 1', 't.v6:2:18', 'TTL', 'ipv6');
  });
});

describe('TOS', () => {
  it('round-trips every action as a value/mask pair', () => {
    expectSaves('mangle', [
      ['-A PREROUTING -j TOS --set-tos 0x10', '-A PREROUTING -j TOS --set-tos 0x10/0xff'],
      ['-A PREROUTING -j TOS --set-tos 0x10/0x3f', '-A PREROUTING -j TOS --set-tos 0x10/0x3f'],
      ['-A PREROUTING -j TOS --set-tos Minimize-Delay', '-A PREROUTING -j TOS --set-tos 0x10/0x3f'],
      ['-A PREROUTING -j TOS --set-tos minimize-cost', '-A PREROUTING -j TOS --set-tos 0x02/0x3f'],
      ['-A PREROUTING -j TOS --set-tos Normal-Service', '-A PREROUTING -j TOS --set-tos 0x00/0x3f'],
      ['-A PREROUTING -j TOS --and-tos 0x0f', '-A PREROUTING -j TOS --set-tos 0x00/0xf0'],
      ['-A PREROUTING -j TOS --or-tos 0x0f', '-A PREROUTING -j TOS --set-tos 0x0f/0x0f'],
      ['-A PREROUTING -j TOS --xor-tos 0x0f', '-A PREROUTING -j TOS --set-tos 0x0f/0x00'],
      ['-A PREROUTING -j TOS --set-tos 0xff', '-A PREROUTING -j TOS --set-tos 0xff/0xff'],
    ]);
    expectSaves(
      'mangle',
      [
        ['-A PREROUTING -j TOS --set-tos 0x10/0xf0', '-A PREROUTING -j TOS --set-tos 0x10/0xf0'],
        ['-A PREROUTING -j TOS --set-tos Maximize-Throughput', '-A PREROUTING -j TOS --set-tos 0x08/0x3f'],
      ],
      'ipv6',
    );
  });

  it('builds value and mask', () => {
    expect(targetOf('mangle', '-A PREROUTING -j TOS --and-tos 0x0f')).toEqual({
      kind: 'TOS',
      value: 0,
      mask: 0xf0,
    });
  });

  it('refuses bad values', () => {
    expectError(
      'mangle',
      '-A PREROUTING -j TOS --set-tos 256',
      't.v4:2:32',
      'Symbolic name "256" is unknown',
    );
    expectError('mangle', '-A PREROUTING -j TOS --set-tos 5x', 't.v4:2:32', 'Illegal value: "5x"');
    expectError('mangle', '-A PREROUTING -j TOS --set-tos 5/256', 't.v4:2:32', 'Illegal value: "5/256"');
    expectError('mangle', '-A PREROUTING -j TOS', 't.v4:2:18', 'TOS: An action is required');
    expectError('filter', '-A INPUT -j TOS --set-tos 0xff', 't.v4:2', 'only valid in the mangle table');
  });
});

describe('DSCP', () => {
  it('round-trips numbers and classes', () => {
    expectSaves('mangle', [
      ['-A PREROUTING -j DSCP --set-dscp 10', '-A PREROUTING -j DSCP --set-dscp 0x0a'],
      ['-A PREROUTING -j DSCP --set-dscp 0x3f', '-A PREROUTING -j DSCP --set-dscp 0x3f'],
      ['-A PREROUTING -j DSCP --set-dscp-class ef', '-A PREROUTING -j DSCP --set-dscp 0x2e'],
      ['-A PREROUTING -j DSCP --set-dscp-class AF41xyz', '-A PREROUTING -j DSCP --set-dscp 0x22'],
    ]);
    expectSaves(
      'mangle',
      [['-A PREROUTING -j DSCP --set-dscp-class cs1', '-A PREROUTING -j DSCP --set-dscp 0x08']],
      'ipv6',
    );
  });

  it('builds the code point', () => {
    expect(targetOf('mangle', '-A PREROUTING -j DSCP --set-dscp-class AF21')).toEqual({
      kind: 'DSCP',
      dscp: 0x12,
    });
  });

  it('refuses bad values', () => {
    expectError('mangle', '-A PREROUTING -j DSCP --set-dscp 64', 't.v4:2:34', 'out of range (0-63)');
    expectError(
      'mangle',
      '-A PREROUTING -j DSCP --set-dscp-class AF1',
      't.v4:2:40',
      "Invalid DSCP value `AF1'",
    );
    expectError('mangle', '-A PREROUTING -j DSCP', 't.v4:2:18', 'Parameter --set-dscp');
    expectError(
      'mangle',
      '-A PREROUTING -j DSCP --set-dscp 1 --set-dscp-class EF',
      't.v4:2:36',
      'cannot be used together',
    );
    expectError('filter', '-A INPUT -j DSCP --set-dscp 1', 't.v4:2', 'only valid in the mangle table');
  });
});
