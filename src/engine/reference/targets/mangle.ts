// The mangle table's header rewrites: -j TTL / HL (xt_TTL.c ttl_tg, hl_tg6), -j TOS and -j DSCP
// (xt_DSCP.c tos_tg, dscp_tg) and -j TCPMSS (xt_TCPMSS.c tcpmss_tg4/tcpmss_tg6). Each changes the
// packet in place with the kernel's own checksum arithmetic and lets the traversal continue.

import type { DscpTarget } from '../../../ir/targets/DSCP.js';
import type { HlTarget } from '../../../ir/targets/HL.js';
import type { TcpmssTarget } from '../../../ir/targets/TCPMSS.js';
import type { TosTarget } from '../../../ir/targets/TOS.js';
import type { HopCountMode, TtlTarget } from '../../../ir/targets/TTL.js';
import { get8, get16, put8, put16 } from '../../../wire/bytes.js';
import { csumReplace2 } from '../../../wire/checksum.js';
import { tcpmssMangle } from '../../../wire/tcpmss.js';
import { CONTINUE, DROP } from '../../verdict.js';
import type { TargetContext, TargetExecutor } from '../target-executor.js';

/** The new hop count for `mode`, clamped to 0..255 as ttl_tg / hl_tg6 do. */
function hopCount(old: number, mode: HopCountMode, value: number): number {
  if (mode === 'set') return value;
  return mode === 'inc' ? Math.min(255, old + value) : Math.max(0, old - value);
}

export const ttlExecutor: TargetExecutor<TtlTarget> = {
  kind: 'TTL',
  run(t, ctx) {
    const b = ctx.packet.bytes;
    const old = get8(b, 8);
    const ttl = hopCount(old, t.mode, t.value);
    if (ttl !== old) {
      // csum_replace2(&iph->check, htons(iph->ttl << 8), htons(new_ttl << 8))
      put16(b, 10, csumReplace2(get16(b, 10), old << 8, ttl << 8));
      put8(b, 8, ttl);
      ctx.packetChanged();
    }
    return CONTINUE;
  },
};

export const hlExecutor: TargetExecutor<HlTarget> = {
  kind: 'HL',
  run(t, ctx) {
    // IPv6 has no header checksum: the hop limit (byte 7) just changes.
    const b = ctx.packet.bytes;
    const old = get8(b, 7);
    const hl = hopCount(old, t.mode, t.value);
    if (hl !== old) {
      put8(b, 7, hl);
      ctx.packetChanged();
    }
    return CONTINUE;
  },
};

/**
 * ipv4_change_dsfield (include/net/dsfield.h): tos = (tos & mask) | value, with the kernel's
 * own incremental header checksum update (not csum_replace: it adds the old byte and subtracts
 * the new one in host order, folding the carry).
 */
function ipv4ChangeDsfield(b: Uint8Array, mask: number, value: number): void {
  const tos = get8(b, 1);
  const dsfield = ((tos & mask) | value) & 0xff;
  let check = get16(b, 10);
  check += tos;
  if ((check + 1) >>> 16) check = (check + 1) & 0xffff;
  check -= dsfield;
  check += check >> 16; // the carry (a borrow shows as -1 here, as in the kernel's u32 arithmetic)
  put16(b, 10, check & 0xffff);
  put8(b, 1, dsfield);
}

/** ipv6_change_dsfield: the traffic class spans bytes 0-1 of the IPv6 header. */
function ipv6ChangeDsfield(b: Uint8Array, mask: number, value: number): void {
  const word = get16(b, 0);
  const tc = (word >>> 4) & 0xff;
  const ds = ((tc & mask) | value) & 0xff;
  put16(b, 0, (word & 0xf00f) | (ds << 4));
}

function dsfieldOf(ctx: TargetContext): number {
  const b = ctx.packet.bytes;
  return ctx.family === 'ipv4' ? get8(b, 1) : (get16(b, 0) >>> 4) & 0xff;
}

function changeDsfield(ctx: TargetContext, mask: number, value: number): void {
  if (ctx.family === 'ipv4') ipv4ChangeDsfield(ctx.packet.bytes, mask, value);
  else ipv6ChangeDsfield(ctx.packet.bytes, mask, value);
  ctx.packetChanged();
}

export const tosExecutor: TargetExecutor<TosTarget> = {
  kind: 'TOS',
  run(t, ctx) {
    // tos_tg: nv = (orig & ~tos_mask) ^ tos_value, written only when it differs.
    const orig = dsfieldOf(ctx);
    const nv = ((orig & ~t.mask) ^ t.value) & 0xff;
    if (nv !== orig) changeDsfield(ctx, 0, nv);
    return CONTINUE;
  },
};

const XT_DSCP_SHIFT = 2;
const XT_DSCP_ECN_BITS = 0x03; // (__u8)~XT_DSCP_MASK

export const dscpExecutor: TargetExecutor<DscpTarget> = {
  kind: 'DSCP',
  run(t, ctx) {
    // dscp_tg: keeps the ECN bits, replaces the code point when it differs.
    if (dsfieldOf(ctx) >>> XT_DSCP_SHIFT !== t.dscp)
      changeDsfield(ctx, XT_DSCP_ECN_BITS, t.dscp << XT_DSCP_SHIFT);
    return CONTINUE;
  },
};

export const tcpmssExecutor: TargetExecutor<TcpmssTarget> = {
  kind: 'TCPMSS',
  run(t, ctx) {
    const p = ctx.packet;
    // tcpmss_mangle_packet: with --clamp-mss-to-pmtu the MSS is the smaller of the route's MTU
    // and the reverse route's (tcpmss_reverse_mtu), minus the IP and TCP headers.
    const minlen = ctx.family === 'ipv4' ? 40 : 60;
    let mss: number;
    if (t.mss === 'pmtu') {
      const mtu = ctx.pathMtu();
      if (mtu <= minlen) {
        ctx.note(`TCPMSS: unknown or invalid path MTU ${mtu} (the kernel drops the packet)`);
        return DROP;
      }
      mss = mtu - minlen;
    } else mss = t.mss;
    const r = tcpmssMangle(p.bytes, 0, ctx.family, mss);
    if (r.action === 'drop') {
      ctx.note(`TCPMSS: ${r.reason} (dropped)`);
      return DROP;
    }
    if (r.changed) {
      p.bytes = r.bytes;
      ctx.packetChanged();
    }
    return CONTINUE;
  },
};
