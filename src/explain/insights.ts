// The notes that turn a trace into an answer: the traps operators fall into, recognised in one
// packet's journey and said in plain words with the lines of the ruleset involved.

import type { PacketResult } from '../engine/reference/result.js';
import type { TraceEvent } from '../engine/reference/trace.js';
import { formatRuleSpec } from '../frontend/iptables/printer.js';
import type { Host } from '../host/index.js';
import type { Match } from '../ir/match.js';
import type { Chain, Rule, Ruleset } from '../ir/ruleset.js';

function where(rule: Rule): string {
  return `${rule.source.file}:${rule.source.line}`;
}

function spec(chain: string, rule: Rule, ruleset: Ruleset): string {
  return `-A ${chain}${formatRuleSpec(rule, ruleset.family)}`;
}

/** Whether a match tests a TCP/UDP destination port range holding `port`. */
function testsDport(m: Match, port: number): boolean {
  if ((m.kind === 'tcp' || m.kind === 'udp') && m.dport)
    return m.dport.value.from <= port && port <= m.dport.value.to;
  return m.kind === 'multiport' && JSON.stringify(m).includes(`"from":${port}`);
}

/** Rules of a table's chain (and the chains it jumps to) that test a TCP/UDP destination port. */
function rulesForPort(
  ruleset: Ruleset,
  table: string,
  chain: string,
  port: number,
  target?: (r: Rule) => boolean,
): { chain: string; rule: Rule }[] {
  const t = ruleset.tables.find((x) => x.name === table);
  const start = t?.chains.find((c) => c.name === chain);
  if (!t || !start) return [];
  const seen = new Set<Chain>();
  const found: { chain: string; rule: Rule }[] = [];
  const visit = (c: Chain) => {
    if (seen.has(c)) return;
    seen.add(c);
    for (const r of c.rules) {
      if (r.matches.some((m) => testsDport(m, port)) && (!target || target(r)))
        found.push({ chain: c.name, rule: r });
      const k = r.target;
      if (k && (k.kind === 'jump' || k.kind === 'goto')) {
        const next = t.chains.find((x) => x.name === k.chain);
        if (next) visit(next);
      }
    }
  };
  visit(start);
  return found;
}

const inputRulesForPort = (ruleset: Ruleset, port: number) => rulesForPort(ruleset, 'filter', 'INPUT', port);

/** `proto a:p > b:q ...` → the destination port, or NaN. */
function dportOf(summary: string): number {
  return Number(/:(\d+)/.exec(summary.split(' > ')[1] ?? '')?.[1] ?? Number.NaN);
}
/** `proto a[:p] > b[:q] ...` → the destination address. */
function daddrOf(summary: string): string {
  return (summary.split(' > ')[1] ?? '').split(/[: ]/)[0] ?? '';
}
/** `proto a[:p] > b ...` → the source address. */
function saddrOf(summary: string): string {
  return (summary.split(' ')[1] ?? '').split(':')[0] ?? '';
}

function hasChain(ruleset: Ruleset, table: string, chain: string): boolean {
  return !!ruleset.tables.find((t) => t.name === table)?.chains.some((c) => c.name === chain);
}

/** Interface names filter FORWARD's own rules test with -i/-o (not through jumps). */
function forwardInterfaces(ruleset: Ruleset): Set<string> {
  const forward = ruleset.tables.find((t) => t.name === 'filter')?.chains.find((c) => c.name === 'FORWARD');
  const names = new Set<string>();
  for (const r of forward?.rules ?? [])
    for (const m of r.matches) if (m.kind === 'in-interface' || m.kind === 'out-interface') names.add(m.name);
  return names;
}

/** A rule about who sends (-s, --src-range): with -i BRIDGE, a sign -i was meant as "to". */
const aboutSenders = (r: Rule) =>
  r.matches.some((m) => m.kind === 'source' || (m.kind === 'iprange' && m.source !== undefined));

const testsState = (r: Rule) => r.matches.some((m) => m.kind === 'conntrack' || m.kind === 'state');

