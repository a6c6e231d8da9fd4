// All target extension modules (standard verdicts and chain jumps are built in).

import type { TargetExtension } from '../extension.js';
import { auditTarget } from './AUDIT.js';
import { checksumTarget } from './CHECKSUM.js';
import { classifyTarget } from './CLASSIFY.js';
import { connmarkTarget } from './CONNMARK.js';
import { connsecmarkTarget } from './CONNSECMARK.js';
import { ctTarget } from './CT.js';
import { dnatTarget } from './DNAT.js';
import { dscpTarget } from './DSCP.js';
import { hlTarget } from './HL.js';
import { idletimerTarget } from './IDLETIMER.js';
import { ledTarget } from './LED.js';
import { logTarget } from './LOG.js';
import { markTarget } from './MARK.js';
import { masqueradeTarget } from './MASQUERADE.js';
import { netmapTarget } from './NETMAP.js';
import { nflogTarget } from './NFLOG.js';
import { nfqueueTarget } from './NFQUEUE.js';
import { notrackTarget } from './NOTRACK.js';
import { rateestTarget } from './RATEEST.js';
import { redirectTarget } from './REDIRECT.js';
import { rejectTarget } from './REJECT.js';
import { secmarkTarget } from './SECMARK.js';
import { setTarget } from './SET.js';
import { snatTarget } from './SNAT.js';
import { synproxyTarget } from './SYNPROXY.js';
import { tcpmssTarget } from './TCPMSS.js';
import { teeTarget } from './TEE.js';
import { tosTarget } from './TOS.js';
import { tproxyTarget } from './TPROXY.js';
import { traceTarget } from './TRACE.js';
import { ttlTarget } from './TTL.js';
import { ulogTarget } from './ULOG.js';

// biome-ignore lint/suspicious/noExplicitAny: each module is typed by its own IR kind
export const TARGETS: readonly TargetExtension<any>[] = [
  auditTarget,
  checksumTarget,
  classifyTarget,
  connmarkTarget,
  connsecmarkTarget,
  ctTarget,
  dnatTarget,
  dscpTarget,
  hlTarget,
  idletimerTarget,
  ledTarget,
  logTarget,
  markTarget,
  masqueradeTarget,
  netmapTarget,
  nflogTarget,
  nfqueueTarget,
  notrackTarget,
  rateestTarget,
  redirectTarget,
  rejectTarget,
  secmarkTarget,
  setTarget,
  snatTarget,
  synproxyTarget,
  tcpmssTarget,
  teeTarget,
  tosTarget,
  tproxyTarget,
  traceTarget,
  ttlTarget,
  ulogTarget,
];
