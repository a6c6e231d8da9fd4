// ip_output → POSTROUTING → ip_finish_output: a routed, bridged or generated packet leaves by its
// interface — onto a bridge by the port its forwarding database knows (br_dev_xmit) — whole or
// re-cut into fragments (ip_fragment, fragment-output.ts).

import { formatPacketSummary } from '../../wire/packet.js';
import { bridgeEgress } from './bridge-path.js';
import type { EngineState } from './engine-state.js';
import { ipFinishOutput } from './fragment-output.js';
import { runHook } from './hook-runner.js';
import { drop, type Journey, verdictFate } from './journey.js';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, icmpSend } from './kernel-answers.js';
import type { Fate } from './result.js';

/** POSTROUTING (mangle, nat, confirm), then out of the interface (ip_finish_output). */
export function postRouting(s: EngineState, j: Journey, cause: string): Fate {
  const p = j.packet;
  const post = runHook(s, j, 'postrouting');
  if (post.verdict !== 'ACCEPT') return verdictFate(s, j, post);
  const oif = p.oif!;
  const decidedBy = j.filterDecision ?? j.lastDecision;
  // A bridged packet leaves by its port; a routed one onto a bridge by the port the bridge's
  // forwarding database knows for the next hop's MAC, or by every port (br_dev_xmit → br_flood).
  const ports = p.bridged ? [p.physOut!] : bridgeEgress(s, oif, j.nextHop ?? p.decoded.dst[0]!);
  const pieces = finishOutput(s, j, p.bridged ? p.physOut! : oif);
  if (!pieces) return drop(s, j, `fragmentation needed: ${p.bytes.length} bytes with DF (ip_fragment)`);
  for (const port of ports ?? [undefined])
    for (const bytes of pieces)
      j.emitted.push({
        oif,
        ...(port ? { port } : {}),
        bytes,
        cause,
        ...(decidedBy ? { decidedBy } : {}),
      });
  j.trace?.push({
    kind: 'emitted',
    oif:
      ports && ports.length === 1
        ? `${oif} (port ${ports[0]})`
        : ports
          ? `${oif} (flooded to ${ports.join(', ')})`
          : oif,
    summary: formatPacketSummary(p.decoded),
  });
  return { kind: 'forwarded', oif };
}

/**
 * ip_finish_output: the datagram as it leaves by `dev`, whole or in fragments (ip_fragment);
 * null when DF forbids fragmenting it (icmp_send(ICMP_FRAG_NEEDED) for a routed packet).
 */
function finishOutput(s: EngineState, j: Journey, dev: string): readonly Uint8Array[] | null {
  const p = j.packet;
  if (p.decoded.family !== 'ipv4') return [p.bytes];
  const mtu = s.host.interface(dev)?.mtu ?? 1500;
  const r = ipFinishOutput(p.bytes, mtu, j.frag);
  if (r.kind === 'whole') return [p.bytes];
  if (r.kind === 'frag-needed') {
    // br_nf_ip_fragment drops it silently; ip_fragment answers.
    if (!p.bridged)
      icmpSend(s, j, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, 'ip_fragment: fragmentation needed', mtu);
    return null;
  }
  j.trace?.push({
    kind: 'note',
    text: `ip_fragment: sent as ${r.fragments.length} fragments ${r.how} (MTU ${mtu}${j.frag.fragMaxSize ? `, largest fragment received ${j.frag.fragMaxSize}` : ''})`,
  });
  return r.fragments;
}