export function insights(result: PacketResult, ruleset: Ruleset, host?: Host): string[] {
  const trace: readonly TraceEvent[] = result.trace ?? [];
  const notes: string[] = [];
  let dnatRule: Rule | undefined;
  let rewrite: Extract<TraceEvent, { kind: 'rewrite' }> | undefined;
  let previous: TraceEvent | undefined;
  const returnedAll = new Set<Chain>();
  for (const e of trace) {
    const returned =
      previous?.kind === 'walk' &&
      previous.event.kind === 'rule-matched' &&
      previous.event.rule.target?.kind === 'RETURN'
        ? previous.event.rule
        : undefined;
    previous = e;
    if (e.kind === 'walk' && e.event.kind === 'target' && e.table === 'nat' && e.hook === 'prerouting') {
      if (e.event.rule.target?.kind === 'DNAT' || e.event.rule.target?.kind === 'REDIRECT')
        dnatRule = e.event.rule;
    }
    if (e.kind === 'rewrite' && e.what.includes('prerouting')) rewrite = e;
    if (e.kind === 'walk' && e.event.kind === 'policy' && returned && e.event.chain.base) {
      const c = e.event.chain;
      notes.push(
        `RETURN in the built-in chain ${e.table} ${c.name} (${where(returned)}) does not skip ahead: it ends the chain, and ${c.name}'s policy ${e.event.verdict} decides.`,
      );
    }
    // An unconditional RETURN in a user chain hides every rule after it.
    if (e.kind === 'walk' && e.event.kind === 'rule-matched') {
      const { chain, index, rule } = e.event;
      if (
        rule.target?.kind === 'RETURN' &&
        rule.matches.length === 0 &&
        !chain.base &&
        index < chain.rules.length - 1 &&
        !returnedAll.has(chain)
      ) {
        returnedAll.add(chain);
        const after = chain.rules.slice(index + 1);
        notes.push(
          `${chain.name} #${index + 1} (${where(rule)}, ${spec(chain.name, rule, ruleset)}) returns every packet, so the ${after.length === 1 ? 'rule after it is' : `${after.length} rules after it are`} never reached: ${after.map((r) => `${where(r)} (${spec(chain.name, r, ruleset)})`).join('; ')}. \`-A\` appends after the RETURN; insert with \`-I ${chain.name}\` instead.`,
        );
      }
    }
  }
  const route = trace.find((e): e is Extract<TraceEvent, { kind: 'route' }> => e.kind === 'route');
  const forwarded = trace.some((e) => e.kind === 'route' && e.decision.includes('FORWARD'));
  const received = trace.find((e): e is Extract<TraceEvent, { kind: 'received' }> => e.kind === 'received');
  // The interfaces as iptables names them: a bridge port's packets are -i BRIDGE.
  const inIf = received ? (host?.interface(received.iif)?.master ?? received.iif) : undefined;
  const bridged = route ? /^bridged by (\S+)/.exec(route.decision)?.[1] : undefined;
  const outIf = bridged ?? (route ? /forward out of (\S+)/.exec(route.decision)?.[1] : undefined);
  const ct = trace.find((e): e is Extract<TraceEvent, { kind: 'conntrack' }> => e.kind === 'conntrack');
  // A reply's PREROUTING rewrite is conntrack undoing a source NAT, not a DNAT rule.
  if (rewrite && forwarded && ct?.direction !== 'reply') {
    const port = dportOf(rewrite.before);
    const newPort = dportOf(rewrite.after);
    const blind = Number.isNaN(port) ? [] : inputRulesForPort(ruleset, port);
    notes.push(
      `nat PREROUTING rewrote the destination${dnatRule ? ` (${where(dnatRule)})` : ''} before the routing decision: ${rewrite.before} became ${rewrite.after}. The new destination is not this host, so the packet goes through FORWARD, never through filter INPUT.`,
    );
    if (blind.length) {
      notes.push(
        `filter INPUT rules about port ${port} never see this traffic: ${blind.map((b) => `${where(b.rule)} (${spec(b.chain, b.rule, ruleset)})`).join('; ')}. Filter it in FORWARD (Docker: the DOCKER-USER chain) on the new destination instead.`,
      );
    }
    // FORWARD rules written for the published port were tried on the DNATed one.
    const stale = trace.flatMap((e) =>
      e.kind === 'walk' &&
      e.hook === 'forward' &&
      e.event.kind === 'rule-skipped' &&
      port !== newPort &&
      e.event.rule.matches.some((m) => testsDport(m, port))
        ? [{ chain: e.event.chain.name, rule: e.event.rule }]
        : [],
    );
    if (stale.length) {
      notes.push(
        `${stale.map((b) => `${where(b.rule)} (${spec(b.chain, b.rule, ruleset)})`).join('; ')} ${stale.length === 1 ? 'was' : 'were'} tried and did not match: by FORWARD the packet is already going to ${daddrOf(rewrite.after)}:${newPort}, not port ${port}. Match --dport ${newPort}, or the port the client asked for with \`-m conntrack --ctorigdstport ${port}\`.`,
      );
    }
  }
  // `-i BRIDGE` rules tried on traffic going *to* that bridge.
  if (forwarded && outIf && inIf && inIf !== outIf) {
    const wrongWay = trace.flatMap((e) =>
      e.kind === 'walk' &&
      e.hook === 'forward' &&
      e.event.kind === 'rule-skipped' &&
      e.event.failed.kind === 'in-interface' &&
      !e.event.failed.invert &&
      e.event.failed.name === outIf &&
      aboutSenders(e.event.rule)
        ? [{ chain: e.event.chain.name, rule: e.event.rule }]
        : [],
    );
    if (wrongWay.length) {
      notes.push(
        `${wrongWay.map((b) => `${where(b.rule)} (${spec(b.chain, b.rule, ruleset)})`).join('; ')} did not apply: -i ${outIf} is the interface a packet comes *in* on, i.e. traffic from ${outIf}. This packet came in on ${inIf} and goes out of ${outIf}: traffic to ${outIf} is \`-o ${outIf}\` (or \`-i ${inIf}\`).`,
      );
    }
  }
  // Locally generated traffic never meets nat PREROUTING.
  const generated = trace[0]?.kind === 'generated' ? trace[0] : undefined;
  if (generated && trace.some((e) => e.kind === 'route' && e.decision === 'looped back through lo')) {
    const port = dportOf(generated.summary);
    const dnats = Number.isNaN(port)
      ? []
      : rulesForPort(ruleset, 'nat', 'PREROUTING', port, (r) => r.target?.kind === 'DNAT');
    if (dnats.length) {
      notes.push(
        `The host's own packets never pass nat PREROUTING: ${dnats.map((b) => `${where(b.rule)} (${spec(b.chain, b.rule, ruleset)})`).join('; ')} cannot apply to a connection made on this host, which goes OUTPUT → lo → INPUT without DNAT. Add the DNAT to nat OUTPUT too (as Docker does: \`-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER\`).`,
      );
    }
  }
  // br_netfilter's nat POSTROUTING on bridged frames.
  if (bridged) {
    const snat = trace.find(
      (e): e is Extract<TraceEvent, { kind: 'walk' }> =>
        e.kind === 'walk' &&
        e.table === 'nat' &&
        e.hook === 'postrouting' &&
        e.event.kind === 'target' &&
        (e.event.rule.target?.kind === 'MASQUERADE' || e.event.rule.target?.kind === 'SNAT'),
    );
    const post = trace.find(
      (e): e is Extract<TraceEvent, { kind: 'rewrite' }> =>
        e.kind === 'rewrite' && e.what.includes('postrouting'),
    );
    if (snat?.event.kind === 'target' && post) {
      const r = snat.event.rule;
      notes.push(
        `br_netfilter (net.bridge.bridge-nf-call-iptables=1) runs nat POSTROUTING on frames bridged between ports of ${bridged} too: ${where(r)} (${spec(snat.event.chain.name, r, ruleset)}) rewrote the source of traffic that never left the bridge (${saddrOf(post.before)} became ${saddrOf(post.after)}), so ${daddrOf(post.after)} sees and answers ${saddrOf(post.after)}. Exclude the bridge, as Docker does: \`! -o ${bridged}\`.`,
      );
    }
  }
  const fate = result.fate;
  if (fate.kind === 'dropped' && fate.decidedBy) {
    const d = fate.decidedBy;
    const reply = ct?.direction === 'reply' && (ct.state === 'ESTABLISHED' || ct.state === 'RELATED');
    const docker = hasChain(ruleset, 'filter', 'DOCKER-USER');
    const accept = `${d.kind === 'rule' && !d.chain.base ? d.chain.name : docker ? 'DOCKER-USER' : d.chain.name}`;
    const ways = inIf && outIf ? ` (in on ${inIf}, out of ${outIf})` : '';
    if (d.kind === 'rule' && d.chain.name === 'DOCKER-ISOLATION-STAGE-2') {
      notes.push(
        `Docker isolates its bridge networks from each other: DOCKER-ISOLATION-STAGE-1 sends traffic leaving a Docker bridge for another interface to STAGE-2, and ${where(d.rule)} (${spec(d.chain.name, d.rule, ruleset)}) drops it because it goes out of another Docker bridge${ways}. Containers on different networks talk only by joining a common network (docker network connect).`,
      );
    } else if (reply && !(d.kind === 'rule' && testsState(d.rule))) {
      const by =
        d.kind === 'rule'
          ? `${where(d.rule)} (${spec(d.chain.name, d.rule, ruleset)}) does not look at the connection state, so it drops the replies of connections that were let in`
          : `nothing in ${d.table.name} ${d.chain.name} accepts this direction${ways}, so its policy DROP decided${docker ? " (Docker's own RELATED,ESTABLISHED rule covers only traffic out of its bridges)" : ''}`;
      notes.push(
        `This packet is a reply in a connection that was let through (conntrack ${ct?.state}, reply direction): ${by}. Accept replies first: \`iptables -I ${accept} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\`.`,
      );
    }
    // A whitelist of senders written on -i BRIDGE: it filters what the containers send.
    const isBridge = (name: string) => !!host?.interfaces.some((i) => i.master === name);
    if (
      d.kind === 'rule' &&
      inIf &&
      isBridge(inIf) &&
      aboutSenders(d.rule) &&
      d.rule.matches.some((m) => m.kind === 'in-interface' && !m.invert && m.name === inIf)
    ) {
      notes.push(
        `${where(d.rule)} matched because \`-i ${inIf}\` is traffic coming *from* the containers on ${inIf} (this packet is ${saddrOf(received?.summary ?? '')}'s${reply ? ' answer' : ' own'}). A list of who may reach the containers has to test traffic *to* them: \`-o ${inIf}\`, or the uplink they arrive on (\`-i ${[...new Set(host?.interfaces.filter((i) => i.kind !== 'bridge' && !i.master && i.name !== 'lo').map((i) => i.name))].join('/') || 'ext_if'}\`).`,
      );
    }
    const isolation = d.kind === 'rule' && d.chain.name === 'DOCKER-ISOLATION-STAGE-2';
    const replyNote = reply && !(d.kind === 'rule' && testsState(d.rule));
    if (isolation || replyNote) {
      // said above
    } else if (d.kind === 'policy' && d.table.name === 'filter' && d.chain.name === 'FORWARD') {
      if (bridged) {
        notes.push(
          `The frame was bridged between two ports of ${bridged}, yet iptables saw it: br_netfilter (net.bridge.bridge-nf-call-iptables=1) passes bridged IPv4 through filter FORWARD as \`-i ${bridged} -o ${bridged}\`, and with nothing accepting it there FORWARD's policy DROP decided. Accept it: \`iptables -I ${accept} -i ${bridged} -o ${bridged} -j ACCEPT\`.`,
        );
      } else {
        const known = forwardInterfaces(ruleset);
        const router = docker && inIf && outIf && !known.has(inIf) && !known.has(outIf);
        notes.push(
          `Nothing in filter FORWARD accepted this packet${ways}, so the policy DROP decided.${
            router
              ? ` Docker sets FORWARD's policy to DROP and accepts only its containers' traffic, so a Docker host that is also a router stops forwarding everything else. Let it through in DOCKER-USER: \`iptables -I DOCKER-USER -i ${inIf} -o ${outIf} -j ACCEPT\`, and its replies (\`-i ${outIf} -o ${inIf}\`, or \`-m conntrack --ctstate RELATED,ESTABLISHED\`).`
              : ''
          }`,
        );
      }
    }
  }
  // Forwarded straight to a container's address: Docker's DOCKER chain accepts it all the same.
  if (fate.kind === 'forwarded' && !rewrite && ct?.direction === 'original' && ct.state === 'NEW') {
    const accepted = trace.find(
      (e): e is Extract<TraceEvent, { kind: 'walk' }> =>
        e.kind === 'walk' &&
        e.hook === 'forward' &&
        e.table === 'filter' &&
        e.event.kind === 'rule-matched' &&
        e.event.chain.name === 'DOCKER' &&
        e.event.rule.target?.kind === 'ACCEPT',
    );
    if (accepted?.event.kind === 'rule-matched') {
      const r = accepted.event.rule;
      notes.push(
        `No DNAT happened: this packet was sent to the container's own address, and ${where(r)} (${spec('DOCKER', r, ruleset)}) accepts it all the same — a published container port is open at the container's address to anyone who can route to this host${inIf ? ` through ${inIf}` : ''}, not only through the published host port.`,
      );
    }
  }
  if (result.fate.kind === 'delivered' && result.fate.to.startsWith('proxy')) {
    notes.push(
      'A userland proxy (like docker-proxy) accepted this connection on the host: it passed filter INPUT, and the proxy will open its own connection to the container from the host, through OUTPUT — a second path besides DNAT.',
    );
  }
  return notes;
}
