// Non-NAT targets: REJECT, LOG, MARK, CONNMARK, CT, NOTRACK, NFLOG, TCPMSS, CHECKSUM, TRACE,
// NFQUEUE, CLASSIFY, ULOG, AUDIT, SECMARK, CONNSECMARK, IDLETIMER, LED, RATEEST, SYNPROXY, SET.
// Expected save lines are what iptables-legacy-save 1.8.9 printed for the same input on
// Linux 6.x (test/kernel/compare.ts).

import { describe, expect, it } from 'vitest';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import type { Family } from '../../src/ir/address.js';
import { expectRefused, expectSaves, fileFor, targetOf } from './helpers.js';

/** The rule (on line 2) is refused with the message, positioned at `token`'s column. */
function expectError(
  table: string,
  rule: string,
  token: string | undefined,
  message: string,
  family: Family = 'ipv4',
) {
  const where =
    token === undefined ? `${fileFor(family)}:2` : `${fileFor(family)}:2:${rule.indexOf(token) + 1}`;
  expectRefused(table, rule, where, message, family);
}

describe('REJECT', () => {
  it('saves every IPv4 type (abbreviations and aliases) by its full name', () => {
    expectSaves('filter', [
      ['-A INPUT -j REJECT', '-A INPUT -j REJECT --reject-with icmp-port-unreachable'],
      [
        '-A INPUT -p tcp -j REJECT --reject-with net-unreach',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-net-unreachable',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with host-unreach',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-host-unreachable',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with proto-unreach',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-proto-unreachable',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with port-unreach',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-port-unreachable',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with net-prohib',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-net-prohibited',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with host-prohib',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-host-prohibited',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with tcp-rst',
        '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with admin-prohib',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-admin-prohibited',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with icmp-',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-net-unreachable',
      ],
      [
        '-A INPUT -p tcp -j REJECT --reject-with ICMP-HOST',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-host-unreachable',
      ],
      ['-A INPUT -p tcp -j REJECT --reject-with tcp', '-A INPUT -p tcp -j REJECT --reject-with tcp-reset'],
      [
        '-A INPUT -p tcp -j REJECT --reject-with ""',
        '-A INPUT -p tcp -j REJECT --reject-with icmp-net-unreachable',
      ],
    ]);
  });

  it('saves every IPv6 type', () => {
    expectSaves(
      'filter',
      [
        ['-A INPUT -j REJECT', '-A INPUT -j REJECT --reject-with icmp6-port-unreachable'],
        [
          '-A INPUT -p tcp -j REJECT --reject-with no-route',
          '-A INPUT -p tcp -j REJECT --reject-with icmp6-no-route',
        ],
        [
          '-A INPUT -p tcp -j REJECT --reject-with adm-prohibited',
          '-A INPUT -p tcp -j REJECT --reject-with icmp6-adm-prohibited',
        ],
        [
          '-A INPUT -p tcp -j REJECT --reject-with addr-unreach',
          '-A INPUT -p tcp -j REJECT --reject-with icmp6-addr-unreachable',
        ],
        [
          '-A INPUT -p tcp -j REJECT --reject-with policy-fail',
          '-A INPUT -p tcp -j REJECT --reject-with icmp6-policy-fail',
        ],
        [
          '-A INPUT -p tcp -j REJECT --reject-with reject-route',
          '-A INPUT -p tcp -j REJECT --reject-with icmp6-reject-route',
        ],
        [
          '-A INPUT -p tcp -j REJECT --reject-with icmp6',
          '-A INPUT -p tcp -j REJECT --reject-with icmp6-no-route',
        ],
        [
          '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
          '-A INPUT -p tcp -j REJECT --reject-with tcp-reset',
        ],
      ],
      'ipv6',
    );
  });

  it('names the reply packet in the IR', () => {
    expect(targetOf('filter', '-A INPUT -j REJECT')).toEqual({
      kind: 'REJECT',
      reply: { kind: 'icmp', type: 3, code: 3 },
    });
    expect(targetOf('filter', '-A INPUT -j REJECT --reject-with admin-prohib')).toEqual({
      kind: 'REJECT',
      reply: { kind: 'icmp', type: 3, code: 13 },
    });
    expect(targetOf('filter', '-A INPUT -j REJECT --reject-with icmp6-policy-fail', 'ipv6')).toEqual({
      kind: 'REJECT',
      reply: { kind: 'icmpv6', type: 1, code: 5 },
    });
    expect(targetOf('filter', '-A INPUT -p tcp -j REJECT --reject-with tcp-reset')).toEqual({
      kind: 'REJECT',
      reply: { kind: 'tcp-reset' },
    });
  });

  it('refuses unknown types, tcp-reset without -p tcp, and tables other than filter', () => {
    expectError('filter', '-A INPUT -j REJECT --reject-with bogus', 'bogus', 'unknown reject type "bogus"');
    expectError('filter', '-A INPUT -j REJECT --reject-with echo-reply', 'echo-reply', 'no longer supported');
    expectError(
      'filter',
      '-A INPUT -j REJECT --reject-with icmp-port-unreachable',
      'icmp-port',
      'unknown reject type',
      'ipv6',
    );
    expectError(
      'filter',
      '-A INPUT -j REJECT --reject-with tcp-reset',
      'tcp-reset',
      'only valid in rules with -p tcp',
    );
    expectError('filter', '-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset', 'tcp-reset', '-p tcp');
    expectError('mangle', '-A INPUT -j REJECT', undefined, 'only valid in the filter table');
    expectError(
      'filter',
      '-A INPUT -j REJECT --reject-with tcp-reset --reject-with net-unreach',
      '--reject-with net',
      'may only be specified once',
    );
  });
});

