// The conntrack tunables (ConntrackSettings, src/engine/conntrack/timeouts.ts) as the host
// wrote them into a settings record; timeouts in seconds.

import { NS_PER_SEC } from './layout';

let settings: usize = 0;

export function useSettings(ptr: usize): void {
  settings = ptr;
}

export function setting(word: u32): u32 {
  return load<u32>(settings + ((<usize>word) << 2));
}

/** seconds(): a timeout setting in ns. */
export function secondsOf(word: u32): i64 {
  return <i64>setting(word) * NS_PER_SEC;
}

export function seconds(s: u32): i64 {
  return <i64>s * NS_PER_SEC;
}
