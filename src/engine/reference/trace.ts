// The story of one packet, step by step, as `nfwasm explain` tells it: hooks and tables entered,
// rules tried, verdicts, conntrack, NAT rewrites, routing and delivery.

import type { Hook, TableName } from '../../ir/ruleset.js';
import type { WalkEvent } from './table-walk.js';

export type TraceEvent =
  | { readonly kind: 'received'; readonly iif: string; readonly summary: string }
  | { readonly kind: 'generated'; readonly why: string; readonly summary: string }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'hook'; readonly hook: Hook; readonly table: TableName }
  | { readonly kind: 'walk'; readonly hook: Hook; readonly table: TableName; readonly event: WalkEvent }
  | {
      readonly kind: 'conntrack';
      readonly hook: Hook;
      readonly state: string;
      readonly direction: 'original' | 'reply';
      /** The connection's tuples, conntrack -L style. */
      readonly entry: string | null;
      readonly note?: string;
    }
  | { readonly kind: 'nat-skipped'; readonly hook: Hook; readonly why: string }
  | { readonly kind: 'rewrite'; readonly what: string; readonly before: string; readonly after: string }
  | { readonly kind: 'route'; readonly decision: string }
  | { readonly kind: 'delivered'; readonly to: string }
  | { readonly kind: 'emitted'; readonly oif: string; readonly summary: string }
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'note'; readonly text: string };