describe('LOG', () => {
  it('round-trips as the kernel saves it', () => {
    expectSaves('filter', [
      ['-A INPUT -j LOG', '-A INPUT -j LOG'],
      ['-A INPUT -j LOG --log-level 4', '-A INPUT -j LOG'],
      ['-A INPUT -j LOG --log-level warning', '-A INPUT -j LOG'],
      [
        '-A INPUT -j LOG --log-level emerg --log-prefix "a b" --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode',
        '-A INPUT -j LOG --log-prefix "a b" --log-level 0 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode',
      ],
      ['-A INPUT -j LOG --log-level 7 --log-prefix x', '-A INPUT -j LOG --log-prefix x --log-level 7'],
      ['-A INPUT -j LOG --log-level panic', '-A INPUT -j LOG --log-level 0'],
      ['-A INPUT -j LOG --log-level error', '-A INPUT -j LOG --log-level 3'],
      ['-A INPUT -j LOG --log-level 0x3', '-A INPUT -j LOG --log-level 3'],
      [
        `-A INPUT -j LOG --log-prefix "it's \\"q\\" \\\\ x"`,
        `-A INPUT -j LOG --log-prefix "it\\'s \\"q\\" \\\\ x"`,
      ],
      ['-A INPUT -j LOG --log-prefix "a\\nb"', '-A INPUT -j LOG --log-prefix anb'],
      [
        '-A INPUT -j LOG --log-level alert --log-prefix "p:"',
        '-A INPUT -j LOG --log-prefix "p:" --log-level 1',
      ],
      ['-A INPUT -j LOG --log-macdecode --log-uid', '-A INPUT -j LOG --log-uid --log-macdecode'],
      [
        '-A INPUT -j LOG --log-prefix 123456789012345678901234567890',
        '-A INPUT -j LOG --log-prefix 12345678901234567890123456789',
      ],
    ]);
  });

  it('builds the typed fields', () => {
    expect(targetOf('filter', '-A INPUT -j LOG --log-level crit --log-prefix "x: " --log-uid')).toEqual({
      kind: 'LOG',
      level: 2,
      prefix: 'x: ',
      tcpSequence: false,
      tcpOptions: false,
      ipOptions: false,
      uid: true,
      macDecode: false,
    });
    expect(targetOf('filter', '-A INPUT -j LOG')).not.toHaveProperty('prefix');
  });

  it('refuses bad levels, empty prefixes and repeats', () => {
    expectError('filter', '-A INPUT -j LOG --log-level 8', '8', 'log level "8" unknown');
    expectError('filter', '-A INPUT -j LOG --log-level 010', '010', 'log level "010" unknown');
    expectError('filter', '-A INPUT -j LOG --log-level DEBUG', 'DEBUG', 'unknown');
    expectError('filter', '-A INPUT -j LOG --log-prefix ""', '""', 'at least 1 character');
    expectError(
      'filter',
      '-A INPUT -j LOG --log-level crit --log-level info',
      '--log-level info',
      'may only be specified once',
    );
  });
});

