// The router under test, in network namespaces: the host model (its interfaces with their
// addresses and MACs, routes, sysctls, permanent neighbours for every on-link address the trace
// uses) built by the conformance harness's buildHost, so the kernel sees the host the engines
// model; every peer end in one sender namespace, so a single tcpreplay feeds both interfaces in
// trace order; the ruleset loaded with iptables-legacy-restore, the backend the conformance tests
// compare against. Frames the router forwards come back to the sender namespace through the
// other veth: it is also the sink (no addresses, frames not for its MACs, so they are counted
// by the interface and dropped at once).

import { buildHost } from '../../test/kernel/netns/build-host.js';
import { readHostSpec } from '../../test/kernel/netns/host-spec.js';
import type { TableCounters } from '../../test/kernel/netns/kernel-result.js';
import { parseSaveCounters } from '../../test/kernel/netns/read-counters.js';
import { inNs, run, tryRun } from '../../test/kernel/netns/sh.js';
import type { TracePacket } from '../../test/kernel/netns/trace-io.js';
import type { Frame } from '../lib/path.js';

export interface Router {
  /** The namespace holding the host and its ruleset. */
  readonly ns: string;
  /** The namespace holding the other end of every host interface. */
  readonly senderNs: string;
  /** Host interface → the sender's device wired to it. */
  readonly senderDev: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
  /** Deletes both namespaces. Idempotent. */
  dispose(): void;
}

/** The frames as the harness's trace packets (only interface and bytes matter to it). */
function tracePackets(frames: readonly Frame[]): TracePacket[] {
  return frames.map((f, index) => ({
    index,
    ifName: f.iif,
    timestamp: '0',
    offset: 0,
    bytes: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength),
  }));
}

/** Loads iptables-save text into the router (tables named in it are replaced, counters from 0). */
export function restore(ns: string, rules: string): void {
  const r = tryRun(inNs(ns, ['iptables-legacy-restore']), rules);
  if (r.status !== 0) throw new Error(`iptables-legacy-restore refused the ruleset: ${r.stderr.trim()}`);
}

/** The router's per-rule and policy counters (`iptables-save -c`). */
export function readRuleCounters(ns: string): TableCounters[] {
  return parseSaveCounters(run(inNs(ns, ['iptables-legacy-save', '-c'])));
}

/** Forgets every connection, so the next pass starts from the state of the first. */
export function flushConntrack(ns: string): void {
  run(inNs(ns, ['conntrack', '-F']));
}

export function buildRouter(hostJson: string, rules: string, frames: readonly Frame[]): Router {
  const built = buildHost(readHostSpec(hostJson), {
    trace: tracePackets(frames),
    rules,
    sharedPeerNamespace: true,
  });
  try {
    restore(built.hostNs, rules);
    const peers = [...built.peers.values()];
    return {
      ns: built.hostNs,
      senderNs: peers[0]!.ns,
      senderDev: new Map(peers.map((p) => [p.hostIf, p.dev])),
      warnings: built.warnings,
      dispose: built.dispose,
    };
  } catch (e) {
    built.dispose();
    throw e;
  }
}
