// What keeps a scenario from being split across workers: state that every packet of the run
// reads and writes whatever its connection, which no sharding by address can keep whole. Such a
// run goes on one worker (replay says so).

import type { Host } from '../host/index.js';
import type { Ruleset } from '../ir/ruleset.js';

/** Matches whose state spans connections: one token bucket, list or counter for all packets. */
const SHARED_STATE_MATCHES: ReadonlySet<string> = new Set([
  'limit',
  'hashlimit',
  'recent',
  'quota',
  'connlimit',
  'nfacct',
]);

/** Why the run needs a single worker, or undefined when it shards. */
export function singleWorkerReason(ruleset: Ruleset, host: Host): string | undefined {
  for (const t of ruleset.tables)
    for (const c of t.chains)
      for (const r of c.rules)
        for (const m of r.matches) {
          const nth = m.kind === 'statistic' && m.mode === 'nth';
          if (SHARED_STATE_MATCHES.has(m.kind) || nth)
            return `-m ${m.kind}${nth ? ' --mode nth' : ''} at ${r.source.file}:${r.source.line} counts packets of every connection`;
        }
  const port = host.interfaces.find((i) => i.master !== undefined);
  if (port) return `the bridge ${port.master} learns station addresses from every frame (port ${port.name})`;
  return undefined;
}
