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

describe('nfwasm explain', () => {
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