describe('MARK', () => {
  it('saves every operation as --set-xmark', () => {
    expectSaves('mangle', [
      ['-A INPUT -j MARK --set-mark 1/2', '-A INPUT -j MARK --set-xmark 0x1/0x3'],
      ['-A INPUT -j MARK --set-mark 5', '-A INPUT -j MARK --set-xmark 0x5/0xffffffff'],
      ['-A INPUT -j MARK --and-mark 0xf', '-A INPUT -j MARK --set-xmark 0x0/0xfffffff0'],
      ['-A INPUT -j MARK --or-mark 0xf', '-A INPUT -j MARK --set-xmark 0xf/0xf'],
      ['-A INPUT -j MARK --xor-mark 0xf', '-A INPUT -j MARK --set-xmark 0xf/0x0'],
      ['-A INPUT -j MARK --set-xmark 7', '-A INPUT -j MARK --set-xmark 0x7/0xffffffff'],
      ['-A INPUT -j MARK --set-xmark 0x7/010', '-A INPUT -j MARK --set-xmark 0x7/0x8'],
    ]);
    expect(targetOf('filter', '-A INPUT -j MARK --set-mark 1/2')).toEqual({
      kind: 'MARK',
      value: 1,
      mask: 3,
    });
  });

  it('refuses missing, conflicting and malformed values', () => {
    expectError('mangle', '-A INPUT -j MARK', 'MARK', 'One of the --set-xmark');
    expectError(
      'mangle',
      '-A INPUT -j MARK --set-mark 1 --or-mark 2',
      '--or-mark',
      'cannot be used together',
    );
    expectError('mangle', '-A INPUT -j MARK --set-mark 1x', '1x', 'trailing garbage');
    expectError('mangle', '-A INPUT -j MARK --set-mark 1/', '1/', 'bad integer value');
    expectError('mangle', '-A INPUT -j MARK --set-mark 4294967296', '4294967296', 'out of range');
  });
});

describe('CONNMARK', () => {
  it('round-trips as the kernel saves it', () => {
    expectSaves('mangle', [
      ['-A INPUT -j CONNMARK --set-mark 1/2', '-A INPUT -j CONNMARK --set-xmark 0x1/0x3'],
      ['-A INPUT -j CONNMARK --and-mark 0xf', '-A INPUT -j CONNMARK --set-xmark 0x0/0xfffffff0'],
      [
        '-A INPUT -j CONNMARK --save-mark --mask 0xff',
        '-A INPUT -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff',
      ],
      [
        '-A INPUT -j CONNMARK --restore-mark --ctmask 1 --nfmask 2',
        '-A INPUT -j CONNMARK --restore-mark --nfmask 0x2 --ctmask 0x1',
      ],
      [
        '-A INPUT -j CONNMARK --save-mark --left-shift-mark 3',
        '-A INPUT -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff --left-shift-mark 3',
      ],
      [
        '-A INPUT -j CONNMARK --restore-mark --left-shift-mark 1 --right-shift-mark 2',
        '-A INPUT -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff --right-shift-mark 2',
      ],
      // Options apply in order: a later mask option overrides an earlier --set-mark's mask.
      ['-A INPUT -j CONNMARK --set-mark 1 --ctmask 4', '-A INPUT -j CONNMARK --set-xmark 0x1/0x4'],
      ['-A INPUT -j CONNMARK --mask 4 --set-mark 1', '-A INPUT -j CONNMARK --set-xmark 0x1/0xffffffff'],
      [
        '-A INPUT -j CONNMARK --save-mark --left-shift-mark 0',
        '-A INPUT -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff',
      ],
    ]);
  });

  it('builds the typed fields', () => {
    expect(targetOf('mangle', '-A INPUT -j CONNMARK --restore-mark --nfmask 2 --right-shift-mark 4')).toEqual(
      {
        kind: 'CONNMARK',
        mode: 'restore',
        nfmask: 2,
        ctmask: 0xffffffff,
        shift: { direction: 'right', bits: 4 },
      },
    );
    expect(targetOf('mangle', '-A INPUT -j CONNMARK --or-mark 6')).toEqual({
      kind: 'CONNMARK',
      mode: 'set',
      value: 6,
      ctmask: 6,
    });
  });

  it('refuses what iptables or the kernel refuses', () => {
    expectError('mangle', '-A INPUT -j CONNMARK --mask 3', 'CONNMARK', 'No operation specified');
    expectError(
      'mangle',
      '-A INPUT -j CONNMARK --mask 3 --ctmask 4 --save-mark',
      '--ctmask',
      'cannot be used together',
    );
    expectError(
      'mangle',
      '-A INPUT -j CONNMARK --save-mark --restore-mark',
      '--restore',
      'cannot be used together',
    );
    expectError(
      'mangle',
      '-A INPUT -j CONNMARK --set-xmark 3 --right-shift-mark 32',
      '32',
      'shift of 32 bits',
    );
    expectError(
      'mangle',
      '-A INPUT -j CONNMARK --set-xmark 3 --left-shift-mark 33',
      '33',
      'out of range (0-32)',
    );
  });
});

