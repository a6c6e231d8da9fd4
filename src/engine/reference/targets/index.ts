// Every extension target's executor; the TargetExecutors type makes a missing kind a compile error.

import type { TargetExecutors } from '../target-executor.js';
import { connmarkExecutor } from './connmark.js';
import { ctExecutor, notrackExecutor } from './conntrack-control.js';
import { logExecutor, nflogExecutor, traceExecutor } from './log.js';
import { dscpExecutor, hlExecutor, tcpmssExecutor, tosExecutor, ttlExecutor } from './mangle.js';
import { markExecutor } from './mark.js';
import { dnatExecutor, masqueradeExecutor, netmapExecutor, redirectExecutor, snatExecutor } from './nat.js';
import { nfqueueExecutor } from './nfqueue.js';
import {
  auditExecutor,
  checksumExecutor,
  classifyExecutor,
  connsecmarkExecutor,
  idletimerExecutor,
  ledExecutor,
  rateestExecutor,
  secmarkExecutor,
} from './no-effect.js';
import { rejectExecutor } from './reject.js';
import { notExecuted } from './unsupported.js';

export const TARGET_EXECUTORS: TargetExecutors = {
  AUDIT: auditExecutor,
  CHECKSUM: checksumExecutor,
  CLASSIFY: classifyExecutor,
  CONNMARK: connmarkExecutor,
  CONNSECMARK: connsecmarkExecutor,
  CT: ctExecutor,
  DNAT: dnatExecutor,
  DSCP: dscpExecutor,
  HL: hlExecutor,
  IDLETIMER: idletimerExecutor,
  LED: ledExecutor,
  LOG: logExecutor,
  MARK: markExecutor,
  MASQUERADE: masqueradeExecutor,
  NETMAP: netmapExecutor,
  NFLOG: nflogExecutor,
  NFQUEUE: nfqueueExecutor,
  NOTRACK: notrackExecutor,
  RATEEST: rateestExecutor,
  REDIRECT: redirectExecutor,
  REJECT: rejectExecutor,
  SECMARK: secmarkExecutor,
  SET: notExecuted('SET'),
  SNAT: snatExecutor,
  SYNPROXY: notExecuted('SYNPROXY'),
  TCPMSS: tcpmssExecutor,
  TEE: notExecuted('TEE'),
  TOS: tosExecutor,
  TPROXY: notExecuted('TPROXY'),
  TRACE: traceExecutor,
  TTL: ttlExecutor,
};
