// -j REJECT (ipt_REJECT / ip6t_REJECT): send the kernel's reply — a TCP RST or an ICMP error —
// down the local output path, and drop the packet. When the kernel would send nothing (a
// fragment, a bad checksum, an ICMP error), only the drop happens.

import type { RejectTarget } from '../../../ir/targets/REJECT.js';
import {
  rejectIcmpUnreach4,
  rejectIcmpUnreach6,
  rejectTcpReset4,
  rejectTcpReset6,
} from '../../../wire/reject.js';
import { DROP } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

export const rejectExecutor: TargetExecutor<RejectTarget> = {
  kind: 'REJECT',
  run(t, ctx) {
    const { bytes } = ctx.packet;
    const v4 = ctx.family === 'ipv4';
    // Locally generated packets carry checksums the kernel has not finished (CHECKSUM_PARTIAL).
    const checksumTrusted = ctx.packet.iif === null;
    const src = ctx.icmpErrorSource();
    const r =
      t.reply.kind === 'tcp-reset'
        ? v4
          ? rejectTcpReset4(bytes, 0, { checksumTrusted, ttl: ctx.replyTtl })
          : rejectTcpReset6(bytes, 0, { checksumTrusted })
        : v4
          ? rejectIcmpUnreach4(bytes, 0, t.reply.code, {
              checksumTrusted,
              ttl: ctx.replyTtl,
              id: ctx.random() & 0xffff,
              ...(src ? { src: src[0]! } : {}),
            })
          : rejectIcmpUnreach6(bytes, 0, t.reply.code, { checksumTrusted, ...(src ? { src } : {}) });
    if ('packet' in r)
      ctx.sendReply(
        r.packet,
        `REJECT ${t.reply.kind === 'tcp-reset' ? 'tcp-reset' : `icmp code ${t.reply.code}`}`,
      );
    else ctx.note(`REJECT sends nothing: ${r.none}`);
    return DROP;
  },
};