describe('CT and NOTRACK', () => {
  it('round-trips as the kernel saves them', () => {
    expectSaves('raw', [
      ['-A PREROUTING -j NOTRACK', '-A PREROUTING -j NOTRACK'],
      ['-A OUTPUT -j CT --notrack', '-A OUTPUT -j CT --notrack'],
      ['-A PREROUTING -p tcp -j CT --helper ftp', '-A PREROUTING -p tcp -j CT --helper ftp'],
      ['-A PREROUTING -p udp -j CT --helper netbios-ns', '-A PREROUTING -p udp -j CT --helper netbios-ns'],
      ['-A PREROUTING -j CT --zone 5', '-A PREROUTING -j CT --zone 5'],
      ['-A PREROUTING -j CT --zone-orig mark', '-A PREROUTING -j CT --zone-orig mark'],
      ['-A PREROUTING -j CT --zone-reply 0', '-A PREROUTING -j CT'],
      ['-A PREROUTING -j CT --zone-orig 4 --zone-reply 5', '-A PREROUTING -j CT --zone 5'],
      [
        '-A PREROUTING -j CT --ctevents mark,new,related --expevents new',
        '-A PREROUTING -j CT --ctevents new,related,mark --expevents new',
      ],
      ['-A PREROUTING -j CT', '-A PREROUTING -j CT'],
      [
        '-A PREROUTING -p tcp -j CT --helper ftp --notrack',
        '-A PREROUTING -p tcp -j CT --notrack --helper ftp',
      ],
      [
        '-A PREROUTING -j CT --notrack --zone 3 --ctevents new',
        '-A PREROUTING -j CT --notrack --ctevents new --zone 3',
      ],
    ]);
    expectSaves(
      'raw',
      [['-A PREROUTING -p udp -j CT --helper tftp', '-A PREROUTING -p udp -j CT --helper tftp']],
      'ipv6',
    );
  });

  it('builds the typed fields', () => {
    expect(targetOf('raw', '-A PREROUTING -p tcp -j CT --helper ftp --zone-reply 7 --ctevents new')).toEqual({
      kind: 'CT',
      notrack: false,
      helper: 'ftp',
      ctEvents: ['new'],
      zone: { id: 7, fromMark: false, direction: 'reply' },
    });
    expect(targetOf('raw', '-A PREROUTING -j NOTRACK')).toEqual({ kind: 'NOTRACK' });
  });

  it('refuses what iptables or the kernel refuses', () => {
    expectError('raw', '-A PREROUTING -j CT --helper ftp', 'ftp', 'layer-4 protocol');
    expectError('raw', '-A PREROUTING -p udp -j CT --helper ftp', 'ftp', 'No such conntrack helper');
    expectError('raw', '-A PREROUTING -p tcp -j CT --helper FTP', 'FTP', 'No such conntrack helper');
    expectError('raw', '-A PREROUTING -p tcp -j CT --helper irc', 'irc', 'No such conntrack helper', 'ipv6');
    expectError('raw', '-A PREROUTING -j CT --zone 65536', '65536', 'Cannot parse 65536 as a zone ID');
    expectError('raw', '-A PREROUTING -j CT --ctevents new,,mark', 'new,', 'Unknown event type ""');
    expectError('mangle', '-A PREROUTING -j CT --notrack', undefined, 'only valid in the raw table');
    expectError('mangle', '-A PREROUTING -j NOTRACK', undefined, 'only valid in the raw table');
  });
});

