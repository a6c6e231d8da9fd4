// nf_hook_slow: one netfilter hook's steps in priority order (hook-plan.ts) — conntrack's
// defragmentation, nf_conntrack_in, the tables (the nat table through NAT's hook), and the
// confirmation of a new connection — until one does not accept the packet.

import type { Hook } from '../../ir/ruleset.js';
import { confirm, conntrackIn, ctState, formatTuple } from '../conntrack/index.js';
import { ctPacketOf } from './ct-packet.js';
import type { EngineState } from './engine-state.js';
import type { HookOutcome, Journey } from './journey.js';
import { releaseIfUnconfirmed } from './journey.js';
import { natStep } from './nat-step.js';
import { conntrackDefrag } from './reassembly.js';
import { tableStep } from './table-step.js';

export function runHook(s: EngineState, j: Journey, hook: Hook): HookOutcome {
  for (const step of s.plan[hook]) {
    if (step.kind === 'defrag') {
      const held = conntrackDefrag(s, j, hook);
      if (held) return held;
      continue;
    }
    if (step.kind === 'conntrack') {
      conntrackStep(s, j, hook);
      if (j.track?.kind === 'drop') return { verdict: 'DROP', reason: `conntrack: ${j.track.reason}` };
      continue;
    }
    if (step.kind === 'confirm') {
      // __nf_conntrack_confirm: a new connection enters the table (or a clash resolves it).
      const t = j.track;
      if (t?.kind === 'tracked') {
        const r = confirm(s.conntrack, t, s.now);
        if (r && r.verdict === 'DROP') return { verdict: 'DROP', reason: `conntrack confirm: ${r.reason}` };
        if (r && r.entry !== t.entry) j.track = { ...t, entry: r.entry };
      }
      continue;
    }
    j.trace?.push({ kind: 'hook', hook, table: step.table.name });
    const outcome =
      step.table.name === 'nat'
        ? natStep(s, j, hook, step.table, step.chain)
        : tableStep(s, j, hook, step.table, step.chain, null);
    if (outcome.verdict !== 'ACCEPT') {
      releaseIfUnconfirmed(s, j);
      return outcome;
    }
  }
  return { verdict: 'ACCEPT' };
}

/**
 * nf_conntrack_in (PREROUTING, OUTPUT): the packet's connection, unless it already has one
 * (nf_ct_attach, or looped back through lo) or raw took it out of tracking.
 */
function conntrackStep(s: EngineState, j: Journey, hook: Hook): void {
  if (j.attached) return;
  if (j.untracked) {
    j.track = { kind: 'untracked' };
    j.trace?.push({
      kind: 'conntrack',
      hook,
      state: 'UNTRACKED',
      direction: 'original',
      entry: null,
      note: 'NOTRACK in raw',
    });
    return;
  }
  const p = j.packet;
  const pkt = ctPacketOf(p.bytes, p.decoded, hook, s.conntrack.settings.checksum);
  const track = conntrackIn(s.conntrack, pkt, s.now, hook);
  j.track = track;
  if (j.trace) {
    const entry = track.kind === 'tracked' ? formatTuple(track.entry.tuple.original) : null;
    const note = track.kind === 'invalid' || track.kind === 'drop' ? track.reason : undefined;
    j.trace.push({
      kind: 'conntrack',
      hook,
      state: track.kind === 'drop' ? 'DROP' : ctState(track),
      direction: track.kind === 'tracked' ? track.direction : 'original',
      entry,
      ...(note ? { note } : {}),
    });
  }
}
