// Targets that change nothing netfilter or routing looks at again in nfwasm's model, so the
// traversal simply continues: CLASSIFY (tc priority), CHECKSUM (fills in a checksum offload left
// open; nfwasm's packets are complete), AUDIT (an audit record), SECMARK/CONNSECMARK (SELinux
// labels), IDLETIMER, LED and RATEEST (side channels).

import type { Target } from '../../../ir/target.js';
import type { AuditTarget } from '../../../ir/targets/AUDIT.js';
import type { ChecksumTarget } from '../../../ir/targets/CHECKSUM.js';
import type { ClassifyTarget } from '../../../ir/targets/CLASSIFY.js';
import type { ConnsecmarkTarget } from '../../../ir/targets/CONNSECMARK.js';
import type { IdletimerTarget } from '../../../ir/targets/IDLETIMER.js';
import type { LedTarget } from '../../../ir/targets/LED.js';
import type { RateestTarget } from '../../../ir/targets/RATEEST.js';
import type { SecmarkTarget } from '../../../ir/targets/SECMARK.js';
import { CONTINUE } from '../../verdict.js';
import type { TargetExecutor } from '../target-executor.js';

function continues<T extends Target>(kind: T['kind']): TargetExecutor<T> {
  return { kind, run: () => CONTINUE };
}

export const classifyExecutor = continues<ClassifyTarget>('CLASSIFY');
export const checksumExecutor = continues<ChecksumTarget>('CHECKSUM');
export const auditExecutor = continues<AuditTarget>('AUDIT');
export const secmarkExecutor = continues<SecmarkTarget>('SECMARK');
export const connsecmarkExecutor = continues<ConnsecmarkTarget>('CONNSECMARK');
export const idletimerExecutor = continues<IdletimerTarget>('IDLETIMER');
export const ledExecutor = continues<LedTarget>('LED');
export const rateestExecutor = continues<RateestTarget>('RATEEST');