describe('NFLOG', () => {
  it('round-trips as the kernel saves it', () => {
    expectSaves('filter', [
      ['-A INPUT -j NFLOG', '-A INPUT -j NFLOG'],
      [
        '-A INPUT -j NFLOG --nflog-group 0 --nflog-threshold 1 --nflog-range 0',
        '-A INPUT -j NFLOG --nflog-threshold 1',
      ],
      ['-A INPUT -j NFLOG --nflog-threshold 0', '-A INPUT -j NFLOG'],
      [
        '-A INPUT -j NFLOG --nflog-prefix "a b" --nflog-group 5 --nflog-size 0 --nflog-threshold 2',
        '-A INPUT -j NFLOG --nflog-prefix "a b" --nflog-group 5 --nflog-size 0 --nflog-threshold 2',
      ],
      ['-A INPUT -j NFLOG --nflog-range 100', '-A INPUT -j NFLOG --nflog-range 100'],
      [
        `-A INPUT -j NFLOG --nflog-size 65536 --nflog-prefix "${'a'.repeat(74)}"`,
        `-A INPUT -j NFLOG --nflog-prefix ${'a'.repeat(63)} --nflog-size 65536`,
      ],
    ]);
    expect(targetOf('filter', '-A INPUT -j NFLOG --nflog-group 3 --nflog-size 128')).toEqual({
      kind: 'NFLOG',
      group: 3,
      copy: { kind: 'size', bytes: 128 },
      threshold: 0,
    });
  });

  it('refuses bad values', () => {
    expectError(
      'filter',
      '-A INPUT -j NFLOG --nflog-range 100 --nflog-size 3',
      '--nflog-size',
      'cannot be used together',
    );
    expectError('filter', '-A INPUT -j NFLOG --nflog-group 65536', '65536', 'out of range (0-65535)');
  });
});

describe('NFQUEUE', () => {
  it('round-trips as the kernel saves it', () => {
    expectSaves('filter', [
      ['-A INPUT -j NFQUEUE', '-A INPUT -j NFQUEUE --queue-num 0'],
      [
        '-A INPUT -j NFQUEUE --queue-num 3 --queue-bypass',
        '-A INPUT -j NFQUEUE --queue-num 3 --queue-bypass',
      ],
      [
        '-A INPUT -j NFQUEUE --queue-balance 2:5 --queue-cpu-fanout --queue-bypass',
        '-A INPUT -j NFQUEUE --queue-balance 2:5 --queue-bypass --queue-cpu-fanout',
      ],
      ['-A INPUT -j NFQUEUE --queue-balance 65534:65535', '-A INPUT -j NFQUEUE --queue-balance 65534:65535'],
      ['-A INPUT -j NFQUEUE --queue-balance 1:', '-A INPUT -j NFQUEUE --queue-balance 1:65535'],
      ['-A INPUT -j NFQUEUE --queue-balance :5', '-A INPUT -j NFQUEUE --queue-balance 0:5'],
    ]);
    expect(targetOf('filter', '-A INPUT -j NFQUEUE --queue-balance 2:5')).toEqual({
      kind: 'NFQUEUE',
      queue: 2,
      count: 4,
      bypass: false,
      cpuFanout: false,
    });
  });

  it('refuses bad ranges and option combinations', () => {
    expectError(
      'filter',
      '-A INPUT -j NFQUEUE --queue-cpu-fanout',
      '--queue-cpu',
      'also requires "--queue-balance"',
    );
    expectError('filter', '-A INPUT -j NFQUEUE --queue-balance 5:5', '5:5', '5 should be less than 5');
    expectError('filter', '-A INPUT -j NFQUEUE --queue-balance :', ':', 'number of total queues is 0');
    expectError(
      'filter',
      '-A INPUT -j NFQUEUE --queue-num 1 --queue-balance 1:2',
      '--queue-balance',
      'together',
    );
  });
});

