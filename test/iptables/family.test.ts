// Which family a ruleset file is for when the user does not say (-4/-6).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFamily } from '../../src/frontend/iptables/family.js';
import { CORPUS, iptablesCorpusFiles } from '../kernel/corpus-files.js';

const v4 = (lines: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ...lines, 'COMMIT', ''].join('\n');

describe('detectFamily', () => {
  it('reads ICMPv6 as a protocol or match, not in the name of a chain', () => {
    const chains = v4([':icmpv6-input - [0:0]', '-A INPUT -p icmp -j icmpv6-input']);
    expect(detectFamily('rules', chains)).toBe('ipv4');
    expect(detectFamily('rules', v4(['-A INPUT -p ipv6-icmp -j ACCEPT']))).toBe('ipv6');
    expect(detectFamily('rules', v4(['-A INPUT -p icmpv6 -m icmp6 --icmpv6-type 128 -j ACCEPT']))).toBe(
      'ipv6',
    );
    expect(detectFamily('rules', v4(['-A INPUT -m icmp6 --icmpv6-type 1 -j ACCEPT']))).toBe('ipv6');
    expect(detectFamily('rules', v4(['-A INPUT -s fe80::/10 -j ACCEPT']))).toBe('ipv6');
    expect(detectFamily('rules.v6', v4(['-A INPUT -j ACCEPT']))).toBe('ipv6');
  });

  // The corpus's validation list names the family whose restore accepted each file (iptables
  // tried first): a file only iptables takes must be read as IPv4, one only ip6tables takes as
  // IPv6. Files both take are IPv4 there; those named as ip6tables dumps are IPv6 by name.
  const files = iptablesCorpusFiles();
  it.skipIf(files.length === 0)('agrees with the corpus on the family of each file', () => {
    const wrong: string[] = [];
    for (const f of files.filter((f) => f.accepted)) {
      const detected = detectFamily(f.path, readFileSync(join(CORPUS, f.path), 'utf8'));
      if (detected !== f.family && !(detected === 'ipv6' && /ip6tables|6\.rules$/.test(f.path)))
        wrong.push(`${f.path}: ${f.family}, detected ${detected}`);
    }
    expect(wrong).toEqual([]);
  });
});
