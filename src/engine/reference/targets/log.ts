// -j LOG / NFLOG / TRACE: the kernel writes a log line (or starts tracing) and the traversal
// continues. nfwasm records the line in the packet's explanation instead.

import type { LogTarget } from '../../../ir/targets/LOG.js';
import type { NflogTarget } from '../../../ir/targets/NFLOG.js';
import type { TraceTarget } from '../../../ir/targets/TRACE.js';
import { formatPacketSummary } from '../../../wire/packet.js';
import { CONTINUE } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

export const logExecutor: TargetExecutor<LogTarget> = {
  kind: 'LOG',
  run(t, ctx) {
    ctx.note(`LOG level ${t.level}: ${t.prefix ?? ''}${formatPacketSummary(ctx.packet.decoded)}`);
    return CONTINUE;
  },
};

export const nflogExecutor: TargetExecutor<NflogTarget> = {
  kind: 'NFLOG',
  run(t, ctx) {
    ctx.note(`NFLOG group ${t.group}: ${t.prefix ?? ''}${formatPacketSummary(ctx.packet.decoded)}`);
    return CONTINUE;
  },
};

export const traceExecutor: TargetExecutor<TraceTarget> = {
  kind: 'TRACE',
  run(_t, ctx) {
    ctx.note('TRACE: the kernel would trace this packet through every later rule');
    return CONTINUE;
  },
};