describe('TCPMSS', () => {
  it('round-trips as the kernel saves it', () => {
    expectSaves('mangle', [
      [
        '-A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu',
        '-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu',
      ],
      [
        '-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400',
        '-A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400',
      ],
      [
        '-A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --set-mss 5',
        '-A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --set-mss 5',
      ],
    ]);
    expect(targetOf('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu')).toEqual({
      kind: 'TCPMSS',
      mss: 'pmtu',
    });
  });

  it('refuses what iptables or the kernel refuses', () => {
    expectError(
      'mangle',
      '-A INPUT -p tcp --syn -j TCPMSS --set-mss 65516',
      '65516',
      'out of range (0-65515)',
    );
    expectError('mangle', '-A FORWARD -p udp -j TCPMSS --set-mss 5', '-j', '-p tcp');
    expectError(
      'mangle',
      '-A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu',
      '-j',
      'FORWARD, OUTPUT and POSTROUTING',
    );
    // Also through a user chain reached from INPUT, and without a SYN match (kernel checks).
    expect(() =>
      parseIptablesSave(
        '*mangle\n:X - [0:0]\n-A INPUT -j X\n-A X -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu\nCOMMIT\n',
        {
          file: 't.v4',
          family: 'ipv4',
        },
      ),
    ).toThrow(
      't.v4:4:19: TCPMSS --clamp-mss-to-pmtu is only supported from FORWARD, OUTPUT and POSTROUTING, not INPUT',
    );
    expectError(
      'mangle',
      '-A FORWARD -p tcp -j TCPMSS --set-mss 1400',
      '-j',
      'only works on TCP SYN packets',
    );
    expectError('mangle', '-A FORWARD -p tcp --syn -j TCPMSS', 'TCPMSS', 'At least one parameter');
    expectError('mangle', '-A FORWARD -p tcp --syn -j TCPMSS --set-mss 65496', '65496', '(0-65495)', 'ipv6');
  });
});

describe('CHECKSUM, TRACE, CLASSIFY, AUDIT, CONNSECMARK, SECMARK', () => {
  it('round-trip as the kernel saves them', () => {
    expectSaves('mangle', [
      ['-A PREROUTING -j CHECKSUM --checksum-fill', '-A PREROUTING -j CHECKSUM --checksum-fill'],
      ['-A POSTROUTING -j CLASSIFY --set-class 1:2', '-A POSTROUTING -j CLASSIFY --set-class 0001:0002'],
      ['-A FORWARD -j CLASSIFY --set-class 0x10:fFfF', '-A FORWARD -j CLASSIFY --set-class 0010:ffff'],
      ['-A FORWARD -j CLASSIFY --set-class 10000:1', '-A FORWARD -j CLASSIFY --set-class 0000:0001'],
      ['-A INPUT -j CONNSECMARK --restore', '-A INPUT -j CONNSECMARK --restore'],
      ['-A INPUT -j AUDIT --type Reject', '-A INPUT -j AUDIT --type reject'],
    ]);
    expectSaves('raw', [['-A PREROUTING -j TRACE', '-A PREROUTING -j TRACE']]);
    expectSaves('security', [['-A INPUT -j CONNSECMARK --save', '-A INPUT -j CONNSECMARK --save']]);
    expectSaves('filter', [['-A INPUT -j AUDIT --type ACCEPT', '-A INPUT -j AUDIT --type accept']]);
    expect(targetOf('mangle', '-A OUTPUT -j CLASSIFY --set-class 1:2xyz')).toEqual({
      kind: 'CLASSIFY',
      major: 1,
      minor: 2,
    });
  });

  it('refuse what iptables or the kernel refuses', () => {
    expectError(
      'filter',
      '-A INPUT -j CHECKSUM --checksum-fill',
      undefined,
      'only valid in the mangle table',
    );
    expectError('mangle', '-A PREROUTING -j CHECKSUM', 'CHECKSUM', 'must be specified');
    expectError('mangle', '-A PREROUTING -j TRACE', undefined, 'only valid in the raw table');
    expectError(
      'mangle',
      '-A INPUT -j CLASSIFY --set-class 1:2',
      undefined,
      'only usable from OUTPUT/FORWARD/POSTROUTING',
    );
    expectError('mangle', '-A OUTPUT -j CLASSIFY --set-class 1', '1', 'Bad class value');
    expectError('mangle', '-A OUTPUT -j CLASSIFY --set-class "1 :2"', '"1 :2"', 'Bad class value');
    expectError('mangle', '-A INPUT -j AUDIT --type acc', 'acc', 'Bad action type value');
    expectError('mangle', '-A INPUT -j CONNSECMARK --save --restore', '--restore', 'cannot be used together');
    expectError('mangle', '-A INPUT -j CONNSECMARK', 'CONNSECMARK', 'parameter required');
    expectError('filter', '-A INPUT -j CONNSECMARK --save', undefined, 'mangle/security');
    expectError('filter', '-A INPUT -j SECMARK --selctx x', undefined, 'mangle/security');
  });
});

