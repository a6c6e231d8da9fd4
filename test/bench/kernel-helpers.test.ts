// The pure parts of `npm run bench:kernel` (bench/kernel/): the tcpprep split checked against the
// trace's interfaces, tcpreplay's summary, interface counters and the availability message. The
// bench itself needs root and tcpreplay and is not run here.

import { describe, expect, it } from 'vitest';
import { unavailableReason } from '../../bench/kernel/availability.js';
import { cidrSplit, networkOf } from '../../bench/kernel/interface-split.js';
import { linkDelta, parseLinkStats } from '../../bench/kernel/link-counters.js';
import { parseTcpreplayOutput } from '../../bench/kernel/tcpreplay.js';
import { pathWorkload } from '../../bench/lib/path.js';

/** An untagged Ethernet/IPv4 frame from `src` (only the fields the split reads). */
function frame(src: string, iif: string, etherType = 0x0800) {
  const bytes = new Uint8Array(60);
  bytes[12] = etherType >> 8;
  bytes[13] = etherType & 255;
  bytes[14] = 0x45;
  bytes.set(src.split('.').map(Number), 26);
  return { bytes, iif };
}

describe('cidrSplit', () => {
  it('sends the CIDR’s sources out the primary interface and finds frames it would misplace', () => {
    const frames = [
      frame('172.17.0.2', 'docker0'),
      frame('198.51.100.7', 'eth0'),
      frame('172.17.255.9', 'docker0'),
      frame('172.18.0.1', 'docker0'), // outside 172.17/16: would go out the secondary
      frame('172.17.0.3', 'eth0'), // a container's address arriving from outside
      frame('172.17.0.4', 'eth0', 0x86dd), // not IPv4: tcpprep sends it out the secondary
    ];
    const split = cidrSplit(frames, 'docker0', '172.17.0.0/16');
    expect(split).toEqual({
      cidr: '172.17.0.0/16',
      primary: 'docker0',
      secondary: 'eth0',
      primaryFrames: 3,
      secondaryFrames: 3,
      misplaced: [3, 4],
      misplacedCount: 2,
    });
  });

  it('refuses a trace on more than two interfaces', () => {
    expect(() =>
      cidrSplit([frame('10.0.0.1', 'a'), frame('10.0.0.2', 'b'), frame('10.0.0.3', 'c')], 'a', '10.0.0.1/32'),
    ).toThrow(/two interfaces/);
  });

  it('splits the bench’s generated trace exactly by the containers’ subnet', () => {
    const { frames } = pathWorkload(10, 3000, 100, 7);
    const split = cidrSplit(frames, 'docker0', '172.17.0.0/16');
    expect(split.misplacedCount).toBe(0);
    expect(split.secondary).toBe('eth0');
    expect(split.primaryFrames).toBeGreaterThan(0);
    expect(split.secondaryFrames).toBeGreaterThan(0);
  });
});

describe('networkOf', () => {
  it('masks the host part', () => {
    expect(networkOf('172.17.0.1', 16)).toBe('172.17.0.0/16');
    expect(networkOf('192.168.1.10', 24)).toBe('192.168.1.0/24');
    expect(networkOf('10.1.2.3', 0)).toBe('0.0.0.0/0');
    expect(networkOf('10.1.2.3', 32)).toBe('10.1.2.3/32');
  });
});

describe('parseTcpreplayOutput', () => {
  it('reads the summary and sums both interfaces’ failures and retries', () => {
    const text = `Actual: 176839 packets (56437133 bytes) sent in 0.999570 seconds
Rated: 56461411.4 Bps, 451.69 Mbps, 176915.07 pps
Statistics for network device: nfwpeer0
\tSuccessful packets:        103266
\tFailed packets:            2
\tTruncated packets:         0
\tRetried packets (ENOBUFS): 1
\tRetried packets (EAGAIN):  0
Statistics for network device: nfwpeer1
\tSuccessful packets:        73571
\tFailed packets:            0
\tTruncated packets:         0
\tRetried packets (ENOBUFS): 0
\tRetried packets (EAGAIN):  3
`;
    expect(parseTcpreplayOutput(text)).toEqual({
      packets: 176839,
      bytes: 56437133,
      seconds: 0.99957,
      pps: 176915.07,
      failed: 2,
      retried: 4,
    });
  });

  it('says so when there is no summary', () => {
    expect(() => parseTcpreplayOutput('Fatal Error: failed to open device nfwpeer9')).toThrow(/no summary/);
  });
});

describe('interface counters', () => {
  const reading = (rx: number, tx: number) =>
    JSON.stringify([
      { ifname: 'lo', flags: ['LOOPBACK'] },
      {
        ifname: 'eth0',
        stats64: {
          rx: { bytes: rx * 100, packets: rx, errors: 0, dropped: 1, over_errors: 0, multicast: 0 },
          tx: { bytes: tx * 100, packets: tx, errors: 0, dropped: 0, carrier_errors: 0, collisions: 0 },
        },
      },
    ]);

  it('parses `ip -s -j link` and subtracts two readings', () => {
    const before = parseLinkStats(reading(10, 5));
    expect([...before.keys()]).toEqual(['eth0']);
    const delta = linkDelta(before, parseLinkStats(reading(110, 45)));
    expect(delta.get('eth0')).toEqual({
      rxPackets: 100,
      rxBytes: 10000,
      rxDropped: 0,
      txPackets: 40,
      txBytes: 4000,
      txDropped: 0,
    });
  });
});

describe('unavailableReason', () => {
  it('needs root first, then names the missing tools', () => {
    expect(unavailableReason(false, () => true)).toMatch(/needs root/);
    expect(unavailableReason(true, (t) => t !== 'tcpreplay' && t !== 'tcpprep')).toMatch(
      /missing tcpprep, tcpreplay/,
    );
    expect(unavailableReason(true, () => true)).toBe('');
  });
});
