// The readable dump (golden): the Docker example and a small kube-proxy ruleset with its
// KUBE-SERVICES index.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { generateKubeProxyDump } from '../../bench/generate/kube-proxy.js';
import { compile } from '../../src/compiler/compile.js';
import { dumpTable } from '../../src/compiler/dump.js';
import { parseIptablesSave } from '../../src/frontend/iptables/restore-parser.js';
import { expectGolden } from '../golden.js';

describe('nfwasm compile --dump', () => {
  it('the Docker example', () => {
    const text = readFileSync(join(import.meta.dirname, '../../examples/docker-host/rules.v4'), 'utf8');
    const r = parseIptablesSave(text, { file: 'examples/docker-host/rules.v4', family: 'ipv4' });
    expectGolden('compiler/docker-host.dump', dumpTable(compile(r)));
  });

  it('a kube-proxy sample (12 services)', () => {
    const dump = generateKubeProxyDump({ services: 12, seed: 3 });
    const r = parseIptablesSave(dump.text, { file: 'kube-proxy.v4', family: 'ipv4' });
    expectGolden('compiler/kube-proxy-12.dump', dumpTable(compile(r)));
  });
});
