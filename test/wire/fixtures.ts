// Loaders for the wire fixtures (test/fixtures/wire/): scapy-built packets with scapy's own
// dissection, and request/reply pairs captured from the Linux kernel.

import { readFileSync } from 'node:fs';
import { inetPton } from '../../src/frontend/iptables/addresses.js';
import type { LinkType } from '../../src/wire/packet.js';

const DIR = new URL('../fixtures/wire/', import.meta.url);

export type ScapyFields = Record<string, string | number | null>;
export interface ScapyPacket {
  readonly name: string;
  readonly link: LinkType;
  readonly scapy: string;
  readonly hex: string;
  readonly layers: readonly { readonly layer: string; readonly fields: ScapyFields }[];
}

export function scapyPackets(): ScapyPacket[] {
  return JSON.parse(readFileSync(new URL('scapy-packets.json', DIR), 'utf8')) as ScapyPacket[];
}

export interface KernelExchange {
  readonly name: string;
  /** Ethernet frames. */
  readonly probe: Uint8Array;
  readonly reply: Uint8Array | null;
}

export function kernelExchanges(): Map<string, KernelExchange> {
  const out = new Map<string, KernelExchange>();
  for (const line of readFileSync(new URL('kernel-replies.txt', DIR), 'utf8').split('\n')) {
    const [name, probe, reply] = line.trim().split(/\s+/);
    if (!name || !probe) continue;
    out.set(name, { name, probe: hex(probe), reply: reply ? hex(reply) : null });
  }
  return out;
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function words(text: string): number[] {
  const fam = text.includes(':') ? 'ipv6' : 'ipv4';
  const w = inetPton(fam, text);
  if (!w) throw new Error(`bad address ${text}`);
  return w;
}

export function layer(p: ScapyPacket, name: string, nth = 0): ScapyFields {
  const found = p.layers.filter((l) => l.layer === name);
  const l = found[nth];
  if (!l) throw new Error(`${p.name}: no ${name} layer`);
  return l.fields;
}

export function hasLayer(p: ScapyPacket, name: string): boolean {
  return p.layers.some((l) => l.layer === name);
}
