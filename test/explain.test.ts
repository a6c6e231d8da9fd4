// `nfwasm explain` on the seeds' traps, golden-tested: the Docker DNAT that makes INPUT rules on
// the published port useless, RETURN in a built-in nat chain, docker-proxy's path through
// INPUT, and the kernel's own answers.

import { describe, it } from 'vitest';
import { explainCommand } from '../src/cli/explain-command.js';
import { expectGolden } from './golden.js';

function explain(args: string[]): string {
  let out = '';
  explainCommand(args, (s) => {
    out += s;
  });
  return out;
}

const docker = ['--rules', 'examples/docker-host/rules.v4', '--host', 'examples/docker-host/host.json'];
const scenario = (name: string) => [
  '--rules',
  `test/fixtures/scenarios/${name}/rules.v4`,
  '--host',
  `test/fixtures/scenarios/${name}/host.json`,
  '--trace',
  `test/fixtures/scenarios/${name}/trace.pcapng`,
];

// The seed scenarios are explained from their rules.sh, so every rule points at the seed's command.
const seed = (name: string) => [
  '--rules',
  `test/fixtures/scenarios/${name}/rules.sh`,
  '--host',
  `test/fixtures/scenarios/${name}/host.json`,
  '--trace',
  `test/fixtures/scenarios/${name}/trace.pcapng`,
];

/** [scenario, packet, what the explanation must make plain]: one per trap in the seed posts. */
const SEED_TRAPS: readonly (readonly [string, number, string])[] = [
  ['seed-000-input-port-80', 1, "INPUT's port-80 whitelist never sees a published port"],
  ['seed-000-docker-user-dport-80', 1, "DOCKER-USER's --dport 80 DROP meets port 8080"],
  ['seed-000-docker-user-whitelist', 2, "the DOCKER-USER whitelist drops the container's SYN-ACK"],
  ['seed-000-docker-filter-proxy', 1, 'RETURN in nat PREROUTING hands the SYN to docker-proxy'],
  ['seed-000-docker-filter-fixed', 3, "the INPUT DROP closes docker-proxy's path"],
  ['seed-001-isolation', 1, 'DOCKER-ISOLATION drops bridge-to-bridge traffic'],
  ['seed-001-router-forward-drop', 1, "Docker's FORWARD policy DROP breaks a router"],
  ['seed-001-router-one-way', 2, "the one-way DOCKER-USER fix drops the router's replies"],
  ['seed-001-iprange-as-posted', 3, "the iprange whitelist appended after DOCKER-USER's RETURN"],
  ['seed-001-iprange-inserted', 5, 'the iprange whitelist on -i docker0 filters what containers send'],
  ['seed-001-iprange-uplink', 5, "the uplink whitelist drops replies to the containers' own connections"],
  ['seed-002-exporter-paths', 3, "the host's own connection DNATed in nat OUTPUT"],
  ['seed-002-exporter-paths', 5, "a container reaches docker-proxy: DOCKER's RETURN is -i docker0"],
  ['seed-003-forward-paths', 2, 'the echo reply is ESTABLISHED, accepted before the DOCKER jump'],
  ['seed-003-forward-paths', 5, "a published port is open at the container's own address"],
  ['seed-004-forward-drop', 1, 'br_netfilter sends bridged frames through FORWARD policy DROP'],
  ['seed-004-port-map', 1, 'MASQUERADE without ! -o ns_br rewrites bridged traffic'],
  ['seed-004-port-map', 7, "PREROUTING's DNAT never sees the host's own curl"],
  ['seed-004-forward-rules', 8, "the SYN-ACK of ns1's outbound connection meets FORWARD DROP"],
  ['seed-004-full', 5, "the host's own curl DNATed by nat OUTPUT --dst-type LOCAL"],
];

describe('nfwasm explain', () => {
  for (const [name, packet, what] of SEED_TRAPS) {
    it(`${name} packet ${packet}: ${what}`, () => {
      expectGolden(`explain/${name}-${packet}.txt`, explain([...seed(name), '--packet', String(packet)]));
    });
  }

  it('shows why the INPUT rule on port 80 never sees a Docker-published port (seed 000)', () => {
    expectGolden(
      'explain/docker-dnat-before-input.txt',
      explain([...docker, 'tcp 198.51.100.7:40000 > 192.168.1.10:80 iif eth0 flags S']),
    );
  });

  it('shows that the source the INPUT rule meant to allow is forwarded too', () => {
    expectGolden(
      'explain/docker-dnat-allowed-source.txt',
      explain([...docker, '--verbose', 'tcp 172.16.0.9:40001 > 192.168.1.10:80 iif eth0 flags S']),
    );
  });

  it('follows a whole connection through DNAT and back (--flow)', () => {
    expectGolden(
      'explain/docker-dnat-flow.txt',
      explain([...docker, '--trace', 'examples/docker-host/trace.pcapng', '--flow', '1']),
    );
  });

  it('explains RETURN in nat PREROUTING falling through to the policy', () => {
    expectGolden(
      'explain/nat-prerouting-return.txt',
      explain([...scenario('nat-prerouting-return'), '--packet', '1']),
    );
  });

  it("shows docker-proxy's second path through INPUT", () => {
    expectGolden(
      'explain/docker-proxy-input.txt',
      explain([...scenario('docker-proxy-input'), '--packet', '1']),
    );
  });

  it('shows what REJECT sends back', () => {
    expectGolden('explain/reject-tcp-reset.txt', explain([...scenario('reject-tcp-reset'), '--packet', '1']));
  });
});
