// Conntrack entries from `conntrack -L -o xml`: the XML form names every field, unlike the
// extended text form whose columns shift with the protocol.

import type { ConntrackEntry, ConntrackTuple } from './kernel-result.js';

const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));

function children(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<(\w+)(?:\s[^>]*)?(?:\/>|>([^<]*)<\/\1>)/g)) out.set(m[1]!, m[2] ?? '');
  return out;
}

function tuple(meta: string): ConntrackTuple {
  const l3 = children(/<layer3[^>]*>(.*?)<\/layer3>/.exec(meta)?.[1] ?? '');
  const l4 = children(/<layer4[^>]*>(.*?)<\/layer4>/.exec(meta)?.[1] ?? '');
  const t: { -readonly [K in keyof ConntrackTuple]: ConntrackTuple[K] } = {
    src: l3.get('src')!,
    dst: l3.get('dst')!,
  };
  for (const k of ['sport', 'dport', 'type', 'code', 'id'] as const) if (l4.has(k)) t[k] = num(l4.get(k));
  return t;
}

export function parseConntrackXml(xml: string): ConntrackEntry[] {
  const out: ConntrackEntry[] = [];
  for (const [, flow] of xml.matchAll(/<flow>(.*?)<\/flow>/gs)) {
    const meta = (dir: string) =>
      new RegExp(`<meta direction="${dir}">(.*?)</meta>`, 's').exec(flow!)?.[1] ?? '';
    const orig = meta('original');
    const l3 = /<layer3 protonum="(\d+)" protoname="(\w+)"/.exec(orig);
    const l4 = /<layer4 protonum="(\d+)" protoname="(\w+)"/.exec(orig);
    const ind = children(meta('independent'));
    const flags = ['assured', 'unreplied'].filter((f) => ind.has(f)).map((f) => f.toUpperCase());
    const entry: ConntrackEntry = {
      family: l3?.[2] === 'ipv6' ? 'ipv6' : 'ipv4',
      proto: l4?.[2] ?? 'unknown',
      protonum: Number(l4?.[1] ?? -1),
      original: tuple(orig),
      reply: tuple(meta('reply')),
      ...(ind.has('state') ? { state: ind.get('state')! } : {}),
      timeout: Number(ind.get('timeout') ?? 0),
      mark: Number(ind.get('mark') ?? 0),
      ...(ind.has('zone') ? { zone: Number(ind.get('zone')) } : {}),
      flags,
    };
    out.push(entry);
  }
  return out;
}
