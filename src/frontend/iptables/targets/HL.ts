// -j HL --hl-set N | --hl-dec N | --hl-inc N (libip6t_HL.c, IPv6 only; built like TTL).

import type { HlTarget } from '../../../ir/targets/HL.js';
import type { TargetExtension } from '../extension.js';
import { hopCountTarget } from './TTL.js';

export const hlTarget: TargetExtension<HlTarget> = hopCountTarget('HL', 'hl', 'ipv6');