describe('IDLETIMER, RATEEST, SYNPROXY', () => {
  it('round-trip as the kernel saves them', () => {
    expectSaves('filter', [
      ['-A INPUT -j IDLETIMER --timeout 10 --label t1', '-A INPUT -j IDLETIMER --timeout 10 --label t1'],
      [
        '-A INPUT -j IDLETIMER --timeout 10 --label t2 --alarm',
        '-A INPUT -j IDLETIMER --timeout 10 --label t2 --alarm',
      ],
      ['-A INPUT -j IDLETIMER --timeout 5 --label "a b"', '-A INPUT -j IDLETIMER --timeout 5 --label a b'],
      [
        '-A INPUT -j IDLETIMER --timeout 5 --label abcdefghijabcdefghijabcdefghij',
        '-A INPUT -j IDLETIMER --timeout 5 --label abcdefghijabcdefghijabcdefg',
      ],
      [
        '-A INPUT -j RATEEST --rateest-name a --rateest-interval 250ms --rateest-ewmalog 0.5s',
        '-A INPUT -j RATEEST --rateest-name a --rateest-interval 250.0ms --rateest-ewmalog 500.0ms',
      ],
      [
        '-A INPUT -j RATEEST --rateest-name h --rateest-interval 1s --rateest-ewmalog 1000000s',
        '-A INPUT -j RATEEST --rateest-name h --rateest-interval 1.0s --rateest-ewmalog 2048.0s',
      ],
      [
        '-A INPUT -p tcp -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460 --ecn',
        '-A INPUT -p tcp -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460 --ecn',
      ],
    ]);
    expect(
      targetOf('filter', '-A INPUT -j RATEEST --rateest-name b --rateest-interval 1s --rateest-ewmalog 10s'),
    ).toEqual({ kind: 'RATEEST', name: 'b', interval: 0, ewmaLog: 3 });
  });

  it('refuse what iptables or the kernel refuses', () => {
    expectError('filter', '-A INPUT -j IDLETIMER --timeout 0 --label t3', '0', 'refuses timeout 0');
    expectError('filter', '-A INPUT -j IDLETIMER --timeout 5 --label "a/b"', '"a/b"', 'refuses the label');
    expectError('filter', '-A INPUT -j IDLETIMER --timeout 5', 'IDLETIMER', '"--label" must be specified');
    expectError(
      'filter',
      '-A INPUT -j IDLETIMER --timeout 5 --label t5 --send_nl_msg',
      '--send_nl_msg',
      'unknown option',
    );
    expectError(
      'filter',
      '-A INPUT -j RATEEST --rateest-name d --rateest-interval 9s --rateest-ewmalog 100s',
      '9s',
      'interval value is too large',
    );
    expectError(
      'filter',
      '-A INPUT -j RATEEST --rateest-name i --rateest-interval 1x --rateest-ewmalog 1s',
      '1x',
      'bad interval',
    );
    expectError('filter', '-A INPUT -j SYNPROXY', 'SYNPROXY', '-p tcp');
    expectError('filter', '-A OUTPUT -p tcp -j SYNPROXY', undefined, 'only usable from INPUT/FORWARD');
  });
});

describe('ULOG, LED, SET', () => {
  it('refuses ULOG, which the kernel no longer has', () => {
    expectError('filter', '-A INPUT -j ULOG', 'ULOG', 'removed in Linux 3.17');
    expectError('filter', '-A INPUT -j ULOG --ulog-nlgroup 33', '33', 'out of range (1-32)');
  });

  it('reads LED', () => {
    expect(targetOf('filter', '-A INPUT -j LED --led-trigger-id x --led-delay inf')).toEqual({
      kind: 'LED',
      triggerId: 'x',
      delay: 'infinite',
      alwaysBlink: false,
    });
    expectError(
      'filter',
      '-A INPUT -j LED --led-trigger-id 12345678901234567',
      '1234',
      'maximum length of 16',
    );
  });

  it('refuses SET references (no ipsets are known), after checking the arguments', () => {
    expectError('filter', '-A INPUT -j SET --add-set foo src', 'foo', "Set foo doesn't exist");
    expectError('filter', '-A INPUT -j SET --exist', 'SET', "You must specify either `--add-set'");
  });
});
